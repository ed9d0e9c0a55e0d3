// The network driver of the fuzz runner: plain TCP (or TLS) sockets that send exactly the bytes a case asks for,
// chopped as it asks, and record everything the target does, with timestamps. It implements the FuzzTarget
// interface (fuzz-target.ts), so it can be swapped for the raw peer without touching a property.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { Opcode } from '../../protocol/constants.js';
import { seededEntropy } from '../../protocol/entropy.js';
import { FrameDecoder } from '../../protocol/frame/decoder.js';
import { buildClientRequest } from '../../protocol/handshake/client-request.js';
import { checkServerResponse } from '../../protocol/handshake/client-response.js';
import { HttpHeadParser } from '../../protocol/handshake/head-parser.js';
import type { TranscriptEntry } from '../../reports/schema.js';
import { chopStream, MAX_PAUSES, type Chunking } from './chunking.js';
import { concatBytes, decodeFuzzFrames } from './fuzz-frame.js';
import type {
  FuzzSession,
  FuzzTarget,
  HandshakeObservation,
  HandshakeRequest,
  ObservedFrame,
  StreamObservation,
  StreamRequest,
  TcpEnd,
} from './fuzz-target.js';

export interface TcpTargetOptions {
  /** How long the target may take to answer (close, pong, echo, HTTP response), in ms. */
  timeoutMs?: number;
  /** After a clean closing handshake, how long the target may take to close TCP (RFC 6455 §7.1.1), in ms. */
  closeTimeoutMs?: number;
  /** wss: accept any certificate. */
  insecure?: boolean;
  ca?: string | Buffer;
  /** Most transcript entries kept per case; the rest are counted, never silently dropped. */
  transcriptLimit?: number;
}

const PREVIEW = 48;

/** One connection: the socket, the head parser until the 101, then the frame decoder, and the record. */
class Wire {
  readonly t0 = performance.now();
  readonly received: ObservedFrame[] = [];
  readonly transcript: TranscriptEntry[] = [];
  transcriptOmitted = 0;
  readonly sent: Uint8Array[] = [];
  decodeError: string | undefined;
  end: TcpEnd | null = null;
  closeAt: number | null = null;
  tcpEndAt: number | null = null;
  connectError: string | undefined;
  /** Set while the HTTP response head is awaited. */
  headParser: HttpHeadParser | null = null;
  head: { status: number; headers: [string, string][]; statusText: string } | undefined;
  headFailure: HandshakeObservation['failure'];
  headDetail: string | undefined;
  private readonly decoder = new FrameDecoder();
  private readonly waiters = new Set<() => void>();
  private socket: Socket | null = null;
  private closedSocket = false;
  onCloseFrame: ((code: number | null) => void) | null = null;

  constructor(
    private readonly url: URL,
    private readonly opts: Required<Pick<TcpTargetOptions, 'transcriptLimit'>> & TcpTargetOptions,
  ) {}

  now(): number {
    return performance.now() - this.t0;
  }

