// What every load connection of a pool shares: the host it reports to, the prepared target, and the transport seam
// (a connection's own socket, or a stream of a shared HTTP/2 connection that a LoadStreamOpener hands out).
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import { buildDeflateOffer, type DeflateClientConfig } from '../../protocol/extensions/deflate-negotiation.js';
import type { DeflateParams } from '../../protocol/extensions/deflate-params.js';
import type { Entropy } from '../../protocol/entropy.js';
import { buildTlsConnectOptions, hostOf, portOf } from '../tls.js';
import type { FrameTemplates } from './frame-templates.js';
import type { LoadConnection } from './load-connection.js';
import type { LoadErrorKind } from './load-errors.js';

/** Where every connection reports; one object for the whole pool. */
export interface LoadHost {
  readonly target: LoadTarget;
  readonly templates: FrameTemplates;
  /** Bytes each way on the wire (handshake included). */
  bytesIn: number;
  bytesOut: number;
  now(): number;
  onOpen(c: LoadConnection, connectMs: number): void;
  /** The connection never opened. */
  onFail(c: LoadConnection, kind: LoadErrorKind, detail: string): void;
  /** An open connection ended without us asking: `cause` is the close code received, or '1006' for a TCP loss. */
  onDrop(c: LoadConnection, cause: string, error: LoadErrorKind | null): void;
  /** A close we started has finished; `wasOpen` false when it was still connecting. */
  onClosed(c: LoadConnection, wasOpen: boolean): void;
  onPong(c: LoadConnection): void;
  onMessage(c: LoadConnection, payload: Uint8Array, text: boolean): void;
  /** Scenario roles: the handshake of `c` asks for this path and these headers and subprotocols instead. */
  handshakeFor?(c: LoadConnection): HandshakeExtras | undefined;
}

/**
 * What a connection writes to and ends: its own socket, or a stream of a shared HTTP/2 connection. `end` is the
 * orderly end of our side (FIN, END_STREAM), `destroy` the abort (RST, RST_STREAM): RFC 8441 §5 maps one onto the
 * other.
 */
export interface LoadTransport {
  readonly writableLength: number;
  write(bytes: Uint8Array): unknown;
  end(): unknown;
  destroy(): unknown;
}

/**
 * Opens connections as streams of connections it shares between them (HTTP/2). It gives each a transport
 * (`useTransport`), makes the opening handshake itself, and reports back through `handshakeDone`, `abort`,
 * `receive`, `noteError` and `socketClosed`, as the socket listeners do for a connection of its own.
 */
export interface LoadStreamOpener {
  open(c: LoadConnection, localAddress: string | undefined, localPort: number | undefined): void;
}

/** Per-connection handshake extras (scenario roles): path+query, added headers, offered subprotocols. */
export interface HandshakeExtras {
  path?: string;
  headers?: [string, string][];
  protocols?: string[];
}

/** Everything needed to reach a target, prepared once per pool. */
export class LoadTarget {
  readonly host: string;
  readonly port: number;
  readonly tls: ConnectionOptions | null;
  /** The permessage-deflate offer (RFC 7692 §7.1) every handshake carries; null: nothing offered. */
  readonly deflate: { offer: DeflateParams; header: string } | null;
  /** Set for --http2: connections are streams this opener multiplexes; null: each has a TCP/TLS socket. */
  streams: LoadStreamOpener | null = null;
  constructor(
    readonly url: URL,
    readonly request: { headers: [string, string][]; protocols: string[]; origin?: string; entropy: Entropy; deflate?: DeflateClientConfig },
    tls: { insecure?: boolean; ca?: string } = {},
  ) {
    this.host = hostOf(url);
    this.port = portOf(url);
    this.deflate = request.deflate ? buildDeflateOffer(request.deflate) : null;
    if (url.protocol === 'wss:') {
      // One secure context for the pool: a CA given per connection would build a context per connection.
      const { ca, ...rest } = buildTlsConnectOptions(url, tls);
      this.tls = { ...rest, secureContext: createSecureContext(ca !== undefined ? { ca } : {}) };
    } else this.tls = null;
  }
}
