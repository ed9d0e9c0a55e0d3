import { describe, expect, it } from 'vitest';
import { checkClientRequest } from '../../../../protocol/handshake/server-request.js';
import { RFC_ACCEPT, RFC_KEY, request } from './helpers.js';

describe('checkClientRequest', () => {
  it('accepts the RFC 6455 §1.2 request and computes the accept value', () => {
    const r = checkClientRequest(request({ Origin: 'http://example.com' }));
    expect(r).toEqual({ ok: true, key: RFC_KEY, accept: RFC_ACCEPT, protocol: null, extensionOffers: [], origin: 'http://example.com' });
  });

  it('accepts case-insensitive tokens inside lists, and HTTP/2.0 in the version field', () => {
    expect(checkClientRequest(request({ Upgrade: 'WebSocket', Connection: 'keep-alive, Upgrade' })).ok).toBe(true);
    expect(checkClientRequest(request({ Upgrade: 'h2c, websocket', Connection: ['keep-alive', 'upgrade'] })).ok).toBe(true);
    expect(checkClientRequest(request({}, 'GET /chat HTTP/2.0')).ok).toBe(true);
    expect(checkClientRequest(request({}, 'GET ws://server.example.com/chat HTTP/1.1'), { path: '/chat' }).ok).toBe(true);
  });

  it.each([
    ['method-not-get', 405, request({}, 'POST /chat HTTP/1.1'), [['Allow', 'GET']]],
    ['http-version-too-low', 400, request({}, 'GET /chat HTTP/1.0'), []],
    ['bad-request-target', 400, request({}, 'GET chat HTTP/1.1'), []],
    ['missing-host', 400, request({ Host: null }), []],
    ['duplicate-host', 400, request({ Host: ['a', 'b'] }), []],
    ['missing-upgrade', 400, request({ Upgrade: null }), []],
    ['upgrade-not-websocket', 400, request({ Upgrade: 'websockets' }), []],
    ['missing-connection', 400, request({ Connection: null }), []],
    ['connection-not-upgrade', 400, request({ Connection: 'keep-alive' }), []],
    ['missing-key', 400, request({ 'Sec-WebSocket-Key': null }), []],
    ['duplicate-key', 400, request({ 'Sec-WebSocket-Key': [RFC_KEY, RFC_KEY] }), []],
    ['invalid-key', 400, request({ 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ' }), []],
    ['invalid-key', 400, request({ 'Sec-WebSocket-Key': 'AAAAAAAAAAAAAAAAAAAAAAA=' }), []],
    ['invalid-key', 400, request({ 'Sec-WebSocket-Key': 'not base64 at all!!!!!==' }), []],
    ['missing-version', 426, request({ 'Sec-WebSocket-Version': null }), [['Sec-WebSocket-Version', '13'], ['Upgrade', 'websocket']]],
    ['unsupported-version', 426, request({ 'Sec-WebSocket-Version': '8' }), [['Sec-WebSocket-Version', '13'], ['Upgrade', 'websocket']]],
    ['unsupported-version', 426, request({ 'Sec-WebSocket-Version': '013' }), [['Sec-WebSocket-Version', '13'], ['Upgrade', 'websocket']]],
    ['duplicate-version', 400, request({ 'Sec-WebSocket-Version': ['13', '13'] }), [['Sec-WebSocket-Version', '13']]],
    ['invalid-protocol-header', 400, request({ 'Sec-WebSocket-Protocol': 'chat, a b' }), []],
    ['invalid-protocol-header', 400, request({ 'Sec-WebSocket-Protocol': '' }), []],
    ['invalid-extensions-header', 400, request({ 'Sec-WebSocket-Extensions': 'permessage-deflate; x="a b"' }), []],
    ['invalid-extensions-header', 400, request({ 'Sec-WebSocket-Extensions': '' }), []],
    ['request-has-body', 400, request({ 'Content-Length': '5' }), []],
    ['request-has-body', 400, request({ 'Transfer-Encoding': 'chunked' }), []],
    ['request-has-body', 400, request({ 'Content-Length': 'five' }), []],
    ['request-has-body', 400, request({ 'Content-Length': ['5', '6'] }), []],
  ] as const)('rejects %s with %i', (id, status, head, headers) => {
    const r = checkClientRequest(head);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.id).toBe(id);
    expect(r.status).toBe(status);
    expect(r.headers).toEqual(headers);
    expect(r.message).toMatch(/^RFC 6455 §\d/);
    expect(r.rfc).toMatch(/^\d/);
  });

  it('accepts Content-Length: 0 (no body), also repeated', () => {
    expect(checkClientRequest(request({ 'Content-Length': '0' })).ok).toBe(true);
    expect(checkClientRequest(request({ 'Content-Length': ['0', '0'] })).ok).toBe(true);
  });

  it('rejects a response head as not-a-request', () => {
    const r = checkClientRequest({ startLine: 'HTTP/1.1 200 OK', status: 200, version: { major: 1, minor: 1 }, headers: [] });
    expect(!r.ok && r.id).toBe('not-a-request');
  });

  it('checks the path (404), ignoring the query', () => {
    expect(checkClientRequest(request({}, 'GET /chat?x=1 HTTP/1.1'), { path: '/chat' }).ok).toBe(true);
    const r = checkClientRequest(request({}, 'GET /other HTTP/1.1'), { path: '/chat' });
    expect(!r.ok && [r.id, r.status]).toEqual(['path-not-found', 404]);
  });

  it('applies the origin policy (403)', () => {
    const list = ['https://good.example'];
    expect(checkClientRequest(request({ Origin: 'https://GOOD.example' }), { origins: list }).ok).toBe(true);
    expect(checkClientRequest(request({}), { origins: list }).ok).toBe(true);
    const bad = checkClientRequest(request({ Origin: 'https://evil.example' }), { origins: list });
    expect(!bad.ok && [bad.id, bad.status]).toEqual(['origin-forbidden', 403]);
    const fn = checkClientRequest(request({}), { origins: (o) => o !== undefined });
    expect(!fn.ok && fn.id).toBe('origin-forbidden');
  });

  it("chooses a subprotocol in the server's preference order among the client's offers", () => {
    const head = request({ 'Sec-WebSocket-Protocol': ['chat, superchat', 'v2'] });
    const pick = (protocols: string[]): string | null => {
      const r = checkClientRequest(head, { protocols });
      return r.ok ? r.protocol : 'REJECTED';
    };
    expect(pick(['superchat', 'chat'])).toBe('superchat');
    expect(pick(['v2', 'chat'])).toBe('v2');
    expect(pick(['other'])).toBeNull();
    expect(pick([])).toBeNull();
    expect(pick(['CHAT'])).toBeNull();
  });

  it('parses extension offers, across header lines', () => {
    const r = checkClientRequest(request({ 'Sec-WebSocket-Extensions': ['permessage-deflate; client_max_window_bits', 'x-foo'] }));
    expect(r.ok && r.extensionOffers).toEqual([
      { name: 'permessage-deflate', params: [['client_max_window_bits', true]] },
      { name: 'x-foo', params: [] },
    ]);
  });
});
