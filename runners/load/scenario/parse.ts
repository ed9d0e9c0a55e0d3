// Scenario files (`wsprobe load --scenario FILE`, YAML or JSON) -> the normalised Scenario of model.ts: the text is
// read (YAML syntax errors with line and column), checked against docs/schemas/scenario.schema.json, then checked
// for what a schema cannot say (placeholders, data fields, regexes, correlation, role names) while durations become
// milliseconds and shorthands their full form. Every error is one ScenarioError line naming the file and the place.
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import { parseDocument } from 'yaml';
import { DataError, jsonSyntaxMessage, parseDataFile, type DataRow } from './data.js';
import { parseDurationMs } from './duration.js';
import { ScenarioError } from './errors.js';
import { joinPlace, schemaProblem, show } from './file-schema.js';
import { getPath } from './match.js';
import type { JsonTemplate, Match, Payload, Role, Scenario, Step } from './model.js';
import { isKnownPlaceholder, literalText, placeholderNames } from './template.js';

export { ScenarioError } from './errors.js';

export interface ParseOptions {
  /** The scenario's path: named in messages, picks the format (`.json` or YAML), gives the default name, and is
   * the directory `data` is relative to. */
  file: string;
  /** Reads the data file (default: from disk, UTF-8). */
  readFile?: (path: string) => string;
}

/** expect and request wait this long when the file gives no timeout. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Node's timers hold at most 2^31-1 ms; a longer one fires at once (with a warning), so it is refused here. */
const MAX_DURATION_MS = 2 ** 31 - 1;
const KNOWN = 'conn, role, seq, iteration, now, uuid, data.FIELD';
/** Headers the handshake itself writes (RFC 6455 §4.1); a second copy would break it. */
const HANDSHAKE_HEADERS = new Set(['host', 'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions']);

/** A problem at a place of the document; parseScenario words it as a ScenarioError. */
class Problem extends Error {
  constructor(
    readonly place: string,
    message: string,
  ) {
    super(message);
  }
}

export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ScenarioError(`scenario ${path}: cannot read the file: ${reason(err)}`);
  }
  return parseScenario(text, { file: path });
}

export function parseScenario(text: string, opts: ParseOptions): Scenario {
  const { file } = opts;
  try {
    const doc = readDocument(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, file);
    const problem = schemaProblem(doc);
    if (problem !== undefined) throw new Problem(problem.place, problem.message);
    return new Normaliser(file, opts.readFile ?? ((p) => readFileSync(p, 'utf8'))).scenario(doc as FileScenario);
  } catch (err) {
    if (err instanceof Problem) throw new ScenarioError(`scenario ${file}: ${err.place === '' ? '' : `${err.place}: `}${err.message}`);
    if (err instanceof ScenarioError) throw err;
    // Anything else (a nesting deep enough to overflow the stack, say) still reaches the user as one line.
    throw new ScenarioError(`scenario ${file}: ${reason(err)}`);
  }
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return typeof e?.code === 'string' ? e.code : e instanceof Error ? e.message : String(err);
}

function readDocument(text: string, file: string): unknown {
  if (/\.json$/i.test(file)) {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      // Newer Nodes name no offset for some mistakes; the YAML parser (JSON is YAML) still finds the line.
      const at = parseDocument(text).errors[0]?.linePos?.[0];
      const message = jsonSyntaxMessage(text, err);
      throw new Problem('', at === undefined || message.startsWith('line ') ? message : `line ${at.line}, column ${at.col}: ${message}`);
    }
  }
  // YAML 1.2 core schema: `yes`, `no` and `on` stay strings; duplicate keys are errors.
  const doc = parseDocument(text, { uniqueKeys: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    const what = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '');
    const at = error.linePos?.[0];
    throw new Problem('', at === undefined ? `YAML: ${what}` : `line ${at.line}, column ${at.col}: ${what}`);
  }
  try {
    // maxAliasCount bounds alias expansion (a "billion laughs" file).
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    throw new Problem('', `YAML: ${reason(err)}`);
  }
}

