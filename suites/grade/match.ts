// Matching what the target sent against the steps a case expects. Messages must arrive in order and exactly (RFC
// 6455 §5.4, §5.6); pongs must answer our pings in order with identical data (§5.5.3), but "an endpoint MAY elect to
// send a Pong frame for only the most recently processed Ping frame", so the pongs received may be any
// subsequence of the pongs expected, as long as the last one is there. How pongs interleave with messages is the
// target's choice (§5.5.2: "as soon as is practical").
import { createHash } from 'node:crypto';
import type { ObservedEvent } from '../../peers/raw/observation.js';
import type { Expectation, Step } from '../define.js';
import { describeEvent, describeSteps, stepPayload } from './describe.js';

export interface Match {
  ok: boolean;
  /** Steps received correctly. */
  matched: number;
  /** Steps not received (yet). */
  missing: Step[];
  problem?: { code: 'no-echo' | 'wrong-echo' | 'unexpected-frame'; detail: string };
}

/** The message and pong events (server pings are ignored: RFC 6455 §5.5.2 lets an endpoint ping at any time). */
export function answers(events: ObservedEvent[]): ObservedEvent[] {
  return events.filter((e) => e.kind === 'message' || e.kind === 'pong');
}

function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

function matchStep(step: Step, e: ObservedEvent): string | null {
  const want = stepPayload(step);
  if (step.type === 'pong') {
    if (e.kind !== 'pong') return `expected pong ${want.length} B, got ${describeEvent(e)}`;
    const same = want.bytes ? Buffer.from(e.payload).equals(want.bytes) : createHash('sha256').update(e.payload).digest('hex') === want.sha256();
    if (!same || e.payload.length !== want.length) {
      return `pong payload differs from the ping's (${e.payload.length} B vs ${want.length} B${want.bytes ? `, first difference at byte ${firstDiff(e.payload, want.bytes)}` : ''})`;
    }
    return null;
  }
  const opcode = step.type === 'text' ? 0x1 : 0x2;
  if (e.kind !== 'message' || e.opcode !== opcode) return `expected ${step.type} ${want.length} B, got ${describeEvent(e)}`;
  if (e.length !== want.length) return `${step.type} message of ${e.length} B, expected ${want.length} B`;
  // Kept bytes compare directly; a payload past the recording limits compares by digest.
  const same = e.bytes && want.bytes ? Buffer.from(e.bytes).equals(want.bytes) : e.sha256 === want.sha256();
  if (!same) {
    const where = e.bytes && want.bytes ? `, first difference at byte ${firstDiff(e.bytes, want.bytes)}` : '';
    return `${step.type} message of the right length (${e.length} B) but different content${where}`;
  }
  return null;
}

/** Whether the event is exactly what the step expects (same type and content). */
export function isAnswerTo(step: Step, e: ObservedEvent): boolean {
  return matchStep(step, e) === null;
}

function unexpected(steps: Step[], e: ObservedEvent): Match['problem'] {
  const after = steps.length > 0 ? ` after ${describeSteps(steps)}` : '';
  return { code: 'unexpected-frame', detail: `unexpected ${describeEvent(e)}${after}` };
}

function matchMessages(steps: Step[], got: ObservedEvent[]): Match {
  let i = 0;
  for (; i < steps.length && i < got.length; i++) {
    const problem = matchStep(steps[i]!, got[i]!);
    if (problem) return { ok: false, matched: i, missing: steps.slice(i), problem: { code: 'wrong-echo', detail: problem } };
  }
  if (got.length > steps.length) return { ok: false, matched: i, missing: [], problem: unexpected(steps, got[steps.length]!) };
  return { ok: i === steps.length, matched: i, missing: steps.slice(i) };
}

/**
 * Pongs as a subsequence of the expected ones (§5.5.3); missing: the expected pongs after the last one answered.
 * Each pong is taken to answer the latest ping it can (matched from the end), so a lone pong for several pings
 * with the same payload answers the last of them, as §5.5.3 allows.
 */
function matchPongs(steps: Step[], got: ObservedEvent[]): Match {
  let j = 0;
  for (const e of got) {
    let k = j;
    while (k < steps.length && matchStep(steps[k]!, e) !== null) k++;
    if (k === steps.length) {
      if (j === steps.length) return { ok: false, matched: j, missing: [], problem: unexpected(steps, e) };
      return { ok: false, matched: j, missing: steps.slice(j), problem: { code: 'wrong-echo', detail: `${matchStep(steps[j]!, e)} (RFC 6455 §5.5.3), or answers no ping in order` } };
    }
    j = k + 1;
  }
  // An embedding exists (found from the front); the one from the back places the last pong as late as it can go.
  let end = steps.length;
  let last = -1;
  for (let i = got.length - 1; i >= 0; i--) {
    end--;
    while (matchStep(steps[end]!, got[i]!) !== null) end--;
    if (last === -1) last = end;
  }
  return { ok: last === steps.length - 1, matched: last + 1, missing: steps.slice(last + 1) };
}

export function matchSteps(steps: Step[], got: ObservedEvent[], allowFewer: boolean): Match {
  const isPong = (s: Step): boolean => s.type === 'pong';
  const msgs = matchMessages(steps.filter((s) => !isPong(s)), got.filter((e) => e.kind === 'message'));
  const pongs = matchPongs(steps.filter(isPong), got.filter((e) => e.kind === 'pong'));
  const matched = msgs.matched + pongs.matched;
  const missing = steps.filter((s) => (isPong(s) ? pongs.missing : msgs.missing).includes(s));
  const problem = msgs.problem ?? pongs.problem;
  if (problem) return { ok: false, matched, missing, problem };
  if (missing.length > 0 && !allowFewer) {
    return { ok: false, matched, missing, problem: { code: 'no-echo', detail: `${describeSteps(missing)} never arrived (received ${matched} of ${steps.length})` } };
  }
  return { ok: missing.length === 0, matched, missing };
}

/**
 * A case's expectation for a target that does not echo (an application server): `reason` when it cannot be graded
 * at all, else the expectation to grade. A case that expects messages back cannot; nor, for a target that closes
 * on messages it does not understand, one that sends valid messages ahead of invalid data (the target's close
 * would answer them, not the invalid data). A handshake case whose echo only shows the connection works is graded
 * on its handshake. Pongs, the closing handshake and failing the connection need no echo.
 */
export function withoutEcho(e: Expectation, closesOnUnknown: boolean): { expect: Expectation } | { reason: string } {
  const isMessage = (s: Step): boolean => s.type !== 'pong';
  switch (e.kind) {
    case 'behave':
      return e.receive.some(isMessage) ? { reason: 'the case expects messages echoed back, and the target does not echo' } : { expect: e };
    case 'fail':
      return closesOnUnknown && (e.before ?? []).some(isMessage)
        ? { reason: 'the case sends valid messages ahead of the invalid data, and the target closes on messages it does not understand, so its close would not answer the invalid data' }
        : { expect: e };
    case 'handshake': {
      if (!e.then) return { expect: e };
      const then = withoutEcho(e.then, closesOnUnknown);
      if ('expect' in then) return { expect: { ...e, then: then.expect } };
      const { then: _dropped, ...handshakeOnly } = e;
      return { expect: handshakeOnly };
    }
    case 'negotiated': {
      const then = withoutEcho(e.then, closesOnUnknown);
      return 'expect' in then ? { expect: { ...e, then: then.expect } } : then;
    }
    case 'informational':
      return { expect: e };
  }
}
