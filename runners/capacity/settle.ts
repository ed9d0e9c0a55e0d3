// Whether the target has settled after a step's connections were closed: a bisection step must start from a
// target that is no longer busy with the last one (closing thousands of sockets, collecting their garbage). One
// probe connection pings the target; settled when its RTT is back near the RTT measured before the search began.
import { performance } from 'node:perf_hooks';
import { RawPeer, type RawPeerOptions } from '../../peers/raw/raw-peer.js';

export interface ProbeTarget {
  url: URL;
  tls?: RawPeerOptions['tls'];
  defaults?: RawPeerOptions['defaults'];
}

/** The median RTT of `pings` WebSocket pings on one connection (ms); null when the probe cannot connect or hear pongs. */
export async function probeRtt(t: ProbeTarget, pings = 5, budgetMs = 10_000): Promise<number | null> {
  let peer: RawPeer;
  try {
    peer = await RawPeer.connect({ url: t.url, tls: t.tls, defaults: t.defaults, deadline: performance.now() + budgetMs, closeReserveMs: 0 });
  } catch {
    return null;
  }
  try {
    const hs = await peer.handshake();
    if (!hs.ok) return null;
    const rtts: number[] = [];
    for (let i = 0; i < pings; i++) {
      const sent = performance.now();
      await peer.sendPing(`settle-${i}`);
      if (!(await peer.waitForPongs(i + 1))) return null;
      rtts.push(performance.now() - sent);
    }
    rtts.sort((a, b) => a - b);
    return rtts[Math.floor(rtts.length / 2)]!;
  } catch {
    return null;
  } finally {
    peer.destroy();
  }
}

/**
 * Waits `minMs`, then probes until the RTT is within max(2 x baseline, baseline + 5 ms) or `maxMs` has passed.
 * Returns the last RTT measured (null when none could be).
 */
export async function waitSettled(t: ProbeTarget, baselineMs: number | null, minMs: number, maxMs: number): Promise<number | null> {
  const until = performance.now() + maxMs;
  await new Promise((r) => setTimeout(r, minMs));
  let last: number | null = null;
  do {
    last = await probeRtt(t, 3, Math.max(1000, until - performance.now()));
    if (last === null || baselineMs === null || last <= Math.max(2 * baselineMs, baselineMs + 5)) return last;
    await new Promise((r) => setTimeout(r, 250));
  } while (performance.now() < until);
  return last;
}
