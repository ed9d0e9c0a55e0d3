// What the target's answer to our opening handshake means, for both bootstraps: an HTTP/1.1 response head checked
// as RFC 6455 §4.1 says (101, Sec-WebSocket-Accept, the offers), or an HTTP/2 response header block checked as RFC
// 8441 §5 says (2xx, no Sec-WebSocket-Accept, the offers), then the permessage-deflate agreement either way (RFC
// 7692 §7). Pure: the observer records the outcome and keeps the deflate stage.
import { checkServerResponse } from '../../protocol/handshake/client-response.js';
import type { HttpHead } from '../../protocol/handshake/head-parser.js';
import { checkH2Response } from '../../protocol/h2/client-request.js';
import type { H2HeaderList } from '../../protocol/h2/headers.js';
import type { ParsedExtension } from '../../protocol/extensions/header.js';
import { negotiateDeflateStage, type DeflateStage, type DeflateStageOptions } from './deflate-stage.js';
import type { Observation } from './observation.js';
import type { HandshakeOutcome } from './peer.js';

/** What the response to our opening handshake is checked against. */
export interface PendingHandshake {
  /** The Sec-WebSocket-Key sent, when the request had one (never over HTTP/2, RFC 8441 §5). */
  key: string | undefined;
  ctx: { key: string; protocols?: string[]; extensionOffers?: string };
  /** Our own compressor within a permessage-deflate agreement. */
  deflate?: DeflateStageOptions;
}

export interface CheckedResponse {
  outcome: HandshakeOutcome;
  /** The permessage-deflate stage the response agreed to, when it did validly. */
  stage: DeflateStage | null;
  /** The WebSocket is open: frames follow (a 101 over HTTP/1.1, any accepted 2xx over HTTP/2). */
  open: boolean;
}

/** RFC 7692 §7: a permessage-deflate response our offer did not allow fails the connection. */
function withDeflate(outcome: HandshakeOutcome, extensions: ParsedExtension[], pending: PendingHandshake): DeflateStage | null {
  outcome.extensions = extensions;
  const d = negotiateDeflateStage(extensions, pending.ctx.extensionOffers, pending.deflate);
  if (d.kind === 'rejected') {
    outcome.ok = false;
    outcome.rejection = { id: d.id, rfc: d.rfc, message: d.message };
    return null;
  }
  if (d.kind !== 'accepted') return null;
  outcome.deflate = d.agreement;
  return d.stage;
}

/** RFC 6455 §4.1: the response head to an HTTP/1.1 opening handshake. */
export function checkH1Outcome(head: HttpHead, pending: PendingHandshake): CheckedResponse {
  const outcome: HandshakeOutcome = { ok: false, head, key: pending.key };
  if (head.status !== undefined) outcome.status = head.status;
  const check = pending.key !== undefined ? checkServerResponse(head, pending.ctx) : null;
  let stage: DeflateStage | null = null;
  if (check?.ok) {
    outcome.ok = true;
    stage = withDeflate(outcome, check.extensions, pending);
  } else if (check) outcome.rejection = { id: check.id, rfc: check.rfc, message: check.message };
  else outcome.rejection = { id: 'no-key', rfc: '4.1', message: 'the request had no Sec-WebSocket-Key to check the response against' };
  // RFC 6455 §4.2.2: the server may send frames right after its response; they follow the head.
  return { outcome, stage, open: head.status === 101 };
}

/**
 * The HTTP/2 response block as an HttpHead, so header rules read it like an HTTP/1.1 head: `HTTP/2 <status>` as
 * the start line, the regular fields as headers (the pseudo-header fields are the start line's business).
 */
export function h2Head(list: H2HeaderList): HttpHead {
  const statusText = list.find(([n]) => n === ':status')?.[1] ?? '';
  const head: HttpHead = { startLine: `HTTP/2 ${statusText}`, version: { major: 2, minor: 0 }, statusText: '', headers: list.filter(([n]) => !n.startsWith(':')) };
  if (/^\d{3}$/.test(statusText)) head.status = Number(statusText);
  return head;
}

/** RFC 8441 §5: the response header block to an Extended CONNECT. Frames follow an accepted 2xx. */
export function checkH2Outcome(list: H2HeaderList, pending: PendingHandshake, endStream: boolean): CheckedResponse {
  const head = h2Head(list);
  const outcome: HandshakeOutcome = { ok: false, head, h2: { headers: list, endStream } };
  if (head.status !== undefined) outcome.status = head.status;
  const ctx = { ...(pending.ctx.protocols ? { protocols: pending.ctx.protocols } : {}), ...(pending.ctx.extensionOffers ? { extensionOffers: pending.ctx.extensionOffers } : {}) };
  const check = checkH2Response(list, ctx);
  let stage: DeflateStage | null = null;
  if (check.ok) {
    outcome.ok = true;
    stage = withDeflate(outcome, check.extensions, pending);
  } else outcome.rejection = { id: check.id, rfc: check.rfc, message: check.message };
  // A 2xx that fails a check still opened the stream on the server's side: what it sends next is decoded.
  const accepted = head.status !== undefined && head.status >= 200 && head.status <= 299;
  return { outcome, stage, open: accepted && !endStream };
}

/**
 * An observation over HTTP/2 as the grader reads it. The grader speaks RFC 6455 over HTTP/1.1, where the opening
 * handshake succeeds with 101; over HTTP/2 it succeeds with 200 (RFC 8441 §5: "any status code other than 200
 * indicates that the WebSocket handshake has not completed"). So a 200 stands for its 101, and every rule tied to
 * the 101 (the client's checks, what follows it) applies to the 200. The transcript keeps what was sent.
 */
export function h2GraderView(obs: Observation): Observation {
  const hs = obs.handshake;
  if (hs === null || hs.status !== 200 || hs.h2 === undefined) return obs;
  return { ...obs, handshake: { ...hs, status: 101 } };
}
