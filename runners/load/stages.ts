// --stages "30s:1000,1m:1000,10s:0": k6-style stages, each a duration and the target connections at its end.
import type { Stage } from './profile.js';

export const STAGES_GRAMMAR = 'stages := DURATION:TARGET[,DURATION:TARGET...], DURATION = N[ms|s|m|h] (seconds by default), e.g. 30s:1000,1m:1000,10s:0';

/** Parses a duration: 500ms, 30s, 2m, 1h, or a plain number of seconds. Returns seconds. */
export function parseDurationS(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new SyntaxError(`not a duration: ${JSON.stringify(text)} (e.g. 500ms, 30s, 2m)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return unit === 'ms' ? n / 1000 : unit === 'm' ? n * 60 : unit === 'h' ? n * 3600 : n;
}

export function parseStages(text: string): Stage[] {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new SyntaxError(`no stages in ${JSON.stringify(text)}: ${STAGES_GRAMMAR}`);
  return parts.map((part) => {
    const m = /^([^:]+):\s*(\d+)$/.exec(part);
    if (!m) throw new SyntaxError(`bad stage ${JSON.stringify(part)}: ${STAGES_GRAMMAR}`);
    let durationS: number;
    try {
      durationS = parseDurationS(m[1]!);
    } catch {
      throw new SyntaxError(`bad stage duration ${JSON.stringify(m[1])}: ${STAGES_GRAMMAR}`);
    }
    return { durationS, target: Number(m[2]) };
  });
}
