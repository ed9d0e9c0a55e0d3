// Checks a run adds by itself, so that traffic nobody answers can never pass silently (issue 13): every request
// and expect step of a scenario must be answered at least once (`KIND.NAME.matched>0`) unless the user judges that
// step; plain echo traffic must have its messages echoed (`messages.unmatched.rate<1%`) unless the user judges
// unmatched messages. And, before plain echo traffic starts, a probe that warns when the target does not echo.
import { probeProfile } from '../conformance/profile.js';
import type { LoadProfile } from './profile.js';
import { namedSteps } from './scenario/model.js';
import { parseThreshold, ThresholdSyntaxError, type Threshold } from './thresholds.js';

export function implicitThresholds(profile: LoadProfile, given: Threshold[]): { thresholds: Threshold[]; implicit: Set<Threshold> } {
  const implicit = new Set<Threshold>();
  const judged = (prefix: string): boolean => given.some((t) => t.metric.startsWith(prefix));
  if (profile.scenario) {
    const steps = namedSteps(profile.scenario);
    for (const t of given) {
      if (t.parsed.kind === 'step' && !steps.has(t.parsed.key)) {
        const known = [...steps.keys()].join(', ') || 'none';
        throw new ThresholdSyntaxError(`threshold ${JSON.stringify(t.expr)} names step ${t.parsed.key}, which the scenario does not have (its named steps: ${known})`);
      }
    }
    for (const [key, kind] of steps) {
      if ((kind === 'request' || kind === 'expect') && !judged(`${key}.`)) implicit.add(parseThreshold(`${key}.matched>0`));
    }
  } else if ((profile.messageRate > 0 || profile.inFlight > 0) && !judged('messages.unmatched')) {
    implicit.add(parseThreshold('messages.unmatched.rate<1%'));
  }
  return { thresholds: [...given, ...implicit], implicit };
}

/** A warning when the target does not echo what plain --message-rate / --in-flight traffic sends; null when it does. */
export async function noEchoWarning(profile: LoadProfile): Promise<string | null> {
  const p = await probeProfile({
    url: new URL(profile.url),
    tls: { insecure: profile.insecure, ca: profile.caPem },
    defaults: { origin: profile.origin, protocols: profile.protocols, headers: profile.headers },
  });
  if (p.echo) return null;
  return (
    `the target does not echo (a probe message got no echo in 2 s): every --message-rate / --in-flight message will ` +
    `count as unmatched and the implicit threshold messages.unmatched.rate<1% fails; to load an application ` +
    `protocol, describe it with --scenario FILE (docs/scenarios.md)`
  );
}
