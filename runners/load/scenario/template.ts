// Placeholder templates of scenario files (`{{conn}}`, `{{data.user}}`, ...), compiled once per worker into closures
// that render per message. Rendering runs for every message of every connection, so the text is split at compile
// time, parts without placeholders are rendered once and shared, and `{{now}}` / `{{uuid}}` are computed at most
// once per call (every `{{uuid}}` of one message is the same value).
import { randomUUID } from 'node:crypto';
import type { JsonTemplate, Payload } from './model.js';

export interface RenderScope {
  /** Global connection index. */
  conn: number;
  role: string;
  /** The connection's message counter: one value per message it sends. */
  seq: number;
  /** Iteration of the innermost loop (0 outside loops). */
  iteration: number;
  /** The connection's data row (row conn mod rows). */
  data?: Record<string, string | number | boolean | null>;
}

export interface Rendered {
  /** What goes on the wire; shared between calls when the payload has no placeholders, so read it, never write it. */
  bytes: Uint8Array;
  text: boolean;
  /** the rendered JSON document when the payload is json */
  doc?: unknown;
}

/** Placeholder names besides `data.FIELD`. */
export const PLACEHOLDERS = ['conn', 'role', 'seq', 'iteration', 'now', 'uuid'] as const;
const KNOWN = new Set<string>(PLACEHOLDERS);

/** `{{ name }}`: whitespace inside the braces is allowed; anything between `{{` and `}}` without braces is a name. */
const PLACEHOLDER_RE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Whether `name` (as placeholderNames returns it) is a placeholder this module renders. */
export function isKnownPlaceholder(name: string): boolean {
  return KNOWN.has(name) || (name.startsWith('data.') && name.length > 5);
}

/** The placeholder names in `t`, each once, in order of first use (`{{ data.user }}` -> `data.user`). */
export function placeholderNames(t: string): string[] {
  if (!t.includes('{{')) return [];
  const names: string[] = [];
  for (const m of t.matchAll(PLACEHOLDER_RE)) if (!names.includes(m[1]!)) names.push(m[1]!);
  return names;
}

/** `t` with its placeholders taken out: the text that is sent as written. */
export function literalText(t: string): string {
  return t.includes('{{') ? t.replace(PLACEHOLDER_RE, '') : t;
}

// Per-call values. Rendering is synchronous and never re-enters itself, so one module-level slot is enough and a
// call allocates nothing for them; each exported renderer resets it on entry.
let callNow = Number.NaN;
let callUuid = '';
function beginCall(): void {
  callNow = Number.NaN;
  callUuid = '';
}
function now(): number {
  // performance.timeOrigin + now(): epoch milliseconds with a fraction, the same clock in every process of a machine.
  if (Number.isNaN(callNow)) callNow = performance.timeOrigin + performance.now();
  return callNow;
}
function uuid(): string {
  if (callUuid === '') callUuid = randomUUID();
  return callUuid;
}

type Getter = (s: RenderScope) => string | number;

function dataGetter(field: string): Getter {
  return (s) => {
    const row = s.data;
    // hasOwn: a field named like an Object.prototype member must not render the prototype's function.
    const v = row !== undefined && row !== null && Object.hasOwn(row, field) ? row[field] : undefined;
    if (v === undefined) return '';
    return typeof v === 'number' ? v : String(v);
  };
}

/** The value of a known placeholder, or undefined for an unknown name (rendered as written). */
function getterFor(name: string): Getter | undefined {
  switch (name) {
    case 'conn':
      return (s) => s.conn;
    case 'role':
      return (s) => s.role;
    case 'seq':
      return (s) => s.seq;
    case 'iteration':
      return (s) => s.iteration;
    case 'now':
      return now;
    case 'uuid':
      return uuid;
    default:
      return isKnownPlaceholder(name) ? dataGetter(name.slice(5)) : undefined;
  }
}

