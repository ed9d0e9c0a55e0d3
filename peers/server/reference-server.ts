// The reference server: an echo server on node:net / node:tls directly. The opening handshake is read with
// protocol/handshake's HttpHeadParser, so the server sees exactly the bytes a client sent (node:http would
// normalise them first), and the frames go through the sans-I/O Connection under the strict policy: every
// violation fails the connection with its close code. WebSockets over HTTP/2 (RFC 8441) share the port: h2c
// connections are recognised by their preface, h2 by ALPN, and both handed to ./h2.ts.
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import cluster from 'node:cluster';
import { CloseCode } from '../../protocol/constants.js';
import { Connection, type ConnectionEvent } from '../../protocol/connection/connection.js';
import type { MessageExtension } from '../../protocol/extensions/extension.js';
import { cryptoEntropy } from '../../protocol/entropy.js';
import { HttpHeadParser, headerValue, type HttpHead } from '../../protocol/handshake/head-parser.js';
import { checkClientRequest } from '../../protocol/handshake/server-request.js';
import { buildRejection, buildServerResponse } from '../../protocol/handshake/server-response.js';
import { Pump } from '../pump.js';
import { negotiateServerExtensions, type ServerDeflateOptions } from './deflate.js';
import { buildStatsResponse, emptyCounters, type ServerStats, type StatCounters } from './stats.js';
import { startClusterPrimary } from './cluster-primary.js';
import { serverTlsOptions, type ServerTlsOptions } from '../tls.js';
import { H2Gateway, isH2PrefaceHead } from './h2.js';

export type { ServerStats } from './stats.js';
export type { ServerDeflateOptions } from './deflate.js';

export interface ReferenceServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default) lets the OS choose. */
  port?: number;
  /** Only this resource path is served (404 otherwise); any path when unset. */
  path?: string;
  /** PEM certificate and key: the server speaks wss://. */
  tls?: ServerTlsOptions;
  /** Subprotocols, in order of preference. */
  protocols?: string[];
  /** Allowed Origin values; others get 403. Unset: any origin. */
  origins?: string[];
  /** Largest message (and frame) accepted; larger ones fail the connection with 1009. Default 64 MiB. */
  maxPayload?: number;
  /** Ping every intervalMs; a client that has not answered within timeoutMs is dropped. */
  heartbeat?: { intervalMs: number; timeoutMs: number };
  /** Time from TCP accept to a complete opening handshake. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** Time for the close handshake and the TCP close after it. Default 5 s. */
  closeTimeoutMs?: number;
  /** Plain HTTP GET here returns the stats as JSON. Default '/stats'; null turns it off. */
  statsPath?: string | null;
  /** permessage-deflate: on by default; false turns it off; an object sets its parameters. */
  deflate?: boolean | ServerDeflateOptions;
  /** Worker processes sharing the port (node:cluster). Default 1: this process serves. */
  workers?: number;
  /** Largest opening handshake head, in bytes; more is a 431. Default 16384. */
  maxHeadBytes?: number;
  /** Reading from a client pauses while this many bytes wait to be written to it. Default 1 MiB. */
  highWaterMark?: number;
  /**
   * Listen queue length. Default 65535, which Linux caps at net.core.somaxconn: Node's default of 511 overflows
   * during a fast connection ramp (the kernel then drops SYNs and clients retry after a second or more).
   */
  backlog?: number;
  /** WebSockets over HTTP/2 (RFC 8441) on the same port: h2c by prior knowledge, h2 by ALPN under TLS. Default true. */
  http2?: boolean;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  /** Counters of this server (summed over workers, with a per-worker list, when it runs on several). */
  stats(): ServerStats;
  /** Graceful shutdown: 1001 to every client, a short wait for their close frames, then the listener stops. */
  close(): Promise<void>;
}

/** Internal hooks for the cluster worker: its stats endpoint answers with the whole cluster's figures. */
export interface ServerInternals {
  statsProvider?: () => Promise<ServerStats>;
}

export const DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;
const DEFAULT_BACKLOG = 65_535;
const SERVER_ENTROPY = cryptoEntropy();

