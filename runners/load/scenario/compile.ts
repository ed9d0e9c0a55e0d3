// A scenario compiled for one worker: templates and predicates built once (template.ts, match.ts), each named step
// bound to its metric, each role's handshake extras prepared. The runtime (runtime.ts) walks these per connection.
import type { HandshakeExtras } from '../../../peers/load/load-connection.js';
import { compileMatch, type Incoming } from './match.js';
import type { Match, MetricKind, Role, Scenario, Step } from './model.js';
import { stepKey } from './model.js';
import { StepMetric } from './step-metrics.js';
import { compilePayload, compileString, type RenderScope, type Rendered } from './template.js';

export type Predicate = (msg: Incoming, scope: RenderScope) => boolean;

export type CStep =
  | { kind: 'send'; metric: StepMetric | null; render: (s: RenderScope) => Rendered }
  | { kind: 'expect'; metric: StepMetric; match: Predicate; timeoutMs: number }
  | { kind: 'request'; metric: StepMetric; render: (s: RenderScope) => Rendered; correlate?: string; match?: Predicate; timeoutMs: number }
  | { kind: 'subscribe'; metric: StepMetric; match: Predicate; timestamp?: string }
  | { kind: 'think'; ms: number; maxMs?: number }
  | { kind: 'loop'; count?: number; durationMs?: number; everyMs?: number; steps: CStep[] }
  | { kind: 'close'; code?: number; reason?: string };

export interface CRole {
  name: string;
  steps: CStep[];
  /** Null when the role asks nothing of the handshake; a function when its extras hold placeholders. */
  extras: ((scope: RenderScope) => HandshakeExtras) | null;
}

export interface CompiledScenario {
  roles: CRole[];
  /** Every named step's metric, keyed `kind.name`, in the order the file names them. */
  metrics: Map<string, StepMetric>;
}

export function compileScenario(s: Scenario, poolSize: number): CompiledScenario {
  const metrics = new Map<string, StepMetric>();
  const metric = (kind: MetricKind, name: string): StepMetric => {
    const key = stepKey(kind, name);
    let m = metrics.get(key);
    if (!m) metrics.set(key, (m = new StepMetric(kind, name, poolSize)));
    return m;
  };
  const match = (m: Match): Predicate => compileMatch(m);
  const steps = (list: readonly Step[]): CStep[] =>
    list.map((st): CStep => {
      switch (st.kind) {
        case 'send':
          return { kind: 'send', metric: st.name !== undefined ? metric('send', st.name) : null, render: compilePayload(st.payload) };
        case 'expect':
          return { kind: 'expect', metric: metric('expect', st.name), match: match(st.match), timeoutMs: st.timeoutMs };
        case 'request':
          return {
            kind: 'request',
            metric: metric('request', st.name),
            render: compilePayload(st.payload),
            correlate: st.correlate,
            match: st.match ? match(st.match) : undefined,
            timeoutMs: st.timeoutMs,
          };
        case 'subscribe':
          return { kind: 'subscribe', metric: metric('subscribe', st.name), match: match(st.match), timestamp: st.timestamp };
        case 'think':
          return { kind: 'think', ms: st.ms, maxMs: st.maxMs };
        case 'loop':
          return { kind: 'loop', count: st.count, durationMs: st.durationMs, everyMs: st.everyMs, steps: steps(st.steps) };
        case 'close':
          return { kind: 'close', code: st.code, reason: st.reason };
      }
    });
  return { roles: s.roles.map((r) => ({ name: r.name, steps: steps(r.steps), extras: extrasOf(r) })), metrics };
}

function extrasOf(r: Role): CRole['extras'] {
  if (r.headers === undefined && r.protocols === undefined && r.path === undefined) return null;
  const headers = r.headers?.map(([k, v]) => [k, compileString(v)] as const);
  const path = r.path !== undefined ? compileString(r.path) : undefined;
  const protocols = r.protocols;
  return (scope) => ({
    headers: headers?.map(([k, v]): [string, string] => [k, v(scope)]),
    path: path?.(scope),
    protocols,
  });
}
