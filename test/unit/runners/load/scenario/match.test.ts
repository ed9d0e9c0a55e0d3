import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileMatch, getPath, Incoming, sameValue } from '../../../../../runners/load/scenario/match.js';
import type { RenderScope } from '../../../../../runners/load/scenario/template.js';

const scope: RenderScope = { conn: 4, role: 'sub', seq: 0, iteration: 0, data: { user: 'alice', n: 3 } };
const msg = (v: unknown): Incoming => new Incoming(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)), false);

/** Every leaf of a JSON value (primitives, empty arrays and objects) with its dot path. */
function leaves(v: unknown, path: string[] = []): [string, unknown][] {
  if (Array.isArray(v) && v.length > 0) return v.flatMap((x, i) => leaves(x, [...path, String(i)]));
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) {
    return Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, k]));
  }
  return [[path.join('.'), v]];
}

// Keys without dots (a dot separates path segments), including ones that look like indices or prototype members.
const key = fc.oneof(fc.string().filter((k) => !k.includes('.')), fc.constantFrom('0', '01', 'length', '__proto__', 'toString', 'constructor'));
const leaf = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
const tree = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(key, tie('v'), { maxKeys: 4 })),
})).v;
const jsonObject = fc.dictionary(key, tree, { minKeys: 1 });

describe('Incoming', () => {
  it('decodes text and parses JSON once, lazily', () => {
    const m = msg({ a: [1, { b: 'x' }] });
    expect(m.text()).toBe('{"a":[1,{"b":"x"}]}');
    expect(m.json()).toEqual({ a: [1, { b: 'x' }] });
    expect(m.json()).toBe(m.json());
    expect(m.text()).toBe(m.text());
  });

  it('gives undefined for a message that is not JSON', () => {
    for (const t of ['hello', '{"a":', '', 'nul', '[1,]']) expect(msg(t).json()).toBeUndefined();
    expect(msg(' 12').json()).toBe(12);
    expect(msg('"s"').json()).toBe('s');
  });

  it('reads a payload that is a view into a larger buffer', () => {
    const big = Buffer.from('xx{"a":1}yy');
    expect(new Incoming(big.subarray(2, 9), true).json()).toEqual({ a: 1 });
  });
});

