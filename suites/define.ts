// Case types and the expectation language of the conformance catalogue, and the role-symmetric case form both
// catalogues share.
//
// A case is data (id, title, RFC sections, Autobahn ids, expectation, timeout) plus a short script that acts on the
// target and observes it through the `Peer`. The script asserts nothing: suites/grade/grade.ts turns the
// Peer's `Observation` and the case's `Expectation` into a verdict. Scripts may measure (peer.metric) but never decide outcomes.
// A case whose script only sends frames, waits and closes is written once with defineWireCase, on the `WirePeer`
// both roles share: it runs here against servers and, mirrored by suites/client/mirror.ts, against clients, as
// Autobahn|Testsuite runs the same numbered cases in both modes.
import { createHash } from 'node:crypto';
import { buildDeflateOffer, PERMESSAGE_DEFLATE } from '../protocol/extensions/permessage-deflate.js';
import type { HandshakeSpec, Peer, WirePeer } from '../peers/raw/peer.js';
import type { ReasonCode } from './grade/reasons.js';
import { GIVE_UP_MARK } from '../peers/raw/observation.js';

export { GIVE_UP_MARK } from '../peers/raw/observation.js';

export type { Peer, WirePeer, FrameSpec, SendOptions, Chop, HandshakeSpec, HandshakeOutcome } from '../peers/raw/peer.js';
export type { Observation, ObservedEvent } from '../peers/raw/observation.js';

/** Something the target must send, in order. Server pings are ignored by the grader (RFC 6455 §5.5.2). */
export type Step =
  /** A whole message with exactly this content (the target may fragment it any way it likes: §5.4). */
  | { type: 'text' | 'binary'; payload: Uint8Array | string }
  /** The same, by length and SHA-256, for large payloads. */
  | { type: 'text' | 'binary'; length: number; sha256: string }
  /** A pong with exactly this payload (§5.5.3: "identical Application data"). */
  | { type: 'pong'; payload: Uint8Array | string };

/** How the target must answer our close frame (client-initiated closing handshake, RFC 6455 §7.1.2, §5.5.1). */
export interface CloseRule {
  /**
   * Close codes expected in the target's answering close frame. Another valid code is non-strict (other-code):
   * §5.5.1 says only that the endpoint "typically echos the status code it received".
   */
  codes: number[];
  /** Accept an answering close frame with no payload (§5.5.1: the body is optional). Default true; false: wrong-code. */
  allowNoCode?: boolean;
  /**
   * Our close carries a code RFC 6455 itself does not define (1012-1014, registered with IANA later: §7.4.2
   * reserves 1000-2999 "for definition by this protocol, its future revisions, and extensions"): a target that
   * refuses it with one of `codes`, or by dropping TCP, is non-strict (refused-code), `why` citing the rule.
   */
  refusal?: { codes: number[]; why: string };
}

/** A header check on the handshake response. Names are case-insensitive. */
export interface HeaderRule {
  name: string;
  /** Exact value (after trimming OWS). */
  equals?: string;
  /** A comma-separated list that contains this token (case-insensitive). */
  hasToken?: string;
  matches?: RegExp;
}

