// RFC 6455 §5.3: "the masked data is ... the unmasked data XOR the masking key:
//   j = i MOD 4; transformed-octet-i = original-octet-i XOR masking-key-octet-j".
// Masking twice with the same key and offset is the identity, so one function masks and unmasks.

/**
 * Below this many bytes the unrolled byte loop beats the word loop: creating the Uint32Array view costs about as
 * much as XORing 100-150 bytes one at a time (Node 20, measured: 32 B 70 vs 280 ns, 64 B 140 vs 290 ns, 128 B about
 * even, 256 B 550 vs 320 ns).
 */
const WORD_THRESHOLD = 128;

const keyScratch = new Uint8Array(4);
const keyWord = new Uint32Array(keyScratch.buffer);

/** The key rotated by `keyOffset`, as a native-endian 32-bit word matching memory order. */
function rotatedKeyWord(key: Uint8Array, keyOffset: number): number {
  keyScratch[0] = key[keyOffset & 3]!;
  keyScratch[1] = key[(keyOffset + 1) & 3]!;
  keyScratch[2] = key[(keyOffset + 2) & 3]!;
  keyScratch[3] = key[(keyOffset + 3) & 3]!;
  return keyWord[0]!;
}

/**
 * XORs `data` with `key` in place. `keyOffset` is the index (mod 4) of the key byte that applies to `data[0]`,
 * so a payload can be unmasked in pieces: pass the number of payload bytes already processed.
 */
export function applyMask(data: Uint8Array, key: Uint8Array, keyOffset = 0): void {
  const n = data.length;
  if (n < WORD_THRESHOLD) {
    const k0 = key[keyOffset & 3]!;
    const k1 = key[(keyOffset + 1) & 3]!;
    const k2 = key[(keyOffset + 2) & 3]!;
    const k3 = key[(keyOffset + 3) & 3]!;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      data[i] ^= k0;
      data[i + 1] ^= k1;
      data[i + 2] ^= k2;
      data[i + 3] ^= k3;
    }
    if (i < n) data[i] ^= k0;
    if (i + 1 < n) data[i + 1] ^= k1;
    if (i + 2 < n) data[i + 2] ^= k2;
    return;
  }
  // Bytes until the data is 4-byte aligned in its buffer, then whole words, then the tail.
  let i = 0;
  const lead = (4 - (data.byteOffset & 3)) & 3;
  for (; i < lead; i++) data[i] ^= key[(keyOffset + i) & 3]!;
  const words = (n - lead) >>> 2;
  const w = rotatedKeyWord(key, keyOffset + lead);
  const view = new Uint32Array(data.buffer, data.byteOffset + lead, words);
  for (let j = 0; j < words; j++) view[j] ^= w;
  i = lead + words * 4;
  for (; i < n; i++) data[i] ^= key[(keyOffset + i) & 3]!;
}

/**
 * Writes `source` XOR `key` into `target` (same length, different memory): one pass for encoders that must not
 * mutate the caller's payload.
 */
export function applyMaskTo(source: Uint8Array, target: Uint8Array, key: Uint8Array, keyOffset = 0): void {
  const n = source.length;
  if (n >= WORD_THRESHOLD && ((source.byteOffset ^ target.byteOffset) & 3) === 0) {
    let i = 0;
    const lead = (4 - (source.byteOffset & 3)) & 3;
    for (; i < lead; i++) target[i] = source[i]! ^ key[(keyOffset + i) & 3]!;
    const words = (n - lead) >>> 2;
    const w = rotatedKeyWord(key, keyOffset + lead);
    const src = new Uint32Array(source.buffer, source.byteOffset + lead, words);
    const dst = new Uint32Array(target.buffer, target.byteOffset + lead, words);
    for (let j = 0; j < words; j++) dst[j] = src[j]! ^ w;
    for (i = lead + words * 4; i < n; i++) target[i] = source[i]! ^ key[(keyOffset + i) & 3]!;
    return;
  }
  const k0 = key[keyOffset & 3]!;
  const k1 = key[(keyOffset + 1) & 3]!;
  const k2 = key[(keyOffset + 2) & 3]!;
  const k3 = key[(keyOffset + 3) & 3]!;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    target[i] = source[i]! ^ k0;
    target[i + 1] = source[i + 1]! ^ k1;
    target[i + 2] = source[i + 2]! ^ k2;
    target[i + 3] = source[i + 3]! ^ k3;
  }
  if (i < n) target[i] = source[i]! ^ k0;
  if (i + 1 < n) target[i + 1] = source[i + 1]! ^ k1;
  if (i + 2 < n) target[i + 2] = source[i + 2]! ^ k2;
}
