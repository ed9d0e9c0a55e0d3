// Before any connection opens: will the file-descriptor limit of each process and the ephemeral ports of each source
// address suffice? A clear error naming the fix beats EMFILE or EADDRNOTAVAIL half-way through a ramp.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface SystemLimits {
  /** Open files per process (ulimit -n). */
  nofileSoft: number;
  nofileHard: number;
  /** Ephemeral port range (net.ipv4.ip_local_port_range). */
  portLow: number;
  portHigh: number;
}

/** Descriptors a worker needs beyond its sockets (stdio, IPC, the event loop's own, a margin). */
export const FD_OVERHEAD = 64;

function parseLimitsFile(text: string): { soft: number; hard: number } | null {
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  if (!line) return null;
  const [soft, hard] = line.replace('Max open files', '').trim().split(/\s+/);
  const num = (v: string | undefined): number => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v));
  return { soft: num(soft), hard: num(hard) };
}

export function readSystemLimits(): SystemLimits {
  let soft = Number.POSITIVE_INFINITY;
  let hard = Number.POSITIVE_INFINITY;
  try {
    const parsed = parseLimitsFile(readFileSync('/proc/self/limits', 'utf8'));
    if (parsed) ({ soft, hard } = parsed);
  } catch {
    try {
      const out = execFileSync('/bin/sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8', timeout: 2000 }).trim().split('\n');
      const num = (v: string | undefined): number => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v));
      soft = num(out[0]);
      hard = num(out[1]);
    } catch {
      // Unknown: the check below then passes and the OS has the last word.
    }
  }
  let portLow = 32768;
  let portHigh = 60999;
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isFinite(lo) && Number.isFinite(hi)) {
      portLow = lo!;
      portHigh = hi!;
    }
  } catch {
    // Not Linux: assume the Linux default range.
  }
  return { nofileSoft: soft, nofileHard: hard, portLow, portHigh };
}

export interface PreflightInput {
  /** Connections this machine opens (this shard's share at its peak). */
  connections: number;
  workers: number;
  sourceIps: number;
  /** Processes of the embedded reference server, when it runs here; 0 for an external target. */
  serverProcesses: number;
}

export interface PreflightReport {
  ok: boolean;
  problems: string[];
  perWorker: number;
  perSourceAddress: number;
  ephemeralPorts: number;
}

export function checkLimits(input: PreflightInput, limits: SystemLimits): PreflightReport {
  const problems: string[] = [];
  const perWorker = Math.ceil(input.connections / Math.max(1, input.workers));
  const fdNeed = perWorker + FD_OVERHEAD;
  if (fdNeed > limits.nofileSoft) {
    const canRaise = fdNeed <= limits.nofileHard;
    const workersNeeded = Math.ceil(input.connections / Math.max(1, limits.nofileSoft - FD_OVERHEAD));
    problems.push(
      `each worker would hold ${perWorker} connections and needs ${fdNeed} file descriptors, but the open-file limit ` +
        `(ulimit -n) is ${limits.nofileSoft} (hard limit ${limits.nofileHard}). Fix: ` +
        (canRaise ? `raise it (ulimit -n ${limits.nofileHard}) or ` : '') +
        `use --workers ${workersNeeded} or more (worker processes each have their own limit), or split the run with --shard`,
    );
  }
  if (input.serverProcesses > 0) {
    const perServer = Math.ceil(input.connections / input.serverProcesses) + FD_OVERHEAD;
    if (perServer > limits.nofileSoft) {
      problems.push(
        `the embedded server's ${input.serverProcesses} process(es) would each need ${perServer} file descriptors ` +
          `(ulimit -n ${limits.nofileSoft}): use --server-workers ${Math.ceil(input.connections / (limits.nofileSoft - FD_OVERHEAD))}`,
      );
    }
  }
  const ephemeralPorts = limits.portHigh - limits.portLow + 1;
  const perSourceAddress = Math.ceil(input.connections / Math.max(1, input.sourceIps));
  if (perSourceAddress > ephemeralPorts) {
    const needed = Math.ceil(input.connections / ephemeralPorts);
    problems.push(
      `${perSourceAddress} connections per source address exceed the ${ephemeralPorts} ephemeral ports ` +
        `(${limits.portLow}-${limits.portHigh}, /proc/sys/net/ipv4/ip_local_port_range) towards one target. Fix: ` +
        `add --source-ips with at least ${needed} addresses (e.g. 127.0.0.1-127.0.0.${Math.min(254, needed)} on loopback), ` +
        `widen the range, or split the run with --shard over several machines`,
    );
  }
  // With --source-ips each worker binds explicit ports from its own slice of the range, per address.
  if (input.sourceIps > 0 && perSourceAddress <= ephemeralPorts) {
    const slice = Math.floor(ephemeralPorts / Math.max(1, input.workers));
    const perWorkerPerAddress = Math.ceil(perWorker / input.sourceIps);
    if (perWorkerPerAddress > slice) {
      problems.push(
        `each worker would open ${perWorkerPerAddress} connections per source address but has ${slice} source ports ` +
          `(${ephemeralPorts} ephemeral ports / ${input.workers} workers). Fix: add source addresses (--source-ips) or use fewer workers`,
      );
    }
  }
  return { ok: problems.length === 0, problems, perWorker, perSourceAddress, ephemeralPorts };
}
