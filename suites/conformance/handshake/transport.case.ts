// What travels around the request head: frames in the same TCP write, very large heads, a request body, and the
// Origin policy.
import { Opcode } from '../../../protocol/constants.js';
import { closeNormally, defineCase, echo, informational, text, type ConformanceCase, type Expectation } from '../../define.js';
import { encodeFrameBytes } from '../../../protocol/frame/encode.js';
import { acceptance, closeIfOpened, CLIENT_ERROR_STATUSES, isOpen, probeEcho, PROBE_MESSAGE } from './common.js';

const PIPELINED = 'sent with the request';

/** `count` padding headers of about 1 KiB each. */
function padding(count: number): [string, string][] {
  return Array.from({ length: count }, (_, i): [string, string] => [`X-Wsprobe-Pad-${i}`, 'p'.repeat(1000)]);
}

const bigHead = (kib: number): ConformanceCase =>
  defineCase({
    id: `handshake.head.${kib}k`,
    title: `Request head with ${kib} KiB of headers: answered without harm, and the next connection still works`,
    rfc: ['10.4', '4.2.1'],
    autobahn: [],
    handshake: 'manual',
    // RFC 6455 §10.4: "Implementations SHOULD impose reasonable limits on ... the size of headers". A 431 (RFC
    // 6585 §5) or another 4xx, or a 101, are all fine, and the reason records which. No response at all (TCP
    // closed, reset or silence) or a 5xx means the head hurt the target: fail.
    expect: {
      kind: 'handshake',
      status: [101, ...CLIENT_ERROR_STATUSES],
      allowDrop: false,
      requireMetrics: [{ name: 'second-connection-ok', equals: 1, why: `RFC 6455 §10.4: after a ${kib} KiB head the target no longer serves a normal connection` }],
    },
    async run(peer, ctx) {
      const outcome = await peer.handshake({ addHeaders: padding(kib) });
      peer.note(`${kib} KiB head: ${outcome.status !== undefined ? `status ${outcome.status}` : `no response (${outcome.failure ?? 'unknown'})`}`);
      await closeIfOpened(peer);
      const second = await ctx.openPeer();
      if (second === null || !isOpen(second)) {
        peer.metric('second-connection-ok', 0);
        return;
      }
      await second.sendMessage(Opcode.Text, PROBE_MESSAGE);
      const echoed = await second.waitForMessages(1);
      peer.metric('second-connection-ok', echoed ? 1 : 0);
      await closeNormally(second);
    },
  });

const ORIGIN_PROBE = 'https://wsprobe.invalid';

export const cases: ConformanceCase[] = [
  defineCase({
    id: 'handshake.pipelined-frame',
    title: 'A frame sent in the same TCP write as the request is echoed',
    rfc: ['4.2.2', '4.1'],
    autobahn: [],
    // §4.1: the client "MUST NOT" send data before the 101 only in the sense that it has to wait for the 101 to
    // know the connection is open; a server reading the head must not lose bytes that arrived with it.
    handshake: {
      trailing: encodeFrameBytes({ opcode: Opcode.Text, payload: new Uint8Array(Buffer.from(PIPELINED)), mask: new Uint8Array([0x37, 0xfa, 0x21, 0x3d]) }),
      send: { chop: 'whole' },
    },
    expect: { kind: 'handshake', status: [101], then: echo([text(PIPELINED)]) },
    async run(peer) {
      if (!isOpen(peer)) return;
      await peer.waitForMessages(1);
      await peer.close(1000);
    },
  }),
  bigHead(16),
  bigHead(64),
  defineCase({
    id: 'handshake.body.content-length',
    title: 'Request with a body (Content-Length: 5): what the target does with the body',
    rfc: ['4.2.1'],
    autobahn: [],
    handshake: 'manual',
    // RFC 7230 §3.3 gives a GET body no meaning; a server may refuse it, skip it, or (the smuggling risk) read
    // its bytes as frames and fail. Recorded only.
    expect: {
      kind: 'handshake',
      status: [101, ...CLIENT_ERROR_STATUSES],
      then: informational('a GET with a 5-byte body; whether the target skips the body or parses it as frames is recorded', {
        receive: [text(PROBE_MESSAGE)],
      }),
    },
    async run(peer) {
      await peer.handshake({ addHeaders: [['Content-Length', '5']], trailing: new Uint8Array(Buffer.from('hello')), send: { chop: 'whole' } });
      await probeEcho(peer);
    },
  }),
  defineCase({
    id: 'handshake.origin.policy',
    title: 'Origin policy: the stated --expect-origin decision is applied',
    rfc: ['4.2.2', '10.2'],
    autobahn: [],
    handshake: 'manual',
    expect: (options): Expectation => {
      const o = options;
      if (o.expectOrigin === 'forbid') {
        // §4.2.2 /origin/: "it MUST return an appropriate HTTP error code (e.g., 403 Forbidden)".
        return { kind: 'handshake', status: CLIENT_ERROR_STATUSES, allowDrop: false };
      }
      if (o.expectOrigin === 'allow') return acceptance();
      // Without a stated policy, either answer is recorded: a 4xx passes as a refusal, a 101 is informational.
      return { kind: 'handshake', status: [101, ...CLIENT_ERROR_STATUSES], then: informational(`sends Origin ${o.origin ?? ORIGIN_PROBE} and records whether the target accepts it (state the policy with --origin O --expect-origin allow|forbid)`) };
    },
    async run(peer, ctx) {
      await peer.handshake({ origin: ctx.options.origin ?? ORIGIN_PROBE });
      await probeEcho(peer);
    },
  }),
];
