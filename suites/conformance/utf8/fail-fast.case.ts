// Fail-fast (Autobahn 6.4.1-4): RFC 6455 §8.1 fails the connection when the endpoint "finds that the byte stream
// is not, in fact, a valid UTF-8 stream". A validator that checks as bytes arrive finds it at the first invalid
// byte; one that checks the finished message finds it only at the end. The script sends a valid part, then the
// part that makes the text invalid, then waits (FAIL_FAST_WINDOW_MS) for the target to fail before it sends the
// rest; the mark 'rest' is set just before the rest goes out. Failing before the mark: pass; only after it:
// non-strict (late-fail, the shared grader's `failBy`); never: fail.
import { Opcode } from '../../../protocol/constants.js';
import { encodeFrameBytes } from '../../../protocol/frame/encode.js';
import { awaitFailure, defineWireCase, failWith, utf8, type ConformanceCase, type WirePeer } from '../../define.js';

const PART1 = utf8('κόσμε');
/** F4 90 80 80 would be U+110000, beyond U+10FFFF: F4 followed by 90 is invalid at the 90. */
const PART2 = new Uint8Array([0xf4, 0x90, 0x80, 0x80]);
const PART3 = utf8('wsprobe');
/** PART2 cut right after its first invalid byte (6.4.2/6.4.4), the remainder moved to the last part. */
const PART2_EXACT = PART2.subarray(0, 2);
const PART3_EXACT = new Uint8Array([...PART2.subarray(2), ...PART3]);

const PAUSE_MS = 100;
/** How long the target has to fail once the invalid byte is out (Autobahn waits 1 s). */
const FAIL_FAST_WINDOW_MS = 1000;
const MARK = 'rest';

/** Three frames of one text message. */
async function sendAsFrames(peer: WirePeer, parts: Uint8Array[]): Promise<void> {
  await peer.sendFrame({ opcode: Opcode.Text, fin: false, payload: parts[0] });
  await peer.pause(PAUSE_MS);
  await peer.sendFrame({ opcode: Opcode.Continuation, fin: false, payload: parts[1] });
  await peer.waitForClose(FAIL_FAST_WINDOW_MS);
  peer.mark(MARK);
  await peer.sendFrame({ opcode: Opcode.Continuation, fin: true, payload: parts[2] });
}

/** The mask key of the chopped frame towards a server under test (RFC 6455 §5.1: a client masks every frame). */
export const CHOPS_CLIENT_MASK = new Uint8Array([0x5a, 0x13, 0xc7, 0x9e]);

/**
 * One frame, its bytes written in three chops at the part boundaries. Encoded here, not by the peer, so the chops
 * fall exactly on the parts: `mask` is the role's (CHOPS_CLIENT_MASK towards a server, null towards a client).
 */
async function sendAsChops(peer: WirePeer, parts: Uint8Array[], mask: Uint8Array | null): Promise<void> {
  const payload = new Uint8Array(Buffer.concat(parts));
  const frame = encodeFrameBytes({ opcode: Opcode.Text, payload, mask });
  const end1 = frame.length - payload.length + (parts[0] as Uint8Array).length;
  const end2 = end1 + (parts[1] as Uint8Array).length;
  await peer.send(frame.subarray(0, end1));
  await peer.pause(PAUSE_MS);
  await peer.send(frame.subarray(end1, end2));
  await peer.waitForClose(FAIL_FAST_WINDOW_MS);
  peer.mark(MARK);
  await peer.send(frame.subarray(end2));
}

type Send = (peer: WirePeer, parts: Uint8Array[]) => Promise<void>;

const failFast = (id: string, title: string, autobahn: string, send: Send, parts: Uint8Array[]): ConformanceCase =>
  defineWireCase({
    id: `utf8.fail-fast.${id}`,
    title,
    rfc: ['8.1', '7.4.1'],
    autobahn: [autobahn],
    expect: failWith([1007], { failBy: MARK }),
    async run(peer) {
      await send(peer, parts);
      await awaitFailure(peer);
    },
  });

/**
 * The cases, role-symmetric but for the mask of the chopped frame, which the script encodes itself: `chopsMask` is
 * CHOPS_CLIENT_MASK in the server catalogue, null in the client catalogue (a server masks nothing).
 */
export function failFastCases(chopsMask: Uint8Array | null): ConformanceCase[] {
  const chops: Send = (peer, parts) => sendAsChops(peer, parts, chopsMask);
  return [
    failFast('frames', 'Invalid UTF-8 in the 2nd of 3 frames: fails before the 3rd is sent', '6.4.1', sendAsFrames, [PART1, PART2, PART3]),
    failFast('frames-exact', 'Invalid UTF-8, 2nd frame ending at the first invalid byte: fails before the 3rd is sent', '6.4.2', sendAsFrames, [PART1, PART2_EXACT, PART3_EXACT]),
    failFast('chops', 'Invalid UTF-8 in the 2nd of 3 chops of one frame: fails before the 3rd chop', '6.4.3', chops, [PART1, PART2, PART3]),
    failFast('chops-exact', 'Invalid UTF-8, 2nd chop of one frame ending at the first invalid byte: fails before the 3rd chop', '6.4.4', chops, [PART1, PART2_EXACT, PART3_EXACT]),
  ];
}

export const cases: ConformanceCase[] = failFastCases(CHOPS_CLIENT_MASK);
