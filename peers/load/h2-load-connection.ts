// Load connections whose transport is a stream of a shared HTTP/2 connection (RFC 8441, `wsprobe load --http2`).
// One pool per worker: each WebSocket goes to the first HTTP/2 session with room (./session-packer.ts), else a new
// session opens (h2c by prior knowledge for ws://, h2 by ALPN for wss://). A stream starts only after the session's
// SETTINGS carried SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 8441 §3); its Extended CONNECT response is checked by
// protocol/h2 and from then on LoadConnection frames it exactly as over TCP. Stream ends map as RFC 8441 §5 says:
// our close is the close frame then END_STREAM, our abort RST_STREAM(CANCEL); a RST_STREAM from the server drops
// the WebSocket ('reset'), and a session that dies drops all its streams ('session-lost', counted).
import type { Settings } from 'node:http2';
import { transportEndOf } from '../../protocol/h2/close.js';
import { buildH2Request, checkH2Response } from '../../protocol/h2/client-request.js';
import { headerListToObject } from '../../protocol/h2/headers.js';
import { checkExtendedConnectAllowed } from '../../protocol/h2/settings.js';
import { ConnState, type LoadConnection } from './load-connection.js';
import type { LoadErrorKind } from './load-errors.js';
import type { HandshakeExtras, LoadHost, LoadStreamOpener } from './load-host.js';
import { H2Session, H2Stream } from './h2-session.js';
import { SessionPacker } from './session-packer.js';

/** RFC 7540 §6.5.2: no limit unless the server sends one; Node reports an absent setting as 2^32 - 1. */
const UNLIMITED = 2 ** 32 - 1;
const MAX_NOTES = 8;

/** A worker's HTTP/2 figures: counts since the start, gauges now, and one-line notes of what went wrong. */
export interface H2Figures {
  /** Sessions whose SETTINGS allowed Extended CONNECT. */
  sessionsOpened: number;
  /** Sessions that allowed it and then ended without our asking. */
  sessionsLost: number;
  /** Open WebSockets the server reset (RST_STREAM) on a session that lived on. */
  streamsReset: number;
  /** Open WebSockets dropped because their session ended (GOAWAY or lost). */
  streamsLost: number;
  sessionsOpen: number;
  /** Most WebSockets open on one session at once. */
  maxStreamsPerSession: number;
  /** Most WebSockets open at once, and the sessions carrying them at that moment. */
  peakStreams: number;
  sessionsAtPeak: number;
  /** --streams-per-connection after the server's limit. */
  streamLimit: number;
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS, when it sent one. */
  maxConcurrentStreams?: number;
  notes: string[];
}

/** The HTTP/2 sessions of one worker, and the stream opener its LoadConnections use. */
export class H2SessionPool implements LoadStreamOpener {
  private readonly packer: SessionPacker;
  private readonly sessions: H2Session[] = [];
  /** The Extended CONNECT header block (RFC 8441 §4) every stream sends, unless a scenario role asks otherwise. */
  private readonly request: Record<string, string | string[]> | Error;
  private streamsOpen = 0;
  private carrying = 0;
  private readonly counts = { sessionsOpened: 0, sessionsLost: 0, streamsReset: 0, streamsLost: 0, sessionsOpen: 0, maxStreamsPerSession: 0, peakStreams: 0, sessionsAtPeak: 0 };
  private maxConcurrentStreams: number | undefined;
  private readonly notes: string[] = [];

  constructor(
    readonly host: LoadHost,
    readonly streamsPerConnection: number,
  ) {
    this.packer = new SessionPacker(streamsPerConnection);
    this.request = this.buildRequest(undefined);
  }

  open(c: LoadConnection, localAddress: string | undefined, localPort: number | undefined): void {
    if (this.request instanceof Error) return c.abort('handshake', this.request.message);
    const t = new H2Stream(c, null);
    c.useTransport(t);
    this.place(t, localAddress, localPort);
  }

  /** Ends every session (the run is over; the WebSockets on them are closed or dropped already). */
  close(): void {
    for (const s of this.sessions) {
      if (s.dead) continue;
      s.closedByUs = true;
      s.session.close();
      setTimeout(() => s.session.destroy(), 1000).unref();
    }
  }

  figures(): H2Figures {
    const f: H2Figures = { ...this.counts, streamLimit: this.packer.limit, notes: [...this.notes] };
    if (this.maxConcurrentStreams !== undefined) f.maxConcurrentStreams = this.maxConcurrentStreams;
    return f;
  }

