// Autobahn 6.1-6.3: valid and invalid text, whole and fragmented on and off code-point boundaries (RFC 6455 §5.4:
// a text message's UTF-8 runs across its frames; §8.1 applies to the message, not to each frame).
import { Opcode } from '../../../protocol/constants.js';
import { awaitFailure, closeNormally, defineWireCase, echo, failWith, text, utf8, type ConformanceCase, type FrameSpec } from '../../define.js';

/** 35 bytes: 1-, 2-, 3- and 4-byte sequences. */
const MIXED = utf8('wsprobe µ€ κόσμε 𝄞 ok');
const GREEK = utf8('κόσμε');
/** Valid text with a lone surrogate (ED A0 80) in the middle. */
const WITH_SURROGATE = new Uint8Array([...utf8('κόσμε'), 0xed, 0xa0, 0x80, ...utf8('wsprobe')]);

const fragments = (parts: Uint8Array[]): FrameSpec[] =>
  parts.map((p, i) => ({ opcode: i === 0 ? Opcode.Text : Opcode.Continuation, fin: i === parts.length - 1, payload: p }));
const bytewise = (bytes: Uint8Array): FrameSpec[] => fragments(Array.from(bytes, (b) => new Uint8Array([b])));

const valid = (id: string, title: string, autobahn: string[], frames: FrameSpec[], expected: Uint8Array): ConformanceCase =>
  defineWireCase({
    id: `utf8.${id}`,
    title,
    rfc: ['5.4', '8.1'],
    autobahn,
    expect: echo([text(expected)]),
    async run(peer) {
      await peer.sendFrames(frames, { chop: 'frame' });
      await peer.waitForMessages(1);
      await closeNormally(peer);
    },
  });

/** Index of the middle code-point boundary of `bytes` (a byte that is not a continuation byte). */
function midBoundary(bytes: Uint8Array): number {
  let i = bytes.length >> 1;
  while (i < bytes.length && ((bytes[i] as number) & 0xc0) === 0x80) i++;
  return i;
}

const cut = midBoundary(MIXED);

export const cases: ConformanceCase[] = [
  valid('empty.whole', 'Empty text message is echoed', ['6.1.1'], [{ opcode: Opcode.Text }], new Uint8Array(0)),
  valid('empty.three-fragments', 'Text message of three empty fragments is echoed as one empty message', ['6.1.2'], fragments([new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)]), new Uint8Array(0)),
  valid(
    'empty.first-last-empty',
    'Text message of three fragments, first and last empty, is echoed',
    ['6.1.3'],
    fragments([new Uint8Array(0), MIXED, new Uint8Array(0)]),
    MIXED,
  ),
  valid('valid.whole', 'Valid UTF-8 text with 1- to 4-byte sequences, one frame, is echoed', ['6.2.1'], fragments([MIXED]), MIXED),
  valid(
    'valid.fragmented-on-code-points',
    'Valid UTF-8 text in two fragments split on a code-point boundary is echoed',
    ['6.2.2'],
    fragments([MIXED.subarray(0, cut), MIXED.subarray(cut)]),
    MIXED,
  ),
  valid('valid.byte-frames', 'Valid UTF-8 text in 1-byte fragments (splitting code points) is echoed', ['6.2.3'], bytewise(MIXED), MIXED),
  valid('valid.byte-frames-greek', 'Valid "κόσμε" in 1-byte fragments is echoed', ['6.2.4'], bytewise(GREEK), GREEK),
  defineWireCase({
    id: 'utf8.invalid.whole',
    title: 'Text with a lone surrogate (ED A0 80), one frame, fails the connection with 1007',
    rfc: ['8.1', '7.4.1'],
    autobahn: ['6.3.1'],
    expect: failWith([1007]),
    async run(peer) {
      await peer.sendFrame({ opcode: Opcode.Text, payload: WITH_SURROGATE });
      await awaitFailure(peer);
    },
  }),
  defineWireCase({
    id: 'utf8.invalid.byte-frames',
    title: 'Text with a lone surrogate in 1-byte fragments fails the connection with 1007',
    rfc: ['8.1', '7.4.1', '5.4'],
    autobahn: ['6.3.2'],
    expect: failWith([1007]),
    async run(peer) {
      await peer.sendFrames(bytewise(WITH_SURROGATE), { chop: 'frame' });
      await awaitFailure(peer);
    },
  }),
];
