// The payload corpora of the deflate cases, made in code from a fixed seed, so every run sends the same bytes and
// expectations are rebuilt rather than stored. Five kinds of data, as Autobahn 12.1-12.5 use five files: JSON
// (text), a bitmap (binary), plain text (sent as binary, like Autobahn's Faust), HTML (text) and a PDF-like file
// (binary: text dictionaries around incompressible streams). Each is about 200 KiB, enough for 128 KiB slices.
// Text corpora are sliced by code points (Autobahn sizes them so) and include multi-byte characters.
import { concatBytes } from '../../../protocol/bytes.js';
import { Opcode } from '../../../protocol/constants.js';

export const CORPUS_KINDS = {
  json: { opcode: Opcode.Text, title: 'JSON' },
  bitmap: { opcode: Opcode.Binary, title: 'a 24-bit bitmap' },
  text: { opcode: Opcode.Binary, title: 'plain text sent as binary' },
  html: { opcode: Opcode.Text, title: 'HTML' },
  pdf: { opcode: Opcode.Binary, title: 'a PDF-like binary' },
} as const;
export type CorpusKind = keyof typeof CORPUS_KINDS;

const TARGET = 200 * 1024;

/** mulberry32: small, fast, and the same everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the of and to in is was that for on with as his they be at one have this from by hot word but what some we can ' +
  'out other were all there when up use your how said an each she which do their time if will way about many then ' +
  'them write would like so these her long make thing see him two has look more day could go come did number sound ' +
  'no most people my over know water than call first who may down side been now find any new work part take get ' +
  'place made live where after back little only round man year came show every good me give our under name very ' +
  'café naïve façade über straße señor 東京 日本語 żółw Ωmega'
).split(' ');

function words(rnd: () => number, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rnd() * WORDS.length)]!);
  return out.join(' ');
}

function makeJson(): string {
  const rnd = prng(0x1201);
  const colors = ['blue', 'brown', 'green', 'grey'];
  const parts: string[] = [];
  let size = 2;
  for (let id = 0; size < TARGET; id++) {
    const guid = Array.from({ length: 4 }, () => Math.floor(rnd() * 0xffffffff).toString(16).padStart(8, '0')).join('-');
    const rec = {
      _id: guid.replace(/-/g, '').slice(0, 24),
      index: id,
      guid,
      isActive: rnd() < 0.5,
      balance: `$${(rnd() * 4000).toFixed(2)}`,
      age: 20 + Math.floor(rnd() * 40),
      eyeColor: colors[Math.floor(rnd() * colors.length)],
      name: words(rnd, 2),
      email: `${words(rnd, 1).replace(/[^a-z]/g, '') || 'user'}${id}@example.com`,
      about: words(rnd, 12 + Math.floor(rnd() * 20)),
      latitude: Number((rnd() * 180 - 90).toFixed(6)),
      longitude: Number((rnd() * 360 - 180).toFixed(6)),
      tags: Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => words(rnd, 1)),
      friends: Array.from({ length: Math.floor(rnd() * 3) }, (_, i) => ({ id: i, name: words(rnd, 2) })),
    };
    const s = JSON.stringify(rec);
    parts.push(s);
    size += s.length + 1;
  }
  return `[${parts.join(',')}]`;
}

function makeText(): string {
  const rnd = prng(0x1203);
  const lines: string[] = [];
  let size = 0;
  while (size < TARGET) {
    const line = words(rnd, 6 + Math.floor(rnd() * 8));
    const s = `${line.charAt(0).toUpperCase()}${line.slice(1)}${rnd() < 0.3 ? '!' : '.'}`;
    lines.push(rnd() < 0.1 ? `\n  ${s}` : s);
    size += s.length + 1;
  }
  return lines.join('\n');
}

function makeHtml(): string {
  const rnd = prng(0x1204);
  const out = ['<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>wsprobe corpus</title></head>\n<body>\n'];
  let size = out[0]!.length;
  for (let i = 0; size < TARGET; i++) {
    const s =
      `<div class="item item-${i % 7}" id="n${i}">\n  <h2>${words(rnd, 3)}</h2>\n  <p class="lead">${words(rnd, 15)}</p>\n` +
      `  <a href="/articles/${i}/${words(rnd, 1).replace(/[^a-z]/g, '')}.html" title="${words(rnd, 2)}">more</a>\n` +
      `  <ul>${Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => `<li>${words(rnd, 2)}</li>`).join('')}</ul>\n</div>\n`;
    out.push(s);
    size += s.length;
  }
  out.push('</body>\n</html>\n');
  return out.join('');
}

/** A BMP header and 24-bit pixels of smooth gradients with a little noise: partly compressible, like a photo. */
function makeBitmap(): Uint8Array {
  const rnd = prng(0x1202);
  const w = 256;
  const h = 272;
  const pixels = w * h * 3;
  const out = new Uint8Array(54 + pixels);
  const dv = new DataView(out.buffer);
  out[0] = 0x42; // 'B'
  out[1] = 0x4d; // 'M'
  dv.setUint32(2, out.length, true);
  dv.setUint32(10, 54, true);
  dv.setUint32(14, 40, true);
  dv.setInt32(18, w, true);
  dv.setInt32(22, h, true);
  dv.setUint16(26, 1, true);
  dv.setUint16(28, 24, true);
  dv.setUint32(34, pixels, true);
  let o = 54;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const n = Math.floor(rnd() * 8);
      out[o++] = (x + y + n) & 0xff;
      out[o++] = ((x * 3) / 4 + n) & 0xff;
      out[o++] = ((y * 5) / 8 + ((x ^ y) & 15) + n) & 0xff;
    }
  }
  return out;
}

