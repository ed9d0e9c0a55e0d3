// What a connection to `wsprobe test-client` asks for, from its request line alone (pure, so every path and query
// is unit-tested). WebSocket endpoints follow Autobahn|Testsuite's fuzzingserver, so an Autobahn client driver
// works unchanged (/getCaseCount, /runCase?case=N&agent=A, /getCaseInfo?case=N, /updateReports?agent=A), plus
// /case/<id> and /next?agent=A. Plain HTTP: the browser driver's page, /status and the browser's POST /report.
//
// A WebSocket path is routed by its path whatever the request's Upgrade and Connection headers say: a client under
// test that sends a broken opening handshake must still reach its case, whose grader judges that handshake.

export type Route =
  | { kind: 'case-count' }
  | { kind: 'run-case'; number: number; agent?: string }
  | { kind: 'case-info'; number: number }
  | { kind: 'update-reports'; agent?: string }
  | { kind: 'case-id'; id: string; agent?: string }
  | { kind: 'next'; agent?: string }
  | { kind: 'page'; agent?: string }
  | { kind: 'status' }
  | { kind: 'report'; agent?: string; number?: number; done: boolean }
  /** 404 (or 405 for a known plain path with the wrong method), with a one-line reason. */
  | { kind: 'reject'; status: 400 | 404 | 405; why: string };

/** The WebSocket endpoints (runCase and friends): a request to any of them is answered as a WebSocket. */
export function isWebSocketRoute(r: Route): boolean {
  return r.kind === 'case-count' || r.kind === 'run-case' || r.kind === 'case-info' || r.kind === 'update-reports' || r.kind === 'case-id' || r.kind === 'next';
}

const AGENT_MAX = 64;

/**
 * An agent name as given in `agent=`: printable ASCII without quotes or angle brackets (it lands in reports and
 * file names), at most 64 characters; undefined when absent or empty. Anything else is replaced by '_'.
 */
export function agentName(raw: string | null | undefined): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  const clean = raw.trim().slice(0, AGENT_MAX).replace(/[^\x21-\x7e]|["'<>&\\]/g, '_');
  return clean === '' ? undefined : clean;
}

/** A case number: a positive decimal integer without sign or leading zeros; NaN otherwise. */
export function caseNumber(raw: string | null): number {
  if (raw === null || !/^[1-9][0-9]{0,8}$/.test(raw)) return NaN;
  return Number(raw);
}

/** Routes a request by method and request-target (origin-form, or absolute-form as RFC 7230 §5.3.2 allows). */
export function parseRoute(method: string, target: string): Route {
  let url: URL;
  try {
    url = new URL(target, 'http://wsprobe.invalid');
  } catch {
    return { kind: 'reject', status: 400, why: `not a request target: ${JSON.stringify(target.slice(0, 80))}` };
  }
  const q = url.searchParams;
  const agent = agentName(q.get('agent'));
  const withAgent = <T extends object>(r: T): T & { agent?: string } => (agent !== undefined ? { ...r, agent } : r);
  const path = url.pathname;
  switch (path) {
    case '/getCaseCount':
      return { kind: 'case-count' };
    case '/runCase':
    case '/getCaseInfo': {
      const n = caseNumber(q.get('case'));
      if (Number.isNaN(n)) return { kind: 'reject', status: 404, why: `${path} needs case=N (a case number from 1)` };
      return path === '/runCase' ? withAgent({ kind: 'run-case' as const, number: n }) : { kind: 'case-info', number: n };
    }
    case '/updateReports':
      return withAgent({ kind: 'update-reports' as const });
    case '/next':
      return withAgent({ kind: 'next' as const });
    case '/':
    case '/client.html':
      return method === 'GET' ? withAgent({ kind: 'page' as const }) : { kind: 'reject', status: 405, why: `${path} answers GET only` };
    case '/status':
      return method === 'GET' ? { kind: 'status' } : { kind: 'reject', status: 405, why: '/status answers GET only' };
    case '/report': {
      if (method !== 'POST') return { kind: 'reject', status: 405, why: '/report takes POST only' };
      const n = caseNumber(q.get('case'));
      return withAgent({ kind: 'report' as const, done: q.get('done') === '1', ...(Number.isNaN(n) ? {} : { number: n }) });
    }
  }
  if (path.startsWith('/case/')) {
    let id: string;
    try {
      id = decodeURIComponent(path.slice('/case/'.length));
    } catch {
      return { kind: 'reject', status: 404, why: 'malformed case id' };
    }
    if (id === '') return { kind: 'reject', status: 404, why: '/case/<id> needs a case id' };
    return withAgent({ kind: 'case-id' as const, id });
  }
  return { kind: 'reject', status: 404, why: `no such endpoint: ${path.slice(0, 80)}` };
}