export type Expectation =
  /**
   * Normal behaviour: receive exactly these things in order (nothing else but server pings), then, when the
   * script closes, the closing handshake per `close` (default: answer 1000 or no code) and the target closes TCP.
   */
  | {
      kind: 'behave';
      receive: Step[];
      close?: CloseRule;
      /**
       * Close codes by which the target may refuse a legal but large message as a resource limit of its own
       * (1009 message too big, 1008 policy): graded non-strict (limit-reached) instead of fail. For limits cases.
       */
      limitCodes?: number[];
      /**
       * Points where the target may fail the connection instead (a rule the RFC leaves to the receiver, e.g. a
       * non-minimal length, a close code registered after RFC 6455, a text message already doomed to be invalid):
       * failing there with one of `codes`, or by dropping TCP, passes (`allowed-fail`). Used by the fuzz oracle.
       */
      mayFail?: { codes: number[]; why: string }[];
      /** Graded mid-connection (a fuzz model step): no closing handshake is due; the connection must be open. */
      open?: boolean;
      /**
       * A mark the script sets after a pause, just before it sends the last fragment(s) of a message that pings
       * interleave (§5.4: control frames "MAY be injected in the middle of a fragmented message"): the pong of the
       * `pings`-th expected pong step is due before it (§5.5.2: "as soon as is practical"). Arriving only after
       * it, held back until the message ended, is non-strict (late-pong).
       */
      pongsBy?: { mark: string; pings: number };
    }
  /**
   * Fail the WebSocket Connection (RFC 6455 §7.1.7): a close frame with one of `codes`, then TCP closed by the
   * target; or, when `allowDrop` (default true), TCP closed or reset without a close frame. Nothing beyond `before`
   * may be echoed. `before`: valid messages sent ahead of the invalid data; failing before echoing them is
   * non-strict (early-fail), as in Autobahn 3.2-3.4, 4.1.3-5, 4.2.3-5, 5.15. `failBy`: a mark the script sets when
   * the rest of the offending message has been sent; failing only after it is non-strict (late-fail: not
   * fail-fast, Autobahn 6.4.x). Failing with another valid code is non-strict (other-code: no MUST names the
   * code, §7.1.7 "SHOULD send a Close frame with an appropriate status code"); failing by a TCP drop or with a
   * close frame without a code is non-strict too (failed-without-close), unless `allowDrop` is false (fail).
   * `accepted`: close codes by which the target treats our input as valid where the RFC sets the receiver no
   * rule (e.g. our close code 5000: §7.4.2 defines nothing above 4999): graded informational, `why` citing it.
   */
  | { kind: 'fail'; codes: number[]; allowDrop?: boolean; before?: Step[]; failBy?: string; accepted?: { codes: number[]; why: string } }
  /**
   * Always informational: the behaviour is recorded and described, with the script's metrics. `receive`, when
   * given, is compared and the difference described (never graded). `reasonCode` defaults to 'informational'.
   */
  | { kind: 'informational'; describe: string; receive?: Step[]; reasonCode?: ReasonCode }
  /**
   * The opening handshake (RFC 6455 §4). `status`: accepted statuses; 'reject' means any status but 101 (and, with
   * `allowDrop`, closing TCP without a response). `nonStrict`: statuses accepted as non-strict (e.g. a 400 where
   * §4.4 says 426), with the reason. A 101 must also pass §4.1's client checks; then `then` grades the rest of
   * the connection (e.g. an echo), else the case ends at the handshake.
   */
  | {
      kind: 'handshake';
      status: number[] | 'reject';
      allowDrop?: boolean;
      requireHeaders?: HeaderRule[];
      forbidHeaders?: string[];
      /** Statuses graded non-strict instead of fail, each with its reason; the first that matches applies. */
      nonStrict?: NonStrictStatus | NonStrictStatus[];
      then?: Expectation;
      /**
       * Metrics the script must have recorded with these values (e.g. `second-connection-ok: 1` after a large
       * head); a missing or different value is `fail` with reason code `metric`, and `why` as the reason.
       */
      requireMetrics?: { name: string; equals: number; why: string }[];
    }
  /**
   * Needs an extension (RFC 6455 §9): when the 101 response did not accept `extension`, the case is
   * `unimplemented` (Autobahn 12.x/13.x); otherwise `then` grades it. `refusal: 'pass'`: a 4xx answer to the
   * handshake passes too (a server may refuse a connection whose offer it must decline, RFC 7692 §7).
   */
  | { kind: 'negotiated'; extension: string; then: Expectation; refusal?: 'pass' };

/** A status (or any refusal) graded non-strict by a `handshake` expectation, with the reason. */
export interface NonStrictStatus {
  status: number[] | 'reject';
  why: string;
}

/** Options of the run the case may depend on. */
export interface CaseOptions {
  /** The target's stated message size limit (`wsprobe test --max-payload N`). */
  maxPayload?: number;
  /** Subprotocols the user offers (`--protocol`); the target is expected to select one of them. */
  protocols?: string[];
  /** The Origin the user sends (`--origin`). */
  origin?: string;
  /** The user's statement of the target's Origin policy for `origin` (`--expect-origin`). */
  expectOrigin?: 'allow' | 'forbid';
  /** false: the target does not echo (pre-flight profile or --no-echo); scripts skip waits for echoes. */
  echo?: boolean;
}

export interface CaseContext {
  options: CaseOptions;
  /** This case's budget in ms (after --timeout and --timeout-scale). */
  timeoutMs: number;
  /** The seed of this case's Entropy (mask keys, Sec-WebSocket-Key). */
  seed: number;
  /**
   * Opens another connection to the same target inside the case (e.g. to check the target still serves after
   * abuse), with the opening handshake done unless `spec` is 'manual'. Resolves null when TCP/TLS cannot
   * connect; never rejects. The runner closes it when the case ends; it is not graded, so the script records
   * what it saw with `peer.metric` / `peer.note` on the case's own peer.
   */
  openPeer(spec?: HandshakeSpec | 'manual'): Promise<Peer | null>;
}

