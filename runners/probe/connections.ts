// Opening the probe's connections and turning how each ended into the report's words. Shared by the silent rounds
// (rounds.ts) and the heartbeat connections (heartbeats.ts).
import { IdleConnection, IdleHandshakeError, PeerConnectError, type IdleEnd } from '../../peers/probe/idle-connection.js';
import type { RequestDefaults } from '../../peers/raw/handshake-request.js';
import type { ProbeEnding } from '../../reports/schema.js';

/** Everything needed to open a probe connection and probe it. */
export interface ProbeTarget {
  url: URL;
  tls?: { insecure?: boolean; ca?: string };
  defaults?: RequestDefaults;
  connectTimeoutMs: number;
  probeTimeoutMs: number;
  /** Probes and heartbeats use this text message and its reply instead of a WebSocket ping. */
  appHeartbeat?: { send: string; expect: string };
}

export type Opened = { ok: true; conn: IdleConnection } | { ok: false; error: string };

export async function openConnection(t: ProbeTarget, onEnd?: (c: IdleConnection) => void): Promise<Opened> {
  try {
    const conn = await IdleConnection.open({
      url: t.url,
      connectTimeoutMs: t.connectTimeoutMs,
      handshakeTimeoutMs: t.connectTimeoutMs,
      ...(t.tls !== undefined ? { tls: t.tls } : {}),
      ...(t.defaults !== undefined ? { defaults: t.defaults } : {}),
      ...(onEnd !== undefined ? { onEnd } : {}),
    });
    return { ok: true, conn };
  } catch (err) {
    if (err instanceof PeerConnectError || err instanceof IdleHandshakeError) return { ok: false, error: err.message };
    return { ok: false, error: (err as Error).message };
  }
}

/** One probe: a ping and its pong, or the application heartbeat and its reply. */
export function probeOnce(t: ProbeTarget, conn: IdleConnection): ReturnType<IdleConnection['ping']> {
  return t.appHeartbeat !== undefined ? conn.appHeartbeat(t.appHeartbeat.send, t.appHeartbeat.expect, t.probeTimeoutMs) : conn.ping(t.probeTimeoutMs);
}

/** The report's form of a visible end. */
export function endingOf(end: IdleEnd): ProbeEnding {
  if (end.closeFrame !== null) {
    const out: ProbeEnding = { how: 'close-frame', code: end.closeFrame.code, handshake: end.tcp === 'fin' };
    if (end.closeFrame.reason !== '') out.reason = end.closeFrame.reason;
    return out;
  }
  const how = end.tcp === 'reset' ? 'reset' : end.tcp === 'error' ? 'error' : 'fin';
  return end.detail !== undefined && how !== 'fin' ? { how, detail: end.detail } : { how };
}

export const SILENT_DROP: ProbeEnding = { how: 'silent-drop' };

/** A key that groups equal endings (the close code and handshake matter; the reason text does not). */
export function endingKey(e: ProbeEnding): string {
  return e.how === 'close-frame' ? `close-frame:${e.code ?? 'none'}:${e.handshake === true}` : e.how;
}

/** One phrase per ending, for progress lines and reports. */
export function describeEnding(e: ProbeEnding): string {
  switch (e.how) {
    case 'close-frame':
      // JSON quoting: the path's reason text reaches a terminal with its control characters escaped.
      return `close frame ${e.code ?? '(no code)'}${e.reason ? ` ${JSON.stringify(e.reason)}` : ''}${e.handshake ? ', then FIN (closing handshake)' : ', without a clean TCP close'}`;
    case 'fin':
      return 'TCP FIN without a close frame (clients see 1006)';
    case 'reset':
      return 'TCP reset without a close frame (clients see 1006)';
    case 'error':
      return `socket error${e.detail ? ` ${JSON.stringify(e.detail)}` : ''}`;
    case 'silent-drop':
      return 'silent drop: still open locally, but the probe got no answer';
  }
}
