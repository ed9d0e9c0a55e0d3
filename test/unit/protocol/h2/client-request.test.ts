// The client side of RFC 8441: the Extended CONNECT it builds and the checks of the server's response, for every
// status and every accept value (fast-check), with the RFC 6455 §4.1 subprotocol and extension rules.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildH2Request, checkH2Response } from '../../../../protocol/h2/client-request.js';
import { checkHeaderBlock, type H2HeaderList } from '../../../../protocol/h2/headers.js';
import { H2_CLIENT_REJECTIONS } from '../../../../protocol/h2/rejections.js';

const extraName = fc.stringMatching(/^x-[a-z0-9-]{1,10}$/);
const extraValue = fc.stringMatching(/^[\x21-\x7e]{0,20}$/);
const regular = fc.array(fc.tuple(extraName, extraValue), { maxLength: 4 });
const status = (n: number, rest: H2HeaderList = []): H2HeaderList => [[':status', String(n)], ...rest];

describe('buildH2Request', () => {
  it('builds the RFC 8441 §5 request: pseudo-header fields first, version 13, no key, no Connection/Upgrade', () => {
    const list = buildH2Request({
      url: new URL('wss://server.example.com/chat?x=1'),
      origin: 'http://www.example.com',
      protocols: ['chat', 'superchat'],
      extensions: 'permessage-deflate',
      headers: [['X-Trace', 'abc']],
    });
    expect(list).toEqual([
      [':method', 'CONNECT'],
      [':protocol', 'websocket'],
      [':scheme', 'https'],
      [':path', '/chat?x=1'],
      [':authority', 'server.example.com'],
      ['sec-websocket-version', '13'],
      ['origin', 'http://www.example.com'],
      ['sec-websocket-protocol', 'chat, superchat'],
      ['sec-websocket-extensions', 'permessage-deflate'],
      ['x-trace', 'abc'],
    ]);
    expect(checkHeaderBlock(list, 'request')).toBeNull();
  });

  it('maps ws to http, keeps ports and IPv6 brackets in :authority, and turns userinfo into Authorization', () => {
    const list = buildH2Request({ url: new URL('ws://user:pa%20ss@[::1]:8080') });
    expect(list).toContainEqual([':scheme', 'http']);
    expect(list).toContainEqual([':authority', '[::1]:8080']);
    expect(list).toContainEqual([':path', '/']);
    expect(list).toContainEqual(['authorization', `Basic ${Buffer.from('user:pa ss').toString('base64')}`]);
  });

  it('refuses non-WebSocket URLs and extra fields that would make the block malformed', () => {
    expect(() => buildH2Request({ url: new URL('ftp://a/') })).toThrow(/not a WebSocket URL/);
    for (const bad of [['Upgrade', 'websocket'], [':path', '/x'], ['te', 'gzip'], ['x', 'a\r\nb']] as [string, string][]) {
      expect(() => buildH2Request({ url: new URL('ws://a/'), headers: [bad] })).toThrow(TypeError);
    }
  });
});

describe('checkH2Response', () => {
  it('accepts any 2xx without WebSocket fields (RFC 7540 §8.3), whatever else it carries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 299 }), regular, (s, rest) => {
        expect(checkH2Response(status(s, rest))).toEqual({ ok: true, status: s, protocol: null, extensions: [] });
      }),
    );
  });

  it('refuses a 101 with status-101 (RFC 7540 §8.1.1)', () => {
    expect(checkH2Response(status(101, [['sec-websocket-accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=']]))).toMatchObject({ ok: false, id: 'status-101', rfc: '7540 8.1.1' });
  });

  it('refuses any status outside 2xx (but 101) with unexpected-status', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }).filter((s) => s !== 101 && (s < 200 || s > 299)), regular, (s, rest) => {
        expect(checkH2Response(status(s, rest))).toMatchObject({ ok: false, id: 'unexpected-status' });
      }),
    );
    expect(checkH2Response([[':status', 'abc']])).toMatchObject({ ok: false, id: 'unexpected-status' });
  });

  it('refuses any 2xx that carries Sec-WebSocket-Accept (RFC 8441 §5)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 299 }), fc.base64String({ maxLength: 28 }), regular, (s, accept, rest) => {
        expect(checkH2Response(status(s, [...rest, ['sec-websocket-accept', accept]]))).toMatchObject({ ok: false, id: 'accept-present', rfc: '8441 5' });
      }),
    );
  });

  it('checks subprotocols as RFC 6455 §4.1 step 6 does', () => {
    const ctx = { protocols: ['chat', 'superchat'] };
    expect(checkH2Response(status(200, [['sec-websocket-protocol', 'chat']]), ctx)).toMatchObject({ ok: true, protocol: 'chat' });
    expect(checkH2Response(status(200, [['sec-websocket-protocol', 'other']]), ctx)).toMatchObject({ ok: false, id: 'protocol-not-offered' });
    expect(checkH2Response(status(200, [['sec-websocket-protocol', 'chat, superchat']]), ctx)).toMatchObject({ ok: false, id: 'invalid-protocol' });
    expect(
      checkH2Response(
        status(200, [
          ['sec-websocket-protocol', 'chat'],
          ['sec-websocket-protocol', 'chat'],
        ]),
        ctx,
      ),
    ).toMatchObject({ ok: false, id: 'invalid-protocol' });
  });

  it('checks extensions as RFC 6455 §4.1 step 5 does', () => {
    const ctx = { extensionOffers: 'permessage-deflate; client_max_window_bits' };
    const ext = (v: string): H2HeaderList => status(200, [['sec-websocket-extensions', v]]);
    expect(checkH2Response(ext('permessage-deflate'), ctx)).toMatchObject({ ok: true, extensions: [{ name: 'permessage-deflate', params: [] }] });
    expect(checkH2Response(ext('permessage-deflate'))).toMatchObject({ ok: false, id: 'extension-not-offered' });
    expect(checkH2Response(ext('permessage-deflate, permessage-deflate'), ctx)).toMatchObject({ ok: false, id: 'duplicate-extension' });
    expect(checkH2Response(ext('permessage-deflate; x="a b"'), ctx)).toMatchObject({ ok: false, id: 'invalid-extensions-header' });
  });

  it('calls malformed response blocks malformed', () => {
    expect(checkH2Response([])).toMatchObject({ ok: false, id: 'missing-status', malformed: true });
    expect(checkH2Response([[':status', '200'], [':path', '/']])).toMatchObject({ id: 'unknown-pseudo-header', malformed: true });
    expect(checkH2Response([['x-a', '1'], [':status', '200']])).toMatchObject({ id: 'pseudo-header-after-regular', malformed: true });
    expect(checkH2Response(status(200, [['upgrade', 'websocket']]))).toMatchObject({ id: 'connection-specific-header', malformed: true });
    expect(checkH2Response(status(200, [['Sec-WebSocket-Protocol', 'chat']]))).toMatchObject({ id: 'uppercase-header-name' });
  });

  it('cites a section in every client rejection', () => {
    for (const [id, r] of Object.entries(H2_CLIENT_REJECTIONS)) expect(r.rfc, id).toMatch(/^(\d{4} )?\d+(\.\d+)*$/);
  });
});
