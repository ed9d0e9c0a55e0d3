// The per-connection timeouts of a load worker (connect, close, pong), checked for the whole pool in one pass a few
// times a second rather than with a timer per connection, plus the heartbeat-health gauge read on the way.
import { ConnState, type LoadConnection } from '../../peers/load/load-connection.js';
import type { LoadCounters } from './load-counters.js';
import type { LoadProfile } from './profile.js';

type Timeouts = Pick<LoadProfile, 'connectTimeoutMs' | 'closeTimeoutMs' | 'pongTimeoutMs'>;

/** How often the pool is swept: often enough for the shortest timeout to be met closely, at most 4 times a second. */
export function sweepIntervalMs(p: Timeouts): number {
  return Math.max(20, Math.min(250, p.pongTimeoutMs / 4, p.connectTimeoutMs / 4));
}

/**
 * Aborts connections past a timeout and returns the longest silence of an open connection (`maxSilenceMs` if none
 * was longer): how long since it last received anything.
 */
export function sweepTimeouts(conns: readonly LoadConnection[], now: number, p: Timeouts, counters: LoadCounters, maxSilenceMs: number): number {
  let maxSilence = maxSilenceMs;
  for (const c of conns) {
    switch (c.state) {
      case ConnState.Open:
        if (c.pingSentAt !== 0 && now - c.pingSentAt > p.pongTimeoutMs) {
          pongOverdue(c, now, p.pongTimeoutMs, counters);
        } else if (now - c.lastReceivedAt > maxSilence) maxSilence = now - c.lastReceivedAt;
        break;
      case ConnState.Connecting:
      case ConnState.Handshaking:
        if (now - c.startedAt > p.connectTimeoutMs) c.abort('timeout', `no handshake within ${p.connectTimeoutMs} ms`);
        break;
      case ConnState.Closing:
        if (now - c.startedAt > p.closeTimeoutMs) c.destroy();
        break;
      default:
        break;
    }
  }
  return maxSilence;
}

/**
 * A ping unanswered past the pong timeout. When something else arrived since the ping, the target is alive but
 * did not answer (RFC 6455 §5.5.2: "MUST send a Pong frame in response"): dropped as 'pong-timeout'. When nothing
 * at all arrived, the connection may be half-open (a proxy or load balancer dropped it silently, the socket still
 * open here) or merely slow: it gets one more pong timeout. A pong in that grace counts as late and the connection
 * lives; silence through it is a silent drop ('silent-drop'), counted apart from pong timeouts.
 */
function pongOverdue(c: LoadConnection, now: number, pongTimeoutMs: number, counters: LoadCounters): void {
  const heardSincePing = c.lastReceivedAt >= c.pingSentAt;
  if (c.suspectAt === 0 && !heardSincePing) {
    c.suspectAt = now;
    return;
  }
  if (c.suspectAt !== 0 && now - c.suspectAt <= pongTimeoutMs) return;
  c.missedPongs += 1;
  counters.missedPongs += 1;
  if (heardSincePing) {
    c.abort('pong-timeout', `RFC 6455 §5.5.2: no pong within ${pongTimeoutMs} ms, though the target sent other data`);
    return;
  }
  counters.silentDrops += 1;
  c.abort('silent-drop', `half-open: no pong and nothing else for ${Math.round(now - c.pingSentAt)} ms while the socket stayed open (a path that drops connections silently)`);
}
