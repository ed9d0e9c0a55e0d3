// CPU and memory beside a capacity step: the whole machine's CPU (node:os, any platform) and, on Linux, the
// target's processes read from /proc (the embedded server's process tree, or a --target-pid and its children).
// Elsewhere, or for a process we cannot read, the target's figures are simply absent.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

interface CpuMark {
  busy: number;
  total: number;
}

function machineCpu(): CpuMark {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}

/** `pid` and its descendants (Linux /proc); [pid] alone when /proc cannot be read. */
export function processTree(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [pid];
  }
  const children = new Map<number, number[]>();
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(e));
      children.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

/** CPU ticks (user + system) and resident bytes of `pids`; null when none can be read. */
function readProcesses(pids: readonly number[]): { ticks: number; rssBytes: number } | null {
  let ticks = 0;
  let rssBytes = 0;
  let read = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14 and 15 (utime, stime) are 11 and 12 after the command; 24 (rss, pages) is 21.
      ticks += Number(f[11]) + Number(f[12]);
      rssBytes += Number(f[21]) * 4096;
      read += 1;
    } catch {
      // gone, or not ours to read
    }
  }
  return read === 0 ? null : { ticks, rssBytes };
}

/** Linux's USER_HZ: /proc times are in 1/100 s on every architecture Node supports. */
const TICKS_PER_SECOND = 100;

/** Measures machine and target CPU from `begin()` to `end()`. */
export class StepStats {
  private machine: CpuMark | null = null;
  private target: { ticks: number; at: number } | null = null;

  constructor(private readonly targetPid: number | undefined) {}

  begin(): void {
    this.machine = machineCpu();
    const t = this.targetPid !== undefined ? readProcesses(processTree(this.targetPid)) : null;
    this.target = t ? { ticks: t.ticks, at: Date.now() } : null;
  }

  end(): { machineCpuPercent?: number; targetCpuPercent?: number; targetRssBytes?: number } {
    const out: { machineCpuPercent?: number; targetCpuPercent?: number; targetRssBytes?: number } = {};
    if (this.machine) {
      const now = machineCpu();
      const total = now.total - this.machine.total;
      if (total > 0) out.machineCpuPercent = Math.round(((now.busy - this.machine.busy) / total) * 1000) / 10;
    }
    if (this.targetPid !== undefined && this.target) {
      const t = readProcesses(processTree(this.targetPid));
      const seconds = (Date.now() - this.target.at) / 1000;
      if (t && seconds > 0) {
        out.targetCpuPercent = Math.round(((t.ticks - this.target.ticks) / TICKS_PER_SECOND / seconds) * 1000) / 10;
        out.targetRssBytes = t.rssBytes;
      }
    }
    return out;
  }
}
