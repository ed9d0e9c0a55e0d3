// What a worker's connections send and how the replies are timed: heartbeats (WebSocket pings, or an application
// ping message with an expected answer), messages paced by the schedule or kept in flight, and the round trips
// read from pongs and from the stamp every echoed message carries (peers/load/message-stamp.ts).
import { performance } from 'node:perf_hooks';
import { ConnState, type LoadConnection } from '../../peers/load/load-connection.js';
import { readStamp } from '../../peers/load/message-stamp.js';
import { recordMs, type HistogramSet } from './histograms.js';
import type { LoadCounters } from './load-counters.js';
import type { LoadProfile } from './profile.js';

/** A paced send is skipped while the connection's socket holds more than this unsent (the target reads slowly). */
const BACKPRESSURE_BYTES = 1 << 20;

export class Traffic {
  private readonly appPing: Buffer | null;
  private readonly appPong: Buffer | null;
  /** Messages each connection keeps in flight (0: messages are paced by the schedule instead). */
  private readonly inFlight: number;
  private readonly stamp = new Float64Array(2);

  constructor(
    p: LoadProfile,
    private readonly counters: LoadCounters,
    private readonly histograms: HistogramSet,
  ) {
    this.appPing = p.appHeartbeat ? Buffer.from(p.appHeartbeat.send) : null;
    this.appPong = p.appHeartbeat ? Buffer.from(p.appHeartbeat.expect) : null;
    this.inFlight = p.inFlight;
  }

  /** A heartbeat falls due for `c` (meant for `intended`); skipped while the previous ping is unanswered. */
  heartbeat(c: LoadConnection, intended: number): void {
    if (c.state !== ConnState.Open) return;
    const now = performance.now();
    recordMs(this.histograms.heartbeatJitter, now - intended);
    if (c.pingSentAt !== 0) {
      this.counters.pingsSkipped += 1;
      return;
    }
    if (this.appPing) {
      c.pingSentAt = now;
      c.sendText(this.appPing);
    } else c.sendPing();
    this.counters.pingsSent += 1;
  }

  /** A paced message falls due for `c`; stamped with the intended time, so latency includes any delay in sending. */
  pacedSend(c: LoadConnection, intended: number): void {
    if (c.state !== ConnState.Open) return;
    if (c.socket!.writableLength > BACKPRESSURE_BYTES) {
      this.counters.sendsSkipped += 1;
      return;
    }
    c.sendMessage(intended * 1000);
    this.counters.messagesSent += 1;
  }

  /** `c` just opened: the first messages of --in-flight go out. */
  opened(c: LoadConnection): void {
    for (let i = 0; i < this.inFlight; i++) {
      c.sendMessage(performance.now() * 1000);
      this.counters.messagesSent += 1;
    }
  }

  pong(c: LoadConnection): void {
    this.counters.pongsReceived += 1;
    if (c.pingSentAt === 0) {
      this.counters.unsolicitedPongs += 1;
      return;
    }
    recordMs(this.histograms.pingRtt, performance.now() - c.pingSentAt);
    this.answered(c);
  }

  /** The outstanding heartbeat was answered; one answered in the grace after its pong timeout was late. */
  private answered(c: LoadConnection): void {
    if (c.suspectAt !== 0) this.counters.latePongs += 1;
    c.suspectAt = 0;
    c.pingSentAt = 0;
  }

  /** A message arrived on `c`; with --in-flight another goes out in its place unless the run is `stopping`. */
  message(c: LoadConnection, payload: Uint8Array, text: boolean, stopping: boolean): void {
    this.counters.messagesReceived += 1;
    const now = c.lastReceivedAt;
    if (this.appPong && text && c.pingSentAt !== 0 && this.appPong.equals(payload)) {
      this.counters.pongsReceived += 1;
      recordMs(this.histograms.pingRtt, now - c.pingSentAt);
      this.answered(c);
      return;
    }
    if (!readStamp(payload, this.stamp)) {
      this.counters.unexpected += 1;
      return;
    }
    this.counters.echoed += 1;
    const seq = this.stamp[0]!;
    if (seq !== c.seqExpected) this.counters.outOfOrder += 1;
    c.seqExpected = (seq + 1) >>> 0;
    recordMs(this.histograms.messageRtt, now - this.stamp[1]! / 1000);
    if (this.inFlight > 0 && !stopping && c.state === ConnState.Open) {
      c.sendMessage(now * 1000);
      this.counters.messagesSent += 1;
    }
  }
}
