// The property of every stream suite: the target's observable behaviour is one the model allows. Echoes equal what
// was sent, every pong answers a ping (RFC 6455 §5.5.3 lets a server answer only the latest of several), a
// failure comes where the model allows one, with an allowed code or a TCP drop, and nothing hangs.
import { previewBytes } from './fuzz-frame.js';
import type { StreamObservation } from '../../peers/fuzz/fuzz-target.js';
import { allowedCloseReplies, type ExpectedMessage, type FailurePoint, type StreamPrediction } from './model/predict-stream.js';
import { readServerFrames, type ServerFrames } from './server-frames.js';

export interface Mismatch {
  /** Stable reason code: wrong-code, no-fail, unexpected-fail, wrong-echo, missing-pong, wrong-pong, timeout, ... */
  reasonCode: string;
  /** Why, citing the RFC. */
  reason: string;
  expected: string;
  observed: string;
}

export function judgeStream(prediction: StreamPrediction, obs: StreamObservation): Mismatch | null {
  const observed = describeObservation(obs);
  if (obs.connectError !== undefined) {
    return { reasonCode: 'connect-failed', reason: `could not connect: ${obs.connectError}`, expected: 'a TCP connection', observed };
  }
  if (obs.handshakeError !== undefined) {
    return { reasonCode: 'handshake-failed', reason: `RFC 6455 §4.1: opening handshake failed: ${obs.handshakeError}`, expected: 'a valid 101 response', observed };
  }
  const server = readServerFrames(obs.received);
  if (obs.decodeError !== undefined) server.violations.unshift(`the target's bytes are not frames: ${obs.decodeError}`);
  if (server.violations.length > 0) {
    return { reasonCode: 'invalid-frame', reason: server.violations[0]!, expected: 'only valid server frames', observed };
  }
  const dropped = server.close === null && (obs.end === 'fin' || obs.end === 'reset');
  if (server.close === null && !dropped) {
    return {
      reasonCode: 'timeout',
      reason: 'no close frame and no TCP close before the deadline (RFC 6455 §7.1.7 / §5.5.1)',
      expected: describePrediction(prediction),
      observed,
    };
  }

  const clean = cleanCloseMismatch(prediction, server, obs);
  if (clean === null) return null;
  for (const p of prediction.failures) if (failureMatches(p, prediction, server, obs)) return null;

  if (prediction.mustFail) {
    const p = prediction.failures[prediction.failures.length - 1]!;
    const code = server.close?.code;
    if (server.close !== null && code !== undefined && code !== null && !p.codes.includes(code) && echoesMatch(server.messages, prediction.echoes.slice(0, p.echoes), false)) {
      return { reasonCode: 'wrong-code', reason: `${p.rule}; the target closed with ${code}, allowed: ${p.codes.join(', ')}`, expected: describePrediction(prediction), observed };
    }
    const extra = server.messages.length > p.echoes;
    return {
      reasonCode: extra ? 'echoed-invalid' : 'no-fail',
      reason: `${p.rule}; ${extra ? 'the target echoed data it had to refuse' : 'the target did not fail the connection as required'} (frame ${p.frame + 1})`,
      expected: describePrediction(prediction),
      observed,
    };
  }
  return { ...clean, expected: describePrediction(prediction), observed };
}

/** Null when the target closed cleanly as the RFC requires after our valid close; else what is wrong. */
function cleanCloseMismatch(p: StreamPrediction, s: ServerFrames, obs: StreamObservation): Omit<Mismatch, 'expected' | 'observed'> | null {
  if (p.mustFail || p.close === null) return { reasonCode: 'no-fail', reason: 'the target must fail the connection' };
  if (s.close === null) return { reasonCode: 'unexpected-fail', reason: 'RFC 6455 §5.5.1: the target dropped TCP instead of answering our close frame' };
  const allowed = allowedCloseReplies(p.close.code);
  if (!allowed.includes(s.close.code)) {
    return {
      reasonCode: p.failures.length > 0 ? 'wrong-code' : 'unexpected-fail',
      reason: `RFC 6455 §5.5.1: our close ${p.close.code ?? '(no code)'} was answered with ${s.close.code ?? '(no code)'}; allowed: ${allowed.map((c) => c ?? 'no code').join(', ')}`,
    };
  }
  if (!echoesMatch(s.messages, p.echoes, false)) {
    return { reasonCode: 'wrong-echo', reason: `the echoes differ from the messages sent (RFC 6455 §5.4: fragments in order, §5.6 payload intact)${firstEchoDiff(s.messages, p.echoes)}` };
  }
  const pong = pongMismatch(s.pongs, p.pings, p.pings.length, true);
  if (pong !== null) return pong;
  if (obs.end === 'client' || obs.end === 'timeout') {
    return { reasonCode: 'no-tcp-close', reason: 'RFC 6455 §7.1.1: after the closing handshake "the server SHOULD close the underlying TCP connection" first; it did not within the timeout' };
  }
  return null;
}

