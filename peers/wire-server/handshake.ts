// The opening handshake seen from the server a client under test connects to: the client's request read into a
// ReceivedRequest (RFC 6455 §4.1's rules checked by protocol/handshake's checkClientRequest), and our response built
// from it: a correct 101 (buildServerResponse, Accept from the key, RFC 6455 §4.2.2) edited as a case's ResponseSpec
// asks, or raw bytes. Pure: bytes out, nothing sent.
import { STATUS_CODES } from 'node:http';
import { HeaderSyntaxError, readExtensionHeader } from '../../protocol/extensions/header.js';
import { negotiateDeflateServer, type DeflateAgreement } from '../../protocol/extensions/permessage-deflate.js';
import { computeAcceptKey } from '../../protocol/handshake/accept-key.js';
import { headerValue, headerValues, type HttpHead } from '../../protocol/handshake/head-parser.js';
import { splitList } from '../../protocol/handshake/http-grammar.js';
import { buildServerResponse } from '../../protocol/handshake/server-response.js';
import { checkClientRequest } from '../../protocol/handshake/server-request.js';
import { DeflateStage, type DeflateStageOptions } from '../raw/deflate-stage.js';
import type { ReceivedRequest, ResponseSpec } from './server-peer.js';

/** The client's request head as a ReceivedRequest. A header that does not parse leaves its list empty. */
export function readRequest(head: HttpHead): ReceivedRequest {
  const check = checkClientRequest(head);
  const key = headerValues(head, 'sec-websocket-key')[0];
  const protocolValue = headerValue(head, 'sec-websocket-protocol');
  const offers = readExtensionHeader(headerValue(head, 'sec-websocket-extensions'));
  const extensionOffers = offers instanceof HeaderSyntaxError ? [] : offers;
  const req: ReceivedRequest = {
    head,
    target: head.target ?? '',
    violation: check.ok ? null : { id: check.id, rfc: check.rfc, message: check.message },
    protocols: protocolValue === undefined ? [] : splitList(protocolValue),
    extensionOffers,
  };
  if (key !== undefined) req.key = key;
  const origin = headerValue(head, 'origin');
  if (origin !== undefined) req.origin = origin;
  return req;
}

/**
 * DeflateStage is the client's half of permessage-deflate (it compresses with the client_* parameters and inflates
 * with the server_* ones). Our half is the same codec with the two sides of the agreement swapped: we compress with
 * server_max_window_bits / server_no_context_takeover and inflate the client's messages with its own parameters
 * (RFC 7692 §7.1.1, §7.1.2). `agreement` stays as negotiated, so cases read it the usual way round.
 */
export class ServerDeflateStage extends DeflateStage {
  override readonly agreement: DeflateAgreement;

  constructor(agreement: DeflateAgreement, opts: DeflateStageOptions = {}) {
    super(swapSides(agreement), opts);
    this.agreement = agreement;
  }
}

function swapSides(a: DeflateAgreement): DeflateAgreement {
  return {
    serverNoContextTakeover: a.clientNoContextTakeover,
    clientNoContextTakeover: a.serverNoContextTakeover,
    serverMaxWindowBits: a.clientMaxWindowBits,
    clientMaxWindowBits: a.serverMaxWindowBits,
  };
}

export interface BuiltResponse {
  bytes: Uint8Array;
  /** The status of the bytes' status line; null when they have none. */
  status: number | null;
  /** The permessage-deflate stage, when `deflate` was asked and the client made an offer we can accept. */
  deflate: DeflateStage | null;
}

const STATUS_RE = /^HTTP\/\d+\.\d+ (\d{3})(?: |\r\n)/;

/** The response bytes for `spec` (default: a correct 101 with no subprotocol and no extension). */
export function buildResponse(request: ReceivedRequest, spec: ResponseSpec = {}): BuiltResponse {
  if (spec.raw !== undefined) {
    const bytes = typeof spec.raw === 'string' ? new Uint8Array(Buffer.from(spec.raw, 'latin1')) : spec.raw;
    const m = STATUS_RE.exec(Buffer.from(bytes.subarray(0, 64)).toString('latin1'));
    return { bytes: withTrailing(bytes, spec.trailing), status: m ? Number(m[1]) : null, deflate: null };
  }
  // RFC 7692 §7.1: accept the first offer we can (negotiateDeflateServer declines the invalid ones, as §7 asks).
  const agreed = spec.deflate ? negotiateDeflateServer(request.extensionOffers) : null;
  const base = buildServerResponse({
    accept: spec.accept ?? computeAcceptKey(request.key ?? ''),
    ...(spec.protocol !== undefined ? { protocol: spec.protocol } : {}),
    ...(spec.extensions !== undefined ? { extensions: spec.extensions } : agreed ? { extensions: agreed.response } : {}),
  });
  const status = spec.status ?? 101;
  const lines = Buffer.from(base).toString('latin1').slice(0, -4).split('\r\n');
  const statusLine = `${spec.httpVersion ?? 'HTTP/1.1'} ${status} ${spec.reason ?? STATUS_CODES[status] ?? ''}`;
  let headers: [string, string][] = lines.slice(1).map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i), l.slice(i + 1).trim()];
  });
  const remove = new Set((spec.removeHeaders ?? []).map((h) => h.toLowerCase()));
  if (spec.accept === null) remove.add('sec-websocket-accept');
  headers = headers.filter(([n]) => !remove.has(n.toLowerCase()));
  for (const [name, value] of spec.replaceHeaders ?? []) {
    const lower = name.toLowerCase();
    if (headers.some(([n]) => n.toLowerCase() === lower)) headers = headers.map(([n, v]) => (n.toLowerCase() === lower ? [n, value] : [n, v]));
    else headers.push([name, value]);
  }
  headers.push(...(spec.addHeaders ?? []));
  const body = spec.body !== undefined ? Buffer.from(spec.body, 'utf8') : null;
  if (body && !headers.some(([n]) => n.toLowerCase() === 'content-length')) headers.push(['Content-Length', String(body.length)]);
  const head = Buffer.from(`${statusLine}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`, 'latin1');
  const bytes = new Uint8Array(body ? Buffer.concat([head, body]) : head);
  // Whenever deflate was agreed and the status is 101: an `extensions` override changes only the header.
  const deflate = agreed && status === 101 ? new ServerDeflateStage(agreed.agreement) : null;
  return { bytes: withTrailing(bytes, spec.trailing), status, deflate };
}

function withTrailing(bytes: Uint8Array, trailing: Uint8Array | undefined): Uint8Array {
  if (!trailing || trailing.length === 0) return bytes;
  const out = new Uint8Array(bytes.length + trailing.length);
  out.set(bytes);
  out.set(trailing, bytes.length);
  return out;
}
