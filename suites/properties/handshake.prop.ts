// handshake: RFC 6455 §4.1/§4.2. A correct request in any permutation gets a 101 that passes the client's checks
// (§4.1 steps 1-6, checked by the observer) and then a working echo; a request with one fault is graded by the
// expectation of the catalogue case for the same fault (suites/conformance/handshake), so fuzz and catalogue can
// never disagree on a handshake: an error status (any 4xx; another refusal is non-strict), with
// Sec-WebSocket-Version listing what the server speaks when the version was unsupported (§4.4). A correct request
// sent with a frame behind it, before the 101, is graded like handshake.pipelined-frame: the client broke §4.1
// ("MUST wait for a response from the server before sending any further data"), so what follows is recorded only.
import { Opcode } from '../../protocol/constants.js';
import { resolveExpectation, type Expectation } from '../define.js';
import { cases as handshakeCases } from '../conformance/handshake/index.js';
import { CLIENT_ERROR_STATUSES } from '../conformance/handshake/common.js';
import { closeBody } from './close.arb.js';
import { describeFuzzFrame, fuzzFrame } from './fuzz-frame.js';
import { gradeRecord, type FuzzSuite } from './fuzz-suite.js';
import { buildHandshakeHead, handshakeCaseArb, type HandshakeCase, type HandshakeFault } from './handshake.arb.js';

export interface HandshakeSuiteOptions {
  /** Faults left out (a known deviation of one target, documented where it is used). */
  skipFaults?: readonly HandshakeFault[];
}

/** The catalogue case that checks each fault, whose expectation grades it here too. */
const CATALOGUE_CASE: Record<HandshakeFault, string> = {
  'no-upgrade': 'handshake.upgrade.missing',
  'upgrade-not-websocket': 'handshake.upgrade.not-websocket',
  'no-connection': 'handshake.connection.missing',
  'connection-not-upgrade': 'handshake.connection.not-upgrade',
  'no-key': 'handshake.key.missing',
  'key-15-bytes': 'handshake.key.15-bytes',
  'key-17-bytes': 'handshake.key.17-bytes',
  'key-not-base64': 'handshake.key.not-base64',
  'key-empty': 'handshake.key.empty',
  'two-keys': 'handshake.key.two-keys',
  'no-version': 'handshake.version.missing',
  'version-unsupported': 'handshake.version.14',
  'version-malformed': 'handshake.version.garbage',
  'method-not-get': 'handshake.method.post',
  'http-1.0': 'handshake.http.1-0',
  'no-host': 'handshake.host.missing',
};

/** The catalogue case for a correct request with a frame sent before the 101. */
const PIPELINED_CASE = 'handshake.pipelined-frame';

function catalogueExpectation(id: string): Expectation {
  const c = handshakeCases.find((x) => x.id === id);
  if (c === undefined) throw new Error(`no catalogue case ${id} for the handshake fuzz suite`);
  return resolveExpectation(c, {});
}

export function faultExpectation(fault: HandshakeFault): Expectation {
  return catalogueExpectation(CATALOGUE_CASE[fault]);
}

/** A valid request: a 101 (with no extension accepted when only an unknown one was offered, §9.1), the echo, a clean close. */
/** Heads beyond this may meet a server's own header limit (8 KiB is common: nginx, many frameworks). */
const COMMON_HEAD_LIMIT = 8192;

function validExpectation(c: HandshakeCase, headBytes: number): Expectation {
  return {
    kind: 'handshake',
    status: [101],
    allowDrop: false,
    // RFC 7230 §3.2.5: "A server that receives a request header field, or set of fields, larger than it wishes to
    // process MUST respond with an appropriate 4xx (Client Error) status code"; a 4xx to a big head is its limit.
    ...(headBytes > COMMON_HEAD_LIMIT
      ? { nonStrict: { status: CLIENT_ERROR_STATUSES, why: `a ${headBytes}-byte request head refused with a 4xx: the server's own header size limit (RFC 7230 §3.2.5)` } }
      : {}),
    ...(c.unknownExtension ? { forbidHeaders: ['Sec-WebSocket-Extensions'] } : {}),
    then: { kind: 'behave', receive: [{ type: 'text', payload: c.message }], close: { codes: [1000], allowNoCode: true } },
  };
}

export function handshakeSuite(opts: HandshakeSuiteOptions = {}): FuzzSuite<HandshakeCase> {
  const rfc = ['4.1', '4.2.1', '4.2.2', '4.4'];
  return {
    name: 'handshake',
    title: 'Opening handshake: header permutations accepted, faulty requests refused',
    rfc,
    autobahn: [],
    arbitrary: handshakeCaseArb(opts),
    async check(target, c) {
      const req = buildHandshakeHead(c, new URL(target.url));
      const message = fuzzFrame(Opcode.Text, c.message, c.mask);
      const close = fuzzFrame(Opcode.Close, closeBody(1000), c.closeMask);
      const pipelined = c.pipelined && c.fault === null;
      const record = await target.runHandshake({ head: req.head, pipelined: pipelined ? [message] : [], after: pipelined ? [close] : [message, close] });
      const expect = c.fault !== null ? faultExpectation(c.fault) : pipelined ? catalogueExpectation(PIPELINED_CASE) : validExpectation(c, req.head.length);
      return gradeRecord(record, expect, rfc);
    },
    describe(c) {
      const req = buildHandshakeHead(c, new URL('ws://TARGET/'));
      const lines = req.lines.map((l) => (l.length > 100 ? `${l.slice(0, 100)}... (${l.length} chars)` : l));
      return [
        c.fault === null ? 'valid request:' : `request with fault ${c.fault}:`,
        ...lines.map((l) => `  ${l}`),
        `then ${c.pipelined && c.fault === null ? '(pipelined with the head, before the 101: recorded only) ' : ''}> ${describeFuzzFrame(fuzzFrame(Opcode.Text, c.message, c.mask))}`,
        `then > ${describeFuzzFrame(fuzzFrame(Opcode.Close, closeBody(1000), c.closeMask))}`,
      ];
    },
  };
}
