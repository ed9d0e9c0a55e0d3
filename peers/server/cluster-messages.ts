// The IPC messages between the cluster primary and its reference-server workers.
import type { ReferenceServerOptions } from './reference-server.js';
import type { ServerStats } from './stats.js';

export type PrimaryToWorker =
  | { type: 'start'; options: ReferenceServerOptions }
  | { type: 'stats-query'; id: number }
  | { type: 'stats-aggregate'; id: number; stats: ServerStats }
  | { type: 'shutdown' };

export type WorkerToPrimary =
  | { type: 'ready' }
  | { type: 'listening'; port: number }
  | { type: 'start-failed'; code?: string; message: string }
  | { type: 'stats'; stats: ServerStats }
  | { type: 'stats-reply'; id: number; stats: ServerStats }
  | { type: 'stats-request'; id: number };

export function isMessage<T extends { type: string }>(msg: unknown): msg is T {
  return typeof msg === 'object' && msg !== null && typeof (msg as { type?: unknown }).type === 'string';
}
