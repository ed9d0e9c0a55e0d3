// --http-probe PATH: while the WebSocket load is held, autocannon measures the target's plain-HTTP latency, so a
// report shows what the WebSocket load does to the target's ordinary requests.

export interface HttpProbe {
  /** Resolves with the figures for result.load.http (after `stop()` or the duration). */
  done: Promise<Record<string, unknown>>;
  stop(): void;
}

export function httpProbeUrl(wsUrl: string, path: string): string {
  const u = new URL(wsUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  const rel = new URL(path, 'http://x/');
  u.pathname = rel.pathname;
  u.search = rel.search;
  return u.href;
}

export function startHttpProbe(wsUrl: string, path: string, durationS: number, connections = 2): HttpProbe {
  const url = httpProbeUrl(wsUrl, path);
  let instance: { stop(): void } | null = null;
  let stopped = false;
  // Loaded only when asked for: autocannon pulls in many modules.
  const done = import('autocannon').then(({ default: autocannon }) => new Promise<Record<string, unknown>>((resolve) => {
    if (stopped) return resolve({ url, path, error: 'stopped before it started' });
    instance = autocannon({ url, connections, duration: Math.max(1, Math.round(durationS)), timeout: 10 }, (err, r) => {
      if (err) return resolve({ url, path, error: err.message });
      resolve({
        url,
        path,
        connections,
        durationS: r.duration,
        requests: r.requests.total,
        requestsPerSecond: r.requests.average,
        latencyMs: { mean: r.latency.average, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
        status2xx: r['2xx'],
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
      });
    });
  }));
  return {
    done,
    stop: () => {
      stopped = true;
      instance?.stop();
    },
  };
}
