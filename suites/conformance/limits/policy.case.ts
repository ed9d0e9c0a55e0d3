// Limits a server must enforce. A 64-bit length with its most significant bit set (RFC 6455 §5.2: "the most
// significant bit MUST be 0") fails the connection; 1009 (message too big, §7.4.1) is accepted beside 1002, since
// no length that large can fit any limit. A message over the server's stated limit (--max-payload N) fails with
// 1009 and one at the limit is echoed; without --max-payload these are informational (not-configured). A slow
// sender (the request head one byte per second, "slowloris") should be cut off in reasonable time: informational,
// with the time the target took.
import { performance } from 'node:perf_hooks';
import { Opcode } from '../../../protocol/constants.js';
import { awaitFailure, closeNormally, defineCase, defineWireCase, digestStep, echo, failWith, informational, patternPayload, type ConformanceCase } from '../../define.js';

const NOT_CONFIGURED = 'not graded: run with --max-payload N (the target\'s message size limit) to check it';
const SLOW_CAP_MS = 20_000;

export const cases: ConformanceCase[] = [
  // Role-symmetric: the client catalogue runs it too, as framing.length.64bit-msb-set.
  defineWireCase({
    id: 'limits.length-64bit-msb-set',
    title: 'A frame whose 64-bit length has the most significant bit set fails the connection',
    rfc: ['5.2'],
    autobahn: [],
    expect: failWith([1002, 1009]),
    async run(peer) {
      // The header promises 2^63 + 5 bytes; only 5 follow, and never more.
      await peer.sendFrame({ opcode: Opcode.Binary, payload: 'abcde', lengthForm: 64, lengthOverride: 0x8000_0000_0000_0005n });
      await awaitFailure(peer);
    },
  }),
  defineCase({
    id: 'limits.max-payload.over',
    title: 'A message one byte over the stated limit (--max-payload) fails the connection with 1009',
    rfc: ['7.4.1', '10.4'],
    autobahn: [],
    timeoutMs: 30_000,
    expect: (o) => (o.maxPayload === undefined ? informational(NOT_CONFIGURED, { reasonCode: 'not-configured' }) : failWith([1009])),
    async run(peer, ctx) {
      const limit = ctx.options.maxPayload;
      if (limit === undefined) return closeNormally(peer);
      await peer.sendMessage(Opcode.Binary, patternPayload('binary', limit + 1));
      await awaitFailure(peer);
    },
  }),
  defineCase({
    id: 'limits.max-payload.at-limit',
    title: 'A message of exactly the stated limit (--max-payload) is echoed',
    rfc: ['7.4.1', '10.4'],
    autobahn: [],
    timeoutMs: 30_000,
    expect: (o) =>
      o.maxPayload === undefined ? informational(NOT_CONFIGURED, { reasonCode: 'not-configured' }) : echo([digestStep('binary', patternPayload('binary', o.maxPayload))]),
    async run(peer, ctx) {
      const limit = ctx.options.maxPayload;
      if (limit !== undefined) {
        await peer.sendMessage(Opcode.Binary, patternPayload('binary', limit));
        await peer.waitForMessages(1);
      }
      await closeNormally(peer);
    },
  }),
  defineCase({
    id: 'limits.slow-handshake',
    title: 'A request head sent one byte per second: how long the target keeps the connection (slowloris)',
    rfc: ['10.4'],
    autobahn: [],
    tags: ['slow'],
    timeoutMs: SLOW_CAP_MS,
    handshake: 'manual',
    expect: informational(`seconds until the target closed a connection whose request head arrives at 1 byte/s (capped at ${SLOW_CAP_MS / 1000} s)`),
    async run(peer) {
      const start = performance.now();
      await peer.handshake({ send: { chop: 'byte', pauseMs: 1000 }, timeoutMs: 1000 });
      const end = peer.observation().tcpEnd;
      if (end && end.kind !== 'client-drop') {
        peer.metric('closedAfterMs', Math.round(performance.now() - start));
        peer.note(`the target closed the slow connection (${end.kind})`);
      } else {
        peer.metric('stillOpenAfterMs', Math.round(performance.now() - start));
        peer.note('the target still held the slow connection open');
      }
    },
  }),
];
