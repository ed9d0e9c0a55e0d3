// A load scenario, parsed and normalised: what each virtual connection of a role does, as plain data, so it travels
// to worker processes over IPC and into results.json (load.profile.scenario) unchanged. The file format (YAML or
// JSON) and its JSON Schema are docs/scenarios.md and docs/schemas/scenario.schema.json; parse.ts turns a file into
// this. Durations are milliseconds here; templates are still text (template.ts compiles them in each worker).

/** A JSON value whose strings may hold `{{...}}` placeholders (template.ts). */
export type JsonTemplate = null | boolean | number | string | JsonTemplate[] | { [key: string]: JsonTemplate };

/** What a `send` or `request` puts on the wire: one text message, a JSON document (sent as text), or binary. */
export type Payload =
  | { text: string }
  | { json: JsonTemplate }
  /** Bytes, base64. */
  | { binary: string };

/**
 * A predicate over a received message; every given part must hold. `json`: dot paths (`a.b.0.c`) whose values must
 * equal (strings may hold placeholders, rendered per connection); `regex`: tested against the message as text;
 * `text`: equal to the whole text; `binary`: the message's kind (true binary, false text).
 */
export interface Match {
  json?: Record<string, JsonTemplate>;
  regex?: string;
  text?: string;
  binary?: boolean;
}

export type Step =
  /** Sends one message; counted under `send.NAME` when named. */
  | { kind: 'send'; name?: string; payload: Payload }
  /** Waits for a message matching `match`; the wait's time recorded in `expect.NAME`, a timeout counted. */
  | { kind: 'expect'; name: string; match: Match; timeoutMs: number }
  /**
   * Sends `payload`, then waits for the reply whose `correlate` path equals the same path of what was sent (and
   * that matches `match`, when given): its latency recorded in `request.NAME`, a timeout counted.
   */
  | { kind: 'request'; name: string; payload: Payload; correlate?: string; match?: Match; timeoutMs: number }
  /**
   * From here on (for the connection's life), counts every message matching `match` in `subscribe.NAME`; with
   * `timestamp`, the path of a number of ms since the Unix epoch put in the message by its sender, and the delivery
   * latency (now - that) recorded.
   */
  | { kind: 'subscribe'; name: string; match: Match; timestamp?: string }
  /** Pauses: `ms`, or uniformly random in [minMs, maxMs]. */
  | { kind: 'think'; ms: number; maxMs?: number }
  /**
   * Repeats `steps`: `count` times, for `durationMs`, or until the run ends when neither is given; with `everyMs`,
   * an iteration starts every everyMs (open model: a slow iteration does not shift the next start; a missed start
   * is skipped and counted), otherwise each starts when the previous ends.
   */
  | { kind: 'loop'; count?: number; durationMs?: number; everyMs?: number; steps: Step[] }
  /** Starts the close handshake (RFC 6455 §7.1.2); the connection is not reopened. */
  | { kind: 'close'; code?: number; reason?: string };

export type StepKind = Step['kind'];
/** Kinds whose named steps get metrics. */
export const METRIC_KINDS = ['send', 'expect', 'request', 'subscribe'] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];

export interface Role {
  name: string;
  /** Exactly this many connections (taken first, in file order) ... */
  count?: number;
  /** ... or a share of the connections the counts leave, in proportion to the weights. */
  weight?: number;
  /** Handshake extras: header values may hold placeholders. */
  headers?: [string, string][];
  protocols?: string[];
  /** Path and query to request instead of the URL's (placeholders allowed), e.g. `/chat?user={{data.user}}`. */
  path?: string;
  steps: Step[];
}

export interface Scenario {
  /** The file's `name`, or its base name. */
  name: string;
  roles: Role[];
  /** Rows of the data file (CSV or JSON array of objects); connection k reads row k mod rows.length as `data.*`. */
  data?: Record<string, string | number | boolean | null>[];
}

/** The metric key of a named step: `request.join`. */
export function stepKey(kind: MetricKind, name: string): string {
  return `${kind}.${name}`;
}

/** Every named step of the scenario, keyed `kind.name`, in the order the file names them (each key once). */
export function namedSteps(s: Scenario): Map<string, MetricKind> {
  const out = new Map<string, MetricKind>();
  const walk = (steps: readonly Step[]): void => {
    for (const st of steps) {
      if (st.kind === 'loop') walk(st.steps);
      else if ((st.kind === 'send' || st.kind === 'expect' || st.kind === 'request' || st.kind === 'subscribe') && st.name !== undefined) {
        out.set(stepKey(st.kind, st.name), st.kind);
      }
    }
  };
  for (const r of s.roles) walk(r.steps);
  return out;
}