  note(e: Omit<TranscriptEntry, 't'>): void {
    if (this.transcript.length >= this.opts.transcriptLimit) this.transcriptOmitted++;
    else this.transcript.push({ t: Number(this.now().toFixed(3)), ...e });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves when `done()` holds (checked at every event) or after `ms`; returns whether it held. */
  waitUntil(done: () => boolean, ms: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = (): void => {
        if (!done()) return;
        finish(true);
      };
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(ok);
      };
      const timer = setTimeout(() => finish(done()), ms);
      this.waiters.add(check);
    });
  }

  connect(timeoutMs: number): Promise<boolean> {
    const port = Number(this.url.port) || (this.url.protocol === 'wss:' ? 443 : 80);
    const host = this.url.hostname.replace(/^\[|\]$/g, '');
    return new Promise((resolve) => {
      let settled = false;
      const settle = (ok: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(ok);
      };
      const timer = setTimeout(() => {
        this.connectError = `no TCP connection within ${timeoutMs} ms`;
        this.socket?.destroy();
        settle(false);
      }, timeoutMs);
      const socket =
        this.url.protocol === 'wss:'
          ? tlsConnect({ host, port, servername: host, rejectUnauthorized: !this.opts.insecure, ca: this.opts.ca }, () => settle(true))
          : netConnect({ host, port }, () => settle(true));
      this.socket = socket;
      socket.setNoDelay(true);
      socket.on('data', (chunk: Buffer) => this.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
      socket.on('end', () => this.onEnd('fin'));
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (!settled) {
          this.connectError = `${err.code ?? err.message} connecting to ${this.url.host}`;
          settle(false);
          return;
        }
        this.onEnd('reset', err.code ?? err.message);
      });
      socket.on('close', () => {
        this.closedSocket = true;
        this.onEnd('reset');
        this.wake();
      });
    });
  }

  private onEnd(kind: TcpEnd, detail?: string): void {
    if (this.end !== null) return;
    this.end = kind;
    this.tcpEndAt = this.now();
    this.note({ dir: 'local', kind: 'tcp', text: kind === 'fin' ? 'target closed TCP (FIN)' : `TCP ${kind}${detail ? `: ${detail}` : ''}` });
    this.wake();
  }

  private onData(chunk: Uint8Array): void {
    if (this.headParser !== null) {
      const r = this.headParser.push(chunk);
      if (r.state === 'partial') return;
      this.headParser = null;
      if (r.state === 'error') {
        this.headFailure = 'malformed';
        this.headDetail = r.message;
        this.note({ dir: 'in', kind: 'handshake', text: `malformed response head: ${r.message}` });
        this.wake();
        return;
      }
      this.head = { status: r.head.status ?? 0, headers: r.head.headers, statusText: r.head.statusText ?? '' };
      this.note({ dir: 'in', kind: 'handshake', text: [r.head.startLine, ...r.head.headers.map(([n, v]) => `${n}: ${v}`)].join('\n') });
      this.wake();
      if (r.rest.length === 0) return;
      chunk = r.rest;
    }
    if (this.head === undefined || this.head.status !== 101 || this.decodeError !== undefined) return;
    this.decoder.push(chunk);
    for (let d = this.decoder.next(); d !== null; d = this.decoder.next()) {
      if (d.type === 'error') {
        this.decodeError = d.violation.message;
        this.note({ dir: 'local', kind: 'note', text: `undecodable bytes from the target: ${d.violation.message}` });
        break;
      }
      const f = d.frame;
      const rsv = (f.rsv1 ? 4 : 0) | (f.rsv2 ? 2 : 0) | (f.rsv3 ? 1 : 0);
      const t = this.now();
      this.received.push({ t, fin: f.fin, rsv, opcode: f.opcode, masked: f.masked, payload: f.payload.slice() });
      this.noteFrame('in', f.opcode, f.fin, rsv, f.masked, f.payload);
      if (f.opcode === Opcode.Close && this.closeAt === null) {
        this.closeAt = t;
        const code = f.payload.length >= 2 ? (f.payload[0]! << 8) | f.payload[1]! : null;
        this.onCloseFrame?.(code);
      }
    }
    this.wake();
  }

  noteFrame(dir: 'in' | 'out', opcode: number, fin: boolean, rsv: number, masked: boolean, payload: Uint8Array): void {
    const e: Omit<TranscriptEntry, 't'> = { dir, kind: 'frame', opcode, fin, rsv, masked, length: payload.length };
    if (opcode === Opcode.Close && payload.length >= 2) {
      e.closeCode = (payload[0]! << 8) | payload[1]!;
      e.closeReason = Buffer.from(payload.subarray(2)).toString('utf8');
    } else if (payload.length > 0) {
      const text = opcode === Opcode.Text || opcode === Opcode.Continuation ? Buffer.from(payload.subarray(0, PREVIEW)).toString('utf8') : null;
      if (text !== null && !text.includes('\ufffd')) {
        e.preview = text;
        e.previewEncoding = 'text';
      } else {
        e.preview = Buffer.from(payload.subarray(0, PREVIEW)).toString('hex');
        e.previewEncoding = 'hex';
      }
    }
    this.note(e);
  }

  get alive(): boolean {
    return this.socket !== null && !this.closedSocket && !this.socket.destroyed;
  }

  /** Writes one chunk; false when the connection is already gone (a write after the target left is no error). */
  write(bytes: Uint8Array): boolean {
    if (!this.alive || this.end === 'reset') return false;
    this.sent.push(bytes);
    this.socket!.write(bytes);
    return true;
  }

  /** Writes frames (one entry per frame) as the chunking says, recording each frame once. */
  async writeFrames(frames: readonly Uint8Array[], chunking: Chunking): Promise<void> {
    for (const bytes of frames) {
      const decoded = decodeFuzzFrames(bytes);
      const f = decoded?.[0];
      if (f) this.noteFrame('out', f.opcode, f.fin, (f.rsv1 ? 4 : 0) | (f.rsv2 ? 2 : 0) | (f.rsv3 ? 1 : 0), f.mask !== null, f.payload);
      else this.note({ dir: 'out', kind: 'bytes', length: bytes.length, preview: Buffer.from(bytes.subarray(0, PREVIEW)).toString('hex'), previewEncoding: 'hex' });
    }
    const pauseMs = chunking.kind === 'sizes' ? chunking.pauseMs : 0;
    const chunks = chopStream(frames, chunking);
    for (let i = 0; i < chunks.length; i++) {
      if (!this.write(chunks[i]!)) return;
      if (pauseMs > 0 && i + 1 < chunks.length && i < MAX_PAUSES) await this.waitUntil(() => this.end !== null, pauseMs);
    }
  }

  destroy(): void {
    if (this.socket !== null && !this.socket.destroyed) {
      if (this.end === null) {
        this.end = 'client';
        this.tcpEndAt = this.now();
        this.note({ dir: 'local', kind: 'tcp', text: 'we closed TCP' });
      }
      this.socket.destroy();
    }
  }

  /** Waits for the socket to be fully closed (after destroy), bounded. */
  async closed(): Promise<void> {
    await this.waitUntil(() => this.closedSocket || this.socket === null, 1000);
  }

  observation(): StreamObservation {
    const obs: StreamObservation = {
      received: this.received,
      end: this.end ?? 'timeout',
      sent: concatBytes(this.sent),
      transcript: this.transcript,
      transcriptOmitted: this.transcriptOmitted,
    };
    if (this.decodeError !== undefined) obs.decodeError = this.decodeError;
    if (this.connectError !== undefined) obs.connectError = this.connectError;
    if (this.closeAt !== null && this.tcpEndAt !== null && this.end !== 'client') obs.tcpEndAfterCloseMs = this.tcpEndAt - this.closeAt;
    return obs;
  }
}

