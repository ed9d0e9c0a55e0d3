// What a driver is: it makes one client under test run the selected cases against the run's own server, the way
// Autobahn|Testsuite's client drivers do (/getCaseCount, /runCase?case=N for each, echo every message, then
// /updateReports), and reports what the client saw at the end of each case.
import type { ClientReport } from '../state.js';

export const DRIVER_NAMES = ['reference', 'ws', 'undici', 'node', 'chromium'] as const;
export type DriverName = (typeof DRIVER_NAMES)[number];

export interface DriverContext {
  /** ws://host:port (wss:// with TLS), no trailing slash. */
  wsBase: string;
  /** http://host:port (https://), no trailing slash. */
  httpBase: string;
  agent: string;
  /** The number of selected cases (what /getCaseCount answers), for drivers that cannot ask. */
  caseCount: number;
  /** The server has a self-signed (or otherwise untrusted) certificate: the client must not check it. */
  secure: boolean;
  /** Bound for one case's connection; the server ends every case well before it. */
  caseTimeoutMs: number;
  /** Fires when the run ends (all done, --timeout, Ctrl-C): the driver stops at once. */
  signal: AbortSignal;
  /** What the client saw at the end of case `number` (1-based). */
  report(number: number, report: ClientReport): void;
}

export interface Driver {
  name: DriverName;
  /** Checks that the client can run here (a package, a browser, TLS); throws DriverSetupError otherwise. */
  prepare(opts: { secure: boolean }): Promise<void>;
  run(ctx: DriverContext): Promise<void>;
}

/** The client cannot run here (missing package or browser): a setup error, one line. */
export class DriverSetupError extends Error {
  override readonly name = 'DriverSetupError';
}
