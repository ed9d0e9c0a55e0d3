// The reference server's policies and its robustness: Origin allowlist (403), max payload (1009),
// subprotocols, path, each malformed handshake refused with the right status, garbage and endless heads
// survived, the stats endpoint, and strict framing. After all of it the process still serves the next client.
import { connect, type Socket } from 'node:net';
import { get } from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, HandshakeError } from '../../../peers/client/reference-client.js';
import { startReferenceServer, type RunningServer, type ServerStats } from '../../../peers/server/reference-server.js';
import { nextWsMessage, openWs, wsClosed } from './helpers.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startReferenceServer({
    port: 0,
    path: '/echo',
    origins: ['https://good.example'],
    protocols: ['chat.v2', 'chat.v1'],
    maxPayload: 1000,
    handshakeTimeoutMs: 300,
  });
});
afterAll(() => server?.close());

const url = (): string => `ws://127.0.0.1:${server.port}/echo`;

interface RawResult {
  /** Everything the server sent before closing. */
  response: string;
  /** The socket closed (by the server) within the timeout. */
  closed: boolean;
}

/** Sends raw bytes (optionally in several writes) and collects what comes back until the server closes. */
function rawExchange(chunks: (string | Uint8Array)[], timeoutMs = 3000): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: '127.0.0.1', port: server.port });
    let response = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ response, closed: false });
    }, timeoutMs);
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
    });
    socket.on('data', (d) => (response += d.toString('latin1')));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A reset after the response was read still counts as the server closing.
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') {
        clearTimeout(timer);
        reject(err);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ response, closed: true });
    });
  });
}

const statusOf = (r: RawResult): number => Number(/^HTTP\/1\.1 (\d{3}) /.exec(r.response)?.[1] ?? NaN);

