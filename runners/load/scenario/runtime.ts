// Runs a scenario on a worker's connections: each open connection walks its role's steps (compile.ts), waiting on
// the worker's one timer through a heap of wake-ups (wake-heap.ts), never a timer or closure per connection. A
// received message goes to the connection's waiting expect or request when it matches, otherwise to every
// subscription that matches; a message nothing takes is `unexpected`. Per-connection state is one small object,
// made when the connection opens and dropped when it ends.
import { performance } from 'node:perf_hooks';
import { ConnState, type HandshakeExtras, type LoadConnection } from '../../../peers/load/load-connection.js';
import type { LoadCounters } from '../load-counters.js';
import { compileScenario, type CompiledScenario, type CRole, type CStep } from './compile.js';
import { getPath, Incoming, sameValue } from './match.js';
import type { Scenario } from './model.js';
import { assignRoles } from './roles.js';
import { SlotMarks, type ScenarioWorkerReport, type StepMetric } from './step-metrics.js';
import type { RenderScope } from './template.js';
import { WakeHeap } from './wake-heap.js';

/** A send waits while the socket holds more than this unsent (the target reads slowly). */
const BACKPRESSURE_BYTES = 1 << 20;
const BACKPRESSURE_RETRY_MS = 10;
/** Loop iterations one connection may run without waiting before it yields to the others for a millisecond. */
const ITERATIONS_PER_TURN = 1000;

const Wait = { None: 0, Think: 1, Expect: 2, Request: 3, Every: 4, Drain: 5 } as const;
type Wait = (typeof Wait)[keyof typeof Wait];

interface Frame {
  steps: CStep[];
  pc: number;
  loop: Extract<CStep, { kind: 'loop' }> | null;
  iteration: number;
  startedAt: number;
}

/** One connection's place in its role. */
class Run {
  frames: Frame[];
  wait: Wait = Wait.None;
  waitStep: CStep | null = null;
  waitStartedAt = 0;
  waitCorr: unknown = undefined;
  /** The last request that timed out, so its reply, if it comes, counts as late rather than unexpected. */
  lateStep: Extract<CStep, { kind: 'request' }> | null = null;
  lateCorr: unknown = undefined;
  subs: Extract<CStep, { kind: 'subscribe' }>[] | null = null;
  seq = 0;
  /** Bumped whenever a pending wake-up becomes stale. */
  gen = 0;
  done = false;
  constructor(
    readonly role: CRole,
    readonly conn: number,
    now: number,
  ) {
    this.frames = [{ steps: role.steps, pc: 0, loop: null, iteration: 0, startedAt: now }];
  }
}

export class ScenarioRuntime {
  private readonly compiled: CompiledScenario;
  private readonly roleOf: (index: number) => number;
  private readonly runs: (Run | null)[];
  private readonly heap = new WakeHeap();
  private readonly popped = { slot: 0, gen: 0 };
  private readonly scope: RenderScope = { conn: 0, role: '', seq: 0, iteration: 0 };
  private readonly unexpected: SlotMarks;
  private readonly unmatched: SlotMarks;
  private readonly roleConnections: number[];
  private completed = 0;
  private iterationsSkipped = 0;
  private stopped = false;

  constructor(
    private readonly scenario: Scenario,
    private readonly conns: readonly LoadConnection[],
    totalConnections: number,
    private readonly counters: LoadCounters,
    /** Told when a wake-up earlier than any before it is queued, so the worker can bring its timer forward. */
    private readonly onWake: (at: number) => void,
  ) {
    this.compiled = compileScenario(scenario, conns.length);
    const assignment = assignRoles(scenario.roles, totalConnections);
    this.roleOf = assignment.roleOf;
    this.runs = new Array<Run | null>(conns.length).fill(null);
    this.unexpected = new SlotMarks(conns.length);
    this.unmatched = new SlotMarks(conns.length);
    this.roleConnections = scenario.roles.map(() => 0);
    for (const c of conns) this.roleConnections[this.roleOf(c.index)]! += 1;
  }

  /** When the next wake-up falls due (Infinity: none). */
  nextDueMs(): number {
    return this.heap.peek();
  }

  handshakeFor(c: LoadConnection): HandshakeExtras | undefined {
    const role = this.compiled.roles[this.roleOf(c.index)]!;
    if (role.extras === null) return undefined;
    return role.extras(this.scopeFor(c.index, role.name, 0, 0));
  }

