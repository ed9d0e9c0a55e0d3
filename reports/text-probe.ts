// The probe section of the terminal summary (`wsprobe probe idle`): the answer first (the idle timeout, how idle
// connections end, the heartbeat to use, the CI check), then each heartbeat interval's verdict, then one row per
// round of the search. text.ts owns layout and colour and passes them in.
import type { ProbeSection } from './schema.js';
import { oneLine } from './transcript-format.js';
import { endingLines, heartbeatText, recommendationLine, seconds, timeoutLine } from './probe-words.js';

export type ProbePaint = (style: 'bold' | 'red' | 'green' | 'yellow', text: string) => string;
export type ProbeTable = (rows: string[][], alignRight?: (col: number) => boolean) => string[];

export function probeLines(p: ProbeSection, paint: ProbePaint, table: ProbeTable): string[] {
  const lines = [paint('bold', 'Idle probe'), `idle timeout   ${timeoutLine(p)}`];
  const endings = endingLines(p);
  if (endings.length > 0) {
    lines.push(`idle ends by   ${endings[0]}`);
    for (const more of endings.slice(1)) lines.push(`               ${more}`);
  }
  if (p.heartbeats.length > 0) {
    p.heartbeats.forEach((h, i) => {
      const text = heartbeatText(h);
      lines.push(`${i === 0 ? 'heartbeats     ' : '               '}${h.verdict === 'died' ? paint('yellow', text) : text}`);
    });
    lines.push(`longest kept   ${p.longestKeptAliveS === null ? 'none of the intervals tried' : seconds(p.longestKeptAliveS)}`);
  }
  lines.push(`recommended    ${recommendationLine(p)}`);
  if (p.expectation !== undefined) {
    const e = p.expectation;
    lines.push(`check          ${e.ok ? paint('green', `ok: ${e.message}`) : paint('red', `FAILED: ${e.message}`)}`);
  }
  if (p.targetTraffic !== undefined) lines.push(`target sent    ${p.targetTraffic.pings} pings, ${p.targetTraffic.messages} messages on silent connections`);
  for (const w of p.warnings) lines.push(paint('yellow', `warning        ${oneLine(w, 300)}`));
  if (p.rounds.length > 0) {
    const rows = p.rounds.map((r, i) => {
      const count = (o: string): number => r.connections.filter((c) => c.outcome === o).length;
      const silences = r.connections.map((c) => c.silenceS);
      return [
        String(i + 1),
        `${seconds(Math.min(...silences))}-${seconds(Math.max(...silences))}`,
        String(count('survived')),
        String(count('killed')),
        String(count('cancelled') + count('failed')),
        seconds(r.survivedS),
        r.killedS === null ? '-' : seconds(r.killedS),
        seconds(r.durationS),
      ];
    });
    lines.push('', ...table([['round', 'silences', 'survived', 'killed', 'not probed', 'bracket from', 'to', 'took'], ...rows], (c) => c !== 1));
  }
  return lines;
}
