import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonTemplate } from '../../../../../runners/load/scenario/model.js';
import {
  compileJsonValue,
  compilePayload,
  compileString,
  isKnownPlaceholder,
  placeholderNames,
  type RenderScope,
} from '../../../../../runners/load/scenario/template.js';

const scope: RenderScope = { conn: 7, role: 'pub', seq: 3, iteration: 2, data: { user: 'alice', level: 5, admin: true, note: null } };
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const arbScope: fc.Arbitrary<RenderScope> = fc.record(
  {
    conn: fc.nat(),
    role: fc.string(),
    seq: fc.nat(),
    iteration: fc.nat(),
    data: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null))),
  },
  { requiredKeys: ['conn', 'role', 'seq', 'iteration'] },
);
const NAMES = ['conn', 'role', 'seq', 'iteration', 'now', 'uuid', 'data.user', 'data.level', 'data.toString', 'unknown', ''];
/** Template text: literal pieces and placeholders (known, data, unknown, malformed) in any order and spacing. */
const arbTemplate = fc
  .array(fc.oneof(fc.string(), fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom('', ' ', '  ')).map(([n, s]) => `{{${s}${n}${s}}}`), fc.constantFrom('{{', '}}', '{', '}')))
  .map((parts) => parts.join(''));
const arbJsonTemplate: fc.Arbitrary<JsonTemplate> = fc.letrec<{ v: JsonTemplate }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    arbTemplate,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('v'), { maxKeys: 4 }),
  ),
})).v;

describe('placeholderNames', () => {
  it('lists each name once, in order, without the braces and spaces', () => {
    expect(placeholderNames('a {{conn}} b {{ data.user }} {{conn}} {{uuid}}')).toEqual(['conn', 'data.user', 'uuid']);
    expect(placeholderNames('no placeholders { here } {{')).toEqual([]);
    expect(placeholderNames('{{}} {{ what ever }}')).toEqual(['', 'what ever']);
  });

  it('knows conn, role, seq, iteration, now, uuid and data.FIELD', () => {
    for (const n of ['conn', 'role', 'seq', 'iteration', 'now', 'uuid', 'data.x', 'data.a.b']) expect(isKnownPlaceholder(n)).toBe(true);
    for (const n of ['data.', 'data', 'Conn', 'user', '', 'what ever']) expect(isKnownPlaceholder(n)).toBe(false);
  });
});

describe('compileString', () => {
  it('renders every placeholder as text', () => {
    const render = compileString('/c/{{conn}}/{{ role }}?s={{seq}}&i={{iteration}}&u={{data.user}}&l={{data.level}}&a={{data.admin}}&n={{data.note}}&m={{data.missing}}');
    expect(render(scope)).toBe('/c/7/pub?s=3&i=2&u=alice&l=5&a=true&n=null&m=');
  });

  it('returns text without placeholders as is, and leaves unknown names as written', () => {
    expect(compileString('plain {text}')(scope)).toBe('plain {text}');
    expect(compileString('{{nope}}-{{conn}}-{{ }}')(scope)).toBe('{{nope}}-7-{{ }}');
  });

  it('renders {{now}} as epoch milliseconds on the performance clock', () => {
    const before = performance.timeOrigin + performance.now();
    const now = Number(compileString('{{now}}')(scope));
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(performance.timeOrigin + performance.now());
    expect(Math.abs(now - Date.now())).toBeLessThan(1000);
  });

  it('does not read a data field from the prototype', () => {
    expect(compileString('[{{data.toString}}]')({ ...scope, data: {} })).toBe('[]');
    expect(compileString('[{{data.x}}]')({ conn: 0, role: 'r', seq: 0, iteration: 0 })).toBe('[]');
  });

  it('never throws, for any template and any scope', () => {
    fc.assert(
      fc.property(arbTemplate, arbScope, (t, s) => {
        expect(typeof compileString(t)(s)).toBe('string');
      }),
    );
  });
});

