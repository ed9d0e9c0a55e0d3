// Test harness for the wire server peer: a TCP server on 127.0.0.1 (port 0) that reads each request head with
// protocol/handshake's HttpHeadParser, as the test-client runner does, and hands the connection to
// WireServerPeer.accept; and a raw client socket for clients that misbehave on purpose.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { HttpHeadParser } from '../../../../protocol/handshake/head-parser.js';
import { WireServerPeer } from '../../../../peers/wire-server/wire-server-peer.js';

export interface Harness {
  port: number;
  url: string;
  /** The peer of the next connection (in arrival order); rejects after `ms`. */
  next(ms?: number): Promise<WireServerPeer>;
  close(): Promise<void>;
}

/** `secure`: a TLS server with this certificate (wss:). */
export async function listen(budgetMs = 3000, secure?: { cert: Buffer; key: Buffer }): Promise<Harness> {
  const ready: WireServerPeer[] = [];
  const waiting: ((p: WireServerPeer) => void)[] = [];
  const peers: WireServerPeer[] = [];
  const sockets = new Set<net.Socket>();
  const onSocket = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const parser = new HttpHeadParser({ maxHeadBytes: 65536 });
    const onData = (chunk: Buffer): void => {
      const r = parser.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      if (r.state === 'partial') return;
      socket.off('data', onData);
      if (r.state === 'error') {
        socket.destroy();
        return;
      }
      const peer = WireServerPeer.accept({ socket, head: r.head, leftover: r.rest, seed: 7, deadlineMs: performance.now() + budgetMs });
      peers.push(peer);
      const w = waiting.shift();
      if (w) w(peer);
      else ready.push(peer);
    };
    socket.on('data', onData);
    socket.on('error', () => undefined);
  };
  const srv: net.Server = secure ? tls.createServer(secure, onSocket) : net.createServer(onSocket);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    port,
    url: `${secure ? 'wss' : 'ws'}://127.0.0.1:${port}/runCase?case=1&agent=test`,
    next(ms = 3000) {
      const p = ready.shift();
      if (p) return Promise.resolve(p);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no connection in time')), ms);
        waiting.push((peer) => {
          clearTimeout(timer);
          resolve(peer);
        });
      });
    },
    async close() {
      for (const p of peers) p.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
    },
  };
}

/** A raw client: sends what the test says and collects what arrives, with a promise for the end of TCP. */
export interface RawClient {
  socket: net.Socket;
  received(): Buffer;
  /** Resolves with how TCP ended ('end': FIN, or the error code). */
  ended: Promise<string>;
  /** Waits until `check(received)` holds; rejects after `ms`. */
  until(check: (b: Buffer) => boolean, ms?: number): Promise<Buffer>;
}

export async function rawClient(port: number): Promise<RawClient> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const chunks: Buffer[] = [];
  const listeners = new Set<() => void>();
  socket.on('data', (d: Buffer) => {
    chunks.push(d);
    for (const l of [...listeners]) l();
  });
  const ended = new Promise<string>((resolve) => {
    socket.on('end', () => resolve('end'));
    socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    socket.on('close', () => resolve('close'));
  });
  const received = (): Buffer => Buffer.concat(chunks);
  return {
    socket,
    received,
    ended,
    until(check, ms = 2000) {
      if (check(received())) return Promise.resolve(received());
      return new Promise((resolve, reject) => {
        const l = (): void => {
          if (!check(received())) return;
          clearTimeout(timer);
          listeners.delete(l);
          resolve(received());
        };
        const timer = setTimeout(() => {
          listeners.delete(l);
          reject(new Error(`condition not met in ${ms} ms; received ${JSON.stringify(received().toString('latin1'))}`));
        }, ms);
        listeners.add(l);
      });
    },
  };
}

/** A valid request head for the raw client, with optional extra header lines. */
export function requestHead(port: number, extra: string[] = [], key = 'dGhlIHNhbXBsZSBub25jZQ=='): string {
  return [`GET /chat HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13', ...extra, '', ''].join('\r\n');
}

/** A raw client that sent a valid request, and the peer of its connection after the default 101 went out. */
export async function openedRawSession(h: Harness): Promise<{ c: RawClient; peer: WireServerPeer }> {
  const c = await rawClient(h.port);
  c.socket.write(requestHead(h.port));
  const peer = await h.next();
  await peer.respond();
  return { c, peer };
}
