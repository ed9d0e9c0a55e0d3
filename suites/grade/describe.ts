// How expectations and observations read in a report: one line each, repeated items counted ("3x text 5 B"),
// statuses as ranges. Pure; used by the grader for `expected` and `observed`.
import { createHash } from 'node:crypto';
import { opcodeName } from '../../protocol/constants.js';
import type { Observation, ObservedEvent } from '../../peers/raw/observation.js';
import type { CloseRule, Expectation, HeaderRule, Step } from '../define.js';

/** Sections are RFC 6455's unless prefixed with the RFC number ('7692 7.2.2': permessage-deflate). */
export const cite = (section: string): string => {
  // 'NNNN x.y' cites another RFC (7692, 8441, 9113, ...); a bare section is RFC 6455's.
  const other = /^(\d{4}) (\S+)$/.exec(section);
  return other ? `RFC ${other[1]} §${other[2]}` : `RFC 6455 §${section}`;
};

/** A message that may already cite its section (protocol/ rejections do) is not cited twice. */
export const citedMessage = (section: string, message: string): string => (/^RFC \d+ §/.test(message) ? message : `${cite(section)}: ${message}`);

export const ms = (t: number): string => `${Math.round(t)} ms`;

/** A step's expected payload: its bytes when the step holds them, its SHA-256 computed only when asked for. */
export function stepPayload(s: Step): { length: number; sha256(): string; bytes?: Uint8Array } {
  if ('sha256' in s) return { length: s.length, sha256: () => s.sha256 };
  const bytes = typeof s.payload === 'string' ? new Uint8Array(Buffer.from(s.payload, 'utf8')) : s.payload;
  return { length: bytes.length, sha256: () => createHash('sha256').update(bytes).digest('hex'), bytes };
}

export function describeStep(s: Step): string {
  const length = 'sha256' in s ? s.length : typeof s.payload === 'string' ? Buffer.byteLength(s.payload, 'utf8') : s.payload.length;
  return `${s.type} ${length} B`;
}

export function describeSteps(steps: Step[]): string {
  if (steps.length === 0) return 'nothing';
  const parts: string[] = [];
  let i = 0;
  while (i < steps.length) {
    const d = describeStep(steps[i]!);
    let n = 1;
    while (i + n < steps.length && describeStep(steps[i + n]!) === d) n++;
    parts.push(n > 1 ? `${n}x ${d}` : d);
    i += n;
  }
  return parts.join(', ');
}

function describeCloseRule(rule: CloseRule): string {
  const codes = rule.codes.join(' or ');
  const refusal = rule.refusal ? ` (a refusal with ${rule.refusal.codes.join(' or ')} or a TCP drop is non-strict)` : '';
  return `answer our close with ${codes}${rule.allowNoCode === false ? '' : ' (or no code)'}${refusal} and close TCP`;
}

export function describeExpectation(e: Expectation): string {
  switch (e.kind) {
    case 'behave': {
      const then = e.open ? 'keep the connection open' : describeCloseRule(e.close ?? { codes: [1000] });
      const may = (e.mayFail ?? []).map((f) => `; or fail with ${f.codes.join(' or ')} or a TCP drop (${f.why})`).join('');
      const prompt = e.pongsBy ? `; the pong of ping ${e.pongsBy.pings} before the rest of the message is sent` : '';
      return `receive ${describeSteps(e.receive)}${prompt}; then ${then}${may}`;
    }
    case 'fail': {
      const before = e.before && e.before.length > 0 ? `receive ${describeSteps(e.before)}, then ` : 'echo nothing; ';
      const how = `fail the connection with close ${e.codes.join(' or ')} (${e.allowDrop === false ? 'another code' : 'a TCP drop, no code or another code'}: non-strict)`;
      const accepted = e.accepted ? `; an answer with ${e.accepted.codes.join(' or ')} is recorded (informational)` : '';
      return `${before}${how}${e.failBy ? ' before the rest of the message is sent (fail-fast)' : ''}${accepted}`;
    }
    case 'informational':
      return `informational: ${e.describe}`;
    case 'handshake': {
      const st = e.status === 'reject' ? 'reject the handshake (any status but 101)' : `status ${formatNumbers(e.status)}`;
      const req = (e.requireHeaders ?? []).map(describeHeaderRule);
      const forb = (e.forbidHeaders ?? []).map((h) => `no ${h}`);
      const hdr = [...req, ...forb];
      return `${st}${e.allowDrop ? ' (or close TCP)' : ''}${hdr.length > 0 ? `, ${hdr.join(', ')}` : ''}${e.then ? `; then ${describeExpectation(e.then)}` : ''}`;
    }
    case 'negotiated':
      return `with ${e.extension} negotiated${e.refusal === 'pass' ? ' (or the handshake refused)' : ''}: ${describeExpectation(e.then)}`;
  }
}

