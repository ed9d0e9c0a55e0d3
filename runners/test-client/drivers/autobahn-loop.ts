// Autobahn's client-driver loop for any WHATWG-style WebSocket (the `ws` package, undici, Node's global WebSocket):
// the case count from /getCaseCount, then one connection per case to /runCase?case=N&agent=A that echoes every
// message with its type (binaryType 'arraybuffer': a string is sent back as text, an ArrayBuffer as binary) and
// lets the library answer pings and closes, then /updateReports. Each connection ends by the server (it closes or
// drops every case by its deadline), by `caseTimeoutMs`, or by the run's signal.
import type { ClientReport } from '../state.js';
import type { DriverContext } from './types.js';

/** The part of the WHATWG WebSocket interface the loop uses. */
export interface WebSocketLike {
  binaryType: string;
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string; wasClean: boolean }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** Opens one connection; `release` (when given) frees what it used once the connection is over. */
export type OpenWebSocket = (url: string) => { ws: WebSocketLike; release?: () => void };

/** How long a connection may take to fire close after its error event. */
const ERROR_GRACE_MS = 1000;

interface Outcome extends ClientReport {
  messages: unknown[];
}

/** One connection: resolves with what its close event said (or the error, or the timeout). */
export function connectOnce(open: OpenWebSocket, url: string, echo: boolean, ctx: Pick<DriverContext, 'caseTimeoutMs' | 'signal'>): Promise<Outcome> {
  return new Promise((resolve) => {
    const out: Outcome = { messages: [] };
    let ws: WebSocketLike;
    let release: (() => void) | undefined;
    try {
      ({ ws, release } = open(url));
    } catch (err) {
      resolve({ ...out, error: `the constructor threw: ${oneLine(err)}` });
      return;
    }
    let settled = false;
    let closeAfterError: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(closeAfterError);
      ctx.signal.removeEventListener('abort', onAbort);
      release?.();
      resolve(out);
    };
    const giveUp = (why: string): void => {
      out.error ??= why;
      try {
        ws.close();
      } catch {
        // already closing
      }
      finish();
    };
    const onAbort = (): void => giveUp('the run ended');
    const timer = setTimeout(() => giveUp(`no close event within ${ctx.caseTimeoutMs} ms`), ctx.caseTimeoutMs);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (ev) => {
      if (!echo) {
        out.messages.push(ev.data);
        return;
      }
      try {
        ws.send(ev.data as string | ArrayBuffer);
      } catch (err) {
        out.error ??= `send threw: ${oneLine(err)}`;
      }
    };
    ws.onerror = (ev) => {
      const e = (ev as { error?: unknown; message?: unknown } | null) ?? {};
      out.error ??= `error event${e.message !== undefined ? `: ${oneLine(e.message)}` : e.error !== undefined ? `: ${oneLine(e.error)}` : ''}`;
      // The WebSocket standard fires close right after error; undici 6 does not after a refused handshake, so the
      // connection counts as over shortly after its error even without one.
      closeAfterError ??= setTimeout(finish, ERROR_GRACE_MS);
    };
    ws.onclose = (ev) => {
      out.code = ev.code;
      out.reason = ev.reason;
      out.wasClean = ev.wasClean;
      finish();
    };
    if (ctx.signal.aborted) onAbort();
  });
}

/** The number /getCaseCount sends; NaN when it sent none. */
export async function fetchCaseCount(open: OpenWebSocket, ctx: DriverContext): Promise<number> {
  const r = await connectOnce(open, `${ctx.wsBase}/getCaseCount`, false, ctx);
  const first = r.messages[0];
  return typeof first === 'string' && /^\d+$/.test(first) ? Number(first) : NaN;
}

export async function autobahnLoop(open: OpenWebSocket, ctx: DriverContext): Promise<void> {
  const count = await fetchCaseCount(open, ctx);
  if (Number.isNaN(count)) throw new Error('no case count from /getCaseCount');
  const agent = encodeURIComponent(ctx.agent);
  for (let n = 1; n <= count && !ctx.signal.aborted; n++) {
    const { messages: _m, ...report } = await connectOnce(open, `${ctx.wsBase}/runCase?case=${n}&agent=${agent}`, true, ctx);
    if (!ctx.signal.aborted) ctx.report(n, report);
  }
  if (!ctx.signal.aborted) await connectOnce(open, `${ctx.wsBase}/updateReports?agent=${agent}`, false, ctx);
}

export function oneLine(x: unknown): string {
  const s = x instanceof Error ? x.message : String(x);
  return s.split('\n')[0]!.slice(0, 200);
}
