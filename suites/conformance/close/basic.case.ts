// The closing handshake started by the client (RFC 6455 §7.1.2, §5.5.1): the target answers our close with a
// close frame (echoing the code, or 1000, or no code) and then closes TCP itself (§7.1.1: "the server SHOULD close
// the underlying TCP connection first"; §5.5.1: after sending and receiving a close, it "MUST close the underlying
// TCP connection"). Anything we send after our close must be ignored: §5.5.1 "the endpoint ... MAY ... discard
// any further data", and §5.5.2 no pong once a close was received (Autobahn 7.1.x, 7.3.x).
import { Opcode } from '../../../protocol/constants.js';
import { closeNormally, defineWireCase, echo, informational, patternPayload, text, type ConformanceCase, type WirePeer } from '../../define.js';

const after = (id: string, title: string, autobahn: string[], send: (peer: WirePeer) => Promise<void>): ConformanceCase =>
  defineWireCase({
    id,
    title,
    rfc: ['5.5.1', '7.1.2'],
    autobahn,
    expect: echo([]),
    async run(peer) {
      await send(peer);
      await closeNormally(peer);
    },
  });

export const cases: ConformanceCase[] = [
  defineWireCase({
    id: 'close.after-message',
    title: 'A message then a close: the message is echoed, then the close answered',
    rfc: ['5.5.1', '7.1.2'],
    autobahn: ['7.1.1'],
    expect: echo([text('Hello World!')]),
    async run(peer) {
      await peer.sendMessage(Opcode.Text, 'Hello World!');
      await peer.sendClose(1000);
      await closeNormally(peer);
    },
  }),
  after('close.twice', 'Two close frames: the first is answered, the second ignored', ['7.1.2'], async (peer) => {
    await peer.sendClose(1000);
    await peer.sendClose(1000);
  }),
  after('close.ping-after-close', 'A ping after our close is not answered (RFC 6455 §5.5.2)', ['7.1.3'], async (peer) => {
    await peer.sendClose(1000);
    await peer.sendPing('ping after close');
  }),
  after('close.text-after-close', 'A text message after our close is not echoed', ['7.1.4'], async (peer) => {
    await peer.sendClose(1000);
    await peer.sendMessage(Opcode.Text, 'text after close');
  }),
  after('close.fragment-close-fragment', 'First fragment, close, last fragment: nothing echoed, close answered', ['7.1.5'], async (peer) => {
    await peer.sendFrame({ opcode: Opcode.Text, fin: false, payload: 'fragment1' });
    await peer.sendClose(1000);
    await peer.sendFrame({ opcode: Opcode.Continuation, fin: true, payload: 'fragment2' });
  }),
  defineWireCase({
    id: 'close.large-message-then-close',
    title: 'A 256 KiB message, then a close, then a ping: what the target does is recorded',
    rfc: ['5.5.1', '7.1.2'],
    autobahn: ['7.1.6'],
    timeoutMs: 20_000,
    expect: informational('whether the 256 KiB message is echoed before the close answer, and how long the close took', {
      receive: [text(patternPayload('text', 256 * 1024))],
    }),
    async run(peer) {
      const start = performance.now();
      await peer.sendFrames([
        { opcode: Opcode.Text, payload: patternPayload('text', 256 * 1024) },
        { opcode: Opcode.Close, payload: new Uint8Array([0x03, 0xe8]) },
        { opcode: Opcode.Ping, payload: 'ping after close' },
      ]);
      await closeNormally(peer);
      const obs = peer.observation();
      peer.metric('echoed', obs.events.some((e) => e.kind === 'message' && e.length === 256 * 1024) ? 1 : 0);
      if (obs.closeReceived) peer.metric('closeAnswerMs', Math.round((obs.closeReceived.t - (obs.closeSent?.t ?? 0)) * 1000) / 1000);
      peer.metric('totalMs', Math.round((performance.now() - start) * 1000) / 1000);
    },
  }),
  after('close.empty', 'A close frame without payload is answered', ['7.3.1'], (peer) => peer.sendClose()),
  after('close.code-only', 'A close frame with code 1000 and no reason is answered', ['7.3.3'], (peer) => peer.sendClose(1000)),
  after('close.code-and-reason', 'A close frame with code 1000 and a reason is answered', ['7.3.4'], (peer) => peer.sendClose(1000, 'Hello World!')),
  after('close.reason-123', 'A close frame with a 123-byte reason (the maximum) is answered', ['7.3.5'], (peer) => peer.sendClose(1000, '*'.repeat(123))),
];
