// The client-case grader on hand-made observations (no sockets): each expectation kind, each way to pass and fail,
// and the client-role reading of who closed TCP (we are the server: RFC 6455 §7.1.1).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Observation, ObservedEvent } from '../../../../peers/raw/observation.js';
import { emptyObservation } from '../../../../peers/raw/observation.js';
import { violation } from '../../../../protocol/violations.js';
import type { HttpHead } from '../../../../protocol/handshake/head-parser.js';
import { REFUSE_PROBE, type ClientExpectation } from '../../../../suites/client/define.js';
import { GIVE_UP_MARK, text } from '../../../../suites/define.js';
import { describeClientObservation, gradeClient, inServerTerms } from '../../../../suites/grade/client.js';

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const msg = (t: number, s: string, opcode = 1): ObservedEvent => {
  const bytes = enc(s);
  return { kind: 'message', t, opcode, frames: 1, length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
};
const closeEv = (t: number, code: number | null): ObservedEvent => ({ kind: 'close', t, code, reason: '', length: code === null ? 0 : 2 });

function head(extra: [string, string][] = []): HttpHead {
  return { startLine: 'GET / HTTP/1.1', method: 'GET', target: '/', version: { major: 1, minor: 1 }, headers: [['Host', 'h'], ...extra] };
}

/** A client case's observation: the request at 0, our 101 at 1, then `parts`. */
function obs(parts: Partial<Observation> = {}, status: number | null = 101): Observation {
  return { ...emptyObservation(), request: { t: 0, head: head(), violation: null }, responseSent: { t: 1, status }, ...parts };
}

/** We close at t; the client answers with `code`; we close TCP right after (server first, §7.1.1). */
const serverClosed = (t: number, code: number | null = 1000): Partial<Observation> => ({
  closeSent: { t, code: 1000, auto: false },
  closeReceived: { t: t + 1, code, reason: '' },
  tcpEnd: { t: t + 1, kind: 'server-close', detail: 'closing handshake done' },
});

const g = (expect: ClientExpectation, o: Observation) => gradeClient({ expect, observation: o, rfc: ['5.6'], timeoutMs: 10_000 });
const behave: ClientExpectation = { kind: 'behave', receive: [text('hi')] };
const failCase: ClientExpectation = { kind: 'fail', codes: [1002] };
const refuse: ClientExpectation = { kind: 'refuse', rfc: '4.1', rule: 'If the response lacks an |Upgrade| header field ... the client MUST _Fail the WebSocket Connection_' };

describe('gradeClient: behave (echo, then our close)', () => {
  it('pass: the client answered our close and waited for us to close TCP', () => {
    const r = g(behave, obs({ events: [msg(5, 'hi'), closeEv(11, 1000)], ...serverClosed(10) }));
    expect(r).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
    expect(r.observed).toMatch(/we closed TCP at 11 ms/);
    expect(r.expected).toMatch(/we close TCP first, RFC 6455 §7\.1\.1/);
  });

  it('pass: the client closed TCP itself right after answering', () => {
    const o = obs({ events: [msg(5, 'hi'), closeEv(11, 1000)], closeSent: { t: 10, code: 1000, auto: false }, closeReceived: { t: 11, code: 1000, reason: '' }, tcpEnd: { t: 12, kind: 'fin' } });
    expect(g(behave, o)).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
  });

  it('no-close: the client ended TCP without answering our close (RFC 6455 §5.5.1)', () => {
    const r = g(behave, obs({ events: [msg(5, 'hi')], closeSent: { t: 10, code: 1000, auto: false }, tcpEnd: { t: 12, kind: 'fin' } }));
    expect(r).toMatchObject({ verdict: 'fail', reasonCode: 'no-close' });
    expect(r.reason).toMatch(/RFC 6455 §5\.5\.1/);
  });

  it('no-close: the client never answered; we closed TCP when close() gave up', () => {
    const r = g(behave, obs({ events: [msg(5, 'hi')], closeSent: { t: 10, code: 1000, auto: false }, tcpEnd: { t: 900, kind: 'server-close', detail: 'no close frame' } }));
    expect(r).toMatchObject({ verdict: 'fail', reasonCode: 'no-close' });
    expect(r.reason).toMatch(/never answered our close/);
  });

  it('unexpected-close: the client closed before our close although everything was valid', () => {
    const r = g(behave, obs({ events: [msg(5, 'hi'), closeEv(6, 1000)], closeReceived: { t: 6, code: 1000, reason: '' }, closeSent: { t: 6, code: 1000, auto: true }, tcpEnd: { t: 6, kind: 'server-close' } }));
    expect(r).toMatchObject({ verdict: 'fail', reasonCode: 'unexpected-close' });
  });

  it('unmasked-frame and invalid-frame: the client\'s frames must be valid (RFC 6455 §5.1, §5.2)', () => {
    const unmasked = obs({ events: [{ kind: 'violation', t: 5, violation: violation('unmasked-client-frame'), opcode: 1 }, msg(5, 'hi'), closeEv(11, 1000)], ...serverClosed(10) });
    expect(g(behave, unmasked)).toMatchObject({ verdict: 'fail', reasonCode: 'unmasked-frame', reason: expect.stringMatching(/RFC 6455 §5\.1: "a client MUST mask/) });
    const rsv = obs({ events: [{ kind: 'violation', t: 5, violation: violation('reserved-bits-set'), opcode: 1 }, msg(5, 'hi'), closeEv(11, 1000)], ...serverClosed(10) });
    expect(g(behave, rsv)).toMatchObject({ verdict: 'fail', reasonCode: 'invalid-frame' });
  });

  it('no-echo, and timeout when the deadline passed', () => {
    expect(g(behave, obs({ events: [closeEv(11, 1000)], ...serverClosed(10) }))).toMatchObject({ verdict: 'fail', reasonCode: 'no-echo' });
    expect(g(behave, obs({ timedOut: true, tcpEnd: { t: 10_000, kind: 'server-close', detail: 'harness ended the case' } }))).toMatchObject({ verdict: 'fail', reasonCode: 'timeout' });
  });

  it('harness-error: no request recorded, or the case never responded', () => {
    expect(g(behave, { ...obs(), request: undefined })).toMatchObject({ verdict: 'error', reasonCode: 'harness-error' });
    expect(g(behave, { ...obs(), responseSent: undefined })).toMatchObject({ verdict: 'error', reasonCode: 'harness-error' });
  });
});

describe('gradeClient: fail (the client must fail the connection)', () => {
  it('pass: close 1002, then we closed TCP', () => {
    const o = obs({ events: [closeEv(5, 1002)], closeReceived: { t: 5, code: 1002, reason: '' }, closeSent: { t: 5, code: 1002, auto: true }, tcpEnd: { t: 5, kind: 'server-close' } });
    expect(g(failCase, o)).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
  });

  it('non-strict: failed by closing TCP without a close frame (RFC 6455 §7.1.7 SHOULD)', () => {
    expect(g(failCase, obs({ tcpEnd: { t: 5, kind: 'fin' } }))).toMatchObject({ verdict: 'non-strict', reasonCode: 'failed-without-close' });
  });

  it('unexpected-frame: the client echoed the invalid data', () => {
    const o = obs({ events: [msg(4, 'bad'), closeEv(5, 1002)], closeReceived: { t: 5, code: 1002, reason: '' }, tcpEnd: { t: 5, kind: 'server-close' } });
    expect(g(failCase, o)).toMatchObject({ verdict: 'fail', reasonCode: 'unexpected-frame' });
  });

  it('not-failed: the client stayed open until the deadline, when we closed TCP', () => {
    const r = g(failCase, obs({ timedOut: true, tcpEnd: { t: 10_000, kind: 'server-close', detail: 'harness ended the case' } }));
    expect(r).toMatchObject({ verdict: 'fail', reasonCode: 'not-failed' });
  });

  it('no-close: it never failed, and then left our close unanswered', () => {
    const o = obs({ marks: [{ name: GIVE_UP_MARK, t: 50 }], closeSent: { t: 51, code: 1000, auto: false }, tcpEnd: { t: 900, kind: 'server-close' } });
    expect(g(failCase, o)).toMatchObject({ verdict: 'fail', reasonCode: 'no-close' });
  });
});

describe('gradeClient: informational', () => {
  it('is never graded', () => {
    expect(g({ kind: 'informational', describe: 'what the client does' }, obs({ tcpEnd: { t: 5, kind: 'reset' } }))).toMatchObject({ verdict: 'informational', reasonCode: 'informational' });
  });
});

describe('gradeClient: refuse (our response must make the client fail the connection)', () => {
  it('pass: the client closed TCP without sending anything', () => {
    const r = g(refuse, obs({ tcpEnd: { t: 3, kind: 'fin' } }));
    expect(r).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
    expect(r.reason).toMatch(/^RFC 6455 §4\.1: "If the response lacks/);
    expect(g(refuse, obs({ tcpEnd: { t: 3, kind: 'reset', detail: 'ECONNRESET' } })).verdict).toBe('pass');
  });

  it('pass: a close frame first, then we closed TCP; the reason says so', () => {
    const r = g(refuse, obs({ events: [closeEv(3, 1002)], closeReceived: { t: 3, code: 1002, reason: '' }, closeSent: { t: 3, code: 1002, auto: true }, tcpEnd: { t: 3, kind: 'server-close' } }));
    expect(r).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
    expect(r.reason).toMatch(/with a close frame \(1002\)/);
  });

  it('accepted-bad-handshake: the client echoed the probe, or pinged; the rule is cited (RFC 7692 too)', () => {
    const rule: ClientExpectation = { kind: 'refuse', rfc: '7692 7', rule: 'A client MUST _Fail the WebSocket Connection_ if ...' };
    const r = g(rule, obs({ events: [msg(4, REFUSE_PROBE)], tcpEnd: { t: 9, kind: 'fin' } }));
    expect(r).toMatchObject({ verdict: 'fail', reasonCode: 'accepted-bad-handshake' });
    expect(r.reason).toMatch(/^RFC 7692 §7: "A client MUST .*echoed our probe message at 4 ms/);
    const ping = g(refuse, obs({ events: [{ kind: 'ping', t: 4, payload: enc('x') }], tcpEnd: { t: 9, kind: 'fin' } }));
    expect(ping).toMatchObject({ verdict: 'fail', reasonCode: 'accepted-bad-handshake', reason: expect.stringMatching(/sent ping 1 B/) });
  });

  it('timeout: the client stayed connected without a word until we closed TCP', () => {
    const r = g(refuse, obs({ timedOut: true, tcpEnd: { t: 10_000, kind: 'server-close', detail: 'harness ended the case' } }));
    expect(r).toMatchObject({ verdict: 'fail', reasonCode: 'timeout' });
    expect(r.reason).toMatch(/never failed the connection/);
  });

  it('after a 101 the frames must be valid; after another status the bytes are not judged as frames', () => {
    const events: ObservedEvent[] = [{ kind: 'violation', t: 3, violation: violation('unmasked-client-frame'), opcode: 8 }];
    expect(g(refuse, obs({ events, tcpEnd: { t: 4, kind: 'fin' } }))).toMatchObject({ verdict: 'fail', reasonCode: 'unmasked-frame' });
    expect(g(refuse, obs({ events, tcpEnd: { t: 4, kind: 'fin' } }, 400))).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
  });

  it('harness-error when the case never responded', () => {
    expect(g(refuse, { ...obs(), responseSent: undefined })).toMatchObject({ verdict: 'error', reasonCode: 'harness-error' });
  });
});

describe('gradeClient: request and offered', () => {
  it('request: pass for a valid handshake, request-invalid citing the rule it breaks', () => {
    expect(g({ kind: 'request' }, obs())).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
    const bad = obs({ request: { t: 0, head: head(), violation: { id: 'missing-key', rfc: '4.2.1', message: 'RFC 6455 §4.2.1: no Sec-WebSocket-Key header field' } } });
    const r = g({ kind: 'request' }, bad);
    expect(r).toMatchObject({ verdict: 'fail', reasonCode: 'request-invalid' });
    expect(r.reason).toMatch(/^RFC 6455 §4\.2\.1: no Sec-WebSocket-Key header field \(the client's opening handshake, RFC 6455 §4\.1\)$/);
  });

  it('offered: unimplemented when the client did not offer the extension (or the header does not parse), else the inner grade', () => {
    const offered: ClientExpectation = { kind: 'offered', extension: 'permessage-deflate', then: { kind: 'request' } };
    expect(g(offered, obs())).toMatchObject({ verdict: 'unimplemented', reasonCode: 'not-offered' });
    const garbled = obs({ request: { t: 0, head: head([['Sec-WebSocket-Extensions', ';;=']]), violation: null } });
    expect(g(offered, garbled)).toMatchObject({ verdict: 'unimplemented', reasonCode: 'not-offered', reason: expect.stringMatching(/does not parse/) });
    const yes = obs({ request: { t: 0, head: head([['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits']]), violation: null } });
    const r = g(offered, yes);
    expect(r).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
    expect(r.expected).toMatch(/^with permessage-deflate offered: a valid opening handshake/);
  });
});

describe('inServerTerms / describeClientObservation', () => {
  it("reads our TCP close after the client's close as the clean end, any other close of ours as a drop", () => {
    expect(inServerTerms(obs(serverClosed(10))).tcpEnd?.kind).toBe('fin');
    expect(inServerTerms(obs({ tcpEnd: { t: 5, kind: 'server-close' } })).tcpEnd?.kind).toBe('client-drop');
    const fin = obs({ tcpEnd: { t: 5, kind: 'fin' } });
    expect(inServerTerms(fin)).toBe(fin);
  });

  it('says who closed TCP, what we responded and when the request was invalid', () => {
    const o = obs({ request: { t: 0, head: head(), violation: { id: 'missing-key', rfc: '4.2.1', message: 'x' } }, tcpEnd: { t: 7, kind: 'fin' } }, 400);
    expect(describeClientObservation(o)).toBe('request invalid (missing-key); we responded 400; received nothing; TCP fin from the client at 7 ms');
  });
});
