// The raw peer: a WebSocket client that sends anything (correct or corrupted handshakes, illegal frames, bytes in
// any chunking, with pauses) and records everything the target does, without enforcing any rule on it. It is a thin
// socket shell: bytes the target sends go to the Observer (observer.ts), which decodes and checks them; this class
// owns only the TCP or TLS socket and the HTTP/1.1 opening handshake (client-session.ts has the rest of the client's
// part, wire-session.ts the writes and waits; h2-peer.ts is the same client on an HTTP/2 stream, RFC 8441).
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { concatBytes } from '../../protocol/bytes.js';
import { cryptoEntropy } from '../../protocol/entropy.js';
import { buildTlsConnectOptions, hostOf, portOf } from '../tls.js';
import { ClientSession, type ClientSessionOptions } from './client-session.js';
import { buildHandshakeRequest } from './handshake-request.js';
import type { HandshakeOutcome, HandshakeSpec } from './peer.js';
import { connectErrorKind, PeerConnectError } from './send-plan.js';

export type { Peer } from './peer.js';
export { PeerConnectError, type PeerConnectErrorKind } from './send-plan.js';
export type { RawPeerLimits } from './client-session.js';

export interface RawPeerOptions extends ClientSessionOptions {
  tls?: { ca?: string | Buffer; caFile?: string; insecure?: boolean; servername?: string };
  /** TCP (+ TLS) connect timeout. Default: the time to the deadline, at most 10 s. */
  connectTimeoutMs?: number;
}

export class RawPeer extends ClientSession<net.Socket> {
  private constructor(socket: net.Socket, url: URL, opts: RawPeerOptions, t0: number, deadline: number) {
    super({ socket, entropy: opts.entropy ?? cryptoEntropy(), startedAt: t0, deadline, closeReserveMs: opts.closeReserveMs, limits: opts.limits, role: 'client' }, url, opts);
    this.listen();
  }

  /** Opens TCP (ws:) or TLS (wss:) to the URL's host and port. Rejects with PeerConnectError. */
  static connect(opts: RawPeerOptions): Promise<RawPeer> {
    const url = typeof opts.url === 'string' ? new URL(opts.url) : opts.url;
    const t0 = opts.startedAt ?? performance.now();
    const deadline = opts.deadline ?? t0 + 10_000;
    const timeoutMs = Math.max(1, Math.min(opts.connectTimeoutMs ?? 10_000, deadline - performance.now()));
    const secure = url.protocol === 'wss:' || url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      let socket: net.Socket;
      const onFail = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        const kind = connectErrorKind(err as NodeJS.ErrnoException);
        reject(new PeerConnectError(kind, `${secure ? 'TLS' : 'TCP'} connect to ${url.host} failed: ${err.message}`));
      };
      if (secure) {
        const o = buildTlsConnectOptions(url, { ca: opts.tls?.ca, caFile: opts.tls?.caFile, insecure: opts.tls?.insecure });
        if (opts.tls?.servername !== undefined) o.servername = opts.tls.servername;
        socket = tls.connect(o);
      } else {
        socket = net.connect({ host: hostOf(url), port: portOf(url) });
      }
      const timer = setTimeout(() => {
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        socket.destroy();
        reject(new PeerConnectError('timeout', `connect to ${url.host} timed out after ${Math.round(timeoutMs)} ms`));
      }, timeoutMs);
      socket.once('error', onFail);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onFail);
        const peer = new RawPeer(socket, url, opts, t0, deadline);
        peer.noteTransport(`connected to ${url.host}${secure ? ' (TLS)' : ''}`);
        resolve(peer);
      });
    });
  }

  protected override release(): void {
    this.socket.destroy();
  }

  // ---- Handshake ----

  async handshake(spec: HandshakeSpec = {}): Promise<HandshakeOutcome> {
    const { bytes, pending } = buildHandshakeRequest(spec, this.url, this.entropy, this.defaults);
    this.observer.requestSent(bytes, pending);
    const all = spec.trailing && spec.trailing.length > 0 ? concatBytes([bytes, spec.trailing]) : bytes;
    await this.sendChunks([all], spec.send ?? {});
    const budget = this.waitBudget(spec.timeoutMs, true);
    await this.waiters.wait(() => !this.observer.handshakePending, budget);
    if (this.observer.handshakePending) this.observer.responseTimedOut(`no response head within ${Math.round(budget)} ms`);
    return this.observer.observation.handshake!;
  }
}