export class TcpFuzzTarget implements FuzzTarget {
  readonly url: string;
  readonly timeoutMs: number;
  private readonly closeTimeoutMs: number;
  private readonly opts: Required<Pick<TcpTargetOptions, 'transcriptLimit'>> & TcpTargetOptions;
  private readonly parsed: URL;

  constructor(url: string | URL, opts: TcpTargetOptions = {}) {
    this.parsed = new URL(String(url));
    this.url = this.parsed.href;
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 1000;
    this.opts = { transcriptLimit: 200, ...opts };
  }

  /** Connects and completes a standard opening handshake (the stream suites' request), or says why not. */
  private async open(keySeed: number): Promise<{ wire: Wire; error?: 'connect' | 'handshake'; detail?: string }> {
    const wire = new Wire(this.parsed, this.opts);
    if (!(await wire.connect(this.timeoutMs))) return { wire, error: 'connect', detail: wire.connectError ?? 'connect failed' };
    const req = buildClientRequest({ url: this.parsed, entropy: seededEntropy(keySeed) });
    wire.headParser = new HttpHeadParser();
    wire.note({ dir: 'out', kind: 'handshake', text: Buffer.from(req.bytes).toString('latin1').trimEnd() });
    wire.write(req.bytes);
    await wire.waitUntil(() => wire.head !== undefined || wire.headFailure !== undefined || wire.end !== null, this.timeoutMs);
    if (wire.head === undefined) {
      const detail = wire.headFailure === 'malformed' ? `malformed response: ${wire.headDetail}` : wire.end !== null ? 'TCP closed before a response' : `no response within ${this.timeoutMs} ms`;
      return { wire, error: 'handshake', detail };
    }
    const head = { startLine: '', status: wire.head.status, statusText: wire.head.statusText, version: { major: 1, minor: 1 }, headers: wire.head.headers };
    const check = checkServerResponse(head, { key: req.key });
    if (!check.ok) return { wire, error: 'handshake', detail: check.message };
    return { wire };
  }

