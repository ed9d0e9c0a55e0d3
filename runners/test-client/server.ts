// The server side of `wsprobe test-client`: routes every connection the listener hands over (routes.ts) and keeps
// the run's state (state.ts). Case connections run their case (run-case.ts); the Autobahn control endpoints answer
// as Autobahn's fuzzingserver does (a text message, then a 1000 close); the browser page, /status and /report are
// plain HTTP. Control connections are WebSockets too, served through the same WireServerPeer as cases.
import { performance } from 'node:perf_hooks';
import type { CaseResult, Verdict } from '../../reports/schema.js';
import type { ClientCase } from '../../suites/client/define.js';
import { WireServerPeer } from '../../peers/wire-server/wire-server-peer.js';
import type { Incoming } from '../../peers/wire-server/listener.js';
import { parseRoute, type Route } from './routes.js';
import { caseAt } from './selection.js';
import { runClientCase, type ClientCaseOptions, type LiveCase } from './run-case.js';
import { RunState, type ClientReport } from './state.js';
import { clientPage } from './drivers/page.js';

export type TestClientProgress =
  | { type: 'listening'; url: string; httpUrl: string; cases: number }
  | { type: 'case-start'; agent: string; number: number; id: string }
  | { type: 'case-end'; agent: string; number: number; id: string; verdict: Verdict; reasonCode: string; durationMs: number; done: number; total: number }
  | { type: 'agent-done'; agent: string }
  | { type: 'driver-start'; driver: string; agent: string }
  | { type: 'driver-end'; driver: string; agent: string; error?: string }
  | { type: 'end'; durationMs: number; interrupted: boolean };

export interface ServerConfig extends ClientCaseOptions {
  cases: readonly ClientCase[];
  /** Agents the run waits for; see RunState. */
  expectedAgents: readonly string[];
  /** The agent of a connection that names none (`agent=` absent). */
  defaultAgent: string;
  /** Bound for the browser page's wait for one case's close event. */
  pageCaseTimeoutMs: number;
  onProgress?: (event: TestClientProgress) => void;
  /** Called whenever the run's state changed (a case ended, an agent said it was done). */
  onChange?: () => void;
}

/** Budget of a control connection (case count, case info, update reports): its message and the closing handshake. */
const CONTROL_MS = 5000;
/** Largest POST /report body (one case's close event, or the final note). */
const REPORT_LIMIT = 64 * 1024;