function failureMatches(f: FailurePoint, p: StreamPrediction, s: ServerFrames, obs: StreamObservation): boolean {
  if (s.close !== null && (s.close.code === null || !f.codes.includes(s.close.code))) return false;
  // A reset may discard bytes the target had sent before it: then only a prefix of the echoes can be required.
  if (!echoesMatch(s.messages, p.echoes.slice(0, f.echoes), s.close === null && obs.end === 'reset')) return false;
  return pongMismatch(s.pongs, p.pings, f.pings, false) === null;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function echoesMatch(got: readonly ExpectedMessage[], want: readonly ExpectedMessage[], prefixOk: boolean): boolean {
  if (prefixOk ? got.length > want.length : got.length !== want.length) return false;
  return got.every((m, i) => m.opcode === want[i]!.opcode && sameBytes(m.payload, want[i]!.payload));
}

function firstEchoDiff(got: readonly ExpectedMessage[], want: readonly ExpectedMessage[]): string {
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    const g = got[i];
    const w = want[i];
    if (g === undefined) return `: echo ${i + 1} missing`;
    if (w === undefined) return `: unexpected echo ${i + 1}`;
    if (g.opcode !== w.opcode) return `: echo ${i + 1} has opcode ${g.opcode}, sent ${w.opcode}`;
    if (!sameBytes(g.payload, w.payload)) {
      let k = 0;
      while (k < Math.min(g.payload.length, w.payload.length) && g.payload[k] === w.payload[k]) k++;
      return `: echo ${i + 1} differs at byte ${k} (${g.payload.length} bytes echoed, ${w.payload.length} sent)`;
    }
  }
  return '';
}

/**
 * RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response"; §5.5.3: "A Pong
 * frame sent in response to a Ping frame must have identical Application data", and an endpoint "MAY elect to send
 * a Pong frame for only the most recently processed Ping frame". So pongs are a subsequence of the pings and, when
 * the target did not fail, the last ping has its pong.
 */
function pongMismatch(pongs: readonly Uint8Array[], pings: readonly Uint8Array[], limit: number, lastRequired: boolean): Omit<Mismatch, 'expected' | 'observed'> | null {
  let j = 0;
  for (const pong of pongs) {
    while (j < limit && !sameBytes(pings[j]!, pong)) j++;
    if (j === limit) {
      return { reasonCode: 'wrong-pong', reason: `RFC 6455 §5.5.3: a pong (${previewBytes(pong) || 'empty'}) answers no ping sent, or comes out of order` };
    }
    j++;
  }
  if (lastRequired && limit > 0 && j !== limit) {
    return { reasonCode: 'missing-pong', reason: `RFC 6455 §5.5.2: no pong for the last ping (${pings[limit - 1]!.length} bytes)` };
  }
  return null;
}

function describeMessages(ms: readonly ExpectedMessage[]): string {
  if (ms.length === 0) return 'none';
  const shown = ms.slice(0, 4).map((m) => `${m.opcode === 1 ? 'TEXT' : 'BINARY'} [${m.payload.length} bytes]${m.payload.length > 0 ? ' ' + previewBytes(m.payload) : ''}`);
  return shown.join('; ') + (ms.length > 4 ? `; ... (${ms.length} in all)` : '');
}

export function describePrediction(p: StreamPrediction): string {
  const parts = [`echoes: ${describeMessages(p.echoes)}`, `pongs for ${p.pings.length} ping(s)`];
  if (p.mustFail) {
    const f = p.failures[p.failures.length - 1]!;
    parts.push(`then fail at frame ${f.frame + 1} with ${f.codes.join(' or ')} (or a TCP drop), after ${f.echoes} echo(es): ${f.rule}`);
  } else {
    parts.push(`then answer our close with ${allowedCloseReplies(p.close?.code ?? null).map((c) => c ?? 'no code').join(' / ')} and close TCP`);
    for (const f of p.failures) parts.push(`or fail at frame ${f.frame + 1} with ${f.codes.join(' or ')}: ${f.rule}`);
  }
  return parts.join('; ');
}

export function describeObservation(obs: StreamObservation): string {
  if (obs.connectError !== undefined) return `connect error: ${obs.connectError}`;
  if (obs.handshakeError !== undefined) return `handshake: ${obs.handshakeError}`;
  const s = readServerFrames(obs.received);
  const close = s.close === null ? 'no close frame' : `close ${s.close.code ?? '(no code)'}${s.close.reason ? ` '${s.close.reason}'` : ''}`;
  return `echoes: ${describeMessages(s.messages)}; pongs: ${s.pongs.length}; ${close}; TCP: ${obs.end}${obs.decodeError ? `; undecodable: ${obs.decodeError}` : ''}`;
}
