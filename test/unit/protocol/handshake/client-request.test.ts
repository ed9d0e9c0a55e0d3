import { describe, expect, it } from 'vitest';
import { buildClientRequest } from '../../../../protocol/handshake/client-request.js';
import { headerValue } from '../../../../protocol/handshake/head-parser.js';
import { seededEntropy } from '../../../../protocol/entropy.js';
import { headOf } from './helpers.js';

describe('buildClientRequest', () => {
  it('builds the RFC 6455 §4.1 request', () => {
    const { bytes, key } = buildClientRequest({ url: new URL('ws://example.com/chat?room=1#frag'), key: 'dGhlIHNhbXBsZSBub25jZQ==' });
    expect(key).toBe('dGhlIHNhbXBsZSBub25jZQ==');
    expect(Buffer.from(bytes).toString('latin1')).toBe(
      'GET /chat?room=1 HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
  });

  it.each([
    ['ws://example.com/', 'example.com'],
    ['ws://example.com:80/', 'example.com'],
    ['ws://example.com:8080/', 'example.com:8080'],
    ['wss://example.com:443/', 'example.com'],
    ['wss://example.com:80/', 'example.com:80'],
    ['ws://[::1]:9001/', '[::1]:9001'],
    ['ws://[::1]/', '[::1]'],
    ['ws://127.0.0.1:1234', '127.0.0.1:1234'],
  ])('Host for %s is %s', (url, host) => {
    const head = headOf(buildClientRequest({ url: new URL(url) }).bytes);
    expect(headerValue(head, 'host')).toBe(host);
    expect(head.target).toBe('/');
  });

  it('draws a 16-byte key from the injected entropy, replayably', () => {
    const a = buildClientRequest({ url: new URL('ws://h/'), entropy: seededEntropy(7) });
    const b = buildClientRequest({ url: new URL('ws://h/'), entropy: seededEntropy(7) });
    const c = buildClientRequest({ url: new URL('ws://h/'), entropy: seededEntropy(8) });
    expect(a.key).toBe(b.key);
    expect(a.key).not.toBe(c.key);
    expect(Buffer.from(a.key, 'base64').length).toBe(16);
    expect(a.key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });

  it('adds Origin, protocols, extensions and custom headers', () => {
    const head = headOf(
      buildClientRequest({
        url: new URL('wss://example.com/x'),
        origin: 'https://example.com',
        protocols: ['chat', 'superchat'],
        extensions: 'permessage-deflate; client_max_window_bits',
        headers: [['Cookie', 'a=1'], ['X-Trace', 't']],
      }).bytes,
    );
    expect(headerValue(head, 'origin')).toBe('https://example.com');
    expect(headerValue(head, 'sec-websocket-protocol')).toBe('chat, superchat');
    expect(headerValue(head, 'sec-websocket-extensions')).toBe('permessage-deflate; client_max_window_bits');
    expect(headerValue(head, 'cookie')).toBe('a=1');
    expect(headerValue(head, 'x-trace')).toBe('t');
  });

  it('sends basic credentials from the URL', () => {
    const head = headOf(buildClientRequest({ url: new URL('ws://us%20er:pa@h/') }).bytes);
    expect(headerValue(head, 'authorization')).toBe(`Basic ${Buffer.from('us er:pa').toString('base64')}`);
  });

  it('refuses header injection and non-WebSocket URLs', () => {
    expect(() => buildClientRequest({ url: new URL('ws://h/'), headers: [['X', 'a\r\nEvil: 1']] })).toThrow(TypeError);
    expect(() => buildClientRequest({ url: new URL('ftp://h/') })).toThrow(TypeError);
  });
});
