// The Extended CONNECT a raw peer sends over HTTP/2 (RFC 8441 §4, §5): a correct block by default, a case's edits
// applied to it (pseudo-header fields included), the blocks node:http2 would alter or refuse sent by hand, HTTP/1.1
// fields refused as not applicable; and the frame layer those hand-framed requests use.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSettings, encodeH2Frame, encodeSettings, FrameType, H2FrameReader, headerFragment, Flag } from '../../../../peers/raw/h2-frames.js';
import { buildH2HandshakeRequest, h2NotApplicable, wireReason } from '../../../../peers/raw/h2-request.js';

const url = new URL('ws://127.0.0.1:8080/chat?room=1');

describe('buildH2HandshakeRequest', () => {
  it('builds a correct Extended CONNECT, with the run defaults, that node:http2 can send', () => {
    const r = buildH2HandshakeRequest({ extensions: 'permessage-deflate' }, url, { origin: 'https://o.example', protocols: ['chat'], headers: [['X-Trace', '1']] });
    expect(r.block).toEqual([
      [':method', 'CONNECT'],
      [':protocol', 'websocket'],
      [':scheme', 'http'],
      [':path', '/chat?room=1'],
      [':authority', '127.0.0.1:8080'],
      ['sec-websocket-version', '13'],
      ['origin', 'https://o.example'],
      ['sec-websocket-protocol', 'chat'],
      ['sec-websocket-extensions', 'permessage-deflate'],
      ['x-trace', '1'],
    ]);
    expect(r.needsWire).toBeNull();
    expect(r.pending).toEqual({ key: undefined, ctx: { key: '', protocols: ['chat'], extensionOffers: 'permessage-deflate' } });
  });

  it('edits pseudo-header fields like any other, and knows which results need hand framing', () => {
    const plain = buildH2HandshakeRequest({ removeHeaders: [':protocol', ':scheme', ':path'] }, url, {});
    expect(plain.block.slice(0, 2)).toEqual([[':method', 'CONNECT'], [':authority', '127.0.0.1:8080']]);
    expect(plain.needsWire).toBeNull(); // an RFC 7540 §8.3 CONNECT: node:http2 sends it as is
    expect(buildH2HandshakeRequest({ replaceHeaders: [[':protocol', 'chat']] }, url, {}).needsWire).toBeNull();
    for (const name of [':scheme', ':path', ':authority']) {
      const r = buildH2HandshakeRequest({ removeHeaders: [name] }, url, {});
      expect(r.block.some(([n]) => n === name)).toBe(false);
      expect(r.needsWire).toMatch(new RegExp(`without ${name}`));
    }
    expect(buildH2HandshakeRequest({ addHeaders: [['Connection', 'Upgrade']] }, url, {}).needsWire).toMatch(/connection-specific/);
    const v = buildH2HandshakeRequest({ version: '8', replaceHeaders: [[':path', '/other']] }, url, {});
    expect(v.block).toContainEqual(['sec-websocket-version', '8']);
    expect(v.block).toContainEqual([':path', '/other']);
  });

  it('a new pseudo-header field goes after the others, before the regular fields', () => {
    const r = buildH2HandshakeRequest({ removeHeaders: [':protocol'], replaceHeaders: [[':protocol', 'websocket']] }, url, {});
    expect(r.block.map(([n]) => n).indexOf(':protocol')).toBe(4);
    expect(wireReason(r.block)).toBeNull();
  });

  it('names the HTTP/1.1-only fields that make a case not applicable over HTTP/2', () => {
    expect(h2NotApplicable({})).toBeNull();
    expect(h2NotApplicable({ origin: 'x', version: '8', removeHeaders: ['x'] })).toBeNull();
    for (const spec of [{ raw: 'GET / HTTP/1.1\r\n\r\n' }, { method: 'POST' }, { httpVersion: 'HTTP/1.0' }, { key: 'abc' }, { trailing: new Uint8Array(1) }, { send: { chop: 'byte' as const } }]) {
      expect(h2NotApplicable(spec), JSON.stringify(spec)).not.toBeNull();
    }
  });
});

describe('HTTP/2 frames (RFC 7540 §4.1)', () => {
  it('cuts any chunking of a frame stream into the same frames', () => {
    const frames = [
      encodeH2Frame(FrameType.Settings, 0, 0, encodeSettings([[0x8, 1], [0x4, 65535]])),
      encodeH2Frame(FrameType.Headers, Flag.EndHeaders | Flag.Padded, 1, Uint8Array.from([2, 0x82, 0x84, 0, 0])),
      encodeH2Frame(FrameType.Data, Flag.EndStream, 1, new Uint8Array(300).fill(7)),
    ];
    const stream = Buffer.concat(frames);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 6 }), (cuts) => {
        const reader = new H2FrameReader();
        const at = [...new Set(cuts)].sort((a, b) => a - b);
        const got = [0, ...at].map((start, i) => stream.subarray(start, at[i] ?? stream.length)).flatMap((c) => reader.push(c));
        expect(got.map((f) => [f.type, f.flags, f.streamId, f.payload.length])).toEqual([
          [FrameType.Settings, 0, 0, 12],
          [FrameType.Headers, Flag.EndHeaders | Flag.Padded, 1, 5],
          [FrameType.Data, Flag.EndStream, 1, 300],
        ]);
        expect(decodeSettings(got[0]!.payload)).toEqual([[0x8, 1], [0x4, 65535]]);
        expect([...headerFragment(got[1]!)]).toEqual([0x82, 0x84]);
      }),
    );
  });

  it('stops at a frame larger than it allows', () => {
    const reader = new H2FrameReader(16);
    expect(reader.push(encodeH2Frame(FrameType.Data, 0, 1, new Uint8Array(17)))).toEqual([]);
    expect(reader.error).toMatch(/above SETTINGS_MAX_FRAME_SIZE 16/);
  });
});
