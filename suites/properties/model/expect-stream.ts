// The oracle's prediction as the catalogue's expectation language (suites/define.ts), so a fuzz case is graded by
// the one grader and its counterexample reads like a catalogue failure: the same reason codes, sections and
// transcript. A stream that must fail is a `fail` expectation; one that must be answered is `behave`, with the
// points where the RFC lets the target fail instead as `mayFail`.
import { Opcode } from '../../../protocol/constants.js';
import type { Expectation, Step } from '../../define.js';
import { allowedCloseReplies, type StreamPrediction } from './predict-stream.js';

function steps(p: StreamPrediction, echoes: number, pings: number): Step[] {
  return [
    ...p.echoes.slice(0, echoes).map((m): Step => ({ type: m.opcode === Opcode.Text ? 'text' : 'binary', payload: m.payload })),
    ...p.pings.slice(0, pings).map((payload): Step => ({ type: 'pong', payload })),
  ];
}

/** RFC 6455 §8.1: a text message already doomed may be failed by a lazy validator at any later point, with 1007. */
const DOOMED = { codes: [1007], why: 'RFC 6455 §8.1: the open text message can no longer be valid UTF-8' };

/**
 * The expectation for what the target must have done once the stream was sent. `open`: the stream has no end yet
 * (a model step), so the connection must still be open with every answer so far received, except the pongs of the
 * last `deferPongs` pings.
 */
export function expectStream(p: StreamPrediction, opts: { open?: boolean; deferPongs?: number } = {}): Expectation {
  const mayFail = p.failures.filter((f) => !f.definite).map((f) => ({ codes: f.codes, why: f.rule }));
  if (p.mustFail) {
    const definite = p.failures[p.failures.length - 1]!;
    const codes = [...new Set(p.failures.flatMap((f) => f.codes))];
    return { kind: 'fail', codes, before: steps(p, definite.echoes, definite.pings) };
  }
  const receive = steps(p, p.echoes.length, p.pings.length);
  if (opts.open || p.close === null) {
    // Pongs of pings inside a fragmented message still open may come when it ends (`deferPongs`).
    const due = steps(p, p.echoes.length, Math.max(0, p.pings.length - (opts.deferPongs ?? 0)));
    return { kind: 'behave', receive: due, open: true, mayFail: p.doomed ? [...mayFail, DOOMED] : mayFail };
  }
  const replies = allowedCloseReplies(p.close.code);
  const codes = [...new Set(replies.filter((c): c is number => c !== null))];
  return { kind: 'behave', receive, close: { codes, allowNoCode: replies.includes(null) }, mayFail };
}