  /** `c` completed its handshake: its role starts from the first step (again, after a reconnect). */
  opened(c: LoadConnection): void {
    if (this.stopped) return;
    const now = performance.now();
    const run = new Run(this.compiled.roles[this.roleOf(c.index)]!, c.index, now);
    this.runs[c.slot] = run;
    this.proceed(c, run, now);
  }

  /** `c` ended (closed or dropped): what it was waiting for is forgotten, not counted as a timeout. */
  ended(c: LoadConnection): void {
    const run = this.runs[c.slot];
    if (run) run.gen += 1;
    this.runs[c.slot] = null;
  }

  /** The run is ending: waits in progress are not timeouts, and no step starts any more. */
  stop(): void {
    this.stopped = true;
  }

  /** Handles every wake-up due by `now`. */
  advance(now: number): void {
    const heap = this.heap;
    const out = this.popped;
    while (heap.peek() <= now) {
      heap.pop(out);
      const run = this.runs[out.slot];
      if (!run || run.gen !== out.gen || this.stopped) continue;
      const c = this.conns[out.slot]!;
      if (run.wait === Wait.Expect || run.wait === Wait.Request) this.timedOut(c, run);
      run.wait = Wait.None;
      run.waitStep = null;
      this.proceed(c, run, now);
    }
  }

  message(c: LoadConnection, payload: Uint8Array, text: boolean): void {
    this.counters.messagesReceived += 1;
    const run = this.runs[c.slot];
    if (!run) return;
    const msg = new Incoming(payload, !text);
    const scope = this.scopeFor(run.conn, run.role.name, run.seq, this.iterationOf(run));
    const now = c.lastReceivedAt;
    if (run.wait === Wait.Expect || run.wait === Wait.Request) {
      const step = run.waitStep!;
      if (step.kind === 'expect' ? step.match(msg, scope) : this.replies(step as Extract<CStep, { kind: 'request' }>, run.waitCorr, msg, scope)) {
        const metric = (step as { metric: StepMetric }).metric;
        metric.matched += 1;
        metric.record(now - run.waitStartedAt);
        run.wait = Wait.None;
        run.waitStep = null;
        run.gen += 1;
        if (!this.stopped) this.proceed(c, run, now);
        return;
      }
    }
    if (run.lateStep !== null && this.replies(run.lateStep, run.lateCorr, msg, scope)) {
      run.lateStep.metric.late += 1;
      run.lateStep = null;
      return;
    }
    let taken = false;
    if (run.subs !== null) {
      for (const sub of run.subs) {
        if (!sub.match(msg, scope)) continue;
        taken = true;
        sub.metric.matched += 1;
        if (sub.timestamp !== undefined) {
          const sentAt = getPath(msg.json(), sub.timestamp);
          if (typeof sentAt === 'number') sub.metric.record(performance.timeOrigin + now - sentAt);
        }
      }
    }
    if (!taken) this.unexpected.mark(c.slot);
  }

  take(): ScenarioWorkerReport {
    const steps: ScenarioWorkerReport['steps'] = {};
    for (const [key, m] of this.compiled.metrics) steps[key] = m.take();
    return {
      counters: {
        unexpected: this.unexpected.total,
        connectionsWithUnexpected: this.unexpected.count,
        unmatched: this.unmatched.total,
        connectionsWithUnmatched: this.unmatched.count,
        completed: this.completed,
        iterationsSkipped: this.iterationsSkipped,
      },
      steps,
      roles: this.scenario.roles.map((r, i) => ({ name: r.name, connections: this.roleConnections[i]! })),
    };
  }

  private replies(step: Extract<CStep, { kind: 'request' }>, corr: unknown, msg: Incoming, scope: RenderScope): boolean {
    if (step.correlate !== undefined && corr !== undefined && !sameValue(getPath(msg.json(), step.correlate), corr)) return false;
    return step.match === undefined || step.match(msg, scope);
  }

  private timedOut(c: LoadConnection, run: Run): void {
    const step = run.waitStep!;
    (step as { metric: StepMetric }).metric.timeout(c.slot);
    this.unmatched.mark(c.slot);
    if (step.kind === 'request') {
      run.lateStep = step;
      run.lateCorr = run.waitCorr;
    }
  }

  private scopeFor(conn: number, role: string, seq: number, iteration: number): RenderScope {
    const s = this.scope;
    s.conn = conn;
    s.role = role;
    s.seq = seq;
    s.iteration = iteration;
    const data = this.scenario.data;
    s.data = data !== undefined && data.length > 0 ? data[conn % data.length] : undefined;
    return s;
  }