// The file's shapes once the schema has accepted it.
interface FileScenario {
  name?: string;
  data?: string;
  roles: FileRole[];
}
interface FileRole {
  name: string;
  count?: number;
  weight?: number;
  headers?: Record<string, string>;
  protocols?: string[];
  path?: string;
  steps: FileStep[];
}
type FilePayload = { text: string } | { json: JsonTemplate } | { binary: string };
type FileStep = 'close' | Record<string, unknown>;
interface FileRequest {
  name: string;
  send: FilePayload;
  correlate?: string;
  match?: FileMatch;
  timeout?: number | string;
}
type FileMatch = Match;
type Where = 'header' | 'path' | 'body';

class Normaliser {
  private rows: DataRow[] | undefined;
  private dataName = '';

  constructor(
    private readonly file: string,
    private readonly readFile: (path: string) => string,
  ) {}

  scenario(doc: FileScenario): Scenario {
    if (doc.data !== undefined) this.loadData(doc.data);
    const roles = doc.roles.map((r, i) => this.role(r, `roles[${i}]`));
    roles.forEach((r, i) => {
      const first = roles.findIndex((x) => x.name === r.name);
      if (first !== i) throw new Problem(`roles[${i}].name`, `"${r.name}" is also the name of roles[${first}]`);
    });
    if (!roles.some((r) => r.weight !== undefined || (r.count ?? 0) > 0)) {
      throw new Problem('roles', 'no role can take a connection: every count is 0 and no role has a weight');
    }
    const name = doc.name ?? basename(this.file, extname(this.file));
    const out: Scenario = { name: name === '' ? 'scenario' : name, roles };
    if (this.rows !== undefined) out.data = this.rows;
    return out;
  }

  private loadData(rel: string): void {
    this.dataName = rel;
    let text: string;
    try {
      text = this.readFile(isAbsolute(rel) ? rel : join(dirname(this.file), rel));
    } catch (err) {
      throw new Problem('', `cannot read data file ${rel}: ${reason(err)}`);
    }
    try {
      this.rows = parseDataFile(text, rel);
    } catch (err) {
      if (err instanceof DataError) throw new Problem('', `data file ${rel}: ${err.message}`);
      throw err;
    }
  }

