// Shared pieces of the interop tests: a `ws` echo server (ws:// or wss://), a `ws` client opened with a timeout,
// and waits that always time out.
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { randomBytes } from 'node:crypto';
import WebSocket, { WebSocketServer, type ClientOptions as WsClientOptions } from 'ws';

export const SIZES = [0, 125, 126, 65535, 65536, 16 * 1024 * 1024] as const;
/** RFC 6455 §7.4.1/§7.4.2: every code an endpoint may send, at the edges of each range. */
export const VALID_CLOSE_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999] as const;

export interface WsEchoServer {
  url: string;
  port: number;
  wss: WebSocketServer;
  close(): Promise<void>;
}

export async function startWsEchoServer(opts: { tls?: { cert: Buffer; key: Buffer }; deflate?: boolean; autoPong?: boolean; port?: number } = {}): Promise<WsEchoServer> {
  let https: HttpsServer | undefined;
  let wss: WebSocketServer;
  const common = { perMessageDeflate: opts.deflate ?? false, autoPong: opts.autoPong ?? true, maxPayload: 64 * 1024 * 1024 };
  if (opts.tls) {
    https = createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key });
    wss = new WebSocketServer({ server: https, ...common });
    await new Promise<void>((resolve) => https!.listen(opts.port ?? 0, '127.0.0.1', () => resolve()));
  } else {
    wss = new WebSocketServer({ host: '127.0.0.1', port: opts.port ?? 0, ...common });
    await new Promise<void>((resolve) => wss.on('listening', () => resolve()));
  }
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
    ws.on('error', () => {});
  });
  const address = (https ?? wss).address() as { port: number };
  return {
    url: `${opts.tls ? 'wss' : 'ws'}://127.0.0.1:${address.port}/`,
    port: address.port,
    wss,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => (https ? https.close(() => resolve()) : resolve()));
      }),
  };
}

export function openWs(url: string, opts: WsClientOptions & { protocols?: string[] } = {}, timeoutMs = 5000): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts.protocols ?? [], opts);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`ws client: no open within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export function nextWsMessage(ws: WebSocket, timeoutMs = 10_000): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ws client: no message within ${timeoutMs} ms`)), timeoutMs);
    ws.once('message', (data, isBinary) => {
      clearTimeout(timer);
      resolve({ data: Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]), isBinary });
    });
  });
}

export function wsClosed(ws: WebSocket, timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    if (ws.readyState === WebSocket.CLOSED) {
      reject(new Error('already closed'));
      return;
    }
    const timer = setTimeout(() => reject(new Error(`ws client: no close within ${timeoutMs} ms`)), timeoutMs);
    ws.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString('utf8') });
    });
  });
}

/** Text of `size` UTF-8 bytes with multi-byte characters in it (so byte-exactness is tested, not just ASCII). */
export function textOfBytes(size: number): string {
  const unit = 'aé€😀'; // 1 + 2 + 3 + 4 bytes
  let s = unit.repeat(Math.floor(size / 10));
  s += 'x'.repeat(size - Buffer.byteLength(s));
  return s;
}

export function binaryOfBytes(size: number): Uint8Array {
  return new Uint8Array(randomBytes(size));
}

/** Resolves when `check` is true, polling every 10 ms; rejects after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
