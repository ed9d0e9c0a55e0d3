import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN } from '../../../../../runners/load/scenario/duration.js';
import { loadFileSchema } from '../../../../../runners/load/scenario/file-schema.js';
import type { Scenario } from '../../../../../runners/load/scenario/model.js';
import { DEFAULT_TIMEOUT_MS, loadScenario, parseScenario, ScenarioError } from '../../../../../runners/load/scenario/parse.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..', '..', '..');
const fixture = (name: string): string => join(here, 'fixtures', name);

const FILES: Record<string, string> = {
  'users.csv': 'user,token\nalice,t-a\nbob,t-b\n',
  'spaced.csv': 'user\nal ice\n',
  'ragged.csv': 'a,b\n1,2\n3\n',
  'partial.json': '[{"user":"a"},{"name":"b"}]',
};
const readFile = (path: string): string => {
  const text = FILES[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return text;
};
const parse = (text: string, file = 'chat.yaml'): Scenario => parseScenario(text, { file, readFile });
const errorOf = (text: string, file = 'chat.yaml'): string => {
  try {
    parse(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as Error).message;
  }
  throw new Error('parsed');
};

const ROLE = (steps: string, extra = ''): string => `roles:\n  - name: a\n    count: 1\n${extra}    steps:\n${steps}`;
const STEP = (step: string): string => ROLE(`      - ${step}\n`);
const CLOSE = '      - close\n';

describe('parseScenario', () => {
  it('normalises the format example (every step kind, count and weight, data, headers, path)', () => {
    const s = loadScenario(fixture('chat.yaml'));
    expect(s).toStrictEqual({
      name: 'chat-broadcast',
      roles: [
        {
          name: 'publisher',
          count: 2,
          headers: [['Authorization', 'Bearer {{data.token}}']],
          protocols: ['chat.v1'],
          path: '/chat?user={{data.user}}',
          steps: [
            { kind: 'expect', name: 'welcome', match: { json: { type: 'welcome' } }, timeoutMs: 5000 },
            {
              kind: 'request',
              name: 'join',
              payload: { json: { type: 'join', room: 'lobby', id: '{{uuid}}' } },
              correlate: 'id',
              match: { json: { type: 'joined' } },
              timeoutMs: 5000,
            },
            { kind: 'subscribe', name: 'ticker', match: { json: { type: 'message' } }, timestamp: 'sentAt' },
            { kind: 'think', ms: 1000 },
            {
              kind: 'loop',
              count: 10,
              everyMs: 1000,
              steps: [{ kind: 'send', name: 'publish', payload: { json: { type: 'publish', room: 'lobby', sentAt: '{{now}}' } } }],
            },
            { kind: 'close' },
          ],
        },
        {
          name: 'subscriber',
          weight: 3,
          steps: [
            { kind: 'think', ms: 100, maxMs: 2000 },
            {
              kind: 'loop',
              durationMs: 30_000,
              steps: [
                { kind: 'send', payload: { text: 'hello from {{ conn }}' } },
                { kind: 'expect', name: 'echo', match: { regex: '^hello', binary: false }, timeoutMs: DEFAULT_TIMEOUT_MS },
              ],
            },
            { kind: 'close', code: 1000, reason: 'bye' },
          ],
        },
      ],
      data: [
        { user: 'alice', token: 't-a' },
        { user: 'bob', token: 't-b, "x"' },
      ],
    });
    // Plain data: it crosses IPC and lands in results.json unchanged.
    expect(JSON.parse(JSON.stringify(s))).toStrictEqual(s);
  });

  it('reads JSON files as JSON, with a JSON data file and numeric durations; the name defaults to the base name', () => {
    const s = loadScenario(fixture('chat.json'));
    expect(s.name).toBe('chat');
    expect(s.data).toEqual([
      { user: 'alice', level: 3, admin: true, note: null },
      { user: 'bob', level: 1, admin: false, note: 'new' },
    ]);
    expect(s.roles[0]!.steps).toEqual([
      { kind: 'request', name: 'ping', payload: { json: { type: 'ping', id: '{{seq}}', who: '{{data.user}}' } }, correlate: 'id', timeoutMs: 10_000 },
      { kind: 'loop', durationMs: 90_000, everyMs: 500, steps: [{ kind: 'send', payload: { binary: 'AAEC' } }, { kind: 'think', ms: 250 }] },
      { kind: 'close' },
    ]);
  });

  it('reads the same scenario written in YAML and in JSON alike', () => {
    const yaml = 'roles:\n  - name: a\n    weight: 2\n    steps:\n      - send: { json: { n: [1, "x", null, true] } }\n      - close\n';
    const json = '{"roles":[{"name":"a","weight":2,"steps":[{"send":{"json":{"n":[1,"x",null,true]}}},"close"]}]}';
    expect(parse(yaml, 'x.yaml')).toStrictEqual(parse(json, 'x.json'));
    // A .yml (or any other) name is YAML, which reads JSON too.
    expect(parse(json, 'x.yml')).toStrictEqual(parse(json, 'x.json'));
  });

  it('accepts close as `close:` with nothing, and YAML 1.2 keeps yes/no as strings', () => {
    expect(parse(STEP('close:')).roles[0]!.steps).toEqual([{ kind: 'close' }]);
    expect(parse(STEP('send: { text: no }')).roles[0]!.steps).toEqual([{ kind: 'send', payload: { text: 'no' } }]);
  });

  it('names the file when it cannot be read', () => {
    const path = join(here, 'fixtures', 'missing.yaml');
    expect(() => loadScenario(path)).toThrow(new ScenarioError(`scenario ${path}: cannot read the file: ENOENT`));
  });

  // Each mistake gives exactly this line (the file name first, then the place).
  const BROKEN: [string, string, string][] = [
    ['YAML syntax', 'roles: [\n', 'line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['duplicate key', 'roles: []\nroles: []\n', 'line 2, column 1: Map keys must be unique'],
    ['top level not a mapping', '- a\n', 'expected a mapping with roles at the top, got a list'],
    ['no roles', 'name: x\n', 'missing "roles"'],
    ['unknown top-level key', 'role: []\n', 'unknown key "role" (known: name, data, roles)'],
    ['empty roles', 'roles: []\n', 'roles: expected at least 1 item, got an empty list'],
    ['neither count nor weight', 'roles:\n  - { name: a, steps: [close] }\n', 'roles[0]: needs count (that many connections) or weight (a share of the connections the counts leave)'],
    ['count and weight', 'roles:\n  - { name: a, count: 1, weight: 2, steps: [close] }\n', 'roles[0]: has both count and weight: give exactly one'],
    ['bad role name', 'roles:\n  - { name: a b, count: 1, steps: [close] }\n', 'roles[0].name: expected a name of letters, digits, _ and - (like join_1), got "a b"'],
    ['misspelt role key', 'roles:\n  - { name: a, weigth: 1, steps: [close] }\n', 'roles[0]: unknown key "weigth" (known: name, count, weight, headers, protocols, path, steps)'],
    ['duplicate role names', 'roles:\n  - { name: a, count: 1, steps: [close] }\n  - { name: a, weight: 1, steps: [close] }\n', 'roles[1].name: "a" is also the name of roles[0]'],
    ['no role takes a connection', 'roles:\n  - { name: a, count: 0, steps: [close] }\n', 'roles: no role can take a connection: every count is 0 and no role has a weight'],
    ['fractional count', 'roles:\n  - { name: a, count: 1.5, steps: [close] }\n', 'roles[0].count: expected an integer, got 1.5'],
    ['zero weight', 'roles:\n  - { name: a, weight: 0, steps: [close] }\n', 'roles[0].weight: expected a number > 0, got 0'],
    ['unknown step', STEP('sned: { text: hi }'), 'roles[0].steps[0]: unknown step "sned" (one of send, expect, request, subscribe, think, loop, close)'],
    ['two steps in one', STEP('{ send: { text: hi }, think: 1s }'), 'roles[0].steps[0]: a step has one key of send, expect, request, subscribe, think, loop, close; got send, think (one step each)'],
    ['a text step other than close', STEP('think'), 'roles[0].steps[0]: a step written as text must be close, got "think"'],
    ['two payloads', STEP('send: { text: hi, json: {} }'), 'roles[0].steps[0].send: has text and json: give exactly one of text, json or binary'],
    ['no payload', STEP('send: { name: x }'), 'roles[0].steps[0].send: needs one of text, json (sent as text) or binary (base64)'],
    ['misspelt payload', STEP('send: { txt: hi }'), 'roles[0].steps[0].send: unknown key "txt" (a payload is one of text, json or binary)'],
    ['bad base64', STEP('send: { binary: "not base64!" }'), 'roles[0].steps[0].send.binary: expected bytes in base64, got "not base64!"'],
    [
      'bad duration',
      `roles:\n  - { name: a, count: 1, steps: [close] }\n  - name: b\n    weight: 1\n    steps:\n      - request: { name: j, send: { json: { id: 1 } }, correlate: id, timeout: fast }\n`,
      'roles[1].steps[0].request.timeout: expected a duration like 5s or 250ms, got "fast"',
    ],
    ['duration beyond timers', STEP('think: 1000h'), 'roles[0].steps[0].think: "1000h" is longer than the longest timer (2^31-1 ms, about 24.8 days)'],
    ['request without a reply rule', STEP('request: { name: j, send: { json: { id: 1 } } }'), 'roles[0].steps[0].request: needs correlate (a dot path), match, or both, to know its reply'],
    ['correlate on text', STEP('request: { name: j, send: { text: hi }, correlate: id }'), 'roles[0].steps[0].request.correlate: needs a json payload (send: { json: ... }): the reply is matched on the value sent at this path'],
    ['correlate on a path not sent', STEP('request: { name: j, send: { json: { key: 1 } }, correlate: id }'), 'roles[0].steps[0].request.correlate: the sent json has no value at "id" to match the reply on'],
    ['regex that does not compile', STEP('expect: { name: e, match: { regex: "(" } }'), 'roles[0].steps[0].expect.match.regex: Invalid regular expression: /(/: Unterminated group'],
    ['empty match', STEP('expect: { name: e, match: {} }'), 'roles[0].steps[0].expect.match: needs at least one of json, regex, text or binary'],
    ['match path with an empty segment', STEP('expect: { name: e, match: { json: { "a..b": 1 } } }'), 'roles[0].steps[0].expect.match.json: key "a..b": expected a dot path like a.b.0.c'],
    ['expect without a name', STEP('expect: { match: { text: hi } }'), 'roles[0].steps[0].expect: missing "name"'],
    ['unknown placeholder', STEP('send: { text: "hi {{user}}" }'), 'roles[0].steps[0].send.text: unknown placeholder {{user}} (known: conn, role, seq, iteration, now, uuid, data.FIELD)'],
    ['data placeholder without data', STEP('send: { json: { u: "{{data.user}}" } }'), 'roles[0].steps[0].send.json.u: {{data.user}} needs a data file (data: FILE at the top of the scenario)'],
    ['data field not in the file', `data: users.csv\n${STEP('send: { json: { u: "{{data.name}}" } }')}`, 'roles[0].steps[0].send.json.u: {{data.name}}: data file users.csv has no field "name" (fields: user, token)'],
    ['data field in some rows only', `data: partial.json\n${STEP('send: { text: "{{data.user}}" }')}`, 'roles[0].steps[0].send.text: {{data.user}}: row 2 of data file partial.json has no "user"'],
    ['data value unfit for a path', `data: spaced.csv\n${ROLE(CLOSE, '    path: "/c?u={{data.user}}"\n')}`, 'roles[0].path: {{data.user}}: row 1 of data file spaced.csv holds "al ice"; a request path cannot hold spaces, control characters or # (percent-encode them in the data file)'],
    ['unreadable data file', `data: users2.csv\n${STEP('close')}`, 'cannot read data file users2.csv: ENOENT'],
    ['ragged CSV', `data: ragged.csv\n${STEP('close')}`, 'data file ragged.csv: line 3: 1 field but the header row has 2'],
    ['close code not for endpoints', STEP('close: { code: 1005 }'), 'roles[0].steps[0].close.code: expected a close code an endpoint may send (1000-1003, 1007-1011, 3000-4999; RFC 6455 §7.4), got 1005'],
    ['reason without a code', STEP('close: { reason: bye }'), 'roles[0].steps[0].close: a reason needs a code (RFC 6455 §5.5.1: the body starts with the code)'],
    ['reason too long', STEP(`close: { code: 1000, reason: "${'é'.repeat(62)}" }`), 'roles[0].steps[0].close.reason: is 124 bytes in UTF-8; a close reason holds at most 123 (RFC 6455 §5.5)'],
    ['think min above max', STEP('think: { min: 2s, max: 1s }'), 'roles[0].steps[0].think: min (2000 ms) is above max (1000 ms)'],
    ['think neither form', STEP('think: soon'), 'roles[0].steps[0].think: expected a duration like 1s, or { min: 100ms, max: 2s }, got "soon"'],
    ['think without max', STEP('think: { min: 1s }'), 'roles[0].steps[0].think: missing "max" (a random think is { min, max })'],
    ['loop every 0', STEP('loop: { every: 0s, steps: [close] }'), 'roles[0].steps[0].loop.every: must be above 0 (iterations cannot start every instant)'],
    ['empty loop', STEP('loop: { count: 2, steps: [] }'), 'roles[0].steps[0].loop.steps: needs at least one step'],
    ['handshake header', ROLE(CLOSE, '    headers: { Sec-WebSocket-Key: abc }\n'), 'roles[0].headers.Sec-WebSocket-Key: is written by the WebSocket handshake itself (RFC 6455 §4.1)'],
    ['subprotocol as a header', ROLE(CLOSE, '    headers: { sec-websocket-protocol: chat }\n'), 'roles[0].headers.sec-websocket-protocol: offer subprotocols with protocols: [...] instead'],
    ['header name not a token', ROLE(CLOSE, '    headers: { "Bad Name": abc }\n'), 'roles[0].headers: "Bad Name" is not a header name (an RFC 7230 token)'],
    ['header twice', ROLE(CLOSE, '    headers: { X-A: a, x-a: b }\n'), 'roles[0].headers.x-a: repeats header X-A (header names ignore case)'],
    ['path without /', ROLE(CLOSE, '    path: chat\n'), 'roles[0].path: expected a path starting with /, got "chat"'],
    ['protocol offered twice', ROLE(CLOSE, '    protocols: [chat, chat]\n'), 'roles[0].protocols: offers "chat" twice'],
    ['YAML infinity in json', STEP('send: { json: { n: .inf } }'), 'roles[0].steps[0].send.json.n: expected a finite number, got Infinity'],
    ['placeholder in a key', STEP('send: { json: { "{{conn}}": 1 } }'), 'roles[0].steps[0].send.json["{{conn}}"]: placeholders are not rendered in keys, only in values'],
    ['unresolved alias', 'roles: *nope\n', 'YAML: Unresolved alias (the anchor must be set before the alias): nope'],
  ];

  it.each(BROKEN)('%s', (_label, text, expected) => {
    expect(errorOf(text)).toBe(`scenario chat.yaml: ${expected}`);
  });

  it('gives JSON syntax errors a line and column', () => {
    expect(errorOf('{\n  "roles": [}\n', 'chat.json')).toMatch(/^scenario chat\.json: line 2, column \d+: invalid JSON: [^\n]+$/);
  });

  it('has at least 15 distinct mistakes in the table', () => {
    expect(new Set(BROKEN.map((b) => b[2])).size).toBe(BROKEN.length);
    expect(BROKEN.length).toBeGreaterThanOrEqual(15);
  });

  it('answers any JSON document with a Scenario or a one-line ScenarioError, never another error', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (doc) => {
        try {
          parse(JSON.stringify(doc), 'any.json');
        } catch (err) {
          expect(err).toBeInstanceOf(ScenarioError);
          expect((err as Error).message).toMatch(/^scenario any\.json: [^\n]+$/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('accepts every well-formed scenario and keeps it plain data', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/);
    const duration = fc.oneof(fc.nat({ max: 100_000 }), fc.nat({ max: 500 }).map((n) => `${n}ms`), fc.nat({ max: 60 }).map((n) => `${n}s`));
    const payload = fc.oneof(
      fc.record({ text: fc.string() }).map((p) => ({ text: p.text.replace(/\{/g, '(') })),
      fc.record({ json: fc.dictionary(fc.stringMatching(/^[a-z]{1,4}$/), fc.oneof(fc.integer(), fc.constant('{{conn}}'), fc.constant('x {{uuid}}'))) }),
      fc.constant({ binary: 'AAEC' }),
    );
    const match = fc.oneof(fc.constant({ json: { type: 'x' } }), fc.constant({ regex: '^a+$' }), fc.constant({ text: 'hi {{role}}', binary: false }));
    const leaf = fc.oneof(
      fc.constant('close' as unknown),
      fc.record({ send: payload }),
      fc.record({ expect: fc.record({ name, match, timeout: duration }, { requiredKeys: ['name', 'match'] }) }),
      fc.record({ request: fc.record({ name, send: payload, match }) }),
      fc.record({ subscribe: fc.record({ name, match, timestamp: fc.constant('a.b.0') }, { requiredKeys: ['name', 'match'] }) }),
      fc.record({ think: fc.oneof(duration, fc.constant({ min: '1ms', max: '2s' })) }),
      fc.record({ close: fc.record({ code: fc.constantFrom(1000, 1011, 3000, 4999), reason: fc.string({ maxLength: 30 }) }, { requiredKeys: ['code'] }) }),
    );
    const { steps } = fc.letrec<{ steps: unknown[]; step: unknown }>((tie) => ({
      step: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.record({ loop: fc.record({ count: fc.nat(5), every: fc.constant('1s'), steps: tie('steps') }, { requiredKeys: ['steps'] }) })),
      steps: fc.array(tie('step'), { minLength: 1, maxLength: 4 }) as fc.Arbitrary<unknown[]>,
    }));
    const role = fc.record({ name, weight: fc.integer({ min: 1, max: 5 }), steps });
    fc.assert(
      fc.property(fc.uniqueArray(role, { minLength: 1, maxLength: 3, selector: (r) => r.name }), (roles) => {
        const s = parse(JSON.stringify({ roles }), 'gen.json');
        expect(s.roles.map((r) => r.name)).toEqual(roles.map((r) => r.name));
        expect(JSON.parse(JSON.stringify(s))).toStrictEqual(s);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the scenario JSON Schema', () => {
  it('compiles under Ajv strict mode and uses the duration pattern of duration.ts', () => {
    const schema = loadFileSchema() as { $defs: { duration: { anyOf: { pattern?: string }[] } } };
    expect(() => new Ajv2020({ strict: true, strictRequired: false }).compile(schema)).not.toThrow();
    expect(schema.$defs.duration.anyOf.find((b) => b.pattern !== undefined)?.pattern).toBe(DURATION_PATTERN);
  });
});

/** Every *.yaml / *.json under a `scenarios` folder of examples/ (written by the example apps). */
function exampleScenarios(dir: string, inScenarios = false): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return exampleScenarios(path, inScenarios || name === 'scenarios');
    return inScenarios && /\.(ya?ml|json)$/.test(name) ? [path] : [];
  });
}

const examples = exampleScenarios(join(root, 'examples'));
describe.skipIf(examples.length === 0)('examples', () => {
  it.each(examples.map((p) => [p.slice(root.length + 1), p]))('%s parses', (_rel, path) => {
    const s = loadScenario(path);
    expect(s.roles.length).toBeGreaterThan(0);
    expect(readFileSync(path, 'utf8').length).toBeGreaterThan(0);
  });
});
