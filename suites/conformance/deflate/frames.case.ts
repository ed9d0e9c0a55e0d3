// Frame-level rules of permessage-deflate (RFC 7692 §6, §7.2) that Autobahn does not test: RSV1 only on the
// first frame of a data message, compressed data that must inflate, empty DEFLATE blocks, and uncompressed
// messages mixed with compressed ones. Each needs the extension negotiated (else unimplemented). They are
// role-symmetric (defineWireCase with `deflate`): the client catalogue runs them too, accepting the client's offer.
//
// A compressed message that does not inflate is invalid data (RFC 6455 §10.7: "Incoming data MUST always be
// validated"), so the target fails the connection; RFC 7692 names no close code for it, so 1002 (protocol error)
// and 1007 (data inconsistent with the message type) both pass. Each failure case waits for the target to fail,
// then marks the give-up and sends our close (awaitFailure): a target that never fails but answers that close is
// told apart from one that answers nothing.
import { constants, deflateRawSync } from 'node:zlib';
import { Opcode } from '../../../protocol/constants.js';
import { awaitFailure, closeNormally, defineWireCase, echo, failWith, text, utf8, type ConformanceCase, type WirePeer } from '../../define.js';
import { recordDeflateMetrics } from './support.js';

type Stage = NonNullable<WirePeer['deflate']>;
/** RFC 7692 names no close code for data that does not inflate: a protocol error or inconsistent data both fit. */
const INFLATE_CODES = [1002, 1007];
/** RFC 7692 §7.2.1: the 4 octets a sync flush ends with, removed by the sender. */
const TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);

/** Runs `body` when permessage-deflate was negotiated; otherwise only closes (the case is unimplemented). */
async function withDeflate(peer: WirePeer, body: (stage: Stage) => Promise<void>): Promise<void> {
  const stage = peer.deflate ?? null;
  if (stage === null) {
    peer.note('permessage-deflate not negotiated: nothing to test');
    await closeNormally(peer);
    return;
  }
  await body(stage);
}

/**
 * Deflate data that refers back into a preset dictionary the target never saw: its first message, so no window
 * holds those bytes and inflating fails with "invalid distance too far back".
 */
function tooFarBack(): Uint8Array {
  const data = Buffer.from('wsprobe deflate: a back-reference before the start of the stream. '.repeat(2));
  const out = deflateRawSync(data, { dictionary: data, finishFlush: constants.Z_SYNC_FLUSH });
  return new Uint8Array(out.subarray(0, out.length - 4));
}

/** A case in which the target, with permessage-deflate negotiated, must fail the connection with one of `codes` after `send`. */
export function deflateFailCase(id: string, title: string, rfc: string[], codes: number[], send: (peer: WirePeer, stage: Stage) => Promise<void>): ConformanceCase {
  return defineWireCase({
    id,
    title,
    rfc,
    autobahn: [],
    deflate: true,
    expect: failWith(codes),
    async run(peer) {
      await withDeflate(peer, async (stage) => {
        await send(peer, stage);
        await awaitFailure(peer);
      });
    },
  });
}

