import { describe, expect, it } from 'vitest';
import { checkServerResponse } from '../../../../protocol/handshake/client-response.js';
import { RFC_KEY, response } from './helpers.js';

const ctx = { key: RFC_KEY, protocols: ['chat', 'superchat'], extensionOffers: 'permessage-deflate; client_max_window_bits, x-foo' };

describe('checkServerResponse', () => {
  it('accepts a valid 101 without protocol or extensions', () => {
    expect(checkServerResponse(response(), { key: RFC_KEY })).toEqual({ ok: true, protocol: null, extensions: [] });
  });

  it('accepts case variations, Connection lists, an offered protocol and offered extensions', () => {
    const r = checkServerResponse(
      response({
        Upgrade: 'WebSocket',
        Connection: 'keep-alive, UPGRADE',
        'Sec-WebSocket-Protocol': 'superchat',
        'Sec-WebSocket-Extensions': ['permessage-deflate; client_max_window_bits=10', 'x-foo'],
      }),
      ctx,
    );
    expect(r).toEqual({
      ok: true,
      protocol: 'superchat',
      extensions: [
        { name: 'permessage-deflate', params: [['client_max_window_bits', '10']] },
        { name: 'x-foo', params: [] },
      ],
    });
  });

  it.each([
    ['unexpected-status', response({}, 'HTTP/1.1 200 OK'), /status 200 OK is not 101/],
    ['unexpected-status', response({}, 'HTTP/1.1 426 Upgrade Required'), /426/],
    ['http-version-too-low', response({}, 'HTTP/1.0 101 Switching Protocols'), /HTTP\/1\.0/],
    ['missing-upgrade', response({ Upgrade: null }), /Upgrade/],
    ['upgrade-not-websocket', response({ Upgrade: 'websocket2' }), /websocket2/],
    ['upgrade-not-websocket', response({ Upgrade: 'h2c, websocket' }), /h2c/],
    ['missing-connection', response({ Connection: null }), /Connection/],
    ['connection-not-upgrade', response({ Connection: 'close' }), /close/],
    ['missing-accept', response({ 'Sec-WebSocket-Accept': null }), /Accept/],
    ['wrong-accept', response({ 'Sec-WebSocket-Accept': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }), /expected/],
    ['wrong-accept', response({ 'Sec-WebSocket-Accept': ['s3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='] }), /expected/],
    ['protocol-not-offered', response({ 'Sec-WebSocket-Protocol': 'other' }), /other/],
    ['protocol-not-offered', response({ 'Sec-WebSocket-Protocol': 'CHAT' }), /CHAT/],
    // The whole offered list echoed back (§4.3: Sec-WebSocket-Protocol-Server = token), with or without spaces.
    ['invalid-protocol', response({ 'Sec-WebSocket-Protocol': 'chat, superchat' }), /single token/],
    ['invalid-protocol', response({ 'Sec-WebSocket-Protocol': 'chat,superchat' }), /single token/],
    ['invalid-protocol', response({ 'Sec-WebSocket-Protocol': ['chat', 'chat'] }), /single token/],
    ['invalid-protocol', response({ 'Sec-WebSocket-Protocol': '' }), /single token/],
    ['extension-not-offered', response({ 'Sec-WebSocket-Extensions': 'x-bar' }), /x-bar/],
    ['duplicate-extension', response({ 'Sec-WebSocket-Extensions': 'x-foo, x-foo' }), /twice/],
    ['invalid-extensions-header', response({ 'Sec-WebSocket-Extensions': 'permessage-deflate;' }), /position/],
  ] as const)('fails with %s', (id, head, re) => {
    const r = checkServerResponse(head, ctx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.id).toBe(id);
    expect(r.message).toMatch(re);
    expect(r.message).toMatch(/^RFC 6455 §/);
  });

  it('fails a protocol or extension when the client offered none', () => {
    const p = checkServerResponse(response({ 'Sec-WebSocket-Protocol': 'chat' }), { key: RFC_KEY });
    expect(!p.ok && p.id).toBe('protocol-not-offered');
    const e = checkServerResponse(response({ 'Sec-WebSocket-Extensions': 'permessage-deflate' }), { key: RFC_KEY });
    expect(!e.ok && e.id).toBe('extension-not-offered');
  });

  it('rejects a request head as not-a-response', () => {
    const r = checkServerResponse({ startLine: 'GET / HTTP/1.1', method: 'GET', target: '/', version: { major: 1, minor: 1 }, headers: [] }, ctx);
    expect(!r.ok && r.id).toBe('not-a-response');
  });
});
