// Helpers of the load end-to-end tests: small `ws` servers with controlled misbehaviour, and a base profile.
import { WebSocketServer, type ServerOptions } from 'ws';
import { PROFILE_DEFAULTS, type LoadProfile } from '../../../runners/load/profile.js';

export function profile(over: Partial<LoadProfile>): LoadProfile {
  return { ...PROFILE_DEFAULTS, url: '', connections: 10, durationS: 2, workers: 0, thresholds: [], ...over };
}

export interface TestServer {
  url: string;
  port: number;
  wss: WebSocketServer;
  close(): Promise<void>;
}

/** An echo server; `autoPong: false` makes one that never answers pings; `perMessageDeflate` as in ws. */
export function startWsServer(opts: { port?: number; autoPong?: boolean; perMessageDeflate?: ServerOptions['perMessageDeflate'] } = {}): Promise<TestServer> {
  return new Promise((resolve, reject) => {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: opts.port ?? 0,
      autoPong: opts.autoPong ?? true,
      ...(opts.perMessageDeflate !== undefined ? { perMessageDeflate: opts.perMessageDeflate } : {}),
    });
    wss.on('connection', (ws) => ws.on('message', (d, binary) => ws.send(d, { binary })));
    wss.once('error', reject);
    wss.once('listening', () => {
      const port = (wss.address() as { port: number }).port;
      resolve({
        url: `ws://127.0.0.1:${port}/`,
        port,
        wss,
        close: () =>
          new Promise<void>((r) => {
            for (const c of wss.clients) c.terminate();
            wss.close(() => r());
          }),
      });
    });
  });
}

/** Resolves when `pred` holds, polling every 20 ms; rejects after `timeoutMs`. */
export async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