export class TestClientServer {
  readonly state: RunState;
  private readonly live = new Set<LiveCase>();
  private readonly control = new Set<WireServerPeer>();
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly config: ServerConfig) {
    this.state = new RunState(config.cases, config.expectedAgents);
  }

  /** The listener's onRequest. Synchronous up to the hand-over of the socket, so no byte is lost. */
  handle(incoming: Incoming): void {
    if (this.stopped) {
      incoming.respond(404, [], 'the run is over\n');
      return;
    }
    const route = parseRoute(incoming.head.method ?? 'GET', incoming.head.target ?? '/');
    this.track(this.dispatch(route, incoming));
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch(() => undefined).finally(() => this.running.delete(q));
    this.running.add(q);
  }

  private dispatch(route: Route, incoming: Incoming): Promise<unknown> {
    const cases = this.config.cases;
    const agentOf = (r: { agent?: string }): string => r.agent ?? this.config.defaultAgent;
    switch (route.kind) {
      case 'case-count':
        return this.answer(incoming, String(cases.length), 'case count');
      case 'case-info': {
        const c = caseAt(cases, route.number);
        if (c === undefined) return this.reject(incoming, 404, `no case ${route.number}: the run has ${cases.length}`);
        return this.answer(incoming, JSON.stringify({ id: c.id, description: c.title, autobahn: c.autobahn }), 'case info');
      }
      case 'run-case': {
        const c = caseAt(cases, route.number);
        if (c === undefined) return this.reject(incoming, 404, `no case ${route.number}: the run has ${cases.length}`);
        return this.runCase(c, route.number, agentOf(route), incoming);
      }
      case 'case-id': {
        const n = this.state.numberOf(route.id);
        if (n === undefined) return this.reject(incoming, 404, `no selected case has the id ${JSON.stringify(route.id)}`);
        return this.runCase(cases[n - 1]!, n, agentOf(route), incoming);
      }
      case 'next': {
        const agent = agentOf(route);
        const c = this.state.next(agent);
        if (c === undefined) return this.answer(incoming, null, 'done');
        return this.runCase(c, this.state.numberOf(c.id)!, agent, incoming);
      }
      case 'update-reports': {
        const agent = agentOf(route);
        const wasDone = this.state.isDone(agent);
        this.state.markReported(agent);
        if (!wasDone) this.config.onProgress?.({ type: 'agent-done', agent });
        this.config.onChange?.();
        return this.answer(incoming, null, 'reports updated');
      }
      case 'page':
        incoming.respond(200, [['Content-Type', 'text/html; charset=utf-8']], clientPage({ caseTimeoutMs: this.config.pageCaseTimeoutMs }));
        return Promise.resolve();
      case 'status':
        incoming.respond(200, [['Content-Type', 'application/json']], `${JSON.stringify(this.state.status())}\n`);
        return Promise.resolve();
      case 'report':
        return this.receiveReport(route, incoming);
      case 'reject':
        return this.reject(incoming, route.status, route.why);
    }
  }

  private reject(incoming: Incoming, status: number, why: string): Promise<void> {
    incoming.respond(status, [], `${why}\n`);
    return Promise.resolve();
  }

  private async runCase(c: ClientCase, number: number, agent: string, incoming: Incoming): Promise<void> {
    const live: LiveCase = { peer: null };
    this.live.add(live);
    this.state.begin(agent, c.id);
    this.config.onProgress?.({ type: 'case-start', agent, number, id: c.id });
    let r: CaseResult;
    try {
      r = await runClientCase(c, incoming, this.config, live);
    } finally {
      this.live.delete(live);
    }
    if (this.stopped) return;
    const wasDone = this.state.isDone(agent);
    this.state.record(agent, r);
    const status = this.state.status().agents.find((a) => a.agent === agent)!;
    this.config.onProgress?.({ type: 'case-end', agent, number, id: c.id, verdict: r.verdict, reasonCode: r.reasonCode, durationMs: r.durationMs, done: status.ran, total: this.config.cases.length });
    if (!wasDone && this.state.isDone(agent)) this.config.onProgress?.({ type: 'agent-done', agent });
    this.config.onChange?.();
  }

  /** A control answer: the 101, one text message (unless null), then our closing handshake with `reason`. */
  private async answer(incoming: Incoming, text: string | null, reason: string): Promise<void> {
    let peer: WireServerPeer;
    try {
      peer = WireServerPeer.accept({ socket: incoming.socket, head: incoming.head, leftover: incoming.leftover, seed: 0, deadlineMs: performance.now() + CONTROL_MS });
    } catch {
      incoming.socket.destroy();
      return;
    } finally {
      incoming.release();
    }
    this.control.add(peer);
    try {
      await peer.respond();
      if (text !== null) await peer.sendMessage(0x1, text);
      await peer.close(1000, reason);
    } finally {
      peer.destroy();
      this.control.delete(peer);
    }
  }

  private async receiveReport(route: Extract<Route, { kind: 'report' }>, incoming: Incoming): Promise<void> {
    let body: Uint8Array;
    try {
      body = await incoming.body(REPORT_LIMIT, CONTROL_MS);
    } catch (err) {
      incoming.respond(400, [], `${(err as Error).message}\n`);
      return;
    }
    const report = parseReport(body);
    if (report === null) {
      incoming.respond(400, [], 'the report is not a JSON object\n');
      return;
    }
    const agent = route.agent ?? this.config.defaultAgent;
    const c = route.number !== undefined ? caseAt(this.config.cases, route.number) : undefined;
    if (c !== undefined) this.clientReport(agent, c.id, report);
    incoming.respond(204, []);
  }

  /** What the client saw at the end of a case (from a driver, in process or over POST /report). */
  clientReport(agent: string, id: string, report: ClientReport): void {
    this.state.report(agent, id, report);
  }

  /** Ends every connection still open (the run is over or interrupted) and waits for their handlers. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const l of this.live) l.peer?.destroy();
    for (const p of this.control) p.destroy();
    await Promise.race([Promise.all([...this.running]), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
  }

  /** Cases in flight (any agent). */
  inFlight(): number {
    return this.live.size;
  }
}

/** A client report from JSON: only the known fields, with their types checked. */
export function parseReport(body: Uint8Array): ClientReport | null {
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const d = data as Record<string, unknown>;
  const out: ClientReport = {};
  if (typeof d.code === 'number' && Number.isInteger(d.code)) out.code = d.code;
  if (typeof d.reason === 'string') out.reason = d.reason.slice(0, 200);
  if (typeof d.wasClean === 'boolean') out.wasClean = d.wasClean;
  if (typeof d.error === 'string' && d.error !== '') out.error = d.error.slice(0, 300);
  return out;
}
