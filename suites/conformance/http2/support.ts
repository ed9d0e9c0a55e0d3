// Shared pieces of the RFC 8441 cases. Over HTTP/2 the runner shows the grader an accepted 200 as the 101 it knows
// (runners/conformance/h2-grade.ts): these expectations write OPENED for "the 200 that opens the WebSocket", and
// the reports say 200. A refusal is any other answer: a status, or the stream reset before a response (RFC 7540
// §8.1.2.6 lets a server reset a malformed request with PROTOCOL_ERROR, or answer it first).
import { Opcode } from '../../../protocol/constants.js';
import type { Expectation, HandshakeOutcome, HandshakeSpec, Peer, WirePeer } from '../../define.js';

/** The grader's 101, which stands for RFC 8441 §5's 200 in a run over HTTP/2. */
export const OPENED = [101];

/** Any 4xx: the "appropriate HTTP error code" RFC 6455 §4.2.2 asks for (RFC 8441 §5 keeps its header rules). */
export const CLIENT_ERRORS: number[] = Array.from({ length: 100 }, (_, i) => 400 + i);

/** Any answer but the 200 that opens a WebSocket, or a reset of the stream. */
export const REFUSED: Expectation = { kind: 'handshake', status: 'reject', allowDrop: true };

/** The message each stream sends to show its WebSocket is open and its own. */
export const PROBE = 'wsprobe RFC 8441 probe';

/** The WebSocket opened: the target answered 2xx and the stream stayed open. */
export function opened(hs: HandshakeOutcome | null, peer: Peer): boolean {
  return hs !== null && hs.ok && !peer.ended;
}

/** Script of a refusal case: if the target wrongly opened a WebSocket, the stream is reset (nothing to grade on it). */
export async function dropIfOpened(peer: Peer): Promise<void> {
  if (opened(peer.observation().handshake, peer)) peer.http2?.reset('the request should have been refused: stream reset (RST_STREAM CANCEL)');
}

/** Sends `texts` and waits for as many messages back. */
export async function echoTexts(peer: WirePeer, texts: string[]): Promise<void> {
  const before = peer.observation().events.filter((e) => e.kind === 'message').length;
  for (const t of texts) await peer.sendMessage(Opcode.Text, t);
  await peer.waitForMessages(before + texts.length);
}

/** The texts a peer received, in order (as UTF-8; messages past the recording limits read as ''). */
export function receivedTexts(peer: WirePeer): string[] {
  return peer
    .observation()
    .events.filter((e) => e.kind === 'message')
    .map((e) => (e.kind === 'message' && e.bytes ? Buffer.from(e.bytes).toString('utf8') : ''));
}

/** Whether `peer` got exactly `texts` back (after `skip` earlier messages). */
export function echoedExactly(peer: WirePeer | null, texts: string[], skip = 0): boolean {
  if (peer === null) return false;
  const got = receivedTexts(peer).slice(skip);
  return got.length === texts.length && got.every((t, i) => t === texts[i]);
}

/** Opens another WebSocket beside `peer` on its HTTP/2 connection (null when it did not open). */
export async function openBeside(ctx: { openPeer(spec?: HandshakeSpec | 'manual'): Promise<Peer | null> }): Promise<Peer | null> {
  const other = await ctx.openPeer();
  return other !== null && opened(other.observation().handshake, other) ? other : null;
}
