// What travels around the request head: frames sent before the 101, very large heads, a request body, and the
// Origin policy.
import { Opcode } from '../../../protocol/constants.js';
import { closeNormally, defineCase, informational, text, type CaseContext, type ConformanceCase, type Expectation, type HandshakeSpec, type Peer } from '../../define.js';
import { encodeFrameBytes } from '../../../protocol/frame/encode.js';
import { acceptance, CLIENT_ERROR_STATUSES, isOpen, probeEcho, PROBE_MESSAGE } from './common.js';

const PIPELINED = 'sent with the request';

/** `count` padding headers of about 1 KiB each. */
function padding(count: number): [string, string][] {
  return Array.from({ length: count }, (_, i): [string, string] => [`X-Wsprobe-Pad-${i}`, 'p'.repeat(1000)]);
}

/**
 * An unusual request (a very large head, a GET with a body) on a second connection, while the case's own connection
 * is open (issue 12, ruling 4). How the target answers it is its choice, so it is recorded, not graded: RFC 6455
 * sets no limit on the head (§4.2.1 asks only for the listed fields), RFC 6585 §5 offers 431 for one it will not
 * read, and RFC 7231 §4.3.1 says "A payload within a GET request message has no defined semantics; sending a
 * payload body on a GET request might cause some existing implementations to reject the request" -- a 101, a 4xx,
 * or closing that connection without a response. What is graded: the NEXT connection is still served
 * (`second-connection-ok`), so a target the request brought down fails.
 */
function unusualRequest(c: { id: string; title: string; rfc: string[]; what: string; spec: HandshakeSpec; describe: string }): ConformanceCase {
  return defineCase({
    id: c.id,
    title: c.title,
    rfc: c.rfc,
    autobahn: [],
    expect: {
      kind: 'handshake',
      status: [101],
      allowDrop: false,
      then: informational(c.describe),
      // RFC 6455 names no head limit; §10.4's rule for frames is the nearest: implementations with limits "MUST
      // protect themselves against exceeding those limits" (a denial of service is its example).
      requireMetrics: [{ name: 'second-connection-ok', equals: 1, why: `RFC 6455 §10.4 (by analogy: "MUST protect themselves against exceeding those limits"): after ${c.what} the target no longer serves a normal connection` }],
    },
    async run(peer, ctx) {
      const side = await ctx.openPeer('manual');
      if (side === null) peer.note(`${c.what}: could not connect`);
      else await recordAnswer(peer, side, c.what, c.spec, ctx.options.echo !== false);
      await checkNextConnection(peer, ctx);
      await closeNormally(peer);
    },
  });
}

/** Sends the unusual request on `side` and notes on the case's peer what came back (status 0: no response). */
async function recordAnswer(peer: Peer, side: Peer, what: string, spec: HandshakeSpec, echoes: boolean): Promise<void> {
  const outcome = await side.handshake(spec);
  peer.metric('request-status', outcome.status ?? 0);
  if (outcome.status === undefined) {
    peer.note(`${what}: no response (${outcome.failure ?? 'unknown'}${outcome.detail ? `: ${outcome.detail}` : ''})`);
    return;
  }
  peer.note(`${what}: status ${outcome.status}${outcome.ok || outcome.status !== 101 ? '' : ` (invalid 101: ${outcome.rejection?.message ?? 'fails §4.1'})`}`);
  if (!isOpen(side)) {
    // Let a refusal end before the next connection, so a target that dies once it has answered is caught.
    await side.waitForEnd(1000);
    return;
  }
  const answered = await probeAnswer(side, echoes);
  const closed = side.observation().closeReceived;
  peer.note(`${what}: then ${answered ? 'answered' : 'did not answer'} the probe ${echoes ? 'message' : 'ping'}${closed ? `, close ${closed.code ?? '(no code)'}` : ''}`);
  await closeNormally(side);
}

/**
 * Whether an open connection works: the probe message is echoed, or (a target that does not echo) a ping is
 * answered by its pong, which every WebSocket server owes (RFC 6455 §5.5.2).
 */
async function probeAnswer(side: Peer, echoes: boolean): Promise<boolean> {
  if (echoes) {
    await side.sendMessage(Opcode.Text, PROBE_MESSAGE);
    return side.waitForMessages(1);
  }
  await side.sendPing(PROBE_MESSAGE);
  return side.waitForPongs(1);
}

/** Opens a fresh connection and records whether it completes the handshake and echoes the probe. */
async function checkNextConnection(peer: Peer, ctx: CaseContext): Promise<void> {
  const next = await ctx.openPeer();
  if (next === null || !isOpen(next)) {
    peer.metric('second-connection-ok', 0);
    return;
  }
  const answered = await probeAnswer(next, ctx.options.echo !== false);
  peer.metric('second-connection-ok', answered ? 1 : 0);
  await closeNormally(next);
}

const bigHead = (kib: number): ConformanceCase =>
  unusualRequest({
    id: `handshake.head.${kib}k`,
    title: `Request head with ${kib} KiB of headers: the answer is recorded, and the next connection still works`,
    rfc: ['4.2.1', '10.4'],
    what: `a ${kib} KiB request head`,
    spec: { addHeaders: padding(kib) },
    describe: `a request head of ${kib} KiB was sent on a second connection; whether the target accepted it (101), refused it (a 4xx such as 431, RFC 6585 §5) or closed that connection is recorded in the transcript (request-status; 0: no response)`,
  });

const ORIGIN_PROBE = 'https://wsprobe.invalid';

export const cases: ConformanceCase[] = [
  defineCase({
    id: 'handshake.pipelined-frame',
    title: 'A frame sent in the same TCP write as the request (before the 101): what the target does is recorded',
    rfc: ['4.1', '4.2.2'],
    autobahn: [],
    // Issue 12, ruling 3: the client breaks RFC 6455 §4.1 here: "Once the client's opening handshake has been sent,
    // the client MUST wait for a response from the server before sending any further data." The server owes such a
    // client nothing: echoing, dropping the early bytes, failing or refusing are all recorded, none graded.
    handshake: {
      trailing: encodeFrameBytes({ opcode: Opcode.Text, payload: new Uint8Array(Buffer.from(PIPELINED)), mask: new Uint8Array([0x37, 0xfa, 0x21, 0x3d]) }),
      send: { chop: 'whole' },
    },
    expect: informational('a text frame sent in the same write as the request, before the 101 (the client breaks RFC 6455 §4.1: it "MUST wait for a response from the server before sending any further data"); whether the target echoes it is recorded', {
      receive: [text(PIPELINED)],
    }),
    async run(peer, ctx) {
      if (!isOpen(peer)) return;
      if (ctx.options.echo !== false) await peer.waitForMessages(1);
      await peer.close(1000);
    },
  }),
  bigHead(16),
  bigHead(64),
  unusualRequest({
    id: 'handshake.body.content-length',
    title: 'Request with a body (Content-Length: 5): what the target does with it is recorded, and the next connection still works',
    rfc: ['4.2.1', '10.4'],
    what: 'a GET handshake with a 5-byte body',
    spec: { addHeaders: [['Content-Length', '5']], trailing: new Uint8Array(Buffer.from('hello')), send: { chop: 'whole' } },
    describe: 'a GET handshake with a 5-byte body was sent on a second connection; whether the target refused it, closed that connection, or accepted it and then skipped the body or read it as frames is recorded in the transcript',
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
      await probeEcho(peer, ctx);
    },
  }),
];
