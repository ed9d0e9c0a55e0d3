// --http-probe against the embedded reference server's stats path: autocannon's plain-HTTP requests all succeed
// (kept-alive connections; the probe ends before the server stops), so its figures report no errors.
import { describe, expect, it } from 'vitest';
import { runLoad } from '../../../runners/load/engine.js';
import { profile } from './load-helpers.js';

describe('load: --http-probe', () => {
  for (const serverWorkers of [1, 2]) {
    it(`probes /stats while the load is held, with no errors (${serverWorkers} server process${serverWorkers > 1 ? 'es' : ''})`, async () => {
      const r = await runLoad(profile({ connections: 50, durationS: 2, heartbeatMs: 200, httpProbe: '/stats' }), { serverWorkers });
      const l = r.load!;
      expect(l.errors).toEqual({});
      const http = l.http as { requests: number; status2xx: number; non2xx: number; errors: number; timeouts: number; error?: string };
      expect(http.error).toBeUndefined();
      expect(http.requests).toBeGreaterThan(10);
      expect(http.status2xx).toBe(http.requests);
      expect(http.non2xx).toBe(0);
      expect(http.errors).toBe(0);
      expect(http.timeouts).toBe(0);
    }, 60_000);
  }
});
