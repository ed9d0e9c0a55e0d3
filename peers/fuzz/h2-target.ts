// The fuzzers' driver over HTTP/2 (RFC 8441): every fuzz case is a WebSocket on its own stream of one shared HTTP/2
// connection (h2 by ALPN for wss:, h2c by prior knowledge for ws:), opened with an Extended CONNECT, sending and
// observed exactly as over TCP (tcp-target.ts): the frames are the same, only their transport differs. A connection
// the target ends is replaced for the next case. The handshake suite's raw HTTP/1.1 heads have no meaning here:
// its cases are harness errors (the command does not select that suite with --http2). The suites grade what a case
// recorded with the one grader, which reads an opening handshake as RFC 6455 over HTTP/1.1 does: records and
// sessions show it the observation with RFC 8441's 200 standing for its 101 (h2GraderView).
import type { ClientSession } from '../raw/client-session.js';
import { h2GraderView } from '../raw/response-check.js';
import { openTransport, type PeerOpenOptions, type PeerTransport } from '../raw/transport.js';
import type { FuzzRecord, FuzzSession, HandshakeRequest, StreamRequest } from './fuzz-target.js';
import { TcpFuzzTarget, type TcpTargetOptions } from './tcp-target.js';

export class H2FuzzTarget extends TcpFuzzTarget {
  readonly transport: 'h2' | 'h2c';
  private readonly peers: PeerTransport;

  constructor(url: string | URL, opts: TcpTargetOptions = {}) {
    super(url, opts);
    const parsed = new URL(String(url));
    this.peers = openTransport({ url: parsed, http2: true, tls: { insecure: opts.insecure ?? false, ...(opts.ca !== undefined ? { ca: opts.ca } : {}) } });
    this.transport = this.peers.kind === 'h2' ? 'h2' : 'h2c';
  }

  protected override open(o: PeerOpenOptions): Promise<ClientSession> {
    return this.peers.connect(o);
  }

  override async runStream(req: StreamRequest): Promise<FuzzRecord> {
    return viewed(await super.runStream(req));
  }

  override async openSession(keySeed: number): Promise<FuzzSession | FuzzRecord> {
    const s = await super.openSession(keySeed);
    if (!('finish' in s)) return viewed(s);
    return {
      observation: () => h2GraderView(s.observation()),
      send: (frames) => s.send(frames),
      waitUntil: (done, ms) => s.waitUntil(done, ms),
      get closed() {
        return s.closed;
      },
      close: (giveUp) => s.close(giveUp),
      finish: async () => viewed(await s.finish()),
    };
  }

  override runHandshake(_req: HandshakeRequest): Promise<FuzzRecord> {
    return Promise.resolve(TcpFuzzTarget.harnessRecord('the handshake suite sends HTTP/1.1 request heads: it does not apply over HTTP/2'));
  }

  close(): Promise<void> {
    return this.peers.close();
  }
}

function viewed(record: FuzzRecord): FuzzRecord {
  return { ...record, observation: h2GraderView(record.observation) };
}
