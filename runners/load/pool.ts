// What one worker's pool is built from: the target and the frame templates every connection shares, prepared once
// from the profile, one connection per index of the worker's share, and with --http2 the HTTP/2 sessions they share.
import type { Entropy } from '../../protocol/entropy.js';
import { FrameTemplates } from '../../peers/load/frame-templates.js';
import { LoadConnection, LoadTarget } from '../../peers/load/load-connection.js';
import { DeflateLoadConnection, type DeflateLoadHost } from '../../peers/load/deflate-load-connection.js';
import { H2SessionPool } from '../../peers/load/h2-load-connection.js';
import type { LoadProfile } from './profile.js';
import { indexAt, type IndexShare } from './share.js';

export function loadTargetOf(p: LoadProfile, entropy: Entropy): LoadTarget {
  return new LoadTarget(
    new URL(p.url),
    {
      headers: p.headers,
      protocols: p.protocols,
      origin: p.origin,
      entropy,
      // client_max_window_bits offered without a value: the server may pick a smaller window for us (§7.1.2.2).
      deflate: p.deflate
        ? { clientMaxWindowBits: true, clientNoContextTakeover: p.deflate.noContextTakeover, serverNoContextTakeover: p.deflate.noContextTakeover }
        : undefined,
    },
    { insecure: p.insecure, ca: p.caPem },
  );
}

export function frameTemplatesOf(p: LoadProfile, entropy: Entropy): FrameTemplates {
  return new FrameTemplates(
    { size: p.messageSize, binary: p.binary, body: p.payloadBase64 ? Buffer.from(p.payloadBase64, 'base64') : undefined },
    entropy,
  );
}

/** With --http2: the worker's HTTP/2 sessions, which then open every connection of the pool as a stream. */
export function h2PoolOf(host: DeflateLoadHost, p: LoadProfile): H2SessionPool | null {
  if (!p.http2) return null;
  const pool = new H2SessionPool(host, p.http2.streamsPerConnection);
  host.target.streams = pool;
  return pool;
}

/** `count` connections, slot k holding the share's k-th global index. */
export function newPool(host: DeflateLoadHost, p: LoadProfile, share: IndexShare, count: number): LoadConnection[] {
  // Without --deflate the pool is plain LoadConnections: no deflate state, no extra fields.
  return p.deflate
    ? Array.from({ length: count }, (_, k) => new DeflateLoadConnection(host, indexAt(share, k), k))
    : Array.from({ length: count }, (_, k) => new LoadConnection(host, indexAt(share, k), k));
}
