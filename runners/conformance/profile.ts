// Learns what the target does before the cases run (issue 13): most targets are applications (chat, pub/sub,
// JSON-RPC), not echo servers. On one connection: does it send messages unprompted (a greeting), does it echo a
// text and a binary message, does it close on a message it does not understand. Without an echo the cases that
// need one are not run (`needs-echo`), and the application's own messages are never graded as echoes.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ClientSession } from '../../peers/raw/client-session.js';
import { PeerConnectError, type RawPeerOptions } from '../../peers/raw/raw-peer.js';
import { openTransport, type PeerTransport } from '../../peers/raw/transport.js';
import type { TargetProfile } from '../../reports/schema.js';

export interface ProfileOptions {
  url: URL;
  tls?: RawPeerOptions['tls'];
  defaults?: RawPeerOptions['defaults'];
  /** Default: a new TCP (TLS) connection; over HTTP/2 the probe is a stream on the run's connection. */
  transport?: PeerTransport;
  /**
   * How long to wait for a greeting, and for each echo (default 400 and 2000 ms: generous for a loaded echo server;
   * paid once, and only by a target that does not echo; `--echo` skips the probe).
   */
  greetingMs?: number;
  echoMs?: number;
}

/** The profile a --echo / --no-echo option states, with nothing probed. */
export function statedProfile(echo: boolean): TargetProfile {
  return { echo, source: 'option' };
}

const messages = (peer: ClientSession) => peer.observation().events.filter((e) => e.kind === 'message');

/** Waits until a message of `opcode` and the length of `payload` arrives after the first `from` messages. */
async function awaitEcho(peer: ClientSession, opcode: number, payload: Uint8Array, from: number, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  for (let seen = from; ; ) {
    const got = messages(peer);
    for (; seen < got.length; seen++) {
      const m = got[seen]!;
      // Same type and length counts as an echo: a corrupt echo is graded (wrong-echo), not excused as no echo.
      if (m.kind === 'message' && m.opcode === opcode && m.length === payload.length) return true;
    }
    const left = until - performance.now();
    if (left <= 0 || peer.closed) return false;
    if (!(await peer.waitForMessages(got.length + 1, left))) return false;
  }
}

/**
 * Probes the target; a failure to connect or to complete the handshake gives the default (an echo is expected):
 * the pre-flight reports those problems itself.
 */
export async function probeProfile(opts: ProfileOptions): Promise<TargetProfile> {
  const start = performance.now();
  const echoMs = opts.echoMs ?? 2000;
  const transport = opts.transport ?? openTransport({ url: opts.url, tls: opts.tls });
  let peer: ClientSession;
  try {
    peer = await transport.connect({ defaults: opts.defaults, deadline: start + 10_000, closeReserveMs: 0 });
  } catch (err) {
    if (err instanceof PeerConnectError) return { echo: true, source: 'preflight' };
    throw err;
  }
  try {
    const hs = await peer.handshake();
    if (!hs.ok) return { echo: true, source: 'preflight' };
    await peer.waitForMessages(1, opts.greetingMs ?? 400);
    const unsolicited = messages(peer).length;
    const probe = `wsprobe echo probe ${randomBytes(6).toString('hex')}`;
    await peer.sendMessage(0x1, probe);
    const echoesText = await awaitEcho(peer, 0x1, Buffer.from(probe), unsolicited, echoMs);
    let echoesBinary = false;
    // No text echo: not an echo server, whatever binary does; the probe ends here.
    if (echoesText && !peer.closed) {
      const bin = new Uint8Array(randomBytes(16));
      const before = messages(peer).length;
      await peer.sendMessage(0x2, bin);
      echoesBinary = await awaitEcho(peer, 0x2, bin, before, echoMs);
    }
    // A target that does not echo may still answer, ignore, or close: give a close in flight a moment.
    if (!echoesText && !peer.closed) await peer.waitForClose(200);
    const closesOnUnknown = peer.closed;
    if (!peer.closed) await peer.close(1000, undefined, { timeoutMs: 1000 });
    return { echo: echoesText && echoesBinary && unsolicited === 0, source: 'preflight', echoesText, echoesBinary, unsolicited, closesOnUnknown };
  } finally {
    peer.destroy();
  }
}
