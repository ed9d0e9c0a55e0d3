// The model of a model-based run: the frames sent so far on one connection. After each step the oracle
// (predictStream) says what the target must have done by now, and the step waits for exactly that: an echo when a
// message completes, a pong for a ping, the end of the connection after a close or a violation.
import type { FuzzFrame } from '../fuzz-frame.js';
import { encodeFuzzFrame } from '../fuzz-frame.js';
import type { FuzzSession, StreamObservation } from '../../../peers/fuzz/fuzz-target.js';
import { describeObservation, describePrediction, judgeStream, type Mismatch } from '../judge-stream.js';
import { readServerFrames } from '../server-frames.js';
import { predictStream, type StreamPrediction } from './predict-stream.js';

export interface WsModel {
  frames: FuzzFrame[];
  /** The connection is over (failed or closed): no step may follow. */
  over: boolean;
  timeoutMs: number;
}

export interface WsReal {
  session: FuzzSession;
}

/** Thrown by a step when the target's behaviour leaves what the model allows; the runner records it. */
export class ModelMismatch extends Error {
  override readonly name = 'ModelMismatch';
  constructor(readonly mismatch: Mismatch) {
    super(`${mismatch.reasonCode}: ${mismatch.reason}`);
  }
}

export function modelPrediction(m: WsModel): StreamPrediction {
  return predictStream(m.frames);
}

function snapshot(real: WsReal): StreamObservation {
  const s = real.session;
  return { received: [...s.received], decodeError: s.decodeError, end: s.end ?? 'timeout', sent: new Uint8Array(0), transcript: [], transcriptOmitted: 0 };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Sends one step's frames, waits for what the model predicts, and checks it. */
export async function runStep(m: WsModel, real: WsReal, frames: FuzzFrame[]): Promise<void> {
  m.frames.push(...frames);
  await real.session.send(frames.map(encodeFuzzFrame));
  const p = predictStream(m.frames);
  const s = real.session;
  const closed = (): boolean => s.end !== null || readServerFrames(s.received).close !== null;

  if (p.mustFail || p.close !== null) {
    m.over = true;
    const clean = !p.mustFail;
    // The end of the connection: a close frame, then (after a clean close, §7.1.1) the target's TCP close.
    await s.waitUntil(() => (clean ? s.end !== null : closed()), m.timeoutMs);
    const mismatch = judgeStream(p, { ...snapshot(real), end: s.end ?? (closed() ? 'client' : 'timeout') });
    if (mismatch !== null) throw new ModelMismatch(mismatch);
    return;
  }
  const last = frames[frames.length - 1];
  const wantPong = last !== undefined && last.opcode === 0x9 ? last.payload : null;
  await s.waitUntil(() => {
    if (closed()) return true;
    const r = readServerFrames(s.received);
    return r.messages.length >= p.echoes.length && (wantPong === null || (r.pongs.length > 0 && sameBytes(r.pongs[r.pongs.length - 1]!, wantPong)));
  }, m.timeoutMs);
  const mismatch = judgeOpen(p, snapshot(real), wantPong, closed());
  if (mismatch === 'over') m.over = true;
  else if (mismatch !== null) throw new ModelMismatch(mismatch);
}

/** Mid-connection: the echoes so far, pongs in order, and an early end only where the model allows one. */
function judgeOpen(p: StreamPrediction, obs: StreamObservation, wantPong: Uint8Array | null, closed: boolean): Mismatch | 'over' | null {
  const r = readServerFrames(obs.received);
  const expected = describePrediction(p);
  const observed = describeObservation(obs);
  if (obs.decodeError !== undefined || r.violations.length > 0) {
    return { reasonCode: 'invalid-frame', reason: r.violations[0] ?? `the target's bytes are not frames: ${obs.decodeError}`, expected, observed };
  }
  if (closed) {
    // Allowed only at an optional failure point, or with 1007 while a text message is doomed (fail-fast UTF-8).
    const asFailure: StreamPrediction = {
      ...p,
      failures: p.doomed ? [...p.failures, { frame: -1, codes: [1007], echoes: p.echoes.length, pings: p.pings.length, rule: 'RFC 6455 §8.1', definite: false }] : p.failures,
    };
    if (p.failures.length > 0 || p.doomed) {
      const m = judgeStream({ ...asFailure, close: null }, obs);
      if (m === null) return 'over';
    }
    return { reasonCode: 'unexpected-fail', reason: 'the target ended the connection although every frame so far was legal', expected, observed };
  }
  const got = r.messages;
  if (got.length !== p.echoes.length || got.some((g, i) => g.opcode !== p.echoes[i]!.opcode || !sameBytes(g.payload, p.echoes[i]!.payload))) {
    return { reasonCode: 'wrong-echo', reason: `RFC 6455 §5.4/§5.6: ${got.length} echo(es) received, ${p.echoes.length} expected, or different payloads`, expected, observed };
  }
  if (wantPong !== null && (r.pongs.length === 0 || !sameBytes(r.pongs[r.pongs.length - 1]!, wantPong))) {
    return { reasonCode: 'missing-pong', reason: 'RFC 6455 §5.5.2/§5.5.3: no pong with the payload of the ping just sent', expected, observed };
  }
  return null;
}
