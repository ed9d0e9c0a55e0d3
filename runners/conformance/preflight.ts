// The pre-flight check: one connection and a correct opening handshake before any case runs. An unreachable
// target, a TLS failure, no answer or a non-101 answer is a setup problem (one line, exit 2), not hundreds of failed
// cases. A 101 that fails RFC 6455 §4.1's checks (a wrong Sec-WebSocket-Accept, an extension or subprotocol that was
// not offered) is the target's answer, so a finding: it is returned as `problem`, and the run grades the handshake
// cases and marks the cases that cannot open a connection as not run.
import { performance } from 'node:perf_hooks';
import { PeerConnectError, RawPeer, type RawPeerOptions } from '../../peers/raw/raw-peer.js';
import { citedMessage } from '../../suites/grade/describe.js';

export class TargetSetupError extends Error {
  override readonly name = 'TargetSetupError';
}

export interface PreflightOptions {
  url: URL;
  tls?: RawPeerOptions['tls'];
  defaults?: RawPeerOptions['defaults'];
  timeoutMs?: number;
}

/** What is wrong with the target's 101 to a correct request (the observer's rejection). */
export interface HandshakeProblem {
  id: string;
  rfc: string;
  /** One line, naming the target: "<url> answered a correct opening handshake with an invalid 101: ...". */
  message: string;
}

export interface PreflightResult {
  /** Milliseconds from connect to the answer. */
  handshakeMs: number;
  protocol: string | null;
  /** Set when the answer is a 101 that fails §4.1's checks. */
  problem?: HandshakeProblem;
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
      if (hs.status === 101 && hs.rejection) {
        const { id, rfc, message } = hs.rejection;
        const problem = { id, rfc, message: `${opts.url.href} answered a correct opening handshake with an invalid 101 (${citedMessage(rfc, message)})` };
        return { handshakeMs: hs.ms ?? performance.now() - start, protocol: null, problem };
      }
      throw new TargetSetupError(`${opts.url.href}: invalid handshake response: ${hs.rejection?.message ?? 'rejected'}`);
    }
    const protocol = hs.head ? (hs.head.headers.find(([n]) => n.toLowerCase() === 'sec-websocket-protocol')?.[1] ?? null) : null;
    await peer.close(1000, undefined, { timeoutMs: 1000 });
    return { handshakeMs: hs.ms ?? performance.now() - start, protocol };
  } finally {
    peer.destroy();
  }
}
