// The progress of a client run, per agent (the client under test names itself with `agent=`): which cases it ran,
// which are in flight, whether it said it was done (/updateReports), what it reported about each close (the browser
// driver's close codes), and when the run is complete. Pure bookkeeping, no I/O, so the stop rules are unit-tested:
// - an agent is done when it ran every selected case or called /updateReports;
// - the run is complete when every expected agent (named by --agent or a --driver) is done, or, when none is
//   named, as soon as one agent is done.
import type { CaseResult } from '../../reports/schema.js';
import type { ClientCase } from '../../suites/client/define.js';

/** What the client itself saw at the end of a case (a driver reports it; the grader never sees it). */
export interface ClientReport {
  code?: number;
  reason?: string;
  wasClean?: boolean;
  /** An error event or a failed connect, one line. */
  error?: string;
}

interface AgentState {
  results: Map<string, CaseResult>;
  inFlight: Map<string, number>;
  reported: boolean;
  reports: Map<string, ClientReport>;
}

export interface AgentStatus {
  agent: string;
  ran: number;
  inFlight: number;
  done: boolean;
}

export class RunState {
  private readonly agents = new Map<string, AgentState>();
  private readonly ids: Map<string, number>;

  constructor(
    readonly cases: readonly ClientCase[],
    /** Agents the run waits for (--agent, one per --driver); empty: the first agent to finish ends the run. */
    readonly expected: readonly string[],
  ) {
    this.ids = new Map(cases.map((c, i) => [c.id, i + 1]));
    for (const a of expected) this.agent(a);
  }

  /** The 1-based number of a case id, or undefined when not selected. */
  numberOf(id: string): number | undefined {
    return this.ids.get(id);
  }

  private agent(name: string): AgentState {
    let s = this.agents.get(name);
    if (s === undefined) {
      s = { results: new Map(), inFlight: new Map(), reported: false, reports: new Map() };
      this.agents.set(name, s);
    }
    return s;
  }

  /** Agents in order: the expected ones, then the others as they first connected. */
  agentNames(): string[] {
    return [...this.agents.keys()];
  }

  /** A case connection of `agent` began (several may be in flight, also of the same case). */
  begin(agent: string, id: string): void {
    const s = this.agent(agent);
    s.inFlight.set(id, (s.inFlight.get(id) ?? 0) + 1);
  }

  /** A case of `agent` ended with this result (a case run again replaces its earlier result). */
  record(agent: string, result: CaseResult): void {
    const s = this.agent(agent);
    const n = (s.inFlight.get(result.id) ?? 0) - 1;
    if (n > 0) s.inFlight.set(result.id, n);
    else s.inFlight.delete(result.id);
    s.results.set(result.id, result);
  }

  /** The first case `agent` has neither run nor in flight (for /next), or undefined when none is left. */
  next(agent: string): ClientCase | undefined {
    const s = this.agent(agent);
    return this.cases.find((c) => !s.results.has(c.id) && !s.inFlight.has(c.id));
  }

  /** /updateReports?agent=A: the agent is done, whatever it ran. */
  markReported(agent: string): void {
    this.agent(agent).reported = true;
  }

  reported(agent: string): boolean {
    return this.agents.get(agent)?.reported === true;
  }

  report(agent: string, id: string, report: ClientReport): void {
    this.agent(agent).reports.set(id, report);
  }

  reportOf(agent: string, id: string): ClientReport | undefined {
    return this.agents.get(agent)?.reports.get(id);
  }

  resultOf(agent: string, id: string): CaseResult | undefined {
    return this.agents.get(agent)?.results.get(id);
  }

  ranAll(agent: string): boolean {
    const s = this.agents.get(agent);
    return s !== undefined && this.cases.every((c) => s.results.has(c.id));
  }

  isDone(agent: string): boolean {
    return this.reported(agent) || this.ranAll(agent);
  }

  /** Every expected agent is done; with none expected, some agent is. */
  complete(): boolean {
    if (this.expected.length > 0) return this.expected.every((a) => this.isDone(a));
    return this.agentNames().some((a) => this.isDone(a));
  }

  /** Agents the completion counts that ran everything but have not called /updateReports yet. */
  awaitingUpdate(): string[] {
    const counted = this.expected.length > 0 ? this.expected : this.agentNames().filter((a) => this.isDone(a));
    return counted.filter((a) => !this.reported(a) && this.ranAll(a));
  }

  inFlight(): number {
    let n = 0;
    for (const s of this.agents.values()) for (const k of s.inFlight.values()) n += k;
    return n;
  }

  status(): { cases: number; complete: boolean; agents: AgentStatus[] } {
    return {
      cases: this.cases.length,
      complete: this.complete(),
      agents: this.agentNames().map((agent) => {
        const s = this.agents.get(agent)!;
        return { agent, ran: [...s.results.keys()].filter((id) => this.ids.has(id)).length, inFlight: [...s.inFlight.values()].reduce((a, b) => a + b, 0), done: this.isDone(agent) };
      }),
    };
  }
}
