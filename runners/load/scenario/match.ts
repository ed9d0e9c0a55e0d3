// Predicates over received messages (a scenario's `match`), compiled once and run for every message a connection
// receives while it waits: the text is decoded and the JSON parsed at most once per message (Incoming caches them),
// static expectations are built at compile time, and a static `text` is compared as bytes without decoding.
import type { JsonTemplate, Match } from './model.js';
import { compileJsonValue, compileString, placeholderNames, type RenderScope } from './template.js';

/** A received message, decoded lazily: most matchers look at one part of it, many at none. */
export class Incoming {
  private decoded: string | undefined;
  private parsed: unknown;
  private parsedYet = false;

  constructor(
    readonly payload: Uint8Array,
    readonly binary: boolean,
  ) {}

  /** The payload as UTF-8 text (whatever the message kind; invalid sequences become U+FFFD). */
  text(): string {
    if (this.decoded === undefined) {
      const p = this.payload;
      this.decoded = Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('utf8');
    }
    return this.decoded;
  }

  /** The payload parsed as JSON; undefined when it is not JSON. */
  json(): unknown {
    if (!this.parsedYet) {
      this.parsedYet = true;
      const text = this.text();
      // Most non-JSON messages are told apart by their first character, without paying for a thrown SyntaxError.
      if (JSON_START.test(text)) {
        try {
          this.parsed = JSON.parse(text);
        } catch {
          this.parsed = undefined;
        }
      }
    }
    return this.parsed;
  }
}

const JSON_START = /^[\s]*[{["\-0-9tfn]/;

/** A dot path split once: each segment with its array index (-1 when it is not a canonical index). */
interface Segment {
  key: string;
  index: number;
}

const INDEX_RE = /^(?:0|[1-9][0-9]*)$/;

export function compilePath(path: string): Segment[] {
  return path.split('.').map((key) => ({ key, index: INDEX_RE.test(key) ? Number(key) : -1 }));
}

function walk(doc: unknown, segments: readonly Segment[]): unknown {
  let cur = doc;
  for (let i = 0; i < segments.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const seg = segments[i]!;
    if (Array.isArray(cur)) {
      // Only a canonical index reaches an array element: `length` or `01` is absent, not a property of the array.
      if (seg.index < 0 || seg.index >= cur.length) return undefined;
      cur = cur[seg.index];
    } else {
      if (!Object.hasOwn(cur, seg.key)) return undefined;
      cur = (cur as Record<string, unknown>)[seg.key];
    }
  }
  return cur;
}

// getPath is called per message with the few paths of a scenario; keep their splits (bounded, in case a caller
// passes paths from messages).
const pathCache = new Map<string, Segment[]>();

/** The value at dot path `path` (`a.b.0.c`: array elements by index); undefined when absent. */
export function getPath(doc: unknown, path: string): unknown {
  let segments = pathCache.get(path);
  if (segments === undefined) {
    segments = compilePath(path);
    if (pathCache.size >= 1024) pathCache.clear();
    pathCache.set(path, segments);
  }
  return walk(doc, segments);
}

/** JSON deep equality: numbers by value, no coercion between strings and numbers, object keys in any order. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    if (!Object.hasOwn(b, k) || !sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** Placeholders that stay the same for a connection's whole life, so a rendered expectation can be reused. */
function perConnection(v: JsonTemplate): boolean {
  if (typeof v === 'string') return placeholderNames(v).every((n) => n === 'conn' || n === 'role' || n.startsWith('data.'));
  if (Array.isArray(v)) return v.every(perConnection);
  if (v !== null && typeof v === 'object') return Object.values(v).every(perConnection);
  return true;
}

function hasPlaceholders(v: JsonTemplate): boolean {
  if (typeof v === 'string') return placeholderNames(v).length > 0;
  if (Array.isArray(v)) return v.some(hasPlaceholders);
  if (v !== null && typeof v === 'object') return Object.values(v).some(hasPlaceholders);
  return false;
}

/** The expected value at one path, rendered for a scope; per-connection values are rendered once per connection. */
function expectation(v: JsonTemplate): (s: RenderScope) => unknown {
  if (!hasPlaceholders(v)) return () => v;
  const render = compileJsonValue(v);
  if (!perConnection(v)) return render;
  // One matcher serves every connection of a worker; remember the last connection's value, which is the one asked
  // about again while that connection waits.
  let lastConn = Number.NaN;
  let lastRole = '';
  let lastData: RenderScope['data'] = undefined;
  let lastValue: unknown;
  return (s) => {
    if (s.conn !== lastConn || s.role !== lastRole || s.data !== lastData) {
      lastValue = render(s);
      lastConn = s.conn;
      lastRole = s.role;
      lastData = s.data;
    }
    return lastValue;
  };
}

/** `m` as a predicate; every part given must hold. `m` must be valid (parse.ts checked it): a bad regex throws. */
export function compileMatch(m: Match): (msg: Incoming, scope: RenderScope) => boolean {
  const kind = m.binary;
  const re = m.regex === undefined ? undefined : new RegExp(m.regex);
  let textBytes: Buffer | undefined;
  let textOf: ((s: RenderScope) => string) | undefined;
  if (m.text !== undefined) {
    if (placeholderNames(m.text).length === 0) textBytes = Buffer.from(m.text, 'utf8');
    else textOf = compileString(m.text);
  }
  const paths = Object.keys(m.json ?? {});
  const segments = paths.map(compilePath);
  const expected = paths.map((p) => expectation(m.json![p]!));
  const n = paths.length;
  return (msg, scope) => {
    if (kind !== undefined && msg.binary !== kind) return false;
    if (textBytes !== undefined) {
      const p = msg.payload;
      if (p.byteLength !== textBytes.byteLength || !textBytes.equals(p)) return false;
    }
    if (textOf !== undefined && msg.text() !== textOf(scope)) return false;
    if (re !== undefined && !re.test(msg.text())) return false;
    if (n > 0) {
      const doc = msg.json();
      if (doc === undefined) return false;
      for (let i = 0; i < n; i++) if (!sameValue(walk(doc, segments[i]!), expected[i]!(scope))) return false;
    }
    return true;
  };
}