  private iterationOf(run: Run): number {
    for (let i = run.frames.length - 1; i >= 0; i--) if (run.frames[i]!.loop !== null) return run.frames[i]!.iteration;
    return 0;
  }

  private sleep(run: Run, slot: number, wait: Wait, until: number): void {
    run.wait = wait;
    run.gen += 1;
    const before = this.heap.peek();
    this.heap.push(until, slot, run.gen);
    if (until < before) this.onWake(until);
  }

  /** Runs `run`'s steps from where it stands until one waits or the role ends. */
  private proceed(c: LoadConnection, run: Run, now: number): void {
    let turns = 0;
    while (!run.done) {
      if (c.state !== ConnState.Open) return;
      const frame = run.frames[run.frames.length - 1]!;
      if (frame.pc >= frame.steps.length) {
        if (frame.loop === null) {
          run.done = true;
          this.completed += 1;
          return;
        }
        if (++turns > ITERATIONS_PER_TURN) return this.sleep(run, c.slot, Wait.Think, now + 1);
        if (this.nextIteration(c, run, frame, now)) return;
        continue;
      }
      const step = frame.steps[frame.pc]!;
      frame.pc += 1;
      switch (step.kind) {
        case 'send':
        case 'request': {
          if (c.socket !== null && c.socket.writableLength > BACKPRESSURE_BYTES) {
            frame.pc -= 1;
            return this.sleep(run, c.slot, Wait.Drain, now + BACKPRESSURE_RETRY_MS);
          }
          const r = step.render(this.scopeFor(run.conn, run.role.name, run.seq, this.iterationOf(run)));
          run.seq += 1;
          if (r.text) c.sendText(r.bytes);
          else c.sendBinary(r.bytes);
          this.counters.messagesSent += 1;
          if (step.kind === 'send') {
            if (step.metric !== null) step.metric.started += 1;
            break;
          }
          step.metric.started += 1;
          run.waitStep = step;
          run.waitStartedAt = performance.now();
          run.waitCorr = step.correlate !== undefined ? getPath(r.doc, step.correlate) : undefined;
          return this.sleep(run, c.slot, Wait.Request, run.waitStartedAt + step.timeoutMs);
        }
        case 'expect':
          step.metric.started += 1;
          run.waitStep = step;
          run.waitStartedAt = now;
          return this.sleep(run, c.slot, Wait.Expect, now + step.timeoutMs);
        case 'subscribe':
          step.metric.started += 1;
          (run.subs ??= []).push(step);
          break;
        case 'think': {
          const ms = step.maxMs !== undefined ? step.ms + Math.random() * (step.maxMs - step.ms) : step.ms;
          if (ms > 0) return this.sleep(run, c.slot, Wait.Think, now + ms);
          break;
        }
        case 'loop':
          if (step.count === 0 || step.durationMs === 0) break;
          run.frames.push({ steps: step.steps, pc: 0, loop: step, iteration: 0, startedAt: now });
          break;
        case 'close':
          run.done = true;
          this.completed += 1;
          c.close(step.code, step.reason);
          return;
      }
    }
  }

  /**
   * An iteration of `frame`'s loop ended: pops the loop when it is over, else starts the next iteration, at once or
   * (with `every`) at its start time, skipping starts that fell due while this iteration still ran (open model).
   * True when the connection now waits.
   */
  private nextIteration(c: LoadConnection, run: Run, frame: Frame, now: number): boolean {
    const loop = frame.loop!;
    let next = frame.iteration + 1;
    let startAt = now;
    if (loop.everyMs !== undefined && loop.everyMs > 0) {
      const due = frame.startedAt + next * loop.everyMs;
      if (now > due) {
        const k = Math.ceil((now - frame.startedAt) / loop.everyMs);
        this.iterationsSkipped += k - next;
        next = k;
      }
      startAt = frame.startedAt + next * loop.everyMs;
    }
    const over =
      (loop.count !== undefined && next >= loop.count) || (loop.durationMs !== undefined && startAt - frame.startedAt >= loop.durationMs);
    if (over) {
      run.frames.pop();
      return false;
    }
    frame.iteration = next;
    frame.pc = 0;
    if (startAt > now) {
      this.sleep(run, c.slot, Wait.Every, startAt);
      return true;
    }
    return false;
  }
}