  /** After our frames: wait for the target's close (then its TCP close when asked) or the end of TCP. */
  private async awaitEnd(wire: Wire, awaitTcpEnd: (code: number | null) => boolean): Promise<void> {
    let waitTcp = false;
    wire.onCloseFrame = (code) => {
      waitTcp = awaitTcpEnd(code);
      if (!waitTcp) wire.destroy();
    };
    if (wire.closeAt !== null) {
      const f = wire.received.find((x) => x.opcode === Opcode.Close)!;
      wire.onCloseFrame(f.payload.length >= 2 ? (f.payload[0]! << 8) | f.payload[1]! : null);
    }
    await wire.waitUntil(() => wire.end !== null || wire.closeAt !== null, this.timeoutMs);
    if (wire.end === null && wire.closeAt !== null && waitTcp) await wire.waitUntil(() => wire.end !== null, this.closeTimeoutMs);
    if (wire.end === null && wire.closeAt === null) {
      wire.note({ dir: 'local', kind: 'note', text: `timeout: no close and no TCP end within ${this.timeoutMs} ms` });
      wire.end = 'timeout';
    }
    wire.destroy();
    await wire.closed();
  }

  async runStream(req: StreamRequest): Promise<StreamObservation> {
    const { wire, error, detail } = await this.open(req.keySeed);
    if (error !== undefined) {
      wire.destroy();
      const obs = wire.observation();
      if (error === 'handshake') obs.handshakeError = detail!;
      else obs.connectError = detail!;
      return obs;
    }
    await wire.writeFrames(req.frames, req.chunking);
    await this.awaitEnd(wire, req.awaitTcpEnd);
    return wire.observation();
  }

  async runHandshake(req: HandshakeRequest): Promise<HandshakeObservation> {
    const wire = new Wire(this.parsed, this.opts);
    if (!(await wire.connect(this.timeoutMs))) {
      return { connectError: wire.connectError ?? 'connect failed', sent: new Uint8Array(0), transcript: wire.transcript };
    }
    wire.headParser = new HttpHeadParser({ maxHeadBytes: 65536 });
    const headText = Buffer.from(req.head).toString('latin1').trimEnd();
    wire.note({ dir: 'out', kind: 'handshake', text: headText.length > 2000 ? `${headText.slice(0, 2000)}... (${req.head.length} bytes)` : headText });
    // The head and any pipelined frames go out in one write, as one TCP segment where the stack allows.
    wire.write(concatBytes([req.head, ...req.pipelined]));
    await wire.waitUntil(() => wire.head !== undefined || wire.headFailure !== undefined || wire.end !== null, this.timeoutMs);
    const obs: HandshakeObservation = { sent: new Uint8Array(0), transcript: wire.transcript };
    if (wire.head === undefined) {
      obs.failure = wire.headFailure ?? (wire.end !== null ? 'closed' : 'timeout');
      if (wire.headDetail !== undefined) obs.detail = wire.headDetail;
      wire.destroy();
      await wire.closed();
    } else {
      obs.status = wire.head.status;
      obs.headers = wire.head.headers;
      if (wire.head.status === 101) {
        await wire.writeFrames(req.after, { kind: 'whole' });
        await this.awaitEnd(wire, req.awaitTcpEnd);
        obs.stream = wire.observation();
      } else {
        wire.destroy();
        await wire.closed();
      }
    }
    obs.sent = concatBytes(wire.sent);
    return obs;
  }

  async openSession(keySeed: number): Promise<FuzzSession | { connectError: string }> {
    const { wire, error, detail } = await this.open(keySeed);
    if (error !== undefined) {
      wire.destroy();
      return { connectError: `${error === 'handshake' ? 'handshake failed' : 'connect failed'}: ${detail}` };
    }
    const closeTimeoutMs = this.closeTimeoutMs;
    return {
      get received() {
        return wire.received;
      },
      get decodeError() {
        return wire.decodeError;
      },
      get end() {
        return wire.end;
      },
      send: (frames) => wire.writeFrames(frames, { kind: 'whole' }),
      waitUntil: (done, ms) => wire.waitUntil(done, ms),
      async finish() {
        if (wire.alive && wire.end === null) {
          // End politely so the target does not log an abnormal closure; its answer no longer matters.
          await wire.waitUntil(() => wire.end !== null, wire.closeAt !== null ? closeTimeoutMs : 0);
        }
        wire.destroy();
        await wire.closed();
        return wire.observation();
      },
    };
  }
}
