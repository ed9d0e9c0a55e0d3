// WebSockets as HTTP/2 streams (RFC 8441 §5): several on one connection at once, each its own (RFC 7540 §5:
// streams are independent and interleaved); one reset with RST_STREAM(CANCEL) ends that WebSocket only (RFC 7540
// §5.4.2: a stream error "does not affect processing of other streams"); a closing handshake ends the stream
// with END_STREAM, the TCP FIN's stand-in, and leaves the connection serving; a message of megabytes moves within
// the flow-control windows (RFC 7540 §6.9). The case's own stream is graded by `then`; the others are measured
// (peer.metric) and required by requireMetrics. Extra streams go on the case's connection (ctx.openPeer).
import { Opcode } from '../../../protocol/constants.js';
import { closeNormally, digestStep, echo, patternPayload, text, type ConformanceCase, type Peer } from '../../define.js';
import { defineH2Case } from './rules.js';
import { echoedExactly, echoTexts, OPENED, openBeside } from './support.js';

const OTHERS = 3;
const ROUNDS = 3;
const ownText = (stream: number, round: number): string => `stream ${stream}, message ${round}: ${'x'.repeat(stream * 7 + round)}`;
const SERVES_AFTER = 'wsprobe: a new WebSocket after the first one closed';

/** 3 MiB: 48 windows of the 64 KiB default (RFC 7540 §6.9.2), so both sides must honour the windows many times. */
const LARGE = patternPayload('binary', 3 * 1024 * 1024);

/** The connection under `peer`'s stream still serves: no GOAWAY came, and it is not closed. */
function connectionAlive(peer: Peer): boolean {
  const h2 = peer.http2;
  return h2 !== undefined && h2.goaway() === null && h2.connectionOpen;
}

