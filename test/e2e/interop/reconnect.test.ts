// The reconnecting client against a server that goes away and comes back on the same port: delays follow
// exponential backoff with full jitter (pinned here), capped, and the client gives up after maxAttempts.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Entropy } from '../../../protocol/entropy.js';
import { backoffBound, ReconnectingClient } from '../../../peers/client/reference-client.js';
import { startReferenceServer, type RunningServer } from '../../../peers/server/reference-server.js';

/** Entropy that returns the given 32-bit words in turn (the backoff draws one word per delay). */
function scriptedEntropy(words: number[]): Entropy {
  let i = 0;
  return {
    fill(target) {
      for (let at = 0; at < target.length; at += 4) {
        const w = words[i++ % words.length]!;
        target[at] = w >>> 24;
        target[at + 1] = (w >>> 16) & 0xff;
        target[at + 2] = (w >>> 8) & 0xff;
        target[at + 3] = w & 0xff;
      }
    },
  };
}

/** A port nobody listens on: bind, note it, close. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('reconnecting client', () => {
  it('reconnects with pinned full-jitter delays, capped, after the server restarts on the same port', async () => {
    let server: RunningServer = await startReferenceServer({ port: 0 });
    const port = server.port;
    const backoff = { baseMs: 40, capMs: 100, maxAttempts: 20 };
    // Fractions ~1, 1/2, ~1, 1/4, ~1, ...: delay = floor(f * (bound + 1)).
    const words = [0xffffffff, 0x80000000, 0xffffffff, 0x40000000, 0xffffffff, 0xffffffff];
    const fractions = words.map((w) => w / 2 ** 32);
    const client = new ReconnectingClient(server.url, { backoff, jitterEntropy: scriptedEntropy(words) });
    cleanups.push(() => client.close());
    const events: { attempt: number; delayMs: number; at: number }[] = [];
    const restarted = new Promise<void>((resolve, reject) => {
      client.on('reconnecting', (e) => {
        events.push({ ...e, at: performance.now() });
        if (e.attempt === 5) startReferenceServer({ port }).then((s) => ((server = s), resolve()), reject);
      });
    });
    await client.start();
    client.current!.sendText('before');
    expect(await client.waitFor('message', 2000)).toEqual({ type: 'text', data: 'before' });

    const reconnected = client.waitFor('reconnected', 10_000);
    const closed = client.waitFor('close', 5000);
    await server.close();
    expect((await closed).code).toBe(1001);
    await restarted;
    const r = await reconnected;
    cleanups.push(() => server.close());

    expect(events.length).toBeGreaterThanOrEqual(5);
    expect(r.attempt).toBe(events.length);
    events.forEach((e, i) => {
      expect(e.attempt).toBe(i + 1);
      const bound = backoffBound(e.attempt, backoff);
      expect(bound).toBe(Math.min(100, 40 * 2 ** i));
      expect(e.delayMs).toBe(Math.floor(fractions[i % fractions.length]! * (bound + 1)));
      expect(e.delayMs).toBeLessThanOrEqual(backoff.capMs);
    });
    expect(events.slice(0, 5).map((e) => e.delayMs)).toEqual([40, 40, 100, 25, 100]);
    // Each attempt waited its delay before trying (and failing) again.
    for (let i = 1; i < events.length; i++) expect(events[i]!.at - events[i - 1]!.at).toBeGreaterThanOrEqual(events[i - 1]!.delayMs - 2);

    r.client.sendText('after');
    expect(await client.waitFor('message', 2000)).toEqual({ type: 'text', data: 'after' });
  });

  it("gives up after maxAttempts failed attempts with a 'gave-up' event", async () => {
    const port = await freePort();
    const client = new ReconnectingClient(`ws://127.0.0.1:${port}/`, {
      backoff: { baseMs: 5, capMs: 20, maxAttempts: 3 },
      jitterEntropy: scriptedEntropy([0xffffffff]),
    });
    const attempts: number[] = [];
    client.on('reconnecting', (e) => attempts.push(e.attempt));
    const gaveUp = client.waitFor('gave-up', 5000);
    await expect(client.start()).rejects.toThrow(/gave up/);
    const g = await gaveUp.catch(() => null);
    expect(attempts).toEqual([1, 2, 3]);
    // start() subscribed first and consumed nothing: the event reached both listeners.
    expect(g?.attempts).toBe(3);
  });
});