  private role(r: FileRole, place: string): Role {
    const headers = r.headers === undefined ? undefined : this.headers(r.headers, `${place}.headers`);
    if (r.path !== undefined) {
      if (/[\s\u0000-\u001f\u007f#]/.test(literalText(r.path))) {
        throw new Problem(`${place}.path`, 'a request path cannot hold spaces, control characters or # (percent-encode them)');
      }
      this.template(r.path, `${place}.path`, 'path');
    }
    const steps = this.steps(r.steps, `${place}.steps`);
    return {
      name: r.name,
      ...(r.count === undefined ? {} : { count: r.count }),
      ...(r.weight === undefined ? {} : { weight: r.weight }),
      ...(headers === undefined ? {} : { headers }),
      ...(r.protocols === undefined ? {} : { protocols: [...r.protocols] }),
      ...(r.path === undefined ? {} : { path: r.path }),
      steps,
    };
  }

  private headers(h: Record<string, string>, place: string): [string, string][] {
    const seen = new Map<string, string>();
    return Object.entries(h).map(([name, value]) => {
      const at = joinPlace(place, name);
      const lower = name.toLowerCase();
      if (lower === 'sec-websocket-protocol') throw new Problem(at, 'offer subprotocols with protocols: [...] instead');
      if (HANDSHAKE_HEADERS.has(lower)) throw new Problem(at, 'is written by the WebSocket handshake itself (RFC 6455 §4.1)');
      const before = seen.get(lower);
      if (before !== undefined) throw new Problem(at, `repeats header ${before} (header names ignore case)`);
      seen.set(lower, name);
      this.template(value, at, 'header');
      return [name, value];
    });
  }

  private steps(list: FileStep[], place: string): Step[] {
    return list.map((s, i) => this.step(s, `${place}[${i}]`));
  }

  private step(s: FileStep, place: string): Step {
    if (s === 'close') return { kind: 'close' };
    const kind = Object.keys(s)[0]!;
    const v = s[kind] as Record<string, unknown> | null;
    const at = `${place}.${kind}`;
    switch (kind) {
      case 'send': {
        const { name, ...payload } = v as { name?: string } & FilePayload;
        return { kind: 'send', ...(name === undefined ? {} : { name }), payload: this.payload(payload, at) };
      }
      case 'expect': {
        const e = v as { name: string; match: FileMatch; timeout?: number | string };
        return { kind: 'expect', name: e.name, match: this.match(e.match, `${at}.match`), timeoutMs: this.timeout(e.timeout, `${at}.timeout`) };
      }
      case 'request':
        return this.request(v as unknown as FileRequest, at);
      case 'subscribe': {
        const e = v as { name: string; match: FileMatch; timestamp?: string };
        const step: Step = { kind: 'subscribe', name: e.name, match: this.match(e.match, `${at}.match`) };
        if (e.timestamp !== undefined) step.timestamp = e.timestamp;
        return step;
      }
      case 'think':
        return this.think(s[kind] as number | string | { min: number | string; max: number | string }, at);
      case 'loop': {
        const l = v as { every?: number | string; count?: number; duration?: number | string; steps: FileStep[] };
        const every = l.every === undefined ? undefined : this.duration(l.every, `${at}.every`);
        if (every === 0) throw new Problem(`${at}.every`, 'must be above 0 (iterations cannot start every instant)');
        const durationMs = l.duration === undefined ? undefined : this.duration(l.duration, `${at}.duration`);
        const step: Step = {
          kind: 'loop',
          ...(l.count === undefined ? {} : { count: l.count }),
          ...(durationMs === undefined ? {} : { durationMs }),
          ...(every === undefined ? {} : { everyMs: every }),
          steps: this.steps(l.steps, `${at}.steps`),
        };
        return step;
      }
      default: {
        const c = (v ?? {}) as { code?: number; reason?: string };
        const step: Step = { kind: 'close' };
        if (c.code !== undefined) step.code = c.code;
        if (c.reason !== undefined) {
          const bytes = Buffer.byteLength(c.reason, 'utf8');
          // RFC 6455 §5.5: a control frame carries at most 125 bytes, 2 of them the code.
          if (bytes > 123) throw new Problem(`${at}.reason`, `is ${bytes} bytes in UTF-8; a close reason holds at most 123 (RFC 6455 §5.5)`);
          step.reason = c.reason;
        }
        return step;
      }
    }
  }

  private request(r: FileRequest, at: string): Step {
    const payload = this.payload(r.send, `${at}.send`);
    if (r.correlate !== undefined) {
      if (!('json' in payload)) {
        throw new Problem(`${at}.correlate`, 'needs a json payload (send: { json: ... }): the reply is matched on the value sent at this path');
      }
      if (getPath(payload.json, r.correlate) === undefined) {
        throw new Problem(`${at}.correlate`, `the sent json has no value at "${r.correlate}" to match the reply on`);
      }
    }
    return {
      kind: 'request',
      name: r.name,
      payload,
      ...(r.correlate === undefined ? {} : { correlate: r.correlate }),
      ...(r.match === undefined ? {} : { match: this.match(r.match, `${at}.match`) }),
      timeoutMs: this.timeout(r.timeout, `${at}.timeout`),
    };
  }

  private think(t: number | string | { min: number | string; max: number | string }, at: string): Step {
    if (t === null || typeof t !== 'object') return { kind: 'think', ms: this.duration(t, at) };
    const min = this.duration(t.min, `${at}.min`);
    const max = this.duration(t.max, `${at}.max`);
    if (min > max) throw new Problem(at, `min (${min} ms) is above max (${max} ms)`);
    return { kind: 'think', ms: min, maxMs: max };
  }

  private timeout(v: number | string | undefined, at: string): number {
    return v === undefined ? DEFAULT_TIMEOUT_MS : this.duration(v, at);
  }

  private duration(v: unknown, at: string): number {
    const ms = parseDurationMs(v);
    if (ms === undefined) throw new Problem(at, `expected a duration like 5s or 250ms, got ${show(v)}`);
    if (ms > MAX_DURATION_MS) throw new Problem(at, `${show(v)} is longer than the longest timer (2^31-1 ms, about 24.8 days)`);
    return ms;
  }

  private payload(p: FilePayload, at: string): Payload {
    if ('text' in p) {
      this.template(p.text, `${at}.text`, 'body');
      return { text: p.text };
    }
    if ('json' in p) {
      this.json(p.json, `${at}.json`);
      return { json: p.json };
    }
    return { binary: p.binary };
  }

  private match(m: FileMatch, at: string): Match {
    const out: Match = {};
    if (m.json !== undefined) {
      for (const [path, v] of Object.entries(m.json)) this.json(v, joinPlace(`${at}.json`, path));
      out.json = m.json;
    }
    if (m.regex !== undefined) {
      try {
        new RegExp(m.regex);
      } catch (err) {
        throw new Problem(`${at}.regex`, reason(err));
      }
      out.regex = m.regex;
    }
    if (m.text !== undefined) {
      this.template(m.text, `${at}.text`, 'body');
      out.text = m.text;
    }
    if (m.binary !== undefined) out.binary = m.binary;
    return out;
  }

  /** Checks the placeholders of a JSON template and that it is JSON (YAML has .inf and .nan; JSON does not). */
  private json(v: JsonTemplate, at: string): void {
    if (typeof v === 'string') this.template(v, at, 'body');
    else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Problem(at, `expected a finite number, got ${v}`);
    } else if (Array.isArray(v)) v.forEach((x, i) => this.json(x, `${at}[${i}]`));
    else if (v !== null && typeof v === 'object') {
      for (const [key, x] of Object.entries(v)) {
        if (key.includes('{{')) throw new Problem(joinPlace(at, key), 'placeholders are not rendered in keys, only in values');
        this.json(x, joinPlace(at, key));
      }
    }
  }

