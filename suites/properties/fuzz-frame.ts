// The frame record every fuzz arbitrary produces (peers/fuzz/fuzz-frame.ts: the record and its wire codec, so
// captured bytes can seed the fuzzer and shrink), re-exported here for the suites, and its readable forms for
// counterexamples.
import { isControlOpcode, opcodeName } from '../../protocol/constants.js';
import type { FuzzFrame } from '../../peers/fuzz/fuzz-frame.js';

export {
  concatBytes,
  decodeFuzzFrames,
  encodeFuzzFrame,
  encodeFuzzFrames,
  fuzzFrame,
  minimalLengthForm,
  type FuzzFrame,
} from '../../peers/fuzz/fuzz-frame.js';

const PREVIEW_BYTES = 24;

/** One readable line, python-websockets style: `TEXT fin masked [5 bytes] 'hello'`, long payloads elided. */
export function describeFuzzFrame(f: FuzzFrame): string {
  const flags: string[] = [];
  if (f.fin) flags.push('fin');
  if (f.rsv1) flags.push('rsv1');
  if (f.rsv2) flags.push('rsv2');
  if (f.rsv3) flags.push('rsv3');
  flags.push(f.mask ? `mask=${hex(f.mask)}` : 'UNMASKED');
  if (f.lengthForm !== undefined) flags.push(`length-form=${f.lengthForm}-bit`);
  const size = f.lengthOverride !== undefined ? `[header length 0x${f.lengthOverride.toString(16)}]` : `[${f.payload.length} bytes]`;
  return `${opcodeName(f.opcode)} ${flags.join(' ')} ${size}${previewPayload(f.opcode, f.payload)}`;
}

export function previewPayload(opcode: number, payload: Uint8Array): string {
  if (payload.length === 0) return '';
  if (opcode === 0x8 && payload.length >= 2) {
    const code = (payload[0]! << 8) | payload[1]!;
    const reason = payload.subarray(2);
    return ` code=${code}${reason.length > 0 ? ` reason ${previewBytes(reason)}` : ''}`;
  }
  if (isControlOpcode(opcode) || opcode === 0x2) return ` hex ${elide(payload)}`;
  return ` ${previewBytes(payload)}`;
}

/** Text when the bytes are printable UTF-8, else hex: invalid UTF-8 must be visible byte for byte. */
export function previewBytes(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const roundTrips = Buffer.from(text, 'utf8').equals(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (roundTrips && !/[\u0000-\u001f\u007f]/.test(text)) {
    return text.length > 40 ? `'${text.slice(0, 40)}'... (${bytes.length} bytes)` : `'${text}'`;
  }
  return `hex ${elide(bytes)}`;
}

function elide(bytes: Uint8Array): string {
  if (bytes.length <= PREVIEW_BYTES) return hex(bytes);
  return `${hex(bytes.subarray(0, PREVIEW_BYTES))}... (+${bytes.length - PREVIEW_BYTES} bytes)`;
}

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
