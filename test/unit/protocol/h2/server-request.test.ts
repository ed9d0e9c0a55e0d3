// The server side of RFC 8441: checkH2Request's rules hold for every request (fast-check), each refusal has its id,
// section and status, and the 200 and refusal blocks are well-formed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildH2Request } from '../../../../protocol/h2/client-request.js';
import { checkHeaderBlock, type H2HeaderList } from '../../../../protocol/h2/headers.js';
import { H2_SERVER_REJECTIONS } from '../../../../protocol/h2/rejections.js';
import { buildH2Rejection, buildH2Response, checkH2Request } from '../../../../protocol/h2/server-request.js';

const token = fc.stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
const path = fc.stringMatching(/^\/[A-Za-z0-9._~/-]{0,20}(\?[A-Za-z0-9=&]{0,10})?$/);
/** Host names whose last label is not a number (WHATWG would parse those as IPv4), with an optional port. */
const authority = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}(\.[a-z][a-z0-9-]{0,8}){0,2}(:[1-9]\d{0,3})?$/);
const extraName = fc.stringMatching(/^x-[a-z0-9-]{1,10}$/);
const extraValue = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,18}[\x21-\x7e])?$/);
const extras = fc.array(fc.tuple(extraName, extraValue), { maxLength: 5 });

interface Valid {
  list: H2HeaderList;
  path: string;
  authority: string;
  scheme: 'http' | 'https';
  offered: string[];
}

/** Any well-formed Extended CONNECT for a WebSocket: pseudo-header fields in any order, optional fields, extras. */
const validRequest: fc.Arbitrary<Valid> = fc
  .record({
    order: fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 5, maxLength: 5 }),
    path,
    authority,
    scheme: fc.constantFrom('http' as const, 'https' as const),
    protocol: fc.constantFrom('websocket', 'WebSocket', 'WEBSOCKET'),
    origin: fc.option(fc.constantFrom('https://a.example', 'http://b.example:8080'), { nil: undefined }),
    offered: fc.uniqueArray(token, { maxLength: 3 }),
    deflate: fc.boolean(),
    extras,
  })
  .map((r) => {
    const pseudo: H2HeaderList = [
      [':method', 'CONNECT'],
      [':protocol', r.protocol],
      [':scheme', r.scheme],
      [':path', r.path],
      [':authority', r.authority],
    ];
    const list: H2HeaderList = r.order.map((i) => pseudo[i]!);
    list.push(['sec-websocket-version', '13']);
    if (r.origin !== undefined) list.push(['origin', r.origin]);
    if (r.offered.length > 0) list.push(['sec-websocket-protocol', r.offered.join(', ')]);
    if (r.deflate) list.push(['sec-websocket-extensions', 'permessage-deflate; client_max_window_bits']);
    list.push(...r.extras);
    return { list, path: r.path, authority: r.authority, scheme: r.scheme, offered: r.offered };
  });

const without = (list: H2HeaderList, name: string): H2HeaderList => list.filter(([n]) => n !== name);
const replace = (list: H2HeaderList, name: string, value: string): H2HeaderList => list.map(([n, v]) => [n, n === name ? value : v]);
/** Inserts a field among the regular ones (after every pseudo-header field). */
const addRegular = (list: H2HeaderList, field: [string, string], at: number): H2HeaderList => {
  const firstRegular = list.findIndex(([n]) => !n.startsWith(':'));
  const start = firstRegular < 0 ? list.length : firstRegular;
  const i = start + (at % (list.length - start + 1));
  return [...list.slice(0, i), field, ...list.slice(i)];
};