  // ---- from the streams and sessions ----

  /** The Extended CONNECT response (RFC 8441 §5): a 2xx without Sec-WebSocket-Accept, then the tunnel is open. */
  response(t: H2Stream, headers: [string, string][]): void {
    const c = t.conn;
    const s = t.session!;
    c.lastReceivedAt = this.host.now();
    const target = this.host.target;
    const check = checkH2Response(headers, { protocols: t.protocols ?? target.request.protocols, extensionOffers: target.deflate?.header });
    if (!check.ok) {
      this.note(`the target refused the Extended CONNECT (RFC 8441 §5): ${check.message}`);
      return c.abort(check.id === 'unexpected-status' ? 'handshake-status' : 'handshake', check.message);
    }
    if (!c.handshakeDone(check.extensions) || t.session !== s || t.stream === null) return;
    t.open = true;
    s.openStreams += 1;
    if (s.openStreams === 1) this.carrying += 1;
    this.streamsOpen += 1;
    const k = this.counts;
    if (s.openStreams > k.maxStreamsPerSession) k.maxStreamsPerSession = s.openStreams;
    if (this.streamsOpen > k.peakStreams) {
      k.peakStreams = this.streamsOpen;
      k.sessionsAtPeak = this.carrying;
    }
  }

  /** A stream of ours closed (our own aborts are not reported here: cancel() detaches first). */
  streamClosed(t: H2Stream, rstCode: number | null): void {
    const s = t.session!;
    t.stream = null;
    t.reset = transportEndOf({ endStream: t.endStream, rstCode: s.lost ? null : rstCode }) === 'reset';
    this.release(t);
    const c = t.conn;
    if (c.state === ConnState.Open && !c.closeReceived) {
      // Ended without a close frame: a drop. Whether the session went with it is known a moment later (Node reports
      // a dying session's GOAWAY and close after the streams' ends), so drops are judged once per session.
      s.dropping.push(t);
      if (s.dropping.length === 1) setImmediate(() => this.judgeDrops(s));
      return;
    }
    if (c.state === ConnState.Connecting || c.state === ConnState.Handshaking) c.noteError(s.lost ? (s.errorKind ?? 'session-lost') : 'reset');
    c.socketClosed();
  }

  /** The server's SETTINGS (the first makes the session ready; RFC 7540 §3.5 makes it the server's first frame). */
  settings(s: H2Session, settings: Settings): void {
    if (s.dead) return;
    const max = settings.maxConcurrentStreams;
    if (max !== undefined && max < UNLIMITED) {
      this.maxConcurrentStreams = Math.min(max, this.maxConcurrentStreams ?? max);
      if (max === 0) return this.fail(s, 'handshake', 'the server allows no streams (SETTINGS_MAX_CONCURRENT_STREAMS = 0)');
      if (max < this.packer.limit) {
        this.note(`the server allows ${max} streams per HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS, RFC 7540 §6.5.2): --streams-per-connection ${this.streamsPerConnection} lowered to ${max}`);
        this.packer.lowerLimit(max);
      }
    }
    if (s.ready) return;
    const allowed = checkExtendedConnectAllowed(settings);
    if (!allowed.ok) return this.fail(s, 'handshake', `${allowed.message}, so no WebSocket can open over HTTP/2 on this target`);
    s.ready = true;
    this.counts.sessionsOpened += 1;
    this.counts.sessionsOpen += 1;
    const waiting = s.waiting;
    s.waiting = [];
    // Placed while the limit was not yet known: those beyond it move to another session.
    waiting.forEach((t, i) => (i < this.packer.limit ? this.start(t, s) : this.move(t)));
  }

  retire(s: H2Session): void {
    this.packer.retire(s.slot);
  }

  /** The session cannot carry WebSockets: those waiting on it fail with `kind`, and it is closed. */
  fail(s: H2Session, kind: LoadErrorKind, detail: string): void {
    if (!s.ready) this.note(detail);
    if (s.errorKind === null) {
      s.errorKind = kind;
      s.errorDetail = detail;
    }
    s.closedByUs = !s.ready;
    this.retire(s);
    this.failWaiting(s);
    s.session.destroy();
  }