function request(lines: string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`;
}

const GOOD = [
  'GET /echo HTTP/1.1',
  'Host: 127.0.0.1',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version: 13',
];
const without = (prefix: string): string[] => GOOD.filter((l) => !l.startsWith(prefix));
const replace = (prefix: string, line: string): string[] => GOOD.map((l) => (l.startsWith(prefix) ? line : l));

function statsOverHttp(path = '/stats'): Promise<ServerStats> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port: server.port, path, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => {
        try {
          expect(res.statusCode).toBe(200);
          expect(res.headers['content-type']).toBe('application/json');
          resolve(JSON.parse(body) as ServerStats);
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('stats request timed out')));
    req.on('error', reject);
  });
}

describe('reference server policies', () => {
  it('accepts a good handshake: 101 with the right accept key', async () => {
    const r = await rawExchange([request(GOOD)], 300);
    expect(r.response).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    // RFC 6455 §1.3's example key and accept value.
    expect(r.response).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n');
  });

  it('refuses an Origin outside the allowlist with 403 (both clients), accepts one inside', async () => {
    const refused = await openWs(url(), { origin: 'https://evil.example' }).catch((e: Error) => e);
    expect(String(refused)).toMatch(/403/);
    const err = await connectClient(url(), { origin: 'https://evil.example' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandshakeError);
    expect((err as HandshakeError).status).toBe(403);
    const ok = await connectClient(url(), { origin: 'https://GOOD.example' });
    await ok.close();
  });

  it('picks the subprotocol by its own preference', async () => {
    const ws = await openWs(url(), { protocols: ['chat.v1', 'chat.v2'] });
    expect(ws.protocol).toBe('chat.v2');
    ws.terminate();
    const c = await connectClient(url(), { protocols: ['chat.v1', 'other'] });
    expect(c.protocol).toBe('chat.v1');
    await c.close();
  });

  it('echoes a message at the max payload, fails one byte above it with 1009', async () => {
    const ws = await openWs(url());
    ws.send(Buffer.alloc(1000, 1));
    expect((await nextWsMessage(ws)).data.length).toBe(1000);
    const closed = wsClosed(ws);
    ws.send(Buffer.alloc(1001, 1));
    expect((await closed).code).toBe(1009);
  });

  it('fails a client that breaks framing (an unmasked frame) with 1002', async () => {
    const unmasked = new Uint8Array([0x81, 0x02, 0x68, 0x69]);
    const r = await rawExchange([request(GOOD), unmasked]);
    expect(r.closed).toBe(true);
    const frames = Buffer.from(r.response.slice(r.response.indexOf('\r\n\r\n') + 4), 'latin1');
    // A close frame (FIN + opcode 8) with code 1002.
    expect(frames[0]).toBe(0x88);
    expect(frames.readUInt16BE(2)).toBe(1002);
  });

  it.each([
    ['wrong method', replace('GET', 'POST /echo HTTP/1.1'), 405],
    ['HTTP/1.0', replace('GET', 'GET /echo HTTP/1.0'), 400],
    ['unknown path', replace('GET', 'GET /nope HTTP/1.1'), 404],
    ['no Host', without('Host'), 400],
    ['no Upgrade', without('Upgrade'), 400],
    ['Upgrade not websocket', replace('Upgrade', 'Upgrade: h2c'), 400],
    ['no Connection', without('Connection'), 400],
    ['Connection without upgrade', replace('Connection', 'Connection: keep-alive'), 400],
    ['no key', without('Sec-WebSocket-Key'), 400],
    ['short key', replace('Sec-WebSocket-Key', 'Sec-WebSocket-Key: AAAA'), 400],
    ['no version', without('Sec-WebSocket-Version'), 426],
    ['version 8', replace('Sec-WebSocket-Version', 'Sec-WebSocket-Version: 8'), 426],
    ['bad subprotocol list', [...GOOD, 'Sec-WebSocket-Protocol: a b'], 400],
    ['bad extensions header', [...GOOD, 'Sec-WebSocket-Extensions: ;;'], 400],
    ['forbidden origin', [...GOOD, 'Origin: https://evil.example'], 403],
    ['obs-fold', [...GOOD, 'X-Folded: a', ' b'], 400],
  ] as const)('refuses a handshake with %s: %i', async (_name, lines, status) => {
    const r = await rawExchange([request([...lines])]);
    expect(statusOf(r)).toBe(status);
    expect(r.closed).toBe(true);
    if (status === 426) expect(r.response).toContain('Sec-WebSocket-Version: 13\r\n');
  });

  it('refuses bare LF line endings with 400', async () => {
    const r = await rawExchange([GOOD.join('\n') + '\n\n']);
    expect(statusOf(r)).toBe(400);
  });

  it('refuses a 1 MB header with 431 without buffering it all', async () => {
    const big = `X-Big: ${'a'.repeat(1024 * 1024)}`;
    const r = await rawExchange([request([...GOOD, big])]);
    expect(statusOf(r)).toBe(431);
    expect(r.closed).toBe(true);
  });

  it('survives random bytes: refuses them with 400 or 431 and closes', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await rawExchange([randomBytes(1 + ((i * 977) % 40_000))]);
      // Random bytes either fail the request line (400) or never end a line before the limit (431), or, when
      // short, never complete a head: the handshake timeout then closes the socket.
      expect(r.closed).toBe(true);
      if (r.response !== '') expect([400, 431]).toContain(statusOf(r));
    }
  });

  it('drops a head that never ends after the handshake timeout', async () => {
    const before = server.stats().handshakeTimeouts;
    const started = performance.now();
    const r = await rawExchange(['GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n'], 3000);
    expect(r.closed).toBe(true);
    expect(r.response).toBe('');
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(server.stats().handshakeTimeouts).toBe(before + 1);
  });

  it('serves JSON stats on GET /stats', async () => {
    const ws = await openWs(url());
    ws.send('count me');
    await nextWsMessage(ws);
    const stats = await statsOverHttp();
    expect(stats.pid).toBe(process.pid);
    expect(stats.openConnections).toBeGreaterThanOrEqual(1);
    expect(stats.totalConnections).toBeGreaterThanOrEqual(stats.openConnections);
    expect(stats.messagesIn).toBeGreaterThanOrEqual(1);
    expect(stats.messagesOut).toBeGreaterThanOrEqual(1);
    expect(stats.bytesIn).toBeGreaterThan(0);
    expect(stats.bytesOut).toBeGreaterThan(0);
    expect(stats.rejectedHandshakes).toBeGreaterThan(0);
    ws.terminate();
  });

  it('still serves the next client after all of the above', async () => {
    const ws = await openWs(url());
    ws.send('still here');
    expect((await nextWsMessage(ws)).data.toString()).toBe('still here');
    ws.close(1000);
    expect((await wsClosed(ws)).code).toBe(1000);
  });
});
