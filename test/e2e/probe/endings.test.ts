// The other ways a path ends idle connections, from servers that enforce their own idle timeout (ws, on loopback):
// a close frame with its code (and the closing handshake after it), a TCP reset, and a target that pings its
// clients (answered, counted, and reported: such a connection is never silent); and a target that ignores pings,
// which cannot be probed with them (a setup error) but can with --app-heartbeat. Each probe takes a few seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { executeProbeIdle, PROBE_IDLE_OPTIONS } from '../../../cli/commands/probe.command.js';
import { SetupError } from '../../../cli/errors.js';
import { resolveOptions } from '../../../cli/options.js';
import type { RunResult } from '../../../reports/schema.js';
import { validateRunResult } from '../../../reports/validate.js';
import { startWsServer } from '../load/load-helpers.js';

type Mode = 'close' | 'reset' | 'pings';

/**
 * An echo server that ends a connection after `idleMs` without a frame from the client: with a close frame 4000
 * "idle", or with a reset. 'pings': it never ends them, but pings every client every 300 ms.
 */
function startIdleServer(mode: Mode, idleMs: number): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    const timers = new Set<NodeJS.Timeout>();
    wss.on('connection', (ws: WebSocket & { _socket?: import('node:net').Socket }) => {
      let timer: NodeJS.Timeout | undefined;
      const arm = (): void => {
        if (timer) (clearTimeout(timer), timers.delete(timer));
        if (mode === 'pings') return;
        timer = setTimeout(() => (mode === 'close' ? ws.close(4000, 'idle') : ws._socket?.resetAndDestroy()), idleMs);
        timers.add(timer);
      };
      arm();
      ws.on('ping', arm);
      ws.on('message', (d, binary) => (arm(), ws.send(d, { binary })));
      if (mode === 'pings') {
        const t = setInterval(() => ws.ping(), 300);
        timers.add(t);
        ws.on('close', () => clearInterval(t));
      }
    });
    wss.on('listening', () => {
      const { port } = wss.address() as { port: number };
      resolve({
        url: `ws://127.0.0.1:${port}/`,
        close: () =>
          new Promise<void>((done) => {
            for (const t of timers) clearTimeout(t);
            for (const c of wss.clients) c.terminate();
            wss.close(() => done());
          }),
      });
    });
  });
}

const servers: { close(): Promise<void> }[] = [];
const runs = new Map<Mode, Promise<RunResult>>();

beforeAll(async () => {
  for (const mode of ['close', 'reset', 'pings'] as const) {
    const server = await startIdleServer(mode, 1200);
    servers.push(server);
    const o = resolveOptions(PROBE_IDLE_OPTIONS, { max: 3, resolution: 0.25, heartbeats: '0.5,2', 'probe-timeout': 1 });
    const run = executeProbeIdle(o, server.url);
    run.catch(() => undefined);
    runs.set(mode, run);
  }
});

afterAll(async () => {
  await Promise.allSettled(runs.values());
  await Promise.all(servers.map((s) => s.close()));
});

describe('probe idle: how the path ends idle connections', () => {
  it('records a close frame with its code and reason, and the closing handshake after it', async () => {
    const r = await runs.get('close')!;
    expect(validateRunResult(r, { strict: true })).toEqual([]);
    const p = r.probe!;
    expect(Math.abs(p.idleTimeoutS! - 1.2)).toBeLessThanOrEqual(0.25);
    expect(p.endings[0], JSON.stringify(p.endings)).toMatchObject({ how: "close-frame", code: 4000, reason: "idle", handshake: true });
    expect(p.heartbeats.map((h) => h.verdict)).toEqual(['kept-alive', 'died']);
    expect(p.heartbeats[1]!.ending).toMatchObject({ how: 'close-frame', code: 4000 });
  }, 30_000);

  it('records a reset without a close frame', async () => {
    const p = (await runs.get('reset')!).probe!;
    expect(Math.abs(p.idleTimeoutS! - 1.2)).toBeLessThanOrEqual(0.25);
    expect(p.endings.map((e) => e.how)).toEqual(['reset']);
  }, 30_000);

  it('answers and counts the pings of a target that keeps its connections busy, and warns', async () => {
    const p = (await runs.get('pings')!).probe!;
    expect(p.idleTimeoutS).toBeNull();
    expect(p.targetTraffic!.pings).toBeGreaterThan(0);
    expect(p.warnings.join('\n')).toMatch(/the target sent \d+ pings and 0 messages on connections meant to be silent/);
  }, 30_000);

  it('needs an answer to its probe: a target that ignores pings is a setup error, unless --app-heartbeat probes it', async () => {
    const deaf = await startWsServer({ autoPong: false });
    servers.push(deaf);
    const base = { max: 1, resolution: 0.5, heartbeats: 'none', 'probe-timeout': 0.5 };
    const refused = executeProbeIdle(resolveOptions(PROBE_IDLE_OPTIONS, base), deaf.url);
    await expect(refused).rejects.toThrow(SetupError);
    await expect(refused).rejects.toThrow(/did not answer a WebSocket ping with a pong within 0\.5 s \(for an application that ignores pings, give --app-heartbeat\)/);
    const r = await executeProbeIdle(resolveOptions(PROBE_IDLE_OPTIONS, { ...base, 'app-heartbeat': 'hb' }), deaf.url);
    expect(r.probe).toMatchObject({ idleTimeoutS: null, complete: true });
    expect(r.probe!.rounds[0]!.connections.every((c) => c.outcome === 'survived')).toBe(true);
  }, 30_000);
});