export const CASE_TAGS = {
  /** Sends 16 MiB or more: skipped by --quick. */
  huge: 'huge',
  /** Takes several seconds even against a fast target. */
  slow: 'slow',
  /** Measures timing; runs alone (exclusive). */
  timing: 'timing',
  /** Moves megabytes: the runner keeps few of these in flight at once (heavyConcurrency). */
  heavy: 'heavy',
} as const;
export type CaseTag = (typeof CASE_TAGS)[keyof typeof CASE_TAGS];

/** Default budget of a small case. Generous on purpose: a slow but correct target must not fail on a timer. */
export const DEFAULT_CASE_TIMEOUT_MS = 10_000;

/** What a case states about itself, in either catalogue (server cases here, client cases in suites/client/). */
export interface CaseInfo {
  /** Stable dotted id, area first: `control.ping.payload-126`. Baselines are keyed on it. */
  id: string;
  title: string;
  /** RFC 6455 sections ('5.5.2'), or RFC 7692 ones written '7692 7.1' (the grader's cite() reads them so). */
  rfc: string[];
  /** Autobahn|Testsuite case ids covered, e.g. ['2.5'] (its client mode runs the same numbered cases). */
  autobahn: string[];
  tags?: CaseTag[];
  /** The whole case's budget in ms. Default DEFAULT_CASE_TIMEOUT_MS (client cases: DEFAULT_CLIENT_CASE_TIMEOUT_MS). */
  timeoutMs?: number;
}

export interface ConformanceCase extends CaseInfo {
  /** Runs with no other case in flight (timing measurements). */
  exclusive?: boolean;
  /** The opening handshake the runner sends before `run` (default: a correct one); 'manual': the script does it. */
  handshake?: HandshakeSpec | 'manual';
  expect: Expectation | ((options: CaseOptions) => Expectation);
  /** Acts and observes. Must not throw on target misbehaviour (the Peer does not); a throw is a harness error. */
  run(peer: Peer, ctx: CaseContext): Promise<void>;
  /** The role-symmetric definition this case was made from (defineWireCase), which the client catalogue mirrors. */
  wire?: WireCase;
}

const ID_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+$/;

/** Throws unless `c`'s id is lowercase dotted (kebab-case segments, at least two) and it cites an RFC section. */
export function checkCaseShape(c: { id: string; rfc: string[] }, what = 'case'): void {
  if (!ID_RE.test(c.id)) throw new Error(`${what} id ${JSON.stringify(c.id)} is not a dotted kebab-case id`);
  if (c.rfc.length === 0) throw new Error(`${what} ${c.id} cites no RFC section`);
}

/** Checks and returns a case definition. */
export function defineCase(c: ConformanceCase): ConformanceCase {
  checkCaseShape(c);
  return c;
}

// ---- The role-symmetric form ----

export type BehaveExpectation = Extract<Expectation, { kind: 'behave' }>;
export type FailExpectation = Extract<Expectation, { kind: 'fail' }>;
export type InformationalExpectation = Extract<Expectation, { kind: 'informational' }>;
/** What either role can expect of the other side of an open connection (the handshake kinds are role-specific). */
export type WireExpectation = BehaveExpectation | FailExpectation | InformationalExpectation;

/** A role-symmetric script's context: no second connection (a client under test opens none on request). */
export interface WireCaseContext {
  /** The run's options against a server; none ({}) against a client. */
  options: CaseOptions;
  timeoutMs: number;
  seed: number;
}

/**
 * A case that means the same against a server and against a client under test: its script needs nothing but the
 * WirePeer, its expectation nothing but what the other side sends.
 */
export interface WireCase extends CaseInfo {
  /** Against a server: runs with no other case in flight. (A client run has one case in flight anyway.) */
  exclusive?: boolean;
  /**
   * Needs permessage-deflate agreed (RFC 7692), else the case is unimplemented (Autobahn 12.x): against a server
   * the handshake offers it (DEFAULT_DEFLATE_OFFER, Autobahn's), against a client the response accepts its offer.
   */
  deflate?: boolean;
  expect: WireExpectation | ((options: CaseOptions) => WireExpectation);
  run(peer: WirePeer, ctx: WireCaseContext): Promise<void>;
}

/** Autobahn's default offer: `permessage-deflate; client_max_window_bits`. */
export const DEFAULT_DEFLATE_OFFER = buildDeflateOffer().header;

/** Checks a role-symmetric case and returns it as a server case (which keeps it in `wire` for the client catalogue). */
export function defineWireCase(w: WireCase): ConformanceCase {
  const { deflate, expect, ...rest } = w;
  const wrap = (e: WireExpectation): Expectation => whenNegotiated(PERMESSAGE_DEFLATE, e);
  return defineCase({
    ...rest,
    ...(deflate ? { handshake: { extensions: DEFAULT_DEFLATE_OFFER } } : {}),
    expect: !deflate ? expect : typeof expect === 'function' ? (o: CaseOptions) => wrap(expect(o)) : wrap(expect),
    wire: w,
  });
}

