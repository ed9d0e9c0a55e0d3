import { describe, expect, it } from 'vitest';
import { buildRejection, buildServerResponse } from '../../../../protocol/handshake/server-response.js';
import { headerValue, HttpHeadParser } from '../../../../protocol/handshake/head-parser.js';
import { RFC_ACCEPT } from './helpers.js';

describe('buildServerResponse', () => {
  it('builds the 101 of RFC 6455 §4.2.2 step 5', () => {
    expect(Buffer.from(buildServerResponse({ accept: RFC_ACCEPT })).toString()).toBe(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${RFC_ACCEPT}\r\n\r\n`,
    );
  });

  it('adds protocol, extensions (string or parsed) and extra headers; null protocol sends none', () => {
    const text = Buffer.from(
      buildServerResponse({
        accept: RFC_ACCEPT,
        protocol: 'chat',
        extensions: [{ name: 'permessage-deflate', params: [['server_no_context_takeover', true], ['client_max_window_bits', '10']] }],
        headers: [['Set-Cookie', 'a=1']],
      }),
    ).toString();
    expect(text).toContain('\r\nSec-WebSocket-Protocol: chat\r\n');
    expect(text).toContain('\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits=10\r\n');
    expect(text).toContain('\r\nSet-Cookie: a=1\r\n');
    const none = Buffer.from(buildServerResponse({ accept: RFC_ACCEPT, protocol: null, extensions: '' })).toString();
    expect(none).not.toMatch(/Sec-WebSocket-(Protocol|Extensions)/);
  });
});

describe('buildRejection', () => {
  it('builds a status line, Content-Length, Connection: close and the body', () => {
    const bytes = buildRejection(400, 'RFC 6455 §4.2.1: no Host header field', [['X-Why', 'host']]);
    const r = new HttpHeadParser().push(bytes);
    expect(r.state).toBe('done');
    if (r.state !== 'done') return;
    expect(r.head.startLine).toBe('HTTP/1.1 400 Bad Request');
    expect(headerValue(r.head, 'connection')).toBe('close');
    expect(headerValue(r.head, 'x-why')).toBe('host');
    const body = Buffer.from(r.rest).toString('utf8');
    expect(body).toBe('RFC 6455 §4.2.1: no Host header field\n');
    expect(Number(headerValue(r.head, 'content-length'))).toBe(Buffer.byteLength(body));
  });

  it('lists the supported version on a 426 and says upgrade in Connection', () => {
    const r = new HttpHeadParser().push(buildRejection(426, 'bad version', [['Sec-WebSocket-Version', '13'], ['Upgrade', 'websocket']]));
    expect(r.state === 'done' && r.head.startLine).toBe('HTTP/1.1 426 Upgrade Required');
    expect(r.state === 'done' && headerValue(r.head, 'sec-websocket-version')).toBe('13');
    expect(r.state === 'done' && headerValue(r.head, 'connection')).toBe('Upgrade, close');
  });
});
