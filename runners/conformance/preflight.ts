// The pre-flight check: one connection and a correct opening handshake before any case runs. An unreachable
// target, a TLS failure or a non-101 answer is a setup problem (one line, exit 2), not hundreds of failed cases.
import { performance } from 'node:perf_hooks';
import { PeerConnectError, RawPeer, type RawPeerOptions } from '../../peers/raw/raw-peer.js';

export class TargetSetupError extends Error {
  override readonly name = 'TargetSetupError';
}

export interface PreflightOptions {
  url: URL;
  tls?: RawPeerOptions['tls'];
  defaults?: RawPeerOptions['defaults'];
  timeoutMs?: number;
}

export interface PreflightResult {
  /** Milliseconds from connect to the 101. */
  handshakeMs: number;
  protocol: string | null;
}

export async function preflight(opts: PreflightOptions): Promise<PreflightResult> {
  const start = performance.now();
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let peer: RawPeer;
  try {
    peer = await RawPeer.connect({ url: opts.url, tls: opts.tls, defaults: opts.defaults, deadline: start + timeoutMs, closeReserveMs: 0 });
  } catch (err) {
    if (err instanceof PeerConnectError) {
      const hint = err.kind === 'tls' ? ' (use --ca FILE for a private CA, or --insecure for a test target)' : '';
      throw new TargetSetupError(`cannot reach ${opts.url.href}: ${err.message}${hint}`);
    }
    throw err;
  }
  try {
    const hs = await peer.handshake();
    if (!hs.ok) {
      if (hs.status !== undefined && hs.status !== 101) {
        throw new TargetSetupError(`${opts.url.href} answered a correct WebSocket handshake with HTTP ${hs.status}${hs.head?.statusText ? ` ${hs.head.statusText}` : ''}, not 101`);
      }
      if (hs.failure !== undefined) throw new TargetSetupError(`${opts.url.href}: no handshake response (${hs.failure}${hs.detail ? `: ${hs.detail}` : ''})`);
      throw new TargetSetupError(`${opts.url.href}: invalid handshake response: ${hs.rejection?.message ?? 'rejected'}`);
    }
    const protocol = hs.head ? (hs.head.headers.find(([n]) => n.toLowerCase() === 'sec-websocket-protocol')?.[1] ?? null) : null;
    await peer.close(1000, undefined, { timeoutMs: 2000 });
    return { handshakeMs: hs.ms ?? performance.now() - start, protocol };
  } finally {
    peer.destroy();
  }
}
