// `wsprobe capacity [URL]`: load steps (doubling, then bisecting) until --slo breaks; reports the largest
// connection count that held it and the curve of every step. Exit 1 when not even --start held the SLO.
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import type { RunResult } from '../../reports/schema.js';
import { writeJson } from '../../reports/json.js';
import { renderText } from '../../reports/text.js';
import { runCapacity, type CapacityEvent } from '../../runners/capacity/search.js';
import { attachProgress } from '../../runners/load/progress.js';
import { parseThreshold } from '../../runners/load/thresholds.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { interruptSignal } from '../interrupt.js';
import { resolveOptions, targetBuilder, type OptionTable, type Resolved } from '../options.js';
import { TOOL_VERSION } from '../version.js';
import { checkRoles, CONNECTION_OPTIONS, connectionProfile, engineError, targetOf } from './load.command.js';
import { writeReportFiles } from './report-files.js';
import type { RunHooks } from './test.command.js';

export const CAPACITY_OPTIONS = {
  slo: {
    type: 'array',
    items: 'string',
    describe: "service-level objective, repeatable, threshold grammar: 'ping_rtt.p99<100ms' 'errors.rate<0.1%'",
    default: ['ping_rtt.p99<100ms', 'errors.rate<0.1%'],
  },
  start: { type: 'number', describe: 'connections of the first step', default: 100, integer: true, min: 1 },
  'max-connections': { type: 'number', describe: 'largest step', default: 50_000, integer: true, min: 1 },
  'step-duration': { type: 'number', describe: 'steady window of each step, seconds: the SLO is judged on it', default: 10, min: 1 },
  warmup: { type: 'number', describe: 'seconds between a step\'s ramp and its steady window', default: 3, min: 0 },
  confirm: { type: 'number', describe: 'repeat the last held and first breached counts N times each, fresh', default: 2, integer: true, min: 0 },
  settle: {
    type: 'number',
    describe: 'before a fresh step: seconds to wait after closing every connection, then until a probe ping is back near its first RTT',
    default: 3,
    min: 0,
  },
  'target-pid': { type: 'number', describe: 'a target process on this machine: its CPU and memory (and its children\'s) are shown per step', integer: true, min: 1 },
  resolution: { type: 'number', describe: 'stop bisecting when the bracket is within this fraction', default: 0.05, min: 0, max: 1 },
  ...CONNECTION_OPTIONS,
} as const satisfies OptionTable;

export type CapacityRunOptions = Resolved<typeof CAPACITY_OPTIONS>;

/** Resolved options to one capacity search, shared by `wsprobe capacity` and the library. Writes nothing. */
export async function executeCapacity(o: CapacityRunOptions, url: string, hooks: RunHooks<CapacityEvent> = {}): Promise<RunResult> {
  try {
    o.slo.forEach(parseThreshold);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (o.start > o['max-connections']) throw new UsageError(`--start ${o.start} exceeds --max-connections ${o['max-connections']}`);
  const base = { ...connectionProfile(o, url), connections: o.start, durationS: o['step-duration'], thresholds: o.slo };
  if (base.scenario !== undefined && base.scenario.roles.every((r) => r.count !== undefined)) {
    throw new UsageError('capacity with --scenario needs a role with a weight: the search varies the connections, and roles with a count hold theirs fixed');
  }
  checkRoles(base.scenario, o.start);
  try {
    return await runCapacity(
      base,
      {
        slo: o.slo,
        start: o.start,
        maxConnections: o['max-connections'],
        stepDurationS: o['step-duration'],
        resolution: o.resolution,
        warmupS: o.warmup,
        confirm: o.confirm,
        settleS: o.settle,
        targetPid: o['target-pid'],
        serverWorkers: o['server-workers'],
      },
      { ...(hooks.signal !== undefined ? { signal: hooks.signal } : {}), ...(hooks.onProgress !== undefined ? { onEvent: hooks.onProgress } : {}), toolVersion: TOOL_VERSION },
    );
  } catch (err) {
    throw engineError(err);
  }
}

export const capacityCommand: CommandModule<object, Record<string, unknown>> = {
  command: 'capacity [url]',
  describe: 'find the most connections a target holds within an SLO (growing, then bisecting load steps)',
  builder: targetBuilder(CAPACITY_OPTIONS),
  async handler(argv: ArgumentsCamelCase<Record<string, unknown>>) {
    const o = resolveOptions(CAPACITY_OPTIONS, argv);
    const url = targetOf(argv);
    const interrupt = interruptSignal();
    const progress = attachProgress(process.stderr);
    const onEvent = (e: CapacityEvent): void => {
      if (e.type === 'step-start') {
        const how = e.repeat > 0 ? `confirmation ${e.repeat}, fresh` : e.start;
        process.stderr.write(`wsprobe capacity: step ${e.index + 1}: ${e.connections} connections (${how})\n`);
      } else if (e.type === 'step-done') {
        const s = e.step;
        const verdict = s.outcome === 'runner-limited' ? `runner-limited (${s.bottleneck?.reason})` : s.ok ? 'held the SLO' : `broke it (${s.breached.join(', ')})`;
        process.stderr.write(
          `wsprobe capacity: ${s.connections} connections ${verdict}` + `${s.pingRttP99 !== undefined ? `, ping p99 ${s.pingRttP99.toFixed(1)} ms` : ''}\n`,
        );
      } else if (e.type === 'tick' || e.type === 'warning' || e.type === 'stopping') progress.onEvent(e);
    };
    let result: RunResult;
    try {
      result = await executeCapacity(o, url, { signal: interrupt.signal, onProgress: onEvent });
    } finally {
      progress.end();
      interrupt.dispose();
    }
    const { dir } = writeReportFiles(result, o.out);
    process.stdout.write(`${renderText(result, { color: process.stdout.isTTY === true })}\nresults: ${dir}/results.json\n`);
    process.exitCode = result.capacity!.maxConnections === null ? ExitCode.Failed : ExitCode.Ok;
  },
};
