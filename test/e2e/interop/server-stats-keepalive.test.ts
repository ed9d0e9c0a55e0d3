// The stats endpoint keeps HTTP/1.1 connections alive (RFC 7230 §6.3): pipelined GETs are answered in order on one
// connection, "Connection: close" and HTTP/1.0 close it, and a WebSocket upgrade may follow on the same connection.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type RunningServer } from '../../../peers/server/reference-server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, deflate: false, handshakeTimeoutMs: 2_000 });
});
afterAll(() => server?.close());

interface Conversation {
  socket: Socket;
  /** Everything received so far. */
  text(): string;
  /** Resolves once the received text matches `re` (or rejects after the timeout). */
  until(re: RegExp, timeoutMs?: number): Promise<string>;
  closed: Promise<void>;
}

function open(): Promise<Conversation> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: server.port });
    let received = '';
    const waiters: (() => void)[] = [];
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      received += d;
      for (const w of waiters.splice(0)) w();
    });
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        socket,
        closed,
        text: () => received,
        until: (re, timeoutMs = 3_000) =>
          new Promise((res, rej) => {
            const timer = setTimeout(() => rej(new Error(`timed out waiting for ${re}; got ${JSON.stringify(received)}`)), timeoutMs);
            const check = (): void => {
              if (re.test(received)) {
                clearTimeout(timer);
                res(received);
              } else waiters.push(check);
            };
            check();
          }),
      }),
    );
  });
}

const GET_STATS = 'GET /stats HTTP/1.1\r\nHost: x\r\n\r\n';
const responses = (text: string): number => (text.match(/HTTP\/1\.1 200 OK\r\n/g) ?? []).length;

describe('stats endpoint keep-alive', () => {
  it('answers pipelined GETs in order on one connection and keeps it open', async () => {
    const c = await open();
    try {
      c.socket.write(GET_STATS + GET_STATS + GET_STATS);
      const text = await c.until(/(HTTP\/1\.1 200 OK[^]*?\r\n\r\n\{[^\n]*\}\n){3}/);
      expect(responses(text)).toBe(3);
      expect(text).toContain('Connection: keep-alive\r\n');
      expect(text).not.toContain('Connection: close');
      // Still open: a fourth request on the same connection is answered too.
      c.socket.write(GET_STATS);
      await c.until(/(HTTP\/1\.1 200 OK[^]*?\r\n\r\n\{[^\n]*\}\n){4}/);
      expect(c.socket.destroyed).toBe(false);
    } finally {
      c.socket.destroy();
    }
  });

  it('closes after the response for "Connection: close" and for HTTP/1.0', async () => {
    for (const req of ['GET /stats HTTP/1.1\r\nConnection: close\r\n\r\n', 'GET /stats HTTP/1.0\r\n\r\n']) {
      const c = await open();
      c.socket.write(req);
      await c.closed;
      expect(responses(c.text())).toBe(1);
      expect(c.text()).toContain('Connection: close\r\n');
    }
  });

  it('accepts a WebSocket upgrade on a connection that asked for stats first', async () => {
    const c = await open();
    try {
      c.socket.write(GET_STATS);
      await c.until(/\}\n$/);
      c.socket.write(
        'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      const text = await c.until(/HTTP\/1\.1 101 /);
      // RFC 6455 §1.3's example key and accept value.
      expect(text).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n');
    } finally {
      c.socket.destroy();
    }
  });
});