/** A string template split at its placeholders; `undefined` when it has none. Renders without resetting the call. */
function stringParts(t: string): ((s: RenderScope) => string) | undefined {
  if (!t.includes('{{')) return undefined;
  const texts: string[] = [];
  const getters: Getter[] = [];
  let last = 0;
  for (const m of t.matchAll(PLACEHOLDER_RE)) {
    const get = getterFor(m[1]!);
    if (get === undefined) continue; // parse.ts rejects unknown names; here they stay text, so rendering never throws
    texts.push(t.slice(last, m.index));
    getters.push(get);
    last = m.index + m[0].length;
  }
  if (getters.length === 0) return undefined;
  texts.push(t.slice(last));
  const n = getters.length;
  if (n === 1) {
    const [before, after] = texts as [string, string];
    const get = getters[0]!;
    return (s) => before + get(s) + after;
  }
  return (s) => {
    let out = texts[0]!;
    for (let i = 0; i < n; i++) out += getters[i]!(s) + texts[i + 1]!;
    return out;
  };
}

export function compileString(t: string): (scope: RenderScope) => string {
  const render = stringParts(t);
  if (render === undefined) return () => t;
  return (s) => {
    beginCall();
    return render(s);
  };
}

/** A compiled JSON template: a shared constant, or a function that builds a fresh value around shared constants. */
type Node = { constant: true; value: unknown } | { constant: false; render: (s: RenderScope) => unknown };

const WHOLE_RE = /^\{\{\s*([^{}]*?)\s*\}\}$/;

function compileNode(v: JsonTemplate): Node {
  if (typeof v === 'string') {
    const whole = WHOLE_RE.exec(v);
    const get = whole === null ? undefined : getterFor(whole[1]!);
    if (get !== undefined) {
      // Exactly one placeholder: the getter's value as is, so a number stays a number ({"id": "{{conn}}"} ->
      // {"id": 7}); getters yield strings for everything else (role, uuid, non-numeric data values).
      return { constant: false, render: get };
    }
    const render = stringParts(v);
    return render === undefined ? { constant: true, value: v } : { constant: false, render };
  }
  if (Array.isArray(v)) {
    const items = v.map(compileNode);
    if (items.every((x) => x.constant)) return { constant: true, value: v };
    const renders = items.map((x) => (x.constant ? () => x.value : x.render));
    return { constant: false, render: (s) => renders.map((r) => r(s)) };
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    const items = keys.map((k) => compileNode(v[k]!));
    if (items.every((x) => x.constant)) return { constant: true, value: v };
    const renders = items.map((x) => (x.constant ? () => x.value : x.render));
    // A key "__proto__" assigned with `=` would set the prototype instead of a property; define it instead.
    const plain = !keys.includes('__proto__');
    return {
      constant: false,
      render: (s) => {
        const out: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) {
          if (plain) out[keys[i]!] = renders[i]!(s);
          else Object.defineProperty(out, keys[i]!, { value: renders[i]!(s), enumerable: true, writable: true, configurable: true });
        }
        return out;
      },
    };
  }
  return { constant: true, value: v };
}

export function compileJsonValue(v: JsonTemplate): (scope: RenderScope) => unknown {
  const node = compileNode(v);
  if (node.constant) {
    const value = node.value;
    return () => value;
  }
  const render = node.render;
  return (s) => {
    beginCall();
    return render(s);
  };
}

function utf8(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

export function compilePayload(p: Payload): (scope: RenderScope) => Rendered {
  if ('binary' in p) {
    const fixed: Rendered = { bytes: Buffer.from(p.binary, 'base64'), text: false };
    return () => fixed;
  }
  if ('text' in p) {
    const render = stringParts(p.text);
    if (render === undefined) {
      const fixed: Rendered = { bytes: utf8(p.text), text: true };
      return () => fixed;
    }
    return (s) => {
      beginCall();
      return { bytes: utf8(render(s)), text: true };
    };
  }
  const node = compileNode(p.json);
  if (node.constant) {
    const fixed: Rendered = { bytes: utf8(JSON.stringify(node.value)), text: true, doc: node.value };
    return () => fixed;
  }
  const render = node.render;
  return (s) => {
    beginCall();
    const doc = render(s);
    return { bytes: utf8(JSON.stringify(doc)), text: true, doc };
  };
}