export const cases: ConformanceCase[] = [
  deflateFailCase('deflate.rsv1.ping', 'A ping with RSV1 set fails the connection (1002)', ['7692 6', '5.2'], [1002], async (peer) => {
    await peer.sendFrame({ opcode: Opcode.Ping, payload: 'compressed?', rsv1: true });
  }),
  deflateFailCase('deflate.rsv1.pong', 'An unsolicited pong with RSV1 set fails the connection (1002)', ['7692 6', '5.2'], [1002], async (peer) => {
    await peer.sendFrame({ opcode: Opcode.Pong, payload: 'compressed?', rsv1: true });
  }),
  deflateFailCase(
    'deflate.rsv1.continuation',
    'A compressed message with RSV1 set on its continuation frame too fails the connection (1002)',
    ['7692 6', '5.2'],
    [1002],
    async (peer, stage) => {
      const c = stage.compress(utf8('Hello, permessage-deflate, in two frames'.repeat(4)));
      const half = c.length >> 1;
      await peer.sendFrames([
        { opcode: Opcode.Text, payload: c.subarray(0, half), fin: false, rsv1: true },
        { opcode: Opcode.Continuation, payload: c.subarray(half), fin: true, rsv1: true },
      ]);
    },
  ),
  deflateFailCase(
    'deflate.rsv1.continuation-of-plain',
    'An uncompressed message with RSV1 set on its continuation frame fails the connection (1002)',
    ['7692 6', '5.2'],
    [1002],
    async (peer) => {
      await peer.sendFrames([
        { opcode: Opcode.Text, payload: 'Hello, ', fin: false },
        { opcode: Opcode.Continuation, payload: 'world', fin: true, rsv1: true },
      ]);
    },
  ),
  deflateFailCase(
    'deflate.inflate.bad-block-type',
    'A compressed message that does not inflate (reserved block type 11) fails the connection (1002 or 1007)',
    ['7692 7.2.2', '10.7', '7.4.1'],
    INFLATE_CODES,
    async (peer) => {
      await peer.sendFrame({ opcode: Opcode.Text, payload: new Uint8Array([0xff, 0xff, 0xff, 0xff]), rsv1: true });
    },
  ),
  deflateFailCase(
    'deflate.inflate.distance-too-far',
    'A compressed message referring back before the start of the window fails the connection (1002 or 1007)',
    ['7692 7.2.2', '7692 7.2.3.2', '10.7'],
    INFLATE_CODES,
    async (peer) => {
      await peer.sendFrame({ opcode: Opcode.Text, payload: tooFarBack(), rsv1: true });
    },
  ),
  defineWireCase({
    id: 'deflate.empty.stored-block',
    title: 'A compressed message that is one empty stored block (0x00) is an empty message, echoed',
    rfc: ['7692 7.2.3.6', '7692 7.2.2'],
    autobahn: [],
    deflate: true,
    expect: echo([text('')]),
    async run(peer) {
      await withDeflate(peer, async () => {
        // 0x00 + the 0x00 0x00 0xff 0xff the receiver appends = BFINAL 0, BTYPE 00, LEN 0, NLEN 0xffff.
        await peer.sendFrame({ opcode: Opcode.Text, payload: new Uint8Array([0x00]), rsv1: true });
        await peer.waitForMessages(1);
        recordDeflateMetrics(peer);
        await closeNormally(peer);
      });
    },
  }),
  defineWireCase({
    id: 'deflate.empty.final-fragment',
    title: 'A compressed message ended by a fragment holding only an empty stored block is echoed whole',
    rfc: ['7692 7.2.3.6', '7692 6'],
    autobahn: [],
    deflate: true,
    expect: echo([text('Hello')]),
    async run(peer) {
      await withDeflate(peer, async (stage) => {
        // §7.2.3.6: the data went out flushed (its sync-flush tail kept), then the end of data came: the last
        // fragment is only an empty DEFLATE block, 0x00 once the receiver's 0x00 0x00 0xff 0xff is added.
        const c = stage.compress(utf8('Hello'));
        const first = new Uint8Array(c.length + 4);
        first.set(c);
        first.set(TAIL, c.length);
        await peer.sendFrames([
          { opcode: Opcode.Text, payload: first, fin: false, rsv1: true },
          { opcode: Opcode.Continuation, payload: new Uint8Array([0x00]), fin: true },
        ]);
        await peer.waitForMessages(1);
        await closeNormally(peer);
      });
    },
  }),
  defineWireCase({
    id: 'deflate.echo.uncompressed-then-compressed',
    title: 'With permessage-deflate negotiated, an uncompressed message (RSV1 clear) and a compressed one are both echoed',
    rfc: ['7692 6'],
    autobahn: [],
    deflate: true,
    expect: echo([text('Hello, uncompressed'), text('Hello, compressed')]),
    async run(peer) {
      await withDeflate(peer, async () => {
        await peer.sendFrame({ opcode: Opcode.Text, payload: 'Hello, uncompressed' });
        await peer.sendMessage(Opcode.Text, 'Hello, compressed');
        await peer.waitForMessages(2);
        await closeNormally(peer);
      });
    },
  }),
];
