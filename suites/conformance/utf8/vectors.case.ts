// RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not,
// in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_." §7.4.1 names the code:
// "1007 indicates that an endpoint is terminating the connection because it has received data within a message
// that was not consistent with the type of the message (e.g., non-UTF-8 [RFC3629] data within a text message)."
// Each vector is sent twice: as one frame (Autobahn 6.5-6.23), and one byte per frame, so a validator that
// forgets its state between frames is caught. Valid vectors (non-characters and specials included) are echoed.
import { Opcode } from '../../../protocol/constants.js';
import { awaitFailure, closeNormally, defineWireCase, echo, failWith, text, type ConformanceCase, type FrameSpec } from '../../define.js';
import { UTF8_VECTORS, type Utf8Vector } from './vectors.js';

function byteFrames(bytes: Uint8Array): FrameSpec[] {
  if (bytes.length === 0) return [{ opcode: Opcode.Text }];
  return Array.from(bytes, (b, i): FrameSpec => ({ opcode: i === 0 ? Opcode.Text : Opcode.Continuation, fin: i === bytes.length - 1, payload: new Uint8Array([b]) }));
}

function vectorCase(v: Utf8Vector, split: boolean): ConformanceCase {
  const bytes = new Uint8Array(Buffer.from(v.hex, 'hex'));
  const how = split ? `, one byte per frame` : '';
  return defineWireCase({
    id: split ? `${v.id}.byte-frames` : v.id,
    title: `${v.valid ? 'Valid' : 'Invalid'} UTF-8${how}: ${v.title}, ${v.hex.length / 2} bytes ${v.hex.length > 40 ? `${v.hex.slice(0, 40)}...` : v.hex}`,
    rfc: v.valid ? ['8.1', '5.6'] : ['8.1', '7.4.1'],
    autobahn: split ? [] : v.autobahn,
    expect: v.valid ? echo([text(bytes)]) : failWith([1007]),
    async run(peer) {
      if (split) await peer.sendFrames(byteFrames(bytes), { chop: 'frame' });
      else await peer.sendFrame({ opcode: Opcode.Text, payload: bytes });
      if (v.valid) {
        await peer.waitForMessages(1);
        await closeNormally(peer);
      } else {
        await awaitFailure(peer);
      }
    },
  });
}

export const cases: ConformanceCase[] = UTF8_VECTORS.flatMap((v) => [vectorCase(v, false), vectorCase(v, true)]);