describe('compilePayload', () => {
  it('renders text payloads, sharing the bytes when nothing changes', () => {
    const fixed = compilePayload({ text: 'hello' });
    expect(text(fixed(scope).bytes)).toBe('hello');
    expect(fixed(scope).text).toBe(true);
    expect(fixed(scope)).toBe(fixed({ ...scope, conn: 1 }));
    const r = compilePayload({ text: 'hi {{role}} {{conn}} é' })(scope);
    expect(text(r.bytes)).toBe('hi pub 7 é');
    expect(r.text).toBe(true);
    expect(r.doc).toBeUndefined();
  });

  it('decodes binary payloads from base64', () => {
    const r = compilePayload({ binary: 'AAEC/w==' })(scope);
    expect([...r.bytes]).toEqual([0, 1, 2, 255]);
    expect(r.text).toBe(false);
  });

  it('renders json payloads as a document and its text; a string that is exactly a numeric placeholder is a number', () => {
    const render = compilePayload({
      json: { type: 'publish', conn: '{{conn}}', seq: '{{ seq }}', it: '{{iteration}}', at: '{{now}}', role: '{{role}}', user: '{{data.user}}', level: '{{data.level}}', label: 'c{{conn}}', nested: [{ x: '{{conn}}' }, 1, null], fixed: { a: [1] } },
    });
    const r = render(scope);
    const doc = r.doc as Record<string, unknown>;
    expect(doc).toMatchObject({ type: 'publish', conn: 7, seq: 3, it: 2, role: 'pub', user: 'alice', level: 5, label: 'c7', nested: [{ x: 7 }, 1, null], fixed: { a: [1] } });
    expect(typeof doc.at).toBe('number');
    expect(JSON.parse(text(r.bytes))).toEqual(doc);
    expect(r.text).toBe(true);
  });

  it('keeps non-numeric data values text in a whole-string placeholder (only numbers change type)', () => {
    const doc = compileJsonValue({ a: '{{data.admin}}', n: '{{data.note}}', u: '{{uuid}}' })(scope) as Record<string, unknown>;
    expect(doc.a).toBe('true');
    expect(doc.n).toBe('null');
    expect(doc.u).toMatch(UUID);
  });

  it('uses one {{uuid}} and one {{now}} per message, new ones for the next message', () => {
    const render = compilePayload({ json: { id: '{{uuid}}', again: 'x-{{uuid}}', at: '{{now}}', list: ['{{uuid}}', '{{now}}'] } });
    fc.assert(
      fc.property(arbScope, (s) => {
        const a = render(s).doc as { id: string; again: string; at: number; list: [string, number] };
        const b = render(s).doc as { id: string };
        expect(a.id).toMatch(UUID);
        expect(a.again).toBe(`x-${a.id}`);
        expect(a.list).toEqual([a.id, a.at]);
        expect(b.id).not.toBe(a.id);
      }),
    );
    const t = compilePayload({ text: '{{uuid}} {{uuid}}' });
    const [x, y] = text(t(scope).bytes).split(' ');
    expect(x).toBe(y);
    expect(text(t(scope).bytes).split(' ')[0]).not.toBe(x);
  });

  it('gives a number for every numeric placeholder, whatever the scope', () => {
    fc.assert(
      fc.property(arbScope, fc.constantFrom('conn', 'seq', 'iteration', 'now'), fc.constantFrom('', ' '), (s, name, sp) => {
        const v = compileJsonValue({ v: `{{${sp}${name}${sp}}}` })(s) as { v: unknown };
        expect(typeof v.v).toBe('number');
        if (name !== 'now') expect(v.v).toBe(s[name as 'conn' | 'seq' | 'iteration']);
      }),
    );
    fc.assert(
      fc.property(arbScope, fc.double({ noNaN: true, noDefaultInfinity: true }), (s, level) => {
        expect(compileJsonValue('{{data.level}}')({ ...s, data: { level } })).toBe(level);
      }),
    );
  });

  it('keeps a key named __proto__ a key', () => {
    const doc = compileJsonValue(JSON.parse('{"__proto__": "{{conn}}", "a": 1}') as JsonTemplate)(scope) as object;
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(JSON.parse('{"__proto__": 7, "a": 1}'));
  });

  it('never throws, for any template and any scope, and its bytes are the document', () => {
    fc.assert(
      fc.property(arbJsonTemplate, arbScope, (t, s) => {
        const r = compilePayload({ json: t })(s);
        expect(JSON.parse(text(r.bytes))).toEqual(JSON.parse(JSON.stringify(r.doc)));
        compilePayload({ text: typeof t === 'string' ? t : JSON.stringify(t) })(s);
      }),
    );
  });
});
