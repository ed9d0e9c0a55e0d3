// Shared pieces of the permessage-deflate cases (RFC 7692): offers, the echo case builder and the script endings.
// Every case offers permessage-deflate in its handshake; the raw peer's deflate stage then compresses what
// sendMessage sends and inflates what the target sends. A target that does not accept the offer makes the case
// `unimplemented` (whenNegotiated), as Autobahn does for 12.x/13.x.
import { Opcode } from '../../../protocol/constants.js';
import { buildDeflateOffer, PERMESSAGE_DEFLATE, type DeflateClientConfig } from '../../../protocol/extensions/permessage-deflate.js';
import type { DeflateStageOptions } from '../../../peers/raw/deflate-stage.js';
import {
  closeNormally,
  DEFAULT_DEFLATE_OFFER,
  defineCase,
  defineWireCase,
  digestStep,
  echo,
  whenNegotiated,
  type BehaveExpectation,
  type ConformanceCase,
  type Expectation,
  type Step,
  type WirePeer,
} from '../../define.js';
import { CORPUS_KINDS, corpusMessages, type CorpusKind } from './corpus.js';

export const DEFLATE = PERMESSAGE_DEFLATE;

/** The plain offer (Autobahn's default): `permessage-deflate; client_max_window_bits`. */
export const DEFAULT_OFFER = DEFAULT_DEFLATE_OFFER;

export function offer(config: DeflateClientConfig): string {
  return buildDeflateOffer(config).header;
}

/** A case that needs permessage-deflate: unimplemented without it, else graded by `then`. */
export function needsDeflate(then: Expectation, opts: { refusal?: 'pass' } = {}): Expectation {
  return whenNegotiated(DEFLATE, then, opts);
}

const statusRange = (from: number): number[] => Array.from({ length: 100 }, (_, i) => from + i);

/**
 * For a valid offer a server may be unable to serve (e.g. an 8-bit window): RFC 7692 §7.1.2.1 "A server declines an
 * extension negotiation offer with this parameter if the server doesn't support it", and §7 "A server MUST decline
 * an extension negotiation offer for this extension if ... The server doesn't support the offered configuration."
 * Declining (a 101 without permessage-deflate) makes the case unimplemented. Refusing the whole handshake instead
 * is non-strict, not a fail: the RFC asks for the decline, but RFC 6455 §4.2.2 lets a server refuse a connection
 * with an HTTP error; the client just loses a connection it would have had uncompressed. A 5xx says so.
 */
export function declinable(then: Expectation, offered: string): Expectation {
  const why = (status: string): string =>
    `the target refused the handshake with ${status} instead of declining the offer of ${offered}: "A server declines an extension negotiation offer with this parameter if the server doesn't support it" (and §7: it "MUST decline" a configuration it does not support)`;
  return {
    kind: 'handshake',
    status: [101],
    nonStrict: [
      { status: statusRange(400), why: why('a 4xx') },
      { status: statusRange(500), why: why('a 5xx (a server error)') },
    ],
    then: needsDeflate(then),
  };
}

/** Notes, in the transcript, how the response strayed from RFC 7692 when it was still accepted (the agreement says). */
function noteDeviation(peer: WirePeer): void {
  const d = peer.deflate?.agreement.deviation;
  if (d) peer.note(`RFC 7692 §${d.rfc.slice(5)}: ${d.message}`);
}

/** Exact payloads up to 1 KiB (readable differences), digests beyond. */
export function messageStep(opcode: number, payload: Uint8Array): Step {
  const type = opcode === Opcode.Text ? 'text' : 'binary';
  return payload.length <= 1024 ? { type, payload } : digestStep(type, payload);
}

/** Records the stage's byte counts (plain and compressed, both ways) as case metrics. */
export function recordDeflateMetrics(peer: WirePeer): void {
  const stage = peer.deflate ?? null;
  if (stage === null) return;
  for (const [name, value] of Object.entries(stage.metrics())) peer.metric(name, value);
}

/**
 * Sends the messages compressed (split into frames of `fragmentSize` compressed bytes when given: Autobahn's
 * auto-fragmentation), waits for as many echoes, then closes normally. Without permessage-deflate it only closes:
 * the grader reports the case unimplemented.
 */
export async function echoCompressed(peer: WirePeer, opcode: typeof Opcode.Text | typeof Opcode.Binary, messages: readonly Uint8Array[], fragmentSize?: number): Promise<void> {
  if (!peer.deflate) {
    peer.note('permessage-deflate not negotiated: nothing to test');
    await closeNormally(peer);
    return;
  }
  noteDeviation(peer);
  for (const m of messages) await peer.sendMessage(opcode, m, fragmentSize !== undefined ? { fragmentSize } : {});
  await peer.waitForMessages(messages.length);
  recordDeflateMetrics(peer);
  await closeNormally(peer);
}

export interface DeflateEchoSpec {
  id: string;
  title: string;
  autobahn: string[];
  kind: CorpusKind;
  /** Code points for text kinds, bytes for binary ones (as Autobahn counts). */
  size: number;
  count: number;
  /** Auto-fragmentation: frames of at most this many compressed bytes. */
  fragmentSize?: number;
  /** The Sec-WebSocket-Extensions offer (default DEFAULT_OFFER). */
  offer?: string;
  /** Our own compressor's settings within the agreement (Autobahn's "accept" half of 13.x). */
  stage?: DeflateStageOptions;
  rfc?: string[];
  /** The offer asks for something a server may not support (`declinable`): names it for the reason. */
  declinable?: string;
}

/**
 * Sends `count` compressed messages of the corpus and expects each echoed with the same type, length and content.
 * Under the default offer with our default compressor it is role-symmetric (the client catalogue runs it too).
 */
export function deflateEchoCase(spec: DeflateEchoSpec): ConformanceCase {
  const opcode = CORPUS_KINDS[spec.kind].opcode;
  const messages = (): Uint8Array[] => corpusMessages(spec.kind, spec.size, spec.count);
  const data = {
    id: spec.id,
    title: spec.title,
    rfc: spec.rfc ?? ['7692 7.2.1', '7692 7.2.2', '7692 6'],
    autobahn: spec.autobahn,
    timeoutMs: spec.size >= 65536 ? 30_000 : 10_000,
    run: (peer: WirePeer) => echoCompressed(peer, opcode, messages(), spec.fragmentSize),
  };
  const then = (): BehaveExpectation => echo(messages().map((m) => messageStep(opcode, m)));
  if (spec.offer === undefined && spec.stage === undefined && spec.declinable === undefined) return defineWireCase({ ...data, deflate: true, expect: then });
  return defineCase({
    ...data,
    handshake: { extensions: spec.offer ?? DEFAULT_OFFER, ...(spec.stage ? { deflate: spec.stage } : {}) },
    expect: () => (spec.declinable !== undefined ? declinable(then(), spec.declinable) : needsDeflate(then())),
  });
}

/** Autobahn ids `prefix.from` .. `prefix.to`. */
export function autobahnRange(prefix: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(`${prefix}.${i}`);
  return out;
}