export const cases: ConformanceCase[] = [
  defineH2Case({
    id: 'http2.streams.concurrent',
    title: `${OTHERS + 1} WebSockets on one HTTP/2 connection at once, each echoing its own messages`,
    rfc: ['8441 5', '7540 5'],
    autobahn: [],
    rule: 'RFC 7540 §5: "A single HTTP/2 connection can contain multiple concurrently open streams"; RFC 8441 §5: each WebSocket is the stream its Extended CONNECT opened',
    expect: {
      kind: 'handshake',
      status: OPENED,
      allowDrop: false,
      then: echo(Array.from({ length: ROUNDS }, (_, r) => text(ownText(0, r)))),
      requireMetrics: [
        {
          name: 'other-streams-echoed',
          equals: OTHERS,
          why: `RFC 7540 §5: "A single HTTP/2 connection can contain multiple concurrently open streams, with either endpoint interleaving frames from multiple streams", and each WebSocket is its own stream (RFC 8441 §5): of ${OTHERS} more WebSockets opened beside this one, not all echoed exactly their own messages`,
        },
      ],
    },
    async run(peer, ctx) {
      const others = await Promise.all(Array.from({ length: OTHERS }, () => openBeside(ctx)));
      const all: (Peer | null)[] = [peer, ...others];
      for (let r = 0; r < ROUNDS; r++) {
        await Promise.all(all.map((p, i) => p?.sendMessage(Opcode.Text, ownText(i, r))));
      }
      await Promise.all(all.map((p) => p?.waitForMessages(ROUNDS)));
      const echoed = others.filter((p, i) => echoedExactly(p, Array.from({ length: ROUNDS }, (_, r) => ownText(i + 1, r)))).length;
      peer.metric('other-streams-echoed', echoed);
      peer.metric('same-connection', others.every((p) => p !== null && peer.http2?.sameConnection(p) === true) ? 1 : 0);
      await Promise.all(all.map((p) => (p === null ? undefined : closeNormally(p))));
    },
  }),
  defineH2Case({
    id: 'http2.streams.reset-one',
    title: 'One WebSocket reset with RST_STREAM(CANCEL): the others on the connection keep working',
    rfc: ['7540 5.4.2', '8441 5', '7540 6.4'],
    autobahn: [],
    rule: 'RFC 7540 §5.4.2: a stream error "does not affect processing of other streams"; RFC 8441 §5: a WebSocket\'s RST exceptions "are represented with the RST_STREAM frame ... with the CANCEL error code"',
    expect: {
      kind: 'handshake',
      status: OPENED,
      allowDrop: false,
      then: echo([text('before the reset'), text('after the reset')]),
      requireMetrics: [
        {
          name: 'other-stream-echoed-after-reset',
          equals: 1,
          why: 'RFC 7540 §5.4.2: a stream error "does not affect processing of other streams" (RFC 8441 §5: RST_STREAM with CANCEL is a WebSocket\'s reset): after one WebSocket was reset, another on the same connection no longer echoed',
        },
        {
          name: 'connection-open-after-reset',
          equals: 1,
          why: 'RFC 7540 §5.4.2: a stream error "does not affect processing of other streams"; the target ended the whole connection (GOAWAY or closed) when one WebSocket was reset',
        },
      ],
    },
    async run(peer, ctx) {
      const [victim, other] = await Promise.all([openBeside(ctx), openBeside(ctx)]);
      await Promise.all([echoTexts(peer, ['before the reset']), victim && echoTexts(victim, ['before the reset']), other && echoTexts(other, ['before the reset'])]);
      victim?.http2?.reset('reset on purpose: RST_STREAM(CANCEL), RFC 8441 §5');
      await Promise.all([echoTexts(peer, ['after the reset']), other && echoTexts(other, ['after the reset'])]);
      peer.metric('other-stream-echoed-after-reset', echoedExactly(other, ['before the reset', 'after the reset']) ? 1 : 0);
      peer.metric('connection-open-after-reset', connectionAlive(peer) ? 1 : 0);
      await Promise.all([closeNormally(peer), other && closeNormally(other)]);
    },
  }),
  defineH2Case({
    id: 'http2.streams.close-end-stream',
    title: 'A closing handshake ends the stream with END_STREAM, and the connection serves a new WebSocket after it',
    rfc: ['8441 5', '7540 6.1', '7.1.1'],
    autobahn: [],
    rule: 'RFC 8441 §5: "Orderly TCP-level closures are represented as END_STREAM flags"; closing one WebSocket ends its stream, not the connection',
    expect: {
      kind: 'handshake',
      status: OPENED,
      allowDrop: false,
      then: echo([text('closing next')]),
      requireMetrics: [
        {
          name: 'closed-with-end-stream',
          equals: 1,
          why: 'RFC 8441 §5: "Orderly TCP-level closures are represented as END_STREAM flags ([RFC7540], Section 6.1)" (RFC 6455 §5.5.1: after the closing handshake the server "MUST close the underlying TCP connection"): the stream ended otherwise',
        },
        {
          name: 'serves-after-close',
          equals: 1,
          why: 'RFC 8441 §5: a WebSocket\'s closure is its stream\'s ("The stream closure is also analogous to the TCP connection closure of [RFC6455]"), not the connection\'s: after one closing handshake the connection sent GOAWAY, closed, or no longer opened and echoed a new WebSocket',
        },
      ],
    },
    async run(peer, ctx) {
      await echoTexts(peer, ['closing next']);
      await closeNormally(peer);
      const end = peer.http2?.streamEnd();
      peer.metric('closed-with-end-stream', end?.frame === 'END_STREAM' ? 1 : 0);
      if (end && end.frame !== 'END_STREAM') peer.note(`the stream ended with ${end.frame === 'RST_STREAM' ? `RST_STREAM (error code ${end.code})` : `the connection (${end.detail})`}`);
      const next = await openBeside(ctx);
      if (next !== null) await echoTexts(next, [SERVES_AFTER]);
      peer.metric('serves-after-close', echoedExactly(next, [SERVES_AFTER]) && connectionAlive(peer) ? 1 : 0);
      if (next !== null) await closeNormally(next);
    },
  }),
  defineH2Case({
    id: 'http2.flow-control.large-message',
    title: 'A 3 MiB message over one stream comes back whole: both sides respect the flow-control windows',
    rfc: ['7540 6.9', '8441 5'],
    autobahn: [],
    tags: ['heavy'],
    timeoutMs: 30_000,
    rule: 'RFC 7540 §6.9.1: "A sender MUST NOT send a flow-controlled frame with a length that exceeds the space available in either of the flow-control windows advertised by the receiver"',
    expect: echo([digestStep('binary', LARGE)]),
    async run(peer) {
      await peer.sendMessage(Opcode.Binary, LARGE);
      await peer.waitForMessages(1);
      await closeNormally(peer);
    },
  }),
];
