// A lean client connection for load runs: node:net/tls, the protocol's handshake and frame codec, and nothing
// else. Per-connection state is a dozen numbers and references; listeners are shared functions (the socket is found
// from `this`), events go to one host object for all connections (no EventEmitter of its own), and the frame
// decoder is shared between connections whenever no partial frame is pending. The transport is a seam: by default
// the connection's own TCP/TLS socket and the HTTP/1.1 handshake; with a stream opener on the target (--http2,
// ./h2-load-connection.ts) a stream of a shared connection whose opener does the handshake, the frames unchanged.
import { connect as netConnect, Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { concatBytes } from '../../protocol/bytes.js';
import { Opcode } from '../../protocol/constants.js';
import { decodeClosePayload } from '../../protocol/close.js';
import { FrameDecoder } from '../../protocol/frame/decoder.js';
import type { DecodedFrame } from '../../protocol/frame/frame.js';
import type { ParsedExtension } from '../../protocol/extensions/header.js';
import { buildClientRequest } from '../../protocol/handshake/client-request.js';
import { checkServerResponse } from '../../protocol/handshake/client-response.js';
import { HttpHeadParser } from '../../protocol/handshake/head-parser.js';
import { errorKind, type LoadErrorKind } from './load-errors.js';
import type { LoadHost, LoadTransport } from './load-host.js';

export { LOAD_ERROR_KINDS, type LoadErrorKind } from './load-errors.js';
export { LoadTarget, type HandshakeExtras, type LoadHost, type LoadStreamOpener, type LoadTransport } from './load-host.js';

export const ConnState = { Idle: 0, Connecting: 1, Handshaking: 2, Open: 3, Closing: 4, Closed: 5 } as const;
export type ConnState = (typeof ConnState)[keyof typeof ConnState];

const MAX_PAYLOAD = 64 * 1024 * 1024;
/**
 * Frames are decoded by one decoder shared by every connection of the process while no frame spans two reads (the
 * common case); a connection whose frame does gets a decoder of its own until that frame is complete.
 */
let sharedDecoder = new FrameDecoder({ maxPayload: MAX_PAYLOAD });
/** Plain-TCP reads land in this one buffer (net `onread`), parsed before the next read: no buffer per read. */
const readBuffer = Buffer.allocUnsafe(64 * 1024);
const OWNER = Symbol('wsprobe.loadConnection');
type OwnedSocket = Socket & { [OWNER]?: LoadConnection };

function onConnect(this: OwnedSocket): void {
  this[OWNER]?.sendHandshake();
}
function onData(this: OwnedSocket, chunk: Buffer): void {
  this[OWNER]?.receive(chunk, true);
}
function onRead(this: OwnedSocket, nread: number, buf: Buffer): boolean {
  this[OWNER]?.receive(buf.subarray(0, nread), false);
  return true;
}

/** Bytes a decoded frame took on the wire (RFC 6455 §5.2), so the unread rest of a read can be located. */
function wireLength(f: DecodedFrame): number {
  return 2 + (f.lengthForm === 16 ? 2 : f.lengthForm === 64 ? 8 : 0) + (f.masked ? 4 : 0) + f.payload.length;
}
function onError(this: OwnedSocket, err: NodeJS.ErrnoException): void {
  this[OWNER]?.socketError(err);
}
function onClose(this: OwnedSocket): void {
  this[OWNER]?.socketClosed();
}

export class LoadConnection {
  state: ConnState = ConnState.Idle;
  /** The connection's socket, or its stream's transport (LoadStreamOpener). */
  socket: LoadTransport | null = null;
  /** When the current attempt started, or when the close started (host clock, ms). */
  startedAt = 0;
  lastReceivedAt = 0;
  /** When the outstanding ping was sent; 0 when none is outstanding. */
  pingSentAt = 0;
  /**
   * When the outstanding ping's pong timeout passed with nothing at all received since the ping (0 otherwise): the
   * connection may be half-open. It gets one more pong timeout to prove otherwise (runners/load/timeouts.ts).
   */
  suspectAt = 0;
  missedPongs = 0;
  seqSent = 0;
  seqExpected = 0;
  attempts = 0;
  /** When an open connection was lost (for time-to-recover); 0 otherwise. */
  droppedAt = 0;
  private closeCode: number | null = null;
  private error: LoadErrorKind | null = null;
  private key = '';
  /** The subprotocols this connection offered (checked in the response), when they differ from the pool's. */
  private protocols: string[] | null = null;
  /** A fragmented message being reassembled (RFC 6455 §5.4); null otherwise. */
  private fragments: Uint8Array[] | null = null;
  private fragmentsText = false;
  private parser: HttpHeadParser | null = null;
  private decoder: FrameDecoder | null = null;

  constructor(
    private readonly host: LoadHost,
    /** Global index in the run. */
    readonly index: number,
    /** Position in the owning pool. */
    readonly slot: number,
  ) {}

  /**
   * Connects from `localAddress` (any when undefined) and, when given, `localPort`: binding an address with port 0
   * makes Linux search the ephemeral range on every bind, which stalls a ramp once thousands of ports are taken;
   * an explicit port binds in constant time.
   */
  open(localAddress: string | undefined, localPort?: number): void {
    const t = this.host.target;
    this.state = ConnState.Connecting;
    this.startedAt = this.host.now();
    this.closeCode = null;
    this.error = null;
    this.seqSent = 0;
    this.seqExpected = 0;
    this.pingSentAt = 0;
    this.suspectAt = 0;
    if (t.streams !== null) {
      t.streams.open(this, localAddress, localPort);
      return;
    }
    let socket: OwnedSocket;
    if (t.tls) {
      socket = tlsConnect({ ...t.tls, localAddress, localPort } as ConnectionOptions) as OwnedSocket;
      socket.once('secureConnect', onConnect);
    } else {
      socket = netConnect({ host: t.host, port: t.port, localAddress, localPort, noDelay: true, onread: { buffer: readBuffer, callback: onRead } }) as OwnedSocket;
      socket.once('connect', onConnect);
    }
    socket[OWNER] = this;
    if (t.tls) socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    this.socket = socket;
  }

  /** The opener's transport for this attempt (LoadStreamOpener). */
  useTransport(transport: LoadTransport): void {
    this.socket = transport;
  }

  sendHandshake(): void {
    const t = this.host.target;
    if (t.tls) (this.socket as Socket).setNoDelay(true);
    const extras = this.host.handshakeFor?.(this);
    let url = t.url;
    if (extras?.path !== undefined) {
      url = new URL(t.url);
      const q = extras.path.indexOf('?');
      url.pathname = q < 0 ? extras.path : extras.path.slice(0, q);
      url.search = q < 0 ? '' : extras.path.slice(q);
    }
    this.protocols = extras?.protocols ?? null;
    const { bytes, key } = buildClientRequest({
      url,
      entropy: t.request.entropy,
      headers: extras?.headers ? [...t.request.headers, ...extras.headers] : t.request.headers,
      protocols: this.protocols ?? t.request.protocols,
      origin: t.request.origin,
      extensions: t.deflate?.header,
    });
    this.key = key;
    this.parser = new HttpHeadParser();
    this.state = ConnState.Handshaking;
    this.write(bytes);
  }

  write(bytes: Uint8Array): void {
    this.host.bytesOut += bytes.length;
    this.socket!.write(bytes);
  }

  isOpen(): boolean {
    return this.state === ConnState.Open;
  }

  /** A close frame arrived on this attempt (its end is then the server's close, whatever the transport did). */
  get closeReceived(): boolean {
    return this.closeCode !== null;
  }

  sendPing(): void {
    this.pingSentAt = this.host.now();
    this.write(this.host.templates.ping);
  }

  sendMessage(intendedUs: number): void {
    this.write(this.host.templates.message(this.seqSent, intendedUs));
    this.seqSent = (this.seqSent + 1) >>> 0;
  }

  sendText(payload: Uint8Array): void {
    this.sendData(Opcode.Text, payload);
  }

  sendBinary(payload: Uint8Array): void {
    this.sendData(Opcode.Binary, payload);
  }

  /** One unfragmented data message (subclasses transform the payload: permessage-deflate). */
  protected sendData(opcode: number, payload: Uint8Array): void {
    this.write(this.host.templates.frame(opcode, payload));
  }

  /** `owned`: the chunk is ours to keep; otherwise it is the shared read buffer, valid only during this call. */
  receive(chunk: Uint8Array, owned: boolean): void {
    this.host.bytesIn += chunk.length;
    this.lastReceivedAt = this.host.now();
    if (this.state === ConnState.Handshaking) {
      // A stream opener reads the handshake itself; nothing of the tunnel comes before its response.
      if (this.parser === null) return;
      const r = this.parser.push(chunk);
      if (r.state === 'partial') return;
      this.parser = null;
      if (r.state === 'error') return this.abort('handshake', `RFC 6455 §4.1: unreadable response head: ${r.message}`);
      const check = checkServerResponse(r.head, {
        key: this.key,
        protocols: this.protocols ?? this.host.target.request.protocols,
        extensionOffers: this.host.target.deflate?.header,
      });
      if (!check.ok) {
        const kind = r.head.status !== undefined && r.head.status !== 101 ? 'handshake-status' : 'handshake';
        return this.abort(kind, `RFC 6455 §${check.rfc}: ${check.message}`);
      }
      this.key = '';
      if (this.handshakeDone(check.extensions) && r.rest.length > 0) this.frames(r.rest, owned);
      return;
    }
    if (this.state === ConnState.Open || this.state === ConnState.Closing) this.frames(chunk, owned);
  }

  /**
   * The server accepted the opening handshake (either bootstrap), with these extensions; only offered ones get this
   * far. True when the connection is open afterwards (the host may close it at once).
   */
  handshakeDone(extensions: ParsedExtension[]): boolean {
    if (extensions.length > 0) {
      const refused = this.acceptExtensions(extensions);
      if (refused !== null) {
        this.abort('handshake', refused);
        return false;
      }
    }
    this.state = ConnState.Open;
    this.host.onOpen(this, this.lastReceivedAt - this.startedAt);
    return this.state === ConnState.Open;
  }

  private frames(chunk: Uint8Array, owned: boolean): void {
    const own = this.decoder;
    const d = own ?? sharedDecoder;
    // A decoder keeps views of what it is given: a private one (mid-frame) must get bytes that stay valid.
    d.push(own !== null && !owned ? Uint8Array.prototype.slice.call(chunk) : chunk);
    let consumed = 0;
    for (;;) {
      const r = d.poll();
      if (r === null) break;
      if ('id' in r) {
        if (own === null) sharedDecoder = new FrameDecoder({ maxPayload: MAX_PAYLOAD });
        this.decoder = null;
        return this.abort('protocol', r.message);
      }
      consumed += wireLength(r);
      switch (r.opcode) {
        case Opcode.Text:
        case Opcode.Binary:
        case Opcode.Continuation:
          this.dataFrame(r, owned);
          break;
        case Opcode.Ping:
          // RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response".
          if (this.state === ConnState.Open) this.write(this.host.templates.frame(Opcode.Pong, r.payload));
          break;
        case Opcode.Pong:
          this.host.onPong(this);
          break;
        case Opcode.Close: {
          const decoded = decodeClosePayload(r.payload);
          this.closeCode = 'code' in decoded ? (decoded.code ?? 1005) : 1002;
          // RFC 6455 §5.5.1: "it MUST send a Close frame in response" unless it already sent one.
          // Then the TCP close (§7.1.1: the server closes first; our FIN follows its). A close we started has
          // already ended our side.
          if (this.state === ConnState.Open) {
            this.write(this.host.templates.close(this.closeCode === 1005 ? 1000 : this.closeCode));
            this.socket?.end();
          }
          break;
        }
        default:
          break;
      }
      if (this.state !== ConnState.Open && this.state !== ConnState.Closing) {
        if (own === null && (d.buffered > 0 || d.pendingHeader !== null)) sharedDecoder = new FrameDecoder({ maxPayload: MAX_PAYLOAD });
        return;
      }
    }
    const partial = d.buffered > 0 || d.pendingHeader !== null;
    if (own === null) {
      if (partial) {
        // A frame spans reads: this connection takes its unread bytes to a decoder of its own, and the shared
        // decoder starts afresh.
        sharedDecoder = new FrameDecoder({ maxPayload: MAX_PAYLOAD });
        const priv = new FrameDecoder({ maxPayload: MAX_PAYLOAD });
        const rest = chunk.subarray(consumed);
        priv.push(owned ? rest : Uint8Array.prototype.slice.call(rest));
        this.decoder = priv;
      }
    } else if (!partial) this.decoder = null;
  }

  /**
   * A data frame; `owned` as in receive(). An unfragmented message (the common case) is handed on as the frame's
   * payload; a fragmented one (RFC 6455 §5.4) is reassembled first.
   */
  protected dataFrame(r: DecodedFrame, owned: boolean): void {
    if (this.fragments === null) {
      if (r.opcode === Opcode.Continuation) return this.abort('protocol', 'RFC 6455 §5.4: a continuation frame with no message to continue');
      if (r.fin) return this.host.onMessage(this, r.payload, r.opcode === Opcode.Text);
      this.fragments = [owned ? r.payload : r.payload.slice()];
      this.fragmentsText = r.opcode === Opcode.Text;
      return;
    }
    if (r.opcode !== Opcode.Continuation) return this.abort('protocol', 'RFC 6455 §5.4: a new message began before the fragmented one ended');
    this.fragments.push(owned ? r.payload : r.payload.slice());
    if (!r.fin) return;
    const parts = this.fragments;
    this.fragments = null;
    this.host.onMessage(this, concatBytes(parts), this.fragmentsText);
  }

  /** The extensions the server accepted; a message when the connection must fail (RFC 6455 §9.1). */
  protected acceptExtensions(accepted: ParsedExtension[]): string | null {
    return `RFC 6455 §9.1: the server accepted ${accepted.map((e) => e.name).join(', ')}, which this connection cannot use`;
  }

  /** Starts a clean close: close frame, then FIN; the host hears onClosed when TCP is done. */
  close(code?: number, reason?: string): void {
    if (this.state === ConnState.Open) {
      this.state = ConnState.Closing;
      this.startedAt = this.host.now();
      this.write(this.host.templates.close(code, reason));
      this.socket!.end();
    } else if (this.state === ConnState.Connecting || this.state === ConnState.Handshaking) {
      this.finish();
      this.host.onClosed(this, false);
    }
  }

  /** Ends the connection at once, recording why. */
  abort(kind: LoadErrorKind, detail: string): void {
    const prev = this.state;
    if (prev === ConnState.Closed || prev === ConnState.Idle) return;
    this.error = kind;
    this.finish();
    if (prev === ConnState.Open) this.host.onDrop(this, kind === 'pong-timeout' || kind === 'silent-drop' ? kind : '1006', kind);
    else if (prev === ConnState.Closing) this.host.onClosed(this, true);
    else this.host.onFail(this, kind, detail);
  }

  /** Destroys a connection whose close did not finish in time. */
  destroy(): void {
    const prev = this.state;
    if (prev === ConnState.Closed || prev === ConnState.Idle) return;
    this.finish();
    if (prev === ConnState.Closing) this.host.onClosed(this, true);
    else if (prev === ConnState.Open) this.host.onDrop(this, '1006', null);
    else this.host.onFail(this, 'timeout', 'connect or handshake timed out');
  }

  private finish(): void {
    const socket = this.socket;
    this.detach();
    this.state = ConnState.Closed;
    socket?.destroy();
  }

  socketError(err: NodeJS.ErrnoException): void {
    this.noteError(errorKind(err));
  }

  /** Why the transport is ending, when it does not end cleanly; the first reason counts. */
  noteError(kind: LoadErrorKind): void {
    if (this.error === null) this.error = kind;
  }

  socketClosed(): void {
    const prev = this.state;
    this.detach();
    this.state = ConnState.Closed;
    if (prev === ConnState.Closing) this.host.onClosed(this, true);
    else if (prev === ConnState.Open) {
      const cause = this.closeCode !== null ? String(this.closeCode) : '1006';
      this.host.onDrop(this, cause, this.closeCode !== null ? null : (this.error ?? 'reset'));
    } else if (prev === ConnState.Connecting || prev === ConnState.Handshaking) {
      this.host.onFail(this, this.error ?? 'reset', 'the connection closed before the handshake completed');
    }
  }

  protected detach(): void {
    const s = this.socket;
    // A stream's transport is its opener's to release (in its destroy); only a socket of our own has our listeners.
    if (s instanceof Socket) {
      (s as OwnedSocket)[OWNER] = undefined;
      s.removeListener('close', onClose);
      s.removeListener('data', onData);
      // Keep an error listener: a destroyed socket may still report one.
      s.removeListener('error', onError);
      s.on('error', ignore);
    }
    this.socket = null;
    this.parser = null;
    this.decoder = null;
    this.fragments = null;
  }
}

function ignore(): void {}
