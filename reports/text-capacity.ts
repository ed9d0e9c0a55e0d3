// The capacity section of the terminal summary (`wsprobe capacity`): the answer first, with its confirmation and the
// knee's spread, then the flags a planner must read, then one compact row per step (run order). Results written
// before the search rewrite keep their old table. text.ts owns layout helpers and colour and passes them in.
import type { CapacitySection } from './schema.js';
import { formatCount, formatMs } from './format.js';
import { oneLine } from './transcript-format.js';
import {
  answerLine,
  isSearchResult,
  latencyOf,
  latencySource,
  outcomeOf,
  percent,
  rampText,
  repeatText,
  SOURCE_LABEL,
  spreadLine,
  windowText,
  type Outcome,
} from './capacity-words.js';

export type CapacityPaint = (style: 'bold' | 'red' | 'green' | 'yellow', text: string) => string;
export type TableLayout = (rows: string[][], alignRight?: (col: number) => boolean) => string[];

/** A runner-limited step is never painted as a breach. */
const OUTCOME_PAINT: Record<Outcome, 'red' | 'yellow' | null> = { held: null, breached: 'red', 'runner-limited': 'yellow' };

export function capacityLines(cap: CapacitySection, paint: CapacityPaint, table: TableLayout): string[] {
  return isSearchResult(cap) ? searchLines(cap, paint, table) : firstSearchLines(cap, paint, table);
}

/** Results of the first search (before issue 14): the layout they always had. */
function firstSearchLines(cap: CapacitySection, paint: CapacityPaint, table: TableLayout): string[] {
  const lines = [
    paint('bold', 'Capacity'),
    `SLO          ${cap.slo.join('; ')}`,
    `max connections within SLO: ${cap.maxConnections === null ? 'none (the first step breached)' : formatCount(cap.maxConnections)}`,
    '',
  ];
  lines.push(
    ...table(
      [
        ['connections', 'ping p99', 'connect p99', 'error rate', 'result'],
        ...cap.steps.map((s) => [
          formatCount(s.connections),
          formatMs(s.pingRttP99),
          formatMs(s.connectP99),
          s.errorRate === undefined ? '-' : `${(s.errorRate * 100).toFixed(2)}%`,
          s.ok ? 'ok' : `breached: ${s.breached.join('; ')}`,
        ]),
      ],
      (col) => col < 4,
    ),
  );
  return lines;
}

function searchLines(cap: CapacitySection, paint: CapacityPaint, table: TableLayout): string[] {
  const answer = answerLine(cap);
  const spread = spreadLine(cap);
  const source = latencySource(cap);
  const settings = [`${cap.steps.length} step${cap.steps.length === 1 ? '' : 's'}`];
  if (cap.warmupS !== undefined) settings.push(`warm-up ${cap.warmupS} s`);
  if (cap.confirm !== undefined) settings.push(`${cap.confirm} confirmation repeat${cap.confirm === 1 ? '' : 's'}`);
  settings.push(`latency: ${SOURCE_LABEL[source]} over each steady window`);
  const lines = [
    paint('bold', 'Capacity'),
    answer.confirmed === false ? paint('yellow', answer.text) : answer.text,
    ...(spread === null ? [] : [`spread       ${spread}`]),
    ...(cap.flags ?? []).map((f) => paint('yellow', `warning      ${oneLine(f, 300)}`)),
    `SLO          ${cap.slo.join('; ')}`,
    `search       ${settings.join(', ')}`,
    '',
  ];
  const head = ['#', 'connections', 'start', 'rep', 'outcome', 'window', 'p50', 'p99', 'err', 'ramp', 'limit', 'note'];
  const rows = cap.steps.map((s, i) => {
    const o = outcomeOf(s);
    const lat = latencyOf(s, source);
    // Breached: which SLO; runner-limited: why the runner (its thresholds were not judged, so never "breached").
    const note = o === 'breached' ? s.breached.join('; ') : o === 'runner-limited' ? (s.bottleneck?.reason ?? 'the runner was the limit') : '';
    return [
      String(i + 1),
      formatCount(s.connections),
      s.start ?? '-',
      repeatText(s, cap.confirm),
      o,
      windowText(s),
      formatMs(lat.p50),
      formatMs(lat.p99),
      percent(s.errorRate),
      s.ramp === undefined ? '-' : rampText(s).split(', ')[0]!,
      s.bottleneck?.limit ?? '-',
      oneLine(note, 160),
    ];
  });
  const laid = table([head, ...rows], (col) => col <= 1 || (col >= 5 && col <= 9));
  lines.push(
    ...laid.map((line, i) => {
      const style = i === 0 ? null : OUTCOME_PAINT[outcomeOf(cap.steps[i - 1]!)];
      return style === null ? line : paint(style, line);
    }),
  );
  return lines;
}
