// Which local address and port each connection attempt binds to with --source-ips. Each worker walks its own slice
// of the ephemeral port range per source address, so workers never pick the same pair; a port another socket
// holds is passed over at once, a few times, before the attempt counts as failed.
import type { LoadConnection, LoadErrorKind } from '../../peers/load/load-connection.js';
import { readSystemLimits } from './preflight.js';

/** Immediate retries with the next port after EADDRINUSE, per connection attempt. */
const MAX_PORT_RETRIES = 16;

export class SourcePorts {
  private readonly low: number;
  private readonly slice: number;
  private readonly cursor: number[];
  private readonly retries = new Map<LoadConnection, number>();

  constructor(
    private readonly ips: readonly string[],
    worker: number,
    workers: number,
  ) {
    const limits = readSystemLimits();
    const range = limits.portHigh - limits.portLow + 1;
    const n = Math.max(1, workers);
    this.slice = Math.max(1, Math.floor(range / n));
    this.low = limits.portLow + this.slice * (worker % n);
    this.cursor = ips.map(() => 0);
  }

  /** Opens `c` from its next source address and port; without --source-ips the OS chooses. */
  open(c: LoadConnection): void {
    const ips = this.ips;
    if (ips.length === 0) {
      c.open(undefined);
      return;
    }
    // By the worker's own slot, so every worker spreads over every address (global indices are dealt out
    // round-robin, so `index % ips` would give each worker a single address).
    const ip = c.slot % ips.length;
    const port = this.low + (this.cursor[ip]! % this.slice);
    this.cursor[ip]! += 1;
    c.open(ips[ip], port);
  }

  /**
   * After `c` failed to connect: whether to try the next port at once. Yes when another socket holds that source
   * port (or that address-port pair towards this target) and `c` has retries left.
   */
  retryWithNextPort(c: LoadConnection, kind: LoadErrorKind): boolean {
    if ((kind !== 'port-in-use' && kind !== 'addr-not-available') || this.ips.length === 0) return false;
    const n = this.retries.get(c) ?? 0;
    if (n >= MAX_PORT_RETRIES) return false;
    this.retries.set(c, n + 1);
    return true;
  }

  /** The attempt of `c` is over: it opened, or failed for good. */
  settle(c: LoadConnection): void {
    if (this.retries.size > 0) this.retries.delete(c);
  }
}
