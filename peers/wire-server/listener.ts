// The listening socket of `wsprobe test-client`: accepts TCP (or TLS) connections, reads each request head with
// protocol/handshake's HttpHeadParser (size limits, a head timeout) and hands the connection on as an `Incoming`:
// the head, the bytes after it and the socket, which a case then gives to WireServerPeer.accept. Plain HTTP answers
// (the browser page, /status, 404s) and request bodies (the browser's POST /report) are written and read here, so
// this is the run's only code that touches a socket directly.
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { HttpHeadParser, headerValue, type HttpHead } from '../../protocol/handshake/head-parser.js';
import { serverTlsOptions, type ServerTlsOptions } from '../tls.js';

export interface Incoming {
  head: HttpHead;
  /** Bytes that followed the head in the same reads (frames or a body). */
  leftover: Uint8Array;
  socket: Socket;
  /** Writes a complete HTTP/1.1 response and ends the connection. */
  respond(status: number, headers: [string, string][], body?: string | Uint8Array): void;
  /** The request body (Content-Length bytes, at most `limit`); rejects on a bad length, a timeout or a close. */
  body(limit: number, timeoutMs: number): Promise<Uint8Array>;
  /**
   * Reading is held after the head, so no byte is lost before the taker (WireServerPeer.accept) attaches its own
   * reader; the taker calls this once it has. respond() and body() release by themselves.
   */
  release(): void;
}

export interface ListenerOptions {
  host: string;
  port: number;
  tls?: ServerTlsOptions;
  /** Time from accept to a complete request head. Default 10 s. */
  headTimeoutMs?: number;
  /** Largest request head; more is a 431. Default 16384. */
  maxHeadBytes?: number;
  onRequest(incoming: Incoming): void;
}

export interface Listener {
  host: string;
  port: number;
  secure: boolean;
  /** Stops accepting and destroys every connection still open. */
  close(): Promise<void>;
}

const REASONS: Record<number, string> = { 200: 'OK', 204: 'No Content', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 413: 'Content Too Large', 431: 'Request Header Fields Too Large' };

/** Listens; rejects with the listen error (EADDRINUSE, EACCES, ...) for the caller to word. */
export async function listen(opts: ListenerOptions): Promise<Listener> {
  const sockets = new Set<Socket>();
  const headTimeoutMs = opts.headTimeoutMs ?? 10_000;
  const onSocket = (socket: Socket): void => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    // Kept for the socket's whole life: whoever takes the connection over adds its own handling, and an error
    // event without any listener would end the process.
    socket.on('error', () => socket.destroy());
    readHead(socket, opts, headTimeoutMs);
  };
  let server: Server;
  if (opts.tls !== undefined) {
    const tlsServer = createTlsServer(serverTlsOptions(opts.tls, headTimeoutMs), onSocket);
    // A client that fails the TLS handshake is dropped by node:tls; nothing to record.
    tlsServer.on('tlsClientError', () => {});
    server = tlsServer;
  } else {
    server = createNetServer({ noDelay: true }, onSocket);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {});
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : opts.port;
  let closing: Promise<void> | null = null;
  return {
    host: opts.host,
    port,
    secure: opts.tls !== undefined,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

function readHead(socket: Socket, opts: ListenerOptions, headTimeoutMs: number): void {
  const parser = new HttpHeadParser({ maxHeadBytes: opts.maxHeadBytes ?? 16384 });
  const timer = setTimeout(() => {
    cleanup();
    writeResponse(socket, 408, [], 'no complete request head in time\n');
  }, headTimeoutMs);
  const cleanup = (): void => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', cleanup);
  };
  const onData = (chunk: Buffer): void => {
    const r = parser.push(chunk);
    if (r.state === 'partial') return;
    cleanup();
    if (r.state === 'error') {
      writeResponse(socket, r.status, [], `${r.message}\n`);
      return;
    }
    socket.pause();
    opts.onRequest({
      head: r.head,
      leftover: r.rest,
      socket,
      respond: (status, headers, body) => writeResponse(socket, status, headers, body),
      body: (limit, timeoutMs) => readBody(socket, r.head, r.rest, limit, timeoutMs),
      release: () => socket.resume(),
    });
  };
  socket.on('data', onData);
  socket.on('close', cleanup);
}

function writeResponse(socket: Socket, status: number, headers: [string, string][], body: string | Uint8Array = ''): void {
  if (socket.destroyed) return;
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? 'Status'}`, ...headers.map(([n, v]) => `${n}: ${v}`)];
  if (!headers.some(([n]) => n.toLowerCase() === 'content-type') && bytes.length > 0) lines.push('Content-Type: text/plain; charset=utf-8');
  lines.push(`Content-Length: ${bytes.length}`, 'Cache-Control: no-store', 'Connection: close', '', '');
  socket.write(lines.join('\r\n'));
  socket.end(bytes);
  // Read and drop whatever else comes, so the peer's FIN is seen and the socket closes.
  socket.resume();
  // A peer that never reads must not hold the connection open.
  setTimeout(() => socket.destroy(), 5000).unref();
}

function readBody(socket: Socket, head: HttpHead, first: Uint8Array, limit: number, timeoutMs: number): Promise<Uint8Array> {
  const lengthText = headerValue(head, 'content-length');
  const length = lengthText !== undefined && /^\d{1,9}$/.test(lengthText) ? Number(lengthText) : NaN;
  if (Number.isNaN(length)) return Promise.reject(new Error('a body needs a valid Content-Length'));
  if (length > limit) return Promise.reject(new Error(`body of ${length} bytes is over the ${limit}-byte limit`));
  const parts: Uint8Array[] = [first];
  let got = first.length;
  if (got >= length) return Promise.resolve(Buffer.concat(parts).subarray(0, length));
  return new Promise((resolve, reject) => {
    const done = (err: Error | null): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (err) reject(err);
      else resolve(Buffer.concat(parts).subarray(0, length));
    };
    const onData = (chunk: Buffer): void => {
      parts.push(chunk);
      got += chunk.length;
      if (got >= length) done(null);
    };
    const onClose = (): void => done(new Error('the connection closed before the whole body arrived'));
    const timer = setTimeout(() => done(new Error(`no whole body within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.resume();
  });
}
