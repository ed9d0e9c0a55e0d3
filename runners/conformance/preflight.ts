// The pre-flight check: one connection and a correct opening handshake before any case runs. An unreachable
// target, a TLS failure, no answer or a refusal is a setup problem (one line, exit 2), not hundreds of failed
// cases. An answer that opens the connection but fails the client's checks (over HTTP/1.1 a 101 with a wrong
// Sec-WebSocket-Accept, an extension or subprotocol that was not offered; over HTTP/2 a 200 that breaks RFC 8441
// §5, a stream reset where the response should be, no SETTINGS_ENABLE_CONNECT_PROTOCOL) is the target's answer,
// so a finding: it is returned as `problem`, and the run grades the handshake cases and marks the cases that
// cannot open a connection as not run.
import { performance } from 'node:perf_hooks';
import type { ClientSession } from '../../peers/raw/client-session.js';
import { PeerConnectError, type RawPeerOptions } from '../../peers/raw/raw-peer.js';
import { openTransport, type PeerTransport } from '../../peers/raw/transport.js';
import { h2ClientRejection } from '../../protocol/h2/rejections.js';
import { citedMessage } from '../../suites/grade/describe.js';

export class TargetSetupError extends Error {
  override readonly name = 'TargetSetupError';
}

export interface PreflightOptions {
  url: URL;
  tls?: RawPeerOptions['tls'];
  defaults?: RawPeerOptions['defaults'];
  /** Default: a new TCP (TLS) connection per peer. */
  transport?: PeerTransport;
  timeoutMs?: number;
}

/** What is wrong with the target's answer to a correct request (the observer's rejection). */
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
  /** Set when the answer opens the connection but fails the client's checks. */
  problem?: HandshakeProblem;
}

export async function preflight(opts: PreflightOptions): Promise<PreflightResult> {
  const start = performance.now();
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const transport = opts.transport ?? openTransport({ url: opts.url, tls: opts.tls });
  const h2 = transport.kind !== 'tcp';
  const via = h2 ? ` over HTTP/2 (${transport.kind})` : '';
  let peer: ClientSession;
  try {
    peer = await transport.connect({ defaults: opts.defaults, deadline: start + timeoutMs, closeReserveMs: 0 });
  } catch (err) {
    if (err instanceof PeerConnectError) {
      const hint = err.kind === 'tls' ? ' (use --ca FILE for a private CA, or --insecure for a test target)' : '';
      throw new TargetSetupError(`cannot reach ${opts.url.href}${via}: ${err.message}${hint}`);
    }
    throw err;
  }
  const open = h2 ? 200 : 101;
  const problem = (id: string, rfc: string, what: string): PreflightResult => ({ handshakeMs: performance.now() - start, protocol: null, problem: { id, rfc, message: `${opts.url.href} ${what}` } });
  try {
    if (h2 && peer.http2?.enableConnectProtocol !== true) {
      // RFC 8441 §3: without the setting no client may send an Extended CONNECT; the http2.settings case says more.
      const r = h2ClientRejection('connect-protocol-not-enabled');
      return problem(r.id, r.rfc, `did not send SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (${r.message}), so no WebSocket opens over HTTP/2`);
    }
    const hs = await peer.handshake();
    if (!hs.ok) {
      if (hs.status !== undefined && hs.status !== open) {
        const text = hs.head?.statusText ? ` ${hs.head.statusText}` : '';
        throw new TargetSetupError(`${opts.url.href} answered a correct WebSocket handshake${via} with HTTP ${hs.status}${text}, not ${open}`);
      }
      if (hs.status === open && hs.rejection) {
        const { id, rfc, message } = hs.rejection;
        return problem(id, rfc, `answered a correct opening handshake${via} with an invalid ${open} (${citedMessage(rfc, message)})`);
      }
      // A stream reset where the response should be: the target's answer at the HTTP/2 level (node:http2 resets
      // a malformed response, a 101 among them, RFC 7540 §8.1.1), so a finding too.
      if (h2 && hs.rejection?.id === 'reset-before-response') return problem(hs.rejection.id, hs.rejection.rfc, `reset the stream of a correct Extended CONNECT (${hs.rejection.message})`);
      if (hs.failure !== undefined) throw new TargetSetupError(`${opts.url.href}: no handshake response${via} (${hs.failure}${hs.detail ? `: ${hs.detail}` : ''})`);
      throw new TargetSetupError(`${opts.url.href}: invalid handshake response${via}: ${hs.rejection?.message ?? 'rejected'}`);
    }
    const protocol = hs.head ? (hs.head.headers.find(([n]) => n.toLowerCase() === 'sec-websocket-protocol')?.[1] ?? null) : null;
    await peer.close(1000, undefined, { timeoutMs: 1000 });
    return { handshakeMs: hs.ms ?? performance.now() - start, protocol };
  } finally {
    peer.destroy();
    if (opts.transport === undefined) await transport.close();
  }
}
