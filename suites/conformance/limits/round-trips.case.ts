// 1000 small messages one after another, each sent once the previous echo arrived (Autobahn 9.7, 9.8): every echo
// checked, the total and per-message round-trip times reported. Exclusive: timings are measured with no other
// case in flight.
import { performance } from 'node:perf_hooks';
import { Opcode } from '../../../protocol/constants.js';
import { closeNormally, defineWireCase, echo, patternPayload, type ConformanceCase, type Step } from '../../define.js';

const COUNT = 1000;
const SIZES = [0, 16, 64, 256, 1024, 4096];

function rttCase(kind: 'text' | 'binary', size: number, index: number): ConformanceCase {
  const payload = patternPayload(kind, size);
  const op = kind === 'text' ? Opcode.Text : Opcode.Binary;
  return defineWireCase({
    id: `limits.${kind}.round-trips-1000.size-${size}`,
    title: `1000 ${kind} messages of ${size} bytes, each sent after the previous echo: all echoed, round-trip time reported`,
    rfc: ['5.6'],
    autobahn: [`9.${kind === 'text' ? 7 : 8}.${index + 1}`],
    exclusive: true,
    timeoutMs: 60_000,
    expect: () => echo(Array.from({ length: COUNT }, (): Step => ({ type: kind, payload }))),
    async run(peer) {
      const rtts: number[] = [];
      const start = performance.now();
      for (let i = 0; i < COUNT; i++) {
        const t = performance.now();
        await peer.sendMessage(op, payload);
        if (!(await peer.waitForMessages(i + 1))) break;
        rtts.push(performance.now() - t);
      }
      const total = performance.now() - start;
      if (rtts.length > 0) {
        rtts.sort((a, b) => a - b);
        const r = (n: number): number => Math.round(n * 1000) / 1000;
        peer.metric('messages', rtts.length);
        peer.metric('totalMs', r(total));
        peer.metric('rttMeanMs', r(rtts.reduce((a, b) => a + b, 0) / rtts.length));
        peer.metric('rttP50Ms', r(rtts[Math.floor(rtts.length * 0.5)]!));
        peer.metric('rttP99Ms', r(rtts[Math.min(rtts.length - 1, Math.floor(rtts.length * 0.99))]!));
        peer.metric('rttMaxMs', r(rtts[rtts.length - 1]!));
      }
      await closeNormally(peer);
    },
  });
}

export const cases: ConformanceCase[] = (['text', 'binary'] as const).flatMap((kind) => SIZES.map((size, i) => rttCase(kind, size, i)));