describe('getPath', () => {
  it('walks objects by key and arrays by index', () => {
    const doc = { a: { b: [{ c: 1 }, 'x'] }, '0': 'zero' };
    expect(getPath(doc, 'a.b.0.c')).toBe(1);
    expect(getPath(doc, 'a.b.1')).toBe('x');
    expect(getPath(doc, '0')).toBe('zero');
    expect(getPath(doc, 'a.b')).toEqual([{ c: 1 }, 'x']);
  });

  it('gives undefined for what is absent, never what an array or prototype has', () => {
    const doc = { a: { b: [1, 2] }, s: 'str' };
    for (const p of ['x', 'a.x', 'a.b.2', 'a.b.01', 'a.b.-1', 'a.b.length', 'a.b.0.c', 's.length', 'toString', 'a.constructor', '__proto__']) {
      expect(getPath(doc, p)).toBeUndefined();
    }
    expect(getPath(null, 'a')).toBeUndefined();
    expect(getPath(undefined, 'a')).toBeUndefined();
  });

  it('finds every leaf of a JSON document at its dot path', () => {
    fc.assert(
      fc.property(jsonObject, (o) => {
        const doc = JSON.parse(JSON.stringify(o)) as unknown;
        for (const [path, value] of leaves(doc)) expect(sameValue(getPath(doc, path), value)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sameValue', () => {
  it('is JSON equality: deep, key order free, numbers by value, no coercion', () => {
    expect(sameValue({ a: [1, { b: null }], c: 'x' }, { c: 'x', a: [1, { b: null }] })).toBe(true);
    expect(sameValue(1, 1.0)).toBe(true);
    expect(sameValue(0, -0)).toBe(true);
    expect(sameValue(1, '1')).toBe(false);
    expect(sameValue(null, undefined)).toBe(false);
    expect(sameValue([], {})).toBe(false);
    expect(sameValue({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameValue({ a: undefined }, { b: undefined })).toBe(false);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue(true, 1)).toBe(false);
  });

  it('holds between a value and its JSON copy, symmetrically, and tells apart values of different JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const copy = JSON.parse(JSON.stringify(a)) as unknown;
        expect(sameValue(a, copy)).toBe(true);
        expect(sameValue(a, b)).toBe(sameValue(b, a));
        // Equal values serialise alike once keys are sorted.
        if (sameValue(a, b)) expect(canonical(a)).toBe(canonical(b));
      }),
      { numRuns: 300 },
    );
  });
});

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(Object.is(v, -0) ? 0 : v);
}

describe('compileMatch', () => {
  it('matches json paths, with placeholders rendered for the connection', () => {
    const m = compileMatch({ json: { type: 'joined', 'room.members.0': '{{data.user}}', count: '{{data.n}}', by: 'c{{conn}}' } });
    const ok = { type: 'joined', room: { members: ['alice'] }, count: 3, by: 'c4', extra: true };
    expect(m(msg(ok), scope)).toBe(true);
    expect(m(msg({ ...ok, count: '3' }), scope)).toBe(false);
    expect(m(msg({ ...ok, by: 'c5' }), scope)).toBe(false);
    expect(m(msg({ ...ok, room: { members: ['bob'] } }), scope)).toBe(false);
    expect(m(msg('not json'), scope)).toBe(false);
    expect(m(msg(ok), { ...scope, data: { user: 'bob', n: 3 } })).toBe(false);
  });

  it('renders per-connection expectations for each connection, however the calls interleave', () => {
    const m = compileMatch({ json: { to: '{{conn}}-{{role}}-{{data.user}}' } });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3), fc.constantFrom('a', 'b'), fc.constantFrom('x', 'y'), fc.nat(3)), { minLength: 1, maxLength: 20 }), (calls) => {
        for (const [conn, role, user, to] of calls) {
          const s: RenderScope = { conn, role, seq: 0, iteration: 0, data: { user } };
          const target = `${to}-${role}-${user}`;
          expect(m(msg({ to: target }), s)).toBe(to === conn);
        }
      }),
    );
  });

  it('renders per-message placeholders (seq, iteration) at each call', () => {
    const m = compileMatch({ json: { n: '{{seq}}', i: '{{iteration}}' } });
    expect(m(msg({ n: 5, i: 1 }), { ...scope, seq: 5, iteration: 1 })).toBe(true);
    expect(m(msg({ n: 5, i: 1 }), { ...scope, seq: 6, iteration: 1 })).toBe(false);
  });

  it('matches regex against the text, whole text, and the message kind; every part must hold', () => {
    expect(compileMatch({ regex: '^hel+o' })(msg('hello there'), scope)).toBe(true);
    expect(compileMatch({ regex: '^hel+o' })(msg('oh hello'), scope)).toBe(false);
    const g = compileMatch({ regex: 'a' });
    // No lastIndex state carried between messages.
    expect([g(msg('a'), scope), g(msg('a'), scope), g(msg('a'), scope)]).toEqual([true, true, true]);
    expect(compileMatch({ text: 'hello' })(msg('hello'), scope)).toBe(true);
    expect(compileMatch({ text: 'hello' })(msg('hello!'), scope)).toBe(false);
    expect(compileMatch({ text: 'hi {{role}}' })(msg('hi sub'), scope)).toBe(true);
    expect(compileMatch({ binary: true })(new Incoming(Buffer.from([1, 2]), true), scope)).toBe(true);
    expect(compileMatch({ binary: true })(msg('x'), scope)).toBe(false);
    expect(compileMatch({ binary: false })(msg('x'), scope)).toBe(true);
    const all = compileMatch({ binary: false, regex: 'join', json: { type: 'joined' } });
    expect(all(msg({ type: 'joined' }), scope)).toBe(true);
    expect(all(msg({ type: 'join' }), scope)).toBe(false);
    expect(all(new Incoming(Buffer.from('{"type":"joined"}'), true), scope)).toBe(false);
  });

  it('agrees with getPath and sameValue on any document', () => {
    fc.assert(
      fc.property(jsonObject, fc.jsonValue({ maxDepth: 2 }), (o, other) => {
        const doc = JSON.parse(JSON.stringify(o)) as unknown;
        const text = JSON.stringify(doc);
        for (const [path, value] of leaves(doc).slice(0, 5)) {
          expect(compileMatch({ json: { [path]: value as never } })(msg(text), scope)).toBe(true);
          const expected = sameValue(getPath(doc, path), other);
          expect(compileMatch({ json: { [path]: other as never } })(msg(text), scope)).toBe(expected);
        }
      }),
      { numRuns: 200 },
    );
  });
});
