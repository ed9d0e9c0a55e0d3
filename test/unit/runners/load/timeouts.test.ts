// The pong-timeout sweep: a ping unanswered while other data arrives is a pong timeout; a ping followed by total
// silence gets one more pong timeout and is then a silent drop (half-open), and a pong in that grace is late, not
// a drop.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnState, type LoadConnection } from '../../../../peers/load/load-connection.js';
import { newLoadCounters } from '../../../../runners/load/load-counters.js';
import { sweepTimeouts } from '../../../../runners/load/timeouts.js';

const P = { connectTimeoutMs: 10_000, closeTimeoutMs: 5_000, pongTimeoutMs: 1_000 };

interface Fake {
  state: ConnState;
  startedAt: number;
  pingSentAt: number;
  lastReceivedAt: number;
  suspectAt: number;
  missedPongs: number;
  aborted: { kind: string; detail: string } | null;
}

function fake(pingSentAt: number, lastReceivedAt: number): Fake & Pick<LoadConnection, 'abort' | 'destroy'> {
  const c = {
    state: ConnState.Open as ConnState,
    startedAt: 0,
    pingSentAt,
    lastReceivedAt,
    suspectAt: 0,
    missedPongs: 0,
    aborted: null as { kind: string; detail: string } | null,
    abort(kind: string, detail: string) {
      c.aborted = { kind, detail };
      c.state = ConnState.Closed;
    },
    destroy() {
      c.state = ConnState.Closed;
    },
  };
  return c as never;
}

function sweep(c: Fake, now: number, counters = newLoadCounters()): ReturnType<typeof newLoadCounters> {
  sweepTimeouts([c as unknown as LoadConnection], now, P, counters, 0);
  return counters;
}

describe('sweepTimeouts: pong timeouts and silent drops', () => {
  it('drops a connection that received data but no pong as a pong timeout, at the first sweep past the timeout', () => {
    const c = fake(1_000, 1_500);
    const counters = sweep(c, 1_900);
    expect(c.aborted).toBeNull();
    sweep(c, 2_001, counters);
    expect(c.aborted?.kind).toBe('pong-timeout');
    expect(counters).toMatchObject({ missedPongs: 1, silentDrops: 0 });
  });

  it('gives a connection that heard nothing since its ping one more pong timeout, then counts a silent drop', () => {
    const c = fake(1_000, 900);
    const counters = sweep(c, 2_001);
    expect(c.aborted).toBeNull();
    expect(c.suspectAt).toBe(2_001);
    sweep(c, 3_001, counters);
    expect(c.aborted).toBeNull();
    sweep(c, 3_002, counters);
    expect(c.aborted?.kind).toBe('silent-drop');
    expect(c.aborted?.detail).toMatch(/half-open/);
    expect(counters).toMatchObject({ missedPongs: 1, silentDrops: 1 });
  });

  it('a suspect connection that hears other data in the grace is a pong timeout, not a silent drop', () => {
    const c = fake(1_000, 900);
    const counters = sweep(c, 2_100);
    c.lastReceivedAt = 2_500;
    sweep(c, 3_200, counters);
    expect(c.aborted?.kind).toBe('pong-timeout');
    expect(counters.silentDrops).toBe(0);
  });

  it('holds for every timing: silence after a ping is never dropped before twice the pong timeout, and always after', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 40 }),
        (pingAt, steps) => {
          const c = fake(pingAt, pingAt - 1);
          const counters = newLoadCounters();
          let now = pingAt;
          let suspectAt = 0;
          for (const dt of steps) {
            now += dt;
            sweep(c, now, counters);
            if (c.suspectAt !== 0 && suspectAt === 0) suspectAt = c.suspectAt;
            if (c.aborted) break;
          }
          if (c.aborted) {
            expect(c.aborted.kind).toBe('silent-drop');
            expect(now - pingAt).toBeGreaterThan(2 * P.pongTimeoutMs);
            expect(now - suspectAt).toBeGreaterThan(P.pongTimeoutMs);
            expect(counters.silentDrops).toBe(1);
          } else {
            // Not yet: the suspicion started after the pong timeout and the grace has not run out.
            if (suspectAt !== 0) expect(now - suspectAt).toBeLessThanOrEqual(P.pongTimeoutMs);
            else expect(now - pingAt).toBeLessThanOrEqual(P.pongTimeoutMs);
          }
        },
      ),
    );
  });
});