export function describeHeaderRule(r: HeaderRule): string {
  if (r.equals !== undefined) return `${r.name}: ${r.equals}`;
  if (r.hasToken !== undefined) return `${r.name} containing ${r.hasToken}`;
  if (r.matches !== undefined) return `${r.name} matching ${String(r.matches)}`;
  return `a ${r.name} header`;
}

export function describeEvent(e: ObservedEvent): string {
  switch (e.kind) {
    case 'message':
      return `${opcodeName(e.opcode).toLowerCase()} ${e.length} B${e.frames > 1 ? ` (${e.frames} frames)` : ''}`;
    case 'ping':
      return `ping ${e.payload.length} B`;
    case 'pong':
      return `pong ${e.payload.length} B`;
    case 'close':
      return `close ${e.code ?? '(no code)'}${e.reason ? ` "${e.reason.slice(0, 40)}"` : ''}`;
    case 'violation':
      return `invalid frame (${e.violation.id})`;
    case 'partial-message':
      return `unfinished ${opcodeName(e.opcode).toLowerCase()} message ${e.length} B`;
  }
}

export function describeObservation(obs: Observation): string {
  const parts: string[] = [];
  const hs = obs.handshake;
  if (hs && !hs.ok) {
    parts.push(hs.status !== undefined ? `handshake status ${hs.status}` : `handshake ${hs.failure ?? 'failed'}${hs.detail ? ` (${hs.detail})` : ''}`);
  }
  const shown = obs.events.filter((e) => e.kind !== 'ping');
  const items: string[] = [];
  let i = 0;
  while (i < shown.length && items.length < 12) {
    const d = describeEvent(shown[i]!);
    let n = 1;
    while (i + n < shown.length && describeEvent(shown[i + n]!) === d) n++;
    items.push(n > 1 ? `${n}x ${d}` : d);
    i += n;
  }
  if (i < shown.length) items.push(`… ${shown.length - i} more`);
  parts.push(items.length > 0 ? `received ${items.join(', ')}` : 'received nothing');
  if (obs.closeSent) parts.push(`we ${obs.closeSent.auto ? 'answered with' : 'sent'} close ${obs.closeSent.code ?? '(no code)'} at ${ms(obs.closeSent.t)}`);
  if (obs.tcpEnd) {
    parts.push(obs.tcpEnd.kind === 'client-drop' ? `we dropped TCP at ${ms(obs.tcpEnd.t)} (${obs.tcpEnd.detail ?? 'target kept it open'})` : `TCP ${obs.tcpEnd.kind} from the target at ${ms(obs.tcpEnd.t)}`);
  }
  if (obs.undecodable) parts.push('stream undecodable after a frame header');
  if (obs.timedOut) parts.push('case deadline reached');
  return parts.join('; ');
}

/** 400, 401, ..., 499 -> "400-499": lists of statuses read as ranges. */
export function formatNumbers(list: readonly number[]): string {
  const sorted = [...new Set(list)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}-${sorted[j]}` : sorted.slice(i, j + 1).join(' or '));
    i = j + 1;
  }
  return parts.join(' or ');
}
