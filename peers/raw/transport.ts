// How a run reaches its target: a new TCP (or TLS) connection per peer with the HTTP/1.1 handshake, or a new stream
// per peer on one shared HTTP/2 connection with the Extended CONNECT (RFC 8441; h2 by ALPN for wss:, h2c by prior
// knowledge for ws:). Runners ask the transport for peers and never care which it is: every peer is a
// ClientSession, observed by the same Observer.
import { ClientSession, type ClientSessionOptions } from './client-session.js';
import { H2ConnectionPool, type H2Connection } from './h2-connection.js';
import { H2Peer } from './h2-peer.js';
import { RawPeer, type RawPeerOptions } from './raw-peer.js';

export type TransportKind = 'tcp' | 'h2' | 'h2c';

/** What a peer is opened with, besides the target: the per-case budget, seed and recording limits. */
export type PeerOpenOptions = Omit<ClientSessionOptions, 'url'> & Pick<RawPeerOptions, 'connectTimeoutMs'>;

export interface PeerTransport {
  readonly kind: TransportKind;
  readonly url: URL;
  /** A peer for one connection's worth of work. Rejects with PeerConnectError when the target cannot be reached. */
  connect(opts: PeerOpenOptions): Promise<ClientSession>;
  /** Another peer beside `peer`: over HTTP/2 a stream on the same connection (even a dying one), over TCP a new one. */
  connectBeside(peer: ClientSession, opts: PeerOpenOptions): Promise<ClientSession>;
  /** Closes what the transport holds open (the shared HTTP/2 connection). */
  close(): Promise<void>;
}

export interface TransportOptions {
  url: URL;
  tls?: RawPeerOptions['tls'];
  /** Use HTTP/2 (RFC 8441): h2 for wss:, h2c for ws:. */
  http2?: boolean;
}

export function transportKind(url: URL, http2: boolean | undefined): TransportKind {
  if (http2 !== true) return 'tcp';
  return url.protocol === 'wss:' || url.protocol === 'https:' ? 'h2' : 'h2c';
}

export function openTransport(opts: TransportOptions): PeerTransport {
  const kind = transportKind(opts.url, opts.http2);
  if (kind === 'tcp') {
    const connect = (o: PeerOpenOptions): Promise<ClientSession> => RawPeer.connect({ ...o, url: opts.url, ...(opts.tls ? { tls: opts.tls } : {}) });
    return { kind, url: opts.url, connect, connectBeside: (_peer, o) => connect(o), close: () => Promise.resolve() };
  }
  const pool = new H2ConnectionPool({ url: opts.url, ...(opts.tls ? { tls: opts.tls } : {}) });
  const open = (connection: H2Connection, o: PeerOpenOptions): H2Peer => H2Peer.open({ ...o, url: opts.url, connection });
  return {
    kind,
    url: opts.url,
    connect: async (o) => open(await pool.get(), o),
    connectBeside: async (peer, o) => (peer instanceof H2Peer ? open(peer.connection, o) : open(await pool.get(), o)),
    close: () => pool.close(),
  };
}
