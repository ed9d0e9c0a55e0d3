// The fuzzers' network driver: a thin shell over the raw peer (TCP or TLS), so a fuzz case sends exactly the bytes
// it asks for, chopped as it asks, and is observed by the same Observer as a catalogue case. It implements the
// FuzzTarget interface (fuzz-target.ts). Our own connect failures are harness errors, never counterexamples. How a
// peer is opened is `open` (h2-target.ts opens a stream on a shared HTTP/2 connection instead).
import { performance } from 'node:perf_hooks';
import { seededEntropy } from '../../protocol/entropy.js';
import { ClientSession } from '../raw/client-session.js';
import { emptyObservation, GIVE_UP_MARK } from '../raw/observation.js';
import { RawPeer } from '../raw/raw-peer.js';
import type { FrameSpec, SendOptions } from '../raw/peer.js';
import type { PeerOpenOptions } from '../raw/transport.js';
import { chopStream, MAX_PAUSES, type Chunking } from './chunking.js';
import { encodeFuzzFrame, type FuzzFrame } from './fuzz-frame.js';
import type { FuzzRecord, FuzzSession, FuzzTarget, HandshakeRequest, StreamRequest } from './fuzz-target.js';

export interface TcpTargetOptions {
  /** How long the target may take to answer (close, pong, echo, HTTP response), in ms. */
  timeoutMs?: number;
  /** After a close frame, how long the target may take to close TCP (RFC 6455 §7.1.1), in ms. */
  closeTimeoutMs?: number;
  /** wss: accept any certificate. */
  insecure?: boolean;
  ca?: string | Buffer;
  /** Most transcript entries kept per case (head and tail); the rest are counted, never silently dropped. */
  transcriptLimit?: number;
}

/** A fuzz frame as the raw peer's frame spec: every field as generated, legal or not. */
export function frameSpecOf(f: FuzzFrame): FrameSpec {
  const spec: FrameSpec = { opcode: f.opcode, payload: f.payload, fin: f.fin, mask: f.mask };
  if (f.rsv1) spec.rsv1 = true;
  if (f.rsv2) spec.rsv2 = true;
  if (f.rsv3) spec.rsv3 = true;
  if (f.lengthOverride !== undefined) spec.lengthOverride = f.lengthOverride;
  if (f.lengthForm !== undefined) spec.lengthForm = f.lengthForm;
  return spec;
}

/** How a chunking becomes the raw peer's send options. */
function sendOptionsOf(chunking: Chunking): SendOptions {
  if (chunking.kind === 'whole') return { chop: 'whole' };
  if (chunking.kind === 'frames') return { chop: 'frame' };
  return { chop: (parts) => chopStream(parts, chunking), pauseMs: chunking.pauseMs, maxPauses: MAX_PAUSES };
}

export class TcpFuzzTarget implements FuzzTarget {
  readonly url: string;
  readonly timeoutMs: number;
  private readonly closeTimeoutMs: number;
  private readonly opts: TcpTargetOptions;
  private readonly parsed: URL;

  constructor(url: string | URL, opts: TcpTargetOptions = {}) {
    this.parsed = new URL(String(url));
    this.url = this.parsed.href;
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 1000;
    this.opts = opts;
  }

  /** Opens a raw peer to the target: here a TCP (TLS) connection. */
  protected open(o: PeerOpenOptions): Promise<ClientSession> {
    return RawPeer.connect({ ...o, url: this.parsed, tls: { insecure: this.opts.insecure ?? false, ...(this.opts.ca !== undefined ? { ca: this.opts.ca } : {}) } });
  }

  /** The record of a case that could not run through no fault of the target. */
  protected static harnessRecord(message: string): FuzzRecord {
    return { harnessError: message, observation: emptyObservation(), sent: new Uint8Array(0), transcript: [], transcriptOmitted: 0 };
  }