function makePdf(): Uint8Array {
  const rnd = prng(0x1205);
  const chunks: Uint8Array[] = [];
  const enc = new TextEncoder();
  let size = 0;
  const push = (b: Uint8Array): void => {
    chunks.push(b);
    size += b.length;
  };
  push(enc.encode('%PDF-1.5\n%\xe2\xe3\xcf\xd3\n'));
  const offsets: number[] = [];
  for (let n = 1; size < TARGET - 2048; n++) {
    offsets.push(size);
    const len = 512 + Math.floor(rnd() * 3072);
    push(enc.encode(`${n} 0 obj\n<< /Type /XObject /Subtype /Image /Width ${len} /Height 1 /BitsPerComponent 8 /Length ${len} /Filter /FlateDecode >>\nstream\n`));
    const data = new Uint8Array(len);
    for (let i = 0; i < len; i++) data[i] = Math.floor(rnd() * 256);
    push(data);
    push(enc.encode(`\nendstream\nendobj\n${n + 1000} 0 obj\n<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /MediaBox [0 0 612 792] /Contents ${n} 0 R >>\nendobj\n`));
  }
  push(enc.encode(`xref\n0 ${offsets.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size ${offsets.length + 1} >>\n%%EOF\n`));
  return concatBytes(chunks);
}

type Corpus = { kind: 'text'; codePoints: string[] } | { kind: 'binary'; bytes: Uint8Array };
const corpora = new Map<CorpusKind, Corpus>();

function corpus(kind: CorpusKind): Corpus {
  let c = corpora.get(kind);
  if (c) return c;
  switch (kind) {
    case 'json':
      c = { kind: 'text', codePoints: Array.from(makeJson()) };
      break;
    case 'html':
      c = { kind: 'text', codePoints: Array.from(makeHtml()) };
      break;
    case 'text':
      c = { kind: 'binary', bytes: new Uint8Array(Buffer.from(makeText(), 'utf8')) };
      break;
    case 'bitmap':
      c = { kind: 'binary', bytes: makeBitmap() };
      break;
    case 'pdf':
      c = { kind: 'binary', bytes: makePdf() };
      break;
  }
  corpora.set(kind, c);
  return c;
}

/** Corpus length in slicing units (code points for text kinds, bytes otherwise). */
export function corpusLength(kind: CorpusKind): number {
  const c = corpus(kind);
  return c.kind === 'text' ? c.codePoints.length : c.bytes.length;
}

const slices = new Map<string, Uint8Array[]>();

/**
 * `count` messages of `size` units from the corpus: overlapping slices (each shares about half of the previous
 * one, so a compressor taking over context can refer back into the last message), the last one a repeat of the
 * first (a whole-message back-reference when the window holds it). UTF-8 bytes for text kinds. Cached: read-only.
 */
export function corpusMessages(kind: CorpusKind, size: number, count: number): Uint8Array[] {
  const key = `${kind}:${size}:${count}`;
  const hit = slices.get(key);
  if (hit) return hit;
  const c = corpus(kind);
  const len = corpusLength(kind);
  if (size > len) throw new RangeError(`corpus ${kind} has ${len} units, fewer than ${size}`);
  const range = len - size + 1;
  const stride = Math.floor(size / 2) + 7;
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    if (i === count - 1 && count > 1) {
      out.push(out[0]!);
      break;
    }
    const off = (i * stride + (i > 0 ? Math.floor(size / 3) * (i % 3) : 0)) % range;
    out.push(c.kind === 'text' ? new Uint8Array(Buffer.from(c.codePoints.slice(off, off + size).join(''), 'utf8')) : c.bytes.slice(off, off + size));
  }
  slices.set(key, out);
  return out;
}