export function caseArea(id: string): string {
  return id.split('.')[0] ?? id;
}

export function resolveExpectation(c: ConformanceCase, options: CaseOptions): Expectation {
  return typeof c.expect === 'function' ? c.expect(options) : c.expect;
}

// ---- Expectation builders (plain data; use them or write the objects by hand) ----

/** Echo these messages in order, then answer our close (default 1000, or no code) and close TCP. */
export function echo(receive: Step[], close?: CloseRule): BehaveExpectation {
  return close ? { kind: 'behave', receive, close } : { kind: 'behave', receive };
}

/** Fail the connection with one of `codes` (default [1002]) or drop TCP. */
export function failWith(
  codes: number[] = [1002],
  opts: { before?: Step[]; failBy?: string; allowDrop?: boolean; accepted?: { codes: number[]; why: string } } = {},
): FailExpectation {
  return { kind: 'fail', codes, ...opts };
}

/** Graded by `then` when the target accepted `extension`, else unimplemented. */
export function whenNegotiated(extension: string, then: Expectation, opts: { refusal?: 'pass' } = {}): Expectation {
  return { kind: 'negotiated', extension, then, ...opts };
}

export function informational(describe: string, opts: { receive?: Step[]; reasonCode?: ReasonCode } = {}): InformationalExpectation {
  return { kind: 'informational', describe, ...opts };
}

export const text = (payload: Uint8Array | string): Step => ({ type: 'text', payload });
export const binary = (payload: Uint8Array | string): Step => ({ type: 'binary', payload });
export const pong = (payload: Uint8Array | string = new Uint8Array(0)): Step => ({ type: 'pong', payload });

/** A large message step by digest: the grader compares length and SHA-256, not only the length. */
export function digestStep(type: 'text' | 'binary', payload: Uint8Array): Step {
  return { type, length: payload.length, sha256: sha256Hex(payload) };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// ---- Payloads: deterministic, so expectations can be rebuilt without storing them ----

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 *';
const patternCache = new Map<string, Uint8Array>();

/**
 * `length` bytes of deterministic content: ASCII text (valid UTF-8) for 'text', every byte value for 'binary'.
 * Payloads up to 4 MiB are cached: treat them as read-only.
 */
export function patternPayload(kind: 'text' | 'binary', length: number): Uint8Array {
  const key = `${kind}:${length}`;
  const hit = patternCache.get(key);
  if (hit) return hit;
  const out = new Uint8Array(length);
  if (kind === 'text') {
    for (let i = 0; i < length; i++) out[i] = ALPHABET.charCodeAt((i * 7 + (i >>> 6)) % ALPHABET.length);
  } else {
    for (let i = 0; i < length; i++) out[i] = (i * 31 + (i >>> 8)) & 0xff;
  }
  if (length <= 4 * 1024 * 1024) patternCache.set(key, out);
  return out;
}

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'utf8'));
}

// ---- Script helpers: the usual endings of a case, in either role ----

/** Normal ending: start the closing handshake with `code` (default 1000) and wait for it to finish. */
export async function closeNormally(peer: WirePeer, code = 1000, reason?: string | Uint8Array): Promise<void> {
  await peer.close(code, reason);
}

/**
 * Waits until the last pong received answers the ping with `payload`, or the case deadline (keeping a reserve for
 * the close): a target may answer only the most recent of several pings (RFC 6455 §5.5.3), so counting pongs
 * would wait in vain. Returns whether it arrived.
 */
export async function waitForLatestPong(peer: WirePeer, payload: Uint8Array | string): Promise<boolean> {
  const want = typeof payload === 'string' ? utf8(payload) : payload;
  const same = (p: Uint8Array): boolean => p.length === want.length && p.every((b, i) => b === want[i]);
  for (;;) {
    const pongs = peer.observation().events.filter((e) => e.kind === 'pong');
    const last = pongs[pongs.length - 1];
    if (last?.kind === 'pong' && same(last.payload)) return true;
    if (!(await peer.waitForPongs(pongs.length + 1))) return false;
  }
}

/**
 * Ending of a failure case: wait for the target to fail the connection (close frame or TCP end), then finish
 * the closing handshake (the peer answers a close frame by itself). If the target never fails, the wait ends at the
 * case deadline (keeping a reserve for the close), the give-up mark is set and we close with 1000, so the grader
 * sees a target that did not fail rather than one that failed on our close.
 */
export async function awaitFailure(peer: WirePeer): Promise<void> {
  if (!(await peer.waitForClose())) peer.mark(GIVE_UP_MARK);
  await peer.close(1000);
}