  sessionClosed(s: H2Session): void {
    if (s.dead) return;
    s.dead = true;
    this.retire(s);
    if (s.ready) {
      this.counts.sessionsOpen -= 1;
      if (!s.closedByUs) this.counts.sessionsLost += 1;
    } else if (!s.closedByUs && s.errorKind === 'handshake') this.note(`the connection to ${this.host.target.url.host} failed: ${s.errorDetail}`);
    this.failWaiting(s);
  }

  /** Our abort of a WebSocket (LoadConnection.finish): RST_STREAM(CANCEL) when its stream exists. */
  cancel(t: H2Stream): void {
    const s = t.session;
    if (t.stream !== null) t.cancelStream();
    else if (s !== null) {
      const i = s.waiting.indexOf(t);
      if (i >= 0) s.waiting.splice(i, 1);
    }
    this.release(t);
    // A session that never became ready and no longer has anything to carry (its streams timed out) is dropped.
    if (s !== null && !s.ready && !s.dead && this.packer.loadOf(s.slot) === 0) {
      s.closedByUs = true;
      this.retire(s);
      s.session.destroy();
    }
  }

  // ---- placement ----

  private place(t: H2Stream, localAddress?: string, localPort?: number): void {
    const { slot, fresh } = this.packer.place();
    if (fresh) this.sessions[slot] = new H2Session(this, slot, localAddress, localPort);
    const s = this.sessions[slot]!;
    t.session = s;
    if (s.ready) this.start(t, s);
    else s.waiting.push(t);
  }

  /** To another session (or a new one). */
  private move(t: H2Stream): void {
    this.release(t);
    this.place(t);
  }

  /** Sends the Extended CONNECT on a new stream of a ready session. */
  private start(t: H2Stream, s: H2Session): void {
    const c = t.conn;
    const extras = this.host.handshakeFor?.(c);
    const headers = extras === undefined ? this.request : this.buildRequest(extras);
    if (headers instanceof Error) return c.abort('handshake', headers.message);
    t.protocols = extras?.protocols ?? null;
    try {
      t.attach(s.session.request(headers, { endStream: false }));
    } catch {
      // The session stopped taking streams since it was picked (GOAWAY, or its stream ids ran out).
      this.retire(s);
      return this.move(t);
    }
    c.state = ConnState.Handshaking;
  }

  private release(t: H2Stream): void {
    const s = t.session;
    if (s === null) return;
    t.session = null;
    this.packer.release(s.slot);
    if (!t.open) return;
    t.open = false;
    s.openStreams -= 1;
    if (s.openStreams === 0) this.carrying -= 1;
    this.streamsOpen -= 1;
  }

  private failWaiting(s: H2Session): void {
    const waiting = s.waiting;
    s.waiting = [];
    const kind = s.errorKind ?? (s.ready ? 'session-lost' : 'reset');
    const detail = s.errorDetail || 'the HTTP/2 connection closed before its SETTINGS';
    for (const t of waiting) {
      this.release(t);
      t.conn.abort(kind, detail);
    }
  }

  /** Streams of `s` that ended without a close frame: lost with their session, or reset alone. */
  private judgeDrops(s: H2Session): void {
    const lost = s.lost;
    const list = s.dropping;
    s.dropping = [];
    for (const t of list) {
      const c = t.conn;
      if (c.socket !== t) continue;
      if (c.state === ConnState.Open) {
        if (lost) this.counts.streamsLost += 1;
        else if (t.reset) this.counts.streamsReset += 1;
        c.noteError(lost ? 'session-lost' : 'reset');
      }
      c.socketClosed();
    }
  }

  private buildRequest(extras: HandshakeExtras | undefined): Record<string, string | string[]> | Error {
    const t = this.host.target;
    let url = t.url;
    if (extras?.path !== undefined) {
      const q = extras.path.indexOf('?');
      url = new URL(t.url);
      url.pathname = q < 0 ? extras.path : extras.path.slice(0, q);
      url.search = q < 0 ? '' : extras.path.slice(q);
    }
    try {
      return headerListToObject(
        buildH2Request({
          url,
          origin: t.request.origin,
          protocols: extras?.protocols ?? t.request.protocols,
          extensions: t.deflate?.header,
          headers: extras?.headers ? [...t.request.headers, ...extras.headers] : t.request.headers,
        }),
      );
    } catch (err) {
      return err as Error;
    }
  }

  private note(message: string): void {
    if (this.notes.length < MAX_NOTES && !this.notes.includes(message)) this.notes.push(message);
  }
}
