// The words of a probe result (`wsprobe probe idle`), shared by the text and HTML reports and JUnit, so all three say
// the same thing the same way: the timeout, how idle connections end, each heartbeat's verdict, the recommendation.
import type { ProbeEnding, ProbeHeartbeat, ProbeSection } from './schema.js';
import { oneLine } from './transcript-format.js';

export function seconds(s: number): string {
  return `${s < 10 ? s.toFixed(s < 1 ? 2 : 1) : s.toFixed(0)} s`;
}

/** "3.0 s (survived 2.9 s, killed after 3.0 s)" or "none up to 600 s". */
export function timeoutLine(p: ProbeSection): string {
  if (!p.consistent) return `not one number: survived ${seconds(p.survivedS)} but killed after ${seconds(p.killedS!)} on another connection`;
  if (p.idleTimeoutS === null) return p.complete ? `none up to ${seconds(p.maxS)}` : `none found (search incomplete: survived ${seconds(p.survivedS)} of --max ${seconds(p.maxS)})`;
  const bracket = `survived ${seconds(p.survivedS)}, killed after ${seconds(p.killedS!)}; resolution ${seconds(p.resolutionS)}`;
  return `${seconds(p.idleTimeoutS)} (${bracket})${p.complete ? '' : ', search incomplete'}`;
}

export function endingText(e: ProbeEnding): string {
  switch (e.how) {
    case 'close-frame':
      // The reason is the path's text: control characters are shown as escapes, never passed to a terminal.
      return `close frame ${e.code ?? '(no code)'}${e.reason ? ` "${oneLine(e.reason, 80)}"` : ''} from the path${e.handshake ? ', closing handshake completed (FIN)' : ', TCP not closed cleanly'}`;
    case 'fin':
      return 'the path closes TCP (FIN) without a close frame: clients see 1006';
    case 'reset':
      return 'the path resets TCP (RST) without a close frame: clients see 1006';
    case 'error':
      return `socket error${e.detail ? ` (${oneLine(e.detail, 80)})` : ''}`;
    case 'silent-drop':
      return 'silent drop: still open locally, but the ping gets no pong';
  }
}

/** One line per way idle connections ended, most common first; [] when none was killed. */
export function endingLines(p: ProbeSection): string[] {
  return p.endings.map((e) => `${endingText(e)} (${e.count} connection${e.count === 1 ? '' : 's'})`);
}

export function heartbeatText(h: ProbeHeartbeat): string {
  const via = h.via === 'app' ? 'app heartbeat' : 'ping';
  const head = `every ${seconds(h.intervalS)} (${via})`;
  if (h.verdict === 'kept-alive') return `${head}: kept alive (${h.answered}/${h.beats} answered, lived ${seconds(h.livedS)})`;
  if (h.verdict === 'died') return `${head}: died after ${seconds(h.livedS)}: ${h.ending ? endingText(h.ending) : 'ended'}`;
  return `${head}: untested (${h.error !== undefined ? oneLine(h.error, 160) : `the probe ended after ${seconds(h.livedS)}, before it could outlive the timeout`})`;
}

export function recommendationLine(p: ProbeSection): string {
  if (p.recommended === null) {
    if (p.idleTimeoutS === null && p.consistent && p.complete) return 'no heartbeat needed for the path up to --max (a client heartbeat still finds dead peers)';
    return p.complete ? 'none' : 'none: the search did not finish';
  }
  const r = p.recommended;
  return `heartbeat every ${seconds(r.intervalS)}: ${r.basis} (margin ${seconds(r.marginS)})`;
}
