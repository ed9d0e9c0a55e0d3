// The reference server's HTTP/2 side (RFC 8441): connections the listener hands over (h2 chosen by ALPN, or h2c
// recognised by the connection preface) are served by one node:http2 server that is never listened on itself. It
// advertises SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, checks each stream's Extended CONNECT with protocol/h2, answers
// 200 or the refusal, and hands accepted streams to the same Connection and pump as HTTP/1.1 connections.
import { constants as h2c, createServer as createH2Server, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { MessageExtension } from '../../protocol/extensions/extension.js';
import type { HttpHead } from '../../protocol/handshake/head-parser.js';
import { headerListFromObject, headerListFromRaw, headerListToObject, type H2HeaderList } from '../../protocol/h2/headers.js';
import { buildH2Rejection, buildH2Response, checkH2Request, type H2RequestPolicy } from '../../protocol/h2/server-request.js';
import { asPumpSocket } from '../client/h2.js';
import { negotiateServerExtensions, type ServerDeflateOptions } from './deflate.js';
import type { StatCounters } from './stats.js';

/**
 * RFC 7540 §3.5: the client connection preface is "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n". Its first part reads as an
 * HTTP/1.x request head with no header fields, which is how the HTTP/1.1 head parser meets it.
 */
const PREFACE_HEAD = Buffer.from('PRI * HTTP/2.0\r\n\r\n', 'latin1');

/** True when a parsed request head is the start of the HTTP/2 connection preface (h2c with prior knowledge). */
export function isH2PrefaceHead(head: HttpHead): boolean {
  return head.method === 'PRI' && head.target === '*' && head.version.major === 2 && head.version.minor === 0 && head.headers.length === 0;
}

export interface H2GatewayOptions {
  policy: H2RequestPolicy;
  /** permessage-deflate parameters, or false; negotiated exactly as over HTTP/1.1. */
  deflate: ServerDeflateOptions | false;
  maxPayload: number;
  /** A connection that opens no stream within this time is dropped. */
  handshakeTimeoutMs: number;
  counters: Pick<StatCounters, 'rejectedHandshakes' | 'handshakeTimeouts'>;
  /** Runs an accepted WebSocket: the stream (as the pump's socket, see asPumpSocket) and its extensions. */
  open(socket: Socket, extensions: MessageExtension[]): void;
}

export class H2Gateway {
  private readonly server: Http2Server;
  private readonly sessions = new Set<ServerHttp2Session>();
  private closing = false;

  constructor(private readonly opts: H2GatewayOptions) {
    this.server = createH2Server({ settings: { enableConnectProtocol: true } });
    this.server.on('session', (session) => this.onSession(session));
    this.server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, raw?: string[]) => {
      try {
        this.onStream(stream, raw !== undefined ? headerListFromRaw(raw) : headerListFromObject(headers));
      } catch {
        // Whatever a client sends, a bug it finds costs its own stream only.
        stream.destroy();
      }
    });
  }

  /**
   * Serves HTTP/2 on a connection. `afterPrefaceHead`: for h2c, what followed the preface's first part, which the
   * HTTP/1.1 head parser has consumed; both go back in front of the socket's data for the HTTP/2 session to read.
   */
  adopt(socket: Socket, afterPrefaceHead?: Uint8Array): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (afterPrefaceHead !== undefined) {
      socket.pause();
      socket.unshift(Buffer.concat([PREFACE_HEAD, afterPrefaceHead]));
    }
    this.server.emit('connection', socket);
  }

  /**
   * GOAWAY on every connection (no new streams), then waits for their streams to end; the WebSockets on them get
   * their 1001 from the server's shutdown like any other. After deadlineMs the connections are dropped.
   */
  async close(deadlineMs: number): Promise<void> {
    this.closing = true;
    const closed = [...this.sessions].map(
      (session) =>
        new Promise<void>((resolve) => {
          if (session.destroyed) return resolve();
          session.once('close', () => resolve());
          if (!session.closed) session.close();
        }),
    );
    const timer = setTimeout(() => {
      for (const session of this.sessions) session.destroy();
    }, deadlineMs);
    await Promise.all(closed);
    clearTimeout(timer);
  }

  private onSession(session: ServerHttp2Session): void {
    this.sessions.add(session);
    // A session error (a peer breaking HTTP/2 itself) ends that session only; nghttp2 has sent its GOAWAY.
    session.on('error', () => {});
    const timer = setTimeout(() => {
      this.opts.counters.handshakeTimeouts++;
      session.destroy();
    }, this.opts.handshakeTimeoutMs);
    session.once('stream', () => clearTimeout(timer));
    session.once('close', () => {
      clearTimeout(timer);
      this.sessions.delete(session);
    });
  }

  private onStream(stream: ServerHttp2Stream, list: H2HeaderList): void {
    // A stream the peer resets must not take the server down; the pump adds its own listener.
    stream.on('error', () => {});
    if (this.closing) {
      stream.close(h2c.NGHTTP2_REFUSED_STREAM);
      return;
    }
    const check = checkH2Request(list, this.opts.policy);
    if (!check.ok) {
      this.opts.counters.rejectedHandshakes++;
      const refusal = buildH2Rejection(check);
      // Node closes the stream once the refusal is sent, with RST_STREAM(NO_ERROR) if the client is still sending:
      // RFC 7540 §8.1's way to stop a request the server has answered.
      stream.respond(headerListToObject(refusal.headers));
      stream.end(refusal.body);
      return;
    }
    const negotiated = negotiateServerExtensions(check.extensionOffers, this.opts.deflate, this.opts.maxPayload);
    stream.respond(headerListToObject(buildH2Response({ protocol: check.protocol, extensions: negotiated.response })));
    this.opts.open(asPumpSocket(stream), negotiated.extensions);
  }
}
