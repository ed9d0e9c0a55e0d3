// The model of a model-based run: the frames sent so far on one connection. After each step the oracle
// (predictStream) says what the target must have done by now, the step waits for exactly that (an echo when a
// message completes, a pong for a ping, the end of the connection after a close or a violation), and the one
// grader judges the observation against the oracle's expectation.
import { Opcode } from '../../../protocol/constants.js';
import type { FuzzSession } from '../../../peers/fuzz/fuzz-target.js';
import type { FuzzFrame } from '../fuzz-frame.js';
import { grade, type Grade } from '../../grade/grade.js';
import { answers, matchSteps } from '../../grade/match.js';
import { expectStream } from './expect-stream.js';
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

/** Thrown by a step when the grader fails the target's behaviour; the suite records it. */
export class ModelMismatch extends Error {
  override readonly name = 'ModelMismatch';
  constructor(readonly grade: Grade) {
    super(`${grade.reasonCode}: ${grade.reason}`);
  }
}

export function modelPrediction(m: WsModel): StreamPrediction {
  return predictStream(m.frames);
}

const RFC = ['5', '7', '8.1'];

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Sends one step's frames, waits for what the model predicts, and grades it. */
export async function runStep(m: WsModel, real: WsReal, frames: FuzzFrame[]): Promise<void> {
  m.frames.push(...frames);
  const s = real.session;
  const pongCount = s.observation().events.filter((e) => e.kind === 'pong').length;
  await s.send(frames);
  const p = predictStream(m.frames);
  const events = (): ReturnType<FuzzSession['observation']>['events'] => s.observation().events;

  if (p.mustFail || p.close !== null) {
    // The end of the connection: the target's failure or its answer to our close, then its TCP close.
    m.over = true;
    const failed = await s.waitUntil(() => s.closed, m.timeoutMs);
    await s.close(p.mustFail && !failed);
    judge(expectStream(p), s);
    return;
  }
  const last = frames[frames.length - 1];
  // RFC 6455 §5.5.2 asks for a pong "as soon as is practical"; a ping inside a fragmented message may be answered
  // when the message ends (non-strict in the catalogue, with a pause to show it), so its pong is not awaited here.
  const deferred = p.messageOpen ? pingsInOpenMessage(m.frames) : 0;
  const wantPong = last !== undefined && last.opcode === Opcode.Ping && deferred === 0 ? last.payload : null;
  const expect = expectStream(p, { open: true, deferPongs: deferred });
  // The pong for this ping arrives after it was sent: a pong counted before (same payload or not) does not answer it.
  await s.waitUntil(() => {
    if (s.closed) return true;
    const pongs = events().filter((e) => e.kind === 'pong');
    const lastPong = pongs[pongs.length - 1];
    if (wantPong !== null && !(pongs.length > pongCount && lastPong?.kind === 'pong' && sameBytes(lastPong.payload, wantPong))) return false;
    // Everything due has arrived (a cheap check; the grader judges once the wait is over).
    return expect.kind === 'behave' && matchSteps(expect.receive, answers(events()), false).ok;
  }, m.timeoutMs);
  if (s.closed) {
    // An early end: allowed only where the oracle says the target may fail; finish the closing handshake first.
    m.over = true;
    await s.close();
  }
  judge(expect, s);
}

/** Pings sent since the open fragmented message began. */
function pingsInOpenMessage(frames: readonly FuzzFrame[]): number {
  let pings = 0;
  let open = false;
  for (const f of frames) {
    if ((f.opcode === Opcode.Text || f.opcode === Opcode.Binary) && !f.fin) {
      open = true;
      pings = 0;
    } else if (f.opcode === Opcode.Continuation && f.fin) open = false;
    else if (f.opcode === Opcode.Ping && open) pings++;
  }
  return open ? pings : 0;
}

function judge(expect: ReturnType<typeof expectStream>, s: FuzzSession): void {
  const g = grade({ expect, observation: s.observation(), rfc: RFC });
  if (g.verdict === 'fail') throw new ModelMismatch(g);
}