describe('checkH2Request', () => {
  it('accepts the RFC 8441 §5.1 example request', () => {
    const r = checkH2Request(
      [
        [':method', 'CONNECT'],
        [':protocol', 'websocket'],
        [':scheme', 'https'],
        [':path', '/chat'],
        [':authority', 'server.example.com'],
        ['sec-websocket-protocol', 'chat, superchat'],
        ['sec-websocket-extensions', 'permessage-deflate'],
        ['sec-websocket-version', '13'],
        ['origin', 'http://www.example.com'],
      ],
      { protocols: ['superchat', 'chat'] },
    );
    expect(r).toMatchObject({ ok: true, path: '/chat', authority: 'server.example.com', scheme: 'https', protocol: 'superchat', origin: 'http://www.example.com' });
    expect(r.ok && r.extensionOffers.map((e) => e.name)).toEqual(['permessage-deflate']);
  });

  it('accepts any valid request, reading path, authority, scheme and the preferred subprotocol', () => {
    fc.assert(
      fc.property(validRequest, fc.uniqueArray(token, { maxLength: 3 }), (v, speaks) => {
        const r = checkH2Request(v.list, { protocols: speaks });
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.path).toBe(v.path.split('?')[0]);
        expect(r.authority).toBe(v.authority);
        expect(r.scheme).toBe(v.scheme);
        expect(r.protocol).toBe(speaks.find((p) => v.offered.includes(p)) ?? null);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts what buildH2Request builds for any ws/wss URL', () => {
    const url = fc.tuple(fc.constantFrom('ws', 'wss'), authority, path).map(([s, a, p]) => new URL(`${s}://${a}${p}`));
    fc.assert(
      fc.property(url, (u) => {
        const r = checkH2Request(buildH2Request({ url: u }));
        expect(r).toMatchObject({ ok: true, path: u.pathname, authority: u.host, scheme: u.protocol === 'wss:' ? 'https' : 'http' });
      }),
    );
  });

  it('refuses any request without :protocol with missing-protocol (400)', () => {
    fc.assert(
      fc.property(validRequest, (v) => {
        expect(checkH2Request(without(v.list, ':protocol'))).toMatchObject({ ok: false, id: 'missing-protocol', status: 400, rfc: '8441 5' });
      }),
    );
  });

  it('refuses any :protocol other than "websocket" with protocol-not-websocket (501)', () => {
    const other = token.filter((t) => t.toLowerCase() !== 'websocket');
    fc.assert(
      fc.property(validRequest, other, (v, p) => {
        expect(checkH2Request(replace(v.list, ':protocol', p))).toMatchObject({ ok: false, id: 'protocol-not-websocket', status: 501 });
      }),
    );
  });

  it('refuses any version other than 13 with 400 and sec-websocket-version: 13', () => {
    fc.assert(
      fc.property(validRequest, fc.string({ maxLength: 4 }).filter((s) => s !== '13'), (v, version) => {
        const r = checkH2Request(replace(v.list, 'sec-websocket-version', version));
        expect(r).toMatchObject({ ok: false, id: 'unsupported-version', status: 400, headers: [['sec-websocket-version', '13']] });
      }),
    );
    fc.assert(
      fc.property(validRequest, (v) => {
        expect(checkH2Request(without(v.list, 'sec-websocket-version'))).toMatchObject({ ok: false, id: 'missing-version', status: 400 });
      }),
    );
  });

  it('refuses any method other than CONNECT with 405 and allow: CONNECT', () => {
    fc.assert(
      fc.property(validRequest, token.map((t) => t.toUpperCase()).filter((m) => m !== 'CONNECT'), (v, method) => {
        const r = checkH2Request(replace(v.list, ':method', method));
        expect(r).toMatchObject({ ok: false, id: 'method-not-connect', status: 405, headers: [['allow', 'CONNECT']] });
      }),
    );
  });

  it('calls any block with a connection-specific field malformed (RFC 7540 §8.1.2.2, RFC 8441 §5)', () => {
    const field = fc.oneof(
      fc.tuple(fc.constantFrom('connection', 'upgrade', 'keep-alive', 'proxy-connection', 'transfer-encoding'), extraValue),
      fc.tuple(fc.constant('te'), extraValue.filter((s) => s.toLowerCase() !== 'trailers')),
    );
    fc.assert(
      fc.property(validRequest, field, fc.nat(), (v, f, at) => {
        expect(checkH2Request(addRegular(v.list, f, at))).toMatchObject({ ok: false, id: 'connection-specific-header', malformed: true, status: 400 });
      }),
    );
    expect(checkH2Request(addRegular(buildH2Request({ url: new URL('ws://a/') }), ['te', 'trailers'], 0)).ok).toBe(true);
  });

  it('calls any pseudo-header field after a regular one malformed', () => {
    fc.assert(
      fc.property(validRequest, fc.nat(), (v, at) => {
        const regular = v.list.filter(([n]) => !n.startsWith(':'));
        const pseudo = v.list.filter(([n]) => n.startsWith(':'));
        const i = 1 + (at % pseudo.length);
        const list = [...pseudo.slice(0, i - 1), regular[0]!, ...pseudo.slice(i - 1), ...regular.slice(1)];
        expect(checkH2Request(list)).toMatchObject({ ok: false, id: 'pseudo-header-after-regular', malformed: true });
      }),
    );
  });

  it('calls uppercase names, unknown or repeated pseudo-header fields malformed', () => {
    const base = buildH2Request({ url: new URL('ws://a.example/x') });
    expect(checkH2Request([...base, ['X-Up', '1']])).toMatchObject({ id: 'uppercase-header-name', malformed: true });
    expect(checkH2Request([[':status', '200'], ...base])).toMatchObject({ id: 'unknown-pseudo-header', malformed: true });
    expect(checkH2Request([[':path', '/y'], ...base])).toMatchObject({ id: 'duplicate-pseudo-header', malformed: true });
  });

  it('refuses a Sec-WebSocket-Key in any request (RFC 8441 §5)', () => {
    fc.assert(
      fc.property(validRequest, fc.base64String({ minLength: 4, maxLength: 24 }), fc.nat(), (v, key, at) => {
        expect(checkH2Request(addRegular(v.list, ['sec-websocket-key', key], at))).toMatchObject({ ok: false, id: 'key-not-used', status: 400 });
      }),
    );
  });

  it.each([
    ['missing-method', without(buildH2Request({ url: new URL('ws://a/') }), ':method'), 400],
    ['missing-scheme', without(buildH2Request({ url: new URL('ws://a/') }), ':scheme'), 400],
    ['bad-scheme', replace(buildH2Request({ url: new URL('ws://a/') }), ':scheme', 'ws'), 400],
    ['missing-path', without(buildH2Request({ url: new URL('ws://a/') }), ':path'), 400],
    ['missing-path', replace(buildH2Request({ url: new URL('ws://a/') }), ':path', ''), 400],
    ['bad-path', replace(buildH2Request({ url: new URL('ws://a/') }), ':path', '*'), 400],
    ['missing-authority', without(buildH2Request({ url: new URL('ws://a/') }), ':authority'), 400],
    ['duplicate-version', [...buildH2Request({ url: new URL('ws://a/') }), ['sec-websocket-version', '13']], 400],
    ['invalid-protocol-header', [...buildH2Request({ url: new URL('ws://a/') }), ['sec-websocket-protocol', 'a b']], 400],
    ['invalid-extensions-header', [...buildH2Request({ url: new URL('ws://a/') }), ['sec-websocket-extensions', 'x; y="a b"']], 400],
  ] as [string, H2HeaderList, number][])('refuses %s with %s', (id, list, status) => {
    const r = checkH2Request(list);
    expect(r).toMatchObject({ ok: false, id, status });
    expect(!r.ok && r.message).toMatch(/^RFC \d{4} §[\d.]+: /);
  });

  it('applies the path, origin and setting policies', () => {
    const base = buildH2Request({ url: new URL('ws://a.example/chat?room=1'), origin: 'https://evil.example' });
    expect(checkH2Request(base, { path: '/chat' }).ok).toBe(true);
    expect(checkH2Request(base, { path: '/other' })).toMatchObject({ id: 'path-not-found', status: 404 });
    expect(checkH2Request(base, { origins: ['https://good.example'] })).toMatchObject({ id: 'origin-forbidden', status: 403 });
    expect(checkH2Request(without(base, 'origin'), { origins: ['https://good.example'] }).ok).toBe(true);
    expect(checkH2Request(base, { connectProtocolEnabled: false })).toMatchObject({ id: 'protocol-without-setting', malformed: true, rfc: '8441 3' });
  });
});

describe('buildH2Response and buildH2Rejection', () => {
  it('accepts with a well-formed 200: no accept key, the agreed subprotocol and extensions only', () => {
    expect(buildH2Response()).toEqual([[':status', '200']]);
    const list = buildH2Response({ protocol: 'chat', extensions: [{ name: 'permessage-deflate', params: [['server_no_context_takeover', true]] }] });
    expect(list).toEqual([
      [':status', '200'],
      ['sec-websocket-protocol', 'chat'],
      ['sec-websocket-extensions', 'permessage-deflate; server_no_context_takeover'],
    ]);
    expect(checkHeaderBlock(list, 'response')).toBeNull();
    expect(() => buildH2Response({ headers: [['Connection', 'close']] })).toThrow(TypeError);
  });

  it('refuses with the status, the rejection headers and the one-line reason', () => {
    const r = checkH2Request(replace(buildH2Request({ url: new URL('ws://a/') }), 'sec-websocket-version', '8'));
    if (r.ok) throw new Error('accepted');
    const refusal = buildH2Rejection(r);
    expect(refusal.headers).toEqual([
      [':status', '400'],
      ['content-type', 'text/plain; charset=utf-8'],
      ['sec-websocket-version', '13'],
    ]);
    expect(refusal.body).toBe('RFC 6455 §4.2.2: Sec-WebSocket-Version "8" is not 13\n');
  });

  it('gives every server rejection a 4xx/5xx status and a section', () => {
    for (const [id, r] of Object.entries(H2_SERVER_REJECTIONS)) {
      expect(r.status, id).toBeGreaterThanOrEqual(400);
      expect(r.status, id).toBeLessThan(600);
      expect(r.rfc, id).toMatch(/^(\d{4} )?\d+(\.\d+)*$/);
    }
  });
});
