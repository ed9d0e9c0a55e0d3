// How bytes go onto the wire (the chopping of a byte stream into writes) and how a failed connect is named.
import { concatBytes } from '../../protocol/bytes.js';
import type { Chop } from './peer.js';

/** Splits the parts of one send into writes as `chop` says ('frame' is handled by the caller, frame by frame). */
export function chunksFor(parts: Uint8Array[], chop: Chop): Uint8Array[] {
  if (typeof chop === 'function') return chop(parts);
  if (chop === 'whole' || chop === 'frame') return parts.length === 1 ? parts : [concatBytes(parts)];
  const size = chop === 'byte' ? 1 : Math.max(1, Math.floor(chop));
  const all = parts.length === 1 ? parts[0]! : concatBytes(parts);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < all.length; i += size) chunks.push(all.subarray(i, Math.min(all.length, i + size)));
  return chunks;
}

export type PeerConnectErrorKind = 'refused' | 'timeout' | 'tls' | 'dns' | 'error';

export class PeerConnectError extends Error {
  override readonly name = 'PeerConnectError';
  constructor(
    readonly kind: PeerConnectErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export function connectErrorKind(err: NodeJS.ErrnoException): PeerConnectErrorKind {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /certificate|SSL|TLS|self[- ]signed/i.test(`${code} ${err.message}`)) {
    return 'tls';
  }
  return 'error';
}
