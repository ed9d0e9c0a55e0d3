// --source-ips: connections are spread over the given local addresses, each from an explicitly chosen port.
import { WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import { runLoad } from '../../../runners/load/engine.js';
import { profile } from './load-helpers.js';

describe('load: source addresses', () => {
  it('spreads connections evenly over the source addresses', async () => {
    const seen = new Map<string, number>();
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (_ws, req) => {
      const a = req.socket.remoteAddress!.replace(/^::ffff:/, '');
      seen.set(a, (seen.get(a) ?? 0) + 1);
    });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    try {
      const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
      const r = await runLoad(profile({ url, connections: 30, durationS: 1, heartbeatMs: 200, sourceIps: ['127.0.0.2', '127.0.0.3', '127.0.0.4'] }));
      expect(r.load!.connections.opened).toBe(30);
      expect(r.load!.errors).toEqual({});
      expect(Object.fromEntries(seen)).toEqual({ '127.0.0.2': 10, '127.0.0.3': 10, '127.0.0.4': 10 });
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    }
  }, 30_000);
});
