// A probe result (`wsprobe probe idle`) for the report tests: nginx-like, a 3 s timeout ended by FIN, two heartbeat
// intervals (one kept alive, one died); fullProbeSection() sets every optional field too (the schema tests).
import { emptySummary, SCHEMA_ID, type ProbeSection, type RunResult } from '../../reports/schema.js';

export function probeSection(over: Partial<ProbeSection> = {}): ProbeSection {
  return {
    check: 'idle',
    maxS: 10,
    resolutionS: 0.5,
    probeTimeoutS: 2,
    connectionsPerRound: 3,
    idleTimeoutS: 3.001,
    survivedS: 2.77,
    killedS: 2.996,
    consistent: true,
    complete: true,
    endings: [{ how: 'fin', count: 2 }],
    rounds: [
      {
        startS: 0.01,
        durationS: 3.02,
        survivedS: 2.77,
        killedS: 2.996,
        connections: [
          { silenceS: 2.77, outcome: 'survived', rttMs: 0.41 },
          { silenceS: 4.25, outcome: 'killed', endedAfterS: 2.996, ending: { how: 'fin' } },
          { silenceS: 10, outcome: 'killed', endedAfterS: 3.001, ending: { how: 'fin' } },
        ],
      },
    ],
    heartbeats: [
      { intervalS: 1, via: 'ping', verdict: 'kept-alive', beats: 4, answered: 4, livedS: 4.1 },
      { intervalS: 5, via: 'ping', verdict: 'died', beats: 0, answered: 0, livedS: 3, ending: { how: 'fin' } },
    ],
    longestKeptAliveS: 1,
    recommended: { intervalS: 1, marginS: 2.001, basis: 'the longest tested heartbeat interval that kept connections alive (half the 3.0 s timeout would be 1.5 s)' },
    warnings: [],
    ...over,
  };
}

export function probeResult(over: Partial<ProbeSection> = {}): RunResult {
  return {
    schema: SCHEMA_ID,
    kind: 'probe',
    tool: { name: 'wsprobe', version: '0.1.0' },
    target: { url: 'ws://127.0.0.1:8080/' },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 6100,
    interrupted: false,
    summary: emptySummary(),
    cases: [],
    probe: probeSection(over),
  };
}

/** Every optional field of the probe section and its parts set, for the schema's fully populated fixture. */
export function fullProbeSection(): ProbeSection {
  const p = probeSection({
    endings: [
      { how: 'close-frame', code: 1001, reason: 'idle', handshake: true, count: 2 },
      { how: 'error', detail: 'ETIMEDOUT', count: 1 },
    ],
    warnings: ['2 probe connections did not open: TCP connect to 127.0.0.1:8080 failed: ECONNREFUSED'],
  });
  p.rounds[0]!.connections.push({ silenceS: 6, outcome: 'failed', error: 'TCP connect to 127.0.0.1:8080 failed: ECONNREFUSED' });
  p.heartbeats.push({ intervalS: 9, via: 'app', verdict: 'untested', beats: 0, answered: 0, livedS: 0, error: 'did not open' });
  p.expectation = { atLeastS: 2, ok: true, message: 'idle timeout 3.0 s is at least the expected 2.0 s' };
  p.targetTraffic = { pings: 1, messages: 0 };
  return p;
}