  /** A connected raw peer with a budget for one case: the answer, then the closing handshake. */
  private async connect(keySeed: number, budgetMs: number): Promise<ClientSession | FuzzRecord> {
    const startedAt = performance.now();
    const half = Math.max(1, Math.floor((this.opts.transcriptLimit ?? 200) / 2));
    try {
      return await this.open({
        entropy: seededEntropy(keySeed),
        startedAt,
        deadline: startedAt + budgetMs + this.closeTimeoutMs,
        closeReserveMs: this.closeTimeoutMs,
        connectTimeoutMs: this.timeoutMs,
        keepSent: true,
        limits: { transcriptHead: half, transcriptTail: half },
      });
    } catch (err) {
      return TcpFuzzTarget.harnessRecord(err instanceof Error ? err.message : String(err));
    }
  }

  private static record(peer: ClientSession): FuzzRecord {
    peer.destroy();
    const { entries, omitted } = peer.transcript();
    return { observation: peer.observation(), sent: peer.sentBytes(), transcript: entries, transcriptOmitted: omitted };
  }

  /** After our frames: the target's failure or the answer to our close, then its TCP close (or we drop it). */
  private async conclude(peer: ClientSession, mustFail: boolean): Promise<void> {
    if (mustFail && !(await peer.waitForClose())) peer.mark(GIVE_UP_MARK);
    await peer.close(1000);
  }

  async runStream(req: StreamRequest): Promise<FuzzRecord> {
    const peer = await this.connect(req.keySeed, this.timeoutMs * 2);
    if (!(peer instanceof ClientSession)) return peer;
    const offer = req.offer;
    const hs = await peer.handshake({ timeoutMs: this.timeoutMs, ...(offer ? { extensions: offer.extensions, deflate: offer.deflate ?? {} } : {}) });
    if (hs.ok) {
      const stage = peer.deflate;
      const frames = offer?.compress === undefined ? req.frames : stage !== null ? offer.compress(stage) : null;
      if (frames !== null) await peer.sendFrames(frames.map(frameSpecOf), sendOptionsOf(req.chunking));
      else peer.note('the extension offer was declined: nothing to test');
      await this.conclude(peer, req.mustFail && frames !== null);
    }
    return TcpFuzzTarget.record(peer);
  }

  async runHandshake(req: HandshakeRequest): Promise<FuzzRecord> {
    const peer = await this.connect(0, this.timeoutMs * 2);
    if (!(peer instanceof ClientSession)) return peer;
    // The head and any pipelined frames go out in one write, as one TCP segment where the stack allows.
    const trailing = req.pipelined.length > 0 ? Buffer.concat(req.pipelined.map(encodeFuzzFrame)) : undefined;
    const hs = await peer.handshake({ raw: req.head, timeoutMs: this.timeoutMs, ...(trailing ? { trailing } : {}) });
    if (hs.status === 101 && !peer.closed) {
      await peer.sendFrames(req.after.map(frameSpecOf));
      await this.conclude(peer, false);
    }
    return TcpFuzzTarget.record(peer);
  }

  async openSession(keySeed: number): Promise<FuzzSession | FuzzRecord> {
    // A model run is up to 8 steps, each allowed the answer timeout.
    const peer = await this.connect(keySeed, this.timeoutMs * 10);
    if (!(peer instanceof ClientSession)) return peer;
    const hs = await peer.handshake({ timeoutMs: this.timeoutMs });
    if (!hs.ok) return TcpFuzzTarget.record(peer);
    return {
      observation: () => peer.observation(),
      send: (frames) => peer.sendFrames(frames.map(frameSpecOf)),
      waitUntil: (done, ms) => peer.waitUntil(done, ms),
      get closed() {
        return peer.closed;
      },
      close: async (giveUp = false) => {
        if (giveUp) peer.mark(GIVE_UP_MARK);
        await peer.close(1000, undefined, { timeoutMs: this.closeTimeoutMs + this.timeoutMs });
      },
      finish: async () => {
        if (!peer.ended) await peer.close(1000, undefined, { timeoutMs: this.closeTimeoutMs });
        return TcpFuzzTarget.record(peer);
      },
    };
  }
}