  private template(t: string, at: string, where: Where): void {
    for (const name of placeholderNames(t)) {
      if (!isKnownPlaceholder(name)) throw new Problem(at, `unknown placeholder {{${name}}} (known: ${KNOWN})`);
      if (name.startsWith('data.')) this.field(name.slice(5), at, where);
    }
  }

  /** `{{data.FIELD}}`: the data file must give FIELD in every row, in a form that fits where it is rendered. */
  private field(field: string, at: string, where: Where): void {
    const rows = this.rows;
    if (rows === undefined) throw new Problem(at, `{{data.${field}}} needs a data file (data: FILE at the top of the scenario)`);
    const lacking = rows.findIndex((row) => !Object.hasOwn(row, field));
    if (lacking >= 0) {
      if (rows.every((row) => !Object.hasOwn(row, field))) {
        const fields = [...new Set(rows.flatMap((row) => Object.keys(row)))];
        throw new Problem(at, `{{data.${field}}}: data file ${this.dataName} has no field "${field}" (fields: ${fields.join(', ')})`);
      }
      throw new Problem(at, `{{data.${field}}}: row ${lacking + 1} of data file ${this.dataName} has no "${field}"`);
    }
    if (where === 'body') return;
    const bad = where === 'header' ? /[\r\n\u0000]/ : /[\s\u0000-\u001f\u007f#]/;
    const row = rows.findIndex((r) => bad.test(String(r[field])));
    if (row >= 0) {
      const why = where === 'header' ? 'a header value cannot hold CR, LF or NUL' : 'a request path cannot hold spaces, control characters or # (percent-encode them in the data file)';
      throw new Problem(at, `{{data.${field}}}: row ${row + 1} of data file ${this.dataName} holds ${show(String(rows[row]![field]))}; ${why}`);
    }
  }
}