export async function startReferenceServer(opts: ReferenceServerOptions = {}, internals: ServerInternals = {}): Promise<RunningServer> {
  const workers = opts.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a whole number >= 1, got ${workers}`);
  if (workers > 1 && cluster.isPrimary) return startClusterPrimary(opts, workers);
  const server = new ReferenceServer(opts, internals);
  await server.listen();
  return server;
}

interface Client {
  pump: Pump;
  connection: Connection;
  /** performance.now() of the unanswered heartbeat ping, or -1. */
  pingSentAt: number;
  pongTimer: NodeJS.Timeout | null;
}

class ReferenceServer implements RunningServer {
  url = '';
  port = 0;
  readonly host: string;
  private readonly server: Server;
  private readonly counters: StatCounters = emptyCounters();
  private readonly clients = new Set<Client>();
  private readonly handshaking = new Set<Socket>();
  private readonly maxPayload: number;
  private readonly handshakeTimeoutMs: number;
  private readonly closeTimeoutMs: number;
  private readonly statsPath: string | null;
  private readonly deflate: ServerDeflateOptions | false;
  private readonly h2: H2Gateway | null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly opts: ReferenceServerOptions,
    private readonly internals: ServerInternals,
  ) {
    this.host = opts.host ?? '127.0.0.1';
    this.maxPayload = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.handshakeTimeoutMs = opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.statsPath = opts.statsPath === undefined ? '/stats' : opts.statsPath;
    this.deflate = opts.deflate === false ? false : opts.deflate === true || opts.deflate === undefined ? {} : opts.deflate;
    // Bad deflate parameters (window bits outside 8..15) fail here, at start, not on the first client.
    negotiateServerExtensions([{ name: 'permessage-deflate', params: [] }], this.deflate, this.maxPayload);
    this.h2 =
      opts.http2 === false
        ? null
        : new H2Gateway({
            policy: { path: opts.path, protocols: opts.protocols, origins: opts.origins },
            deflate: this.deflate,
            maxPayload: this.maxPayload,
            handshakeTimeoutMs: this.handshakeTimeoutMs,
            counters: this.counters,
            open: (stream, extensions) => this.open(stream, this.newConnection(extensions), new Uint8Array(0)),
          });
    if (opts.tls !== undefined) {
      const tlsOptions = { ...serverTlsOptions(opts.tls, this.handshakeTimeoutMs), ALPNProtocols: this.h2 === null ? ['http/1.1'] : ['h2', 'http/1.1'] };
      const tlsServer = createTlsServer(tlsOptions, (socket) => this.accept(socket));
      // A client that fails the TLS handshake (or sends garbage) is dropped by node:tls; nothing to do here.
      tlsServer.on('tlsClientError', () => {});
      this.server = tlsServer;
    } else {
      this.server = createNetServer({ noDelay: true }, (socket) => this.accept(socket));
    }
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host: this.host, port: this.opts.port ?? 0, backlog: this.opts.backlog ?? DEFAULT_BACKLOG }, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        if (address === null || typeof address === 'string') {
          reject(new Error('the server has no TCP address'));
          return;
        }
        this.port = address.port;
        const hostPart = this.host.includes(':') ? `[${this.host}]` : this.host;
        this.url = `${this.opts.tls !== undefined ? 'wss' : 'ws'}://${hostPart}:${this.port}${this.opts.path ?? '/'}`;
        if (this.opts.heartbeat !== undefined) this.startHeartbeat(this.opts.heartbeat);
        resolve();
      });
    });
  }

  stats(): ServerStats {
    return { pid: process.pid, ...this.counters };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    // GOAWAY first, so no new stream opens while the WebSockets on HTTP/2 get their 1001 below.
    const h2Closed = this.h2?.close(this.closeTimeoutMs + 500);
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.handshaking) socket.destroy();
    const open = [...this.clients];
    const closed = open.map(
      (client) =>
        new Promise<void>((resolve) => {
          if (client.pump.closed) return resolve();
          client.pump.socket.once('close', () => resolve());
        }),
    );
    for (const client of open) {
      // RFC 6455 §7.4.1: 1001 "indicates that an endpoint is "going away", such as a server going down".
      if (client.connection.state === 'open') client.connection.sendClose(CloseCode.GoingAway, 'server shutting down');
      client.pump.flush();
    }
    // Each pump drops its TCP after closeTimeoutMs; this deadline only guards against a stuck socket.
    const deadline = setTimeout(() => {
      for (const client of this.clients) client.pump.terminate();
    }, this.closeTimeoutMs + 500);
    await Promise.all(closed);
    clearTimeout(deadline);
    await h2Closed;
    await stopped;
  }

  private accept(socket: Socket): void {
    if (this.closing !== null) {
      socket.destroy();
      return;
    }
    if (this.h2 !== null && (socket as TLSSocket).alpnProtocol === 'h2') return this.h2.adopt(socket);
    socket.setNoDelay(true);
    const maxHeadBytes = this.opts.maxHeadBytes ?? 16384;
    let parser = new HttpHeadParser({ maxHeadBytes });
    this.handshaking.add(socket);
    /** Stats requests answered on this connection (kept alive); an idle kept-alive connection is no handshake timeout. */
    let served = 0;
    const onTimeout = (): void => {
      if (served === 0) this.counters.handshakeTimeouts++;
      socket.destroy();
    };
    let timer = setTimeout(onTimeout, this.handshakeTimeoutMs);
    const onClose = (): void => {
      clearTimeout(timer);
      this.handshaking.delete(socket);
    };
    /** After a refusal or the stats response: the peer has closeTimeoutMs to close, then the socket is dropped. */
    const linger = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => socket.destroy(), this.closeTimeoutMs);
    };
    const onData = (chunk: Uint8Array): void => {
      try {
        handshake(chunk);
      } catch {
        // Whatever a client sends, a bug it finds costs its own socket only.
        socket.destroy();
      }
    };
    const handshake = (chunk: Uint8Array): void => {
      const result = parser.push(chunk);
      if (result.state === 'partial') return;
      socket.off('data', onData);
      if (result.state === 'error') {
        linger();
        this.reject(socket, result.status, result.message, []);
        return;
      }
      if (this.h2 !== null && isH2PrefaceHead(result.head)) {
        clearTimeout(timer);
        this.handshaking.delete(socket);
        this.h2.adopt(socket, result.rest);
        return;
      }
      if (this.isStatsRequest(result.head)) {
        if (!isPersistent(result.head)) {
          linger();
          this.serveStats(socket, false);
          return;
        }
        // RFC 7230 §6.3: the connection persists, so an HTTP client (autocannon, a monitoring probe) can poll on
        // one connection. Reading pauses until the answer is written, so pipelined requests are answered in order.
        socket.pause();
        clearTimeout(timer);
        this.serveStats(socket, true, () => {
          served++;
          timer = setTimeout(onTimeout, this.handshakeTimeoutMs);
          parser = new HttpHeadParser({ maxHeadBytes });
          socket.on('data', onData);
          // Before the pipelined rest: if it holds another stats request, that one's pause must win.
          socket.resume();
          if (result.rest.length > 0) onData(result.rest);
        });
        return;
      }
      const check = checkClientRequest(result.head, {
        path: this.opts.path,
        protocols: this.opts.protocols,
        origins: this.opts.origins,
      });
      if (!check.ok) {
        linger();
        this.reject(socket, check.status, check.message, check.headers);
        return;
      }
      clearTimeout(timer);
      socket.off('close', onClose);
      socket.off('error', ignore);
      this.handshaking.delete(socket);
      const negotiated = negotiateServerExtensions(check.extensionOffers, this.deflate, this.maxPayload);
      socket.write(buildServerResponse({ accept: check.accept, protocol: check.protocol, extensions: negotiated.response }));
      this.open(socket, this.newConnection(negotiated.extensions), result.rest);
    };
    socket.on('data', onData);
    socket.on('error', ignore);
    socket.on('close', onClose);
  }

  /** The server side of one WebSocket, over HTTP/1.1 or an HTTP/2 stream alike. */
  private newConnection(extensions: MessageExtension[]): Connection {
    return new Connection({
      role: 'server',
      policy: 'strict',
      maxMessageSize: this.maxPayload,
      maxFrameSize: this.maxPayload,
      extensions,
      frameEvents: false,
      // Echo the validated UTF-8 bytes: no decoding to a string and encoding it back.
      textAsBytes: true,
      // A server never masks (RFC 6455 §5.1): one source for every connection, not a 4 KiB pool each.
      entropy: SERVER_ENTROPY,
    });
  }

  private isStatsRequest(head: HttpHead): boolean {
    if (this.statsPath === null || head.method !== 'GET' || head.target === undefined) return false;
    const q = head.target.indexOf('?');
    const path = q < 0 ? head.target : head.target.slice(0, q);
    return path === this.statsPath && headerValue(head, 'upgrade') === undefined;
  }

  /** Without keep-alive, the response ends the connection; with it, `next` runs once the response is written. */
  private serveStats(socket: Socket, keepAlive: boolean, next?: () => void): void {
    const provider = this.internals.statsProvider;
    const send = (stats: ServerStats): void => {
      if (socket.destroyed) return;
      const response = buildStatsResponse(stats, keepAlive);
      if (!keepAlive) socket.end(response);
      else {
        socket.write(response);
        next?.();
      }
    };
    if (!keepAlive) socket.on('data', ignore);
    if (provider === undefined) send(this.stats());
    else provider().then(send, () => send(this.stats()));
  }

  /** An HTTP refusal; the socket keeps being read (and discarded) so the close does not reset the response away. */
  private reject(socket: Socket, status: number, message: string, headers: [string, string][]): void {
    this.counters.rejectedHandshakes++;
    socket.on('data', ignore);
    socket.end(buildRejection(status, message, headers));
  }

  private open(socket: Socket, connection: Connection, rest: Uint8Array): void {
    const counters = this.counters;
    counters.openConnections++;
    counters.totalConnections++;
    const onEvent = (event: ConnectionEvent): void => {
      switch (event.type) {
        case 'text':
          counters.messagesIn++;
          if (connection.state === 'open') {
            connection.sendText(event.bytes ?? event.data);
            counters.messagesOut++;
          }
          break;
        case 'binary':
          counters.messagesIn++;
          if (connection.state === 'open') {
            connection.sendBinary(event.data);
            counters.messagesOut++;
          }
          break;
        case 'pong':
          if (client.pongTimer !== null) {
            clearTimeout(client.pongTimer);
            client.pongTimer = null;
          }
          client.pingSentAt = -1;
          break;
        case 'violation':
          // A client that drops TCP without a close frame is counted by the connection counters, not here.
          if (event.violation.id !== 'unexpected-eof') counters.violations++;
          break;
        default:
          break;
      }
    };
    const pump: Pump = new Pump(socket, connection, {
      onEvent,
      closeTimeoutMs: this.closeTimeoutMs,
      highWaterMark: this.opts.highWaterMark,
      counters,
      onTcpClosed: () => {
        counters.openConnections--;
        if (client.pongTimer !== null) clearTimeout(client.pongTimer);
        this.clients.delete(client);
      },
    });
    const client: Client = { pump, connection, pingSentAt: -1, pongTimer: null };
    this.clients.add(client);
    pump.start(rest);
  }

  /** One interval for all clients; a pong timer per client only while its ping is unanswered. */
  private startHeartbeat(hb: { intervalMs: number; timeoutMs: number }): void {
    const payload = new Uint8Array(0);
    this.heartbeatTimer = setInterval(() => {
      for (const client of this.clients) {
        if (client.connection.state !== 'open' || client.pingSentAt >= 0) continue;
        client.pingSentAt = performance.now();
        client.connection.sendPing(payload);
        client.pump.flush();
        client.pongTimer = setTimeout(() => {
          client.pongTimer = null;
          this.counters.heartbeatTimeouts++;
          client.pump.terminate();
        }, hb.timeoutMs);
      }
    }, hb.intervalMs);
    this.heartbeatTimer.unref();
  }
}

function ignore(): void {}

/**
 * RFC 7230 §6.3: HTTP/1.1 persists unless the client sends "Connection: close"; HTTP/1.0 only with "keep-alive".
 * A request with a body closes: the server does not read bodies, so their bytes must not pass for a next request.
 */
function isPersistent(head: HttpHead): boolean {
  if (headerValue(head, 'content-length') !== undefined || headerValue(head, 'transfer-encoding') !== undefined) return false;
  const options = (headerValue(head, 'connection') ?? '').toLowerCase().split(',').map((o) => o.trim());
  if (options.includes('close')) return false;
  return head.version.major === 1 && (head.version.minor >= 1 || options.includes('keep-alive'));
}
