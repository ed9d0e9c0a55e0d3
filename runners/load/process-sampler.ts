// The runner's own load, sampled once a second by the engine and by each worker: CPU since the previous sample and
// the worst event-loop delay meanwhile, so a run can tell when the runner, not the target, was the bottleneck; and
// for a worker, the memory its connections hold.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface ProcessSample {
  /** CPU time since the previous sample, as a percentage of one core over the wall time. */
  cpuPercent: number;
  /** CPU time of the whole process so far. */
  cpuSeconds: number;
  /** Largest event-loop delay since the previous sample (0 when none was measured). */
  eventLoopLagMaxMs: number;
}

export interface HeldMemory {
  baselineRssBytes: number;
  heldRssBytes: number;
  heldConnections: number;
  bytesPerConnection: number;
}

/** Two collections (when run with --expose-gc): the second frees what the first only finalised. */
function collectGarbage(): void {
  global.gc?.();
  global.gc?.();
}

export class ProcessSampler {
  private readonly lag = monitorEventLoopDelay({ resolution: 10 });
  private lastCpu = process.cpuUsage();
  private lastCpuAt = performance.now();
  private baselineRss = 0;

  /** Starts measuring the event loop; the first CPU figure counts from `now`. */
  start(now: number = performance.now()): void {
    this.lag.enable();
    this.lastCpuAt = now;
  }

  stop(): void {
    this.lag.disable();
  }

  sample(now: number = performance.now()): ProcessSample {
    const cpu = process.cpuUsage();
    const cpuUs = cpu.user + cpu.system - this.lastCpu.user - this.lastCpu.system;
    const wallMs = Math.max(1, now - this.lastCpuAt);
    this.lastCpu = cpu;
    this.lastCpuAt = now;
    const lagMax = this.lag.max / 1e6;
    this.lag.reset();
    return {
      cpuPercent: (cpuUs / 1000 / wallMs) * 100,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      eventLoopLagMaxMs: Number.isFinite(lagMax) ? lagMax : 0,
    };
  }

  /** The RSS before any connection opens, after garbage collection: what heldMemory() compares with. */
  markBaseline(): void {
    collectGarbage();
    this.baselineRss = process.memoryUsage.rss();
  }

  /** RSS growth per connection held, after garbage collection. */
  heldMemory(connections: number): HeldMemory {
    collectGarbage();
    const held = process.memoryUsage.rss();
    return {
      baselineRssBytes: this.baselineRss,
      heldRssBytes: held,
      heldConnections: connections,
      bytesPerConnection: connections > 0 ? (held - this.baselineRss) / connections : 0,
    };
  }
}
