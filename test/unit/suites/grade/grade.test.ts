// The grader, reason code by reason code, on hand-made observations (no sockets).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Observation, ObservedEvent } from '../../../../peers/raw/observation.js';
import { emptyObservation } from '../../../../peers/raw/observation.js';
import { violation } from '../../../../protocol/violations.js';
import { formatNumbers, grade, REASON_CODES } from '../../../../suites/grade/grade.js';
import { digestStep, echo, failWith, GIVE_UP_MARK, informational, pong, text, type Expectation } from '../../../../suites/define.js';

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function obs(parts: Partial<Observation> = {}): Observation {
  return { ...emptyObservation(), handshake: { ok: true, status: 101, t: 1 }, ...parts };
}

const msg = (t: number, s: string | Uint8Array, opcode = 1): ObservedEvent => {
  const bytes = typeof s === 'string' ? enc(s) : s;
  return { kind: 'message', t, opcode, frames: 1, length: bytes.length, sha256: sha(bytes), bytes };
};
const pongEv = (t: number, s: string): ObservedEvent => ({ kind: 'pong', t, payload: enc(s) });
const closeEv = (t: number, code: number | null): ObservedEvent => ({ kind: 'close', t, code, reason: '', length: code === null ? 0 : 2 });

/** A clean client-initiated close: we close at t, the target answers with `code` and closes TCP. */
function cleanClose(t: number, code: number | null = 1000): Partial<Observation> {
  return {
    closeSent: { t, code: 1000, auto: false },
    closeReceived: { t: t + 1, code, reason: '' },
    tcpEnd: { t: t + 2, kind: 'fin' },
  };
}

const g = (expect: Expectation, o: Observation) => grade({ expect, observation: o, rfc: ['5.2'] });

describe('grade: behave (echo, then our close)', () => {
  const want = echo([text('hello'), pong('p')]);

  it('ok: the echo and the pong, then a clean close', () => {
    const r = g(want, obs({ events: [msg(5, 'hello'), pongEv(6, 'p'), closeEv(11, 1000)], ...cleanClose(10) }));
    expect(r).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
  });

  it('ok: a pong may overtake an earlier message (RFC 6455 §5.5.2 "as soon as is practical")', () => {
    const r = g(want, obs({ events: [pongEv(4, 'p'), msg(5, 'hello'), closeEv(11, 1000)], ...cleanClose(10) }));
    expect(r.verdict).toBe('pass');
  });

  it('ok: an empty close answer is accepted unless allowNoCode is false', () => {
    const o = obs({ events: [msg(5, 'hello'), pongEv(6, 'p'), closeEv(11, null)], ...cleanClose(10, null) });
    expect(g(want, o).verdict).toBe('pass');
    expect(g(echo([text('hello'), pong('p')], { codes: [1000], allowNoCode: false }), o)).toMatchObject({ verdict: 'fail', reasonCode: 'wrong-code' });
  });

  it('server pings are ignored', () => {
    const r = g(want, obs({ events: [{ kind: 'ping', t: 3, payload: enc('hb') }, msg(5, 'hello'), pongEv(6, 'p'), closeEv(11, 1000)], ...cleanClose(10) }));
    expect(r.verdict).toBe('pass');
  });

  it('no-echo: the message never came', () => {
    const r = g(want, obs({ events: [pongEv(6, 'p'), closeEv(11, 1000)], ...cleanClose(10) }));
    expect(r).toMatchObject({ verdict: 'fail', reasonCode: 'no-echo' });
    expect(r.reason).toMatch(/RFC 6455 §5\.2: text 5 B never arrived/);
  });

  it('timeout: the message never came and the case deadline passed', () => {
    const r = g(want, obs({ events: [pongEv(6, 'p')], timedOut: true }));
    expect(r).toMatchObject({ verdict: 'fail', reasonCode: 'timeout' });
  });

  it('wrong-echo: content differs though the length matches (not only length is checked)', () => {
    const r = g(want, obs({ events: [msg(5, 'hellO'), pongEv(6, 'p'), closeEv(11, 1000)], ...cleanClose(10) }));
    expect(r).toMatchObject({ verdict: 'fail', reasonCode: 'wrong-echo' });
    expect(r.reason).toMatch(/first difference at byte 4/);
  });

  it('wrong-echo: binary instead of text; a pong payload that differs', () => {
    expect(g(want, obs({ events: [msg(5, 'hello', 2), pongEv(6, 'p'), closeEv(11, 1000)], ...cleanClose(10) })).reasonCode).toBe('wrong-echo');
    expect(g(want, obs({ events: [msg(5, 'hello'), pongEv(6, 'q'), closeEv(11, 1000)], ...cleanClose(10) })).reasonCode).toBe('wrong-echo');
  });

  it('wrong-echo by digest for large payloads', () => {
    const big = new Uint8Array(100_000).fill(7);
    const other = new Uint8Array(100_000).fill(8);
    const e = echo([digestStep('binary', big)]);
    const ok = obs({ events: [{ kind: 'message', t: 1, opcode: 2, frames: 3, length: big.length, sha256: sha(big) }, closeEv(11, 1000)], ...cleanClose(10) });
    expect(g(e, ok).verdict).toBe('pass');
    const bad = obs({ events: [{ kind: 'message', t: 1, opcode: 2, frames: 3, length: other.length, sha256: sha(other) }, closeEv(11, 1000)], ...cleanClose(10) });
    expect(g(e, bad).reasonCode).toBe('wrong-echo');
  });

  it('unexpected-frame: something beyond the expected answers', () => {
    const r = g(want, obs({ events: [msg(5, 'hello'), msg(6, 'extra'), pongEv(7, 'p'), closeEv(11, 1000)], ...cleanClose(10) }));
    expect(r).toMatchObject({ verdict: 'fail', reasonCode: 'unexpected-frame' });
  });

  it('unexpected-close: the target closed before answering or before our close', () => {
    const early = obs({ events: [closeEv(3, 1001)], closeReceived: { t: 3, code: 1001, reason: '' }, closeSent: { t: 3, code: 1001, auto: true }, tcpEnd: { t: 4, kind: 'fin' } });
    expect(g(want, early)).toMatchObject({ verdict: 'fail', reasonCode: 'unexpected-close' });
    const dropped = obs({ events: [msg(5, 'hello'), pongEv(6, 'p')], tcpEnd: { t: 7, kind: 'reset' } });
    expect(g(want, dropped)).toMatchObject({ verdict: 'fail', reasonCode: 'unexpected-close' });
  });

  it('limit-reached: a legal big message refused with 1009 is non-strict when the case allows limit codes', () => {
    const e: Expectation = { kind: 'behave', receive: [text('hello')], limitCodes: [1008, 1009] };
    const o = obs({ events: [closeEv(3, 1009)], closeReceived: { t: 3, code: 1009, reason: '' }, closeSent: { t: 3, code: 1009, auto: true }, tcpEnd: { t: 4, kind: 'fin' } });
    expect(g(e, o)).toMatchObject({ verdict: 'non-strict', reasonCode: 'limit-reached' });
    expect(g(echo([text('hello')]), o).reasonCode).toBe('unexpected-close');
  });

  it('no-close: TCP closed instead of a close frame answering ours', () => {
    const r = g(echo([]), obs({ closeSent: { t: 10, code: 1000, auto: false }, tcpEnd: { t: 11, kind: 'fin' } }));
    expect(r).toMatchObject({ verdict: 'fail', reasonCode: 'no-close' });
  });

  it('other-code: a close answer with another valid code is non-strict, naming both codes (§5.5.1 "typically echos")', () => {
    const r = g(echo([]), obs({ events: [closeEv(11, 1001)], ...cleanClose(10, 1001) }));
    expect(r).toMatchObject({ verdict: 'non-strict', reasonCode: 'other-code' });
    expect(r.reason).toMatch(/§5\.5\.1: the target answered our close 1000 with 1001 \(going away\), expected 1000/);
    expect(r.reason).toMatch(/typically echos/);
  });

  it('unclean-close outranks other-code: a MUST broken on the wire is the verdict', () => {
    const o = obs({ events: [closeEv(11, 1001)], closeSent: { t: 10, code: 1000, auto: false }, closeReceived: { t: 11, code: 1001, reason: '' }, tcpEnd: { t: 5000, kind: 'client-drop' } });
    expect(g(echo([]), o)).toMatchObject({ verdict: 'fail', reasonCode: 'unclean-close' });
  });

  it('refused-code: our code 1012 refused with 1002 or a TCP drop is non-strict where the case names the refusal', () => {
    const e = echo([], { codes: [1012, 1000], refusal: { codes: [1002], why: 'IANA registry, not RFC 6455' } });
    const sent = (code: number | null): Partial<Observation> => ({ ...cleanClose(10, code), closeSent: { t: 10, code: 1012, auto: false } });
    const refused = g(e, obs({ events: [closeEv(11, 1002)], ...sent(1002) }));
    expect(refused).toMatchObject({ verdict: 'non-strict', reasonCode: 'refused-code' });
    expect(refused.reason).toMatch(/refused our close 1012 with 1002 \(protocol error\): IANA registry/);
    const dropped = g(e, obs({ closeSent: { t: 10, code: 1012, auto: false }, tcpEnd: { t: 11, kind: 'fin' } }));
    expect(dropped).toMatchObject({ verdict: 'non-strict', reasonCode: 'refused-code' });
    expect(g(e, obs({ events: [closeEv(11, 1012)], ...sent(1012) })).verdict).toBe('pass');
    // Without the refusal rule, a drop is no answer to our close: the §5.5.1 MUST.
    expect(g(echo([], { codes: [1012, 1000] }), obs({ closeSent: { t: 10, code: 1012, auto: false }, tcpEnd: { t: 11, kind: 'fin' } }))).toMatchObject({ verdict: 'fail', reasonCode: 'no-close' });
  });

  it('late-pong: the pong of a ping inside a fragmented message due before the mark; after it is non-strict', () => {
    const e: Expectation = { kind: 'behave', receive: [pong('p1'), pong('p2'), text('ab')], pongsBy: { mark: 'rest', pings: 1 } };
    const events = (t1: number): ObservedEvent[] => [pongEv(t1, 'p1'), pongEv(1010, 'p2'), msg(1011, 'ab'), closeEv(1021, 1000)];
    const onTime = g(e, obs({ marks: [{ name: 'rest', t: 1005 }], events: events(6), ...cleanClose(1020) }));
    expect(onTime).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
    const late = g(e, obs({ marks: [{ name: 'rest', t: 1005 }], events: events(1009), ...cleanClose(1020) }));
    expect(late).toMatchObject({ verdict: 'non-strict', reasonCode: 'late-pong' });
    expect(late.reason).toMatch(/§5\.5\.2.*as soon as is practical/);
    // Only the latest ping answered (§5.5.3), after the mark: late too; no mark set: nothing to judge.
    const onlyLatest = g(e, obs({ marks: [{ name: 'rest', t: 1005 }], events: [pongEv(1010, 'p2'), msg(1011, 'ab'), closeEv(1021, 1000)], ...cleanClose(1020) }));
    expect(onlyLatest.reasonCode).toBe('late-pong');
    expect(g(e, obs({ events: events(1009), ...cleanClose(1020) })).verdict).toBe('pass');
  });

  it('unclean-close: close answered but TCP left open until we dropped it (Autobahn: FAILED BY CLIENT)', () => {
    const r = g(echo([]), obs({ events: [closeEv(11, 1000)], closeSent: { t: 10, code: 1000, auto: false }, closeReceived: { t: 11, code: 1000, reason: '' }, tcpEnd: { t: 5000, kind: 'client-drop' } }));
    expect(r).toMatchObject({ verdict: 'fail', reasonCode: 'unclean-close' });
    expect(r.reason).toMatch(/MUST close the underlying TCP connection/);
  });

  it('invalid-frame and masked-frame: every frame the target sends must be valid', () => {
    const masked = obs({ events: [{ kind: 'violation', t: 2, violation: violation('masked-server-frame'), opcode: 1 }, msg(2, 'hello'), pongEv(3, 'p'), closeEv(11, 1000)], ...cleanClose(10) });
    expect(g(want, masked)).toMatchObject({ verdict: 'fail', reasonCode: 'masked-frame' });
    const rsv = obs({ events: [{ kind: 'violation', t: 2, violation: violation('reserved-bits-set'), opcode: 1 }], ...cleanClose(10) });
    expect(g(want, rsv)).toMatchObject({ verdict: 'fail', reasonCode: 'invalid-frame' });
  });

  it('handshake-status: a non-101 to a correct handshake', () => {
    const r = g(want, obs({ handshake: { ok: false, status: 404, t: 1 } }));
    expect(r).toMatchObject({ verdict: 'fail', reasonCode: 'handshake-status' });
  });
});

describe('grade: fail (Fail the WebSocket Connection, RFC 6455 §7.1.7)', () => {
  const failed = (code: number | null, extra: Partial<Observation> = {}): Observation =>
    obs({
      events: [closeEv(5, code)],
      closeReceived: { t: 5, code, reason: '' },
      closeSent: { t: 5, code, auto: true },
      tcpEnd: { t: 6, kind: 'fin' },
      ...extra,
    });

  it('ok: close with an allowed code, then TCP closed by the target', () => {
    expect(g(failWith([1002]), failed(1002))).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
  });

  it('failed-without-close: TCP closed or reset without a close frame, or a close without a code, is non-strict (§7.1.7 SHOULD)', () => {
    for (const kind of ['fin', 'reset'] as const) {
      const r = g(failWith([1002]), obs({ tcpEnd: { t: 5, kind } }));
      expect(r).toMatchObject({ verdict: 'non-strict', reasonCode: 'failed-without-close' });
      expect(r.reason).toMatch(new RegExp(`closing TCP \\(${kind}\\) without a close frame, expected close 1002`));
    }
    const noCode = g(failWith([1002]), failed(null));
    expect(noCode).toMatchObject({ verdict: 'non-strict', reasonCode: 'failed-without-close' });
    expect(noCode.reason).toMatch(/without a status code.*SHOULD send a Close frame with an appropriate status code/);
    expect(g(failWith([1002], { allowDrop: false }), obs({ tcpEnd: { t: 5, kind: 'reset' } }))).toMatchObject({ verdict: 'fail', reasonCode: 'no-close' });
  });

  it('ok: the target answers an invalid close of ours with 1002', () => {
    const o = obs({ events: [closeEv(6, 1002)], closeSent: { t: 5, code: 999, auto: false }, closeReceived: { t: 6, code: 1002, reason: '' }, tcpEnd: { t: 7, kind: 'fin' } });
    expect(g(failWith([1002]), o).verdict).toBe('pass');
  });

  it('other-code: failing with another valid code is non-strict, naming the code expected and the one received', () => {
    const r = g(failWith([1002]), failed(1003));
    expect(r).toMatchObject({ verdict: 'non-strict', reasonCode: 'other-code' });
    expect(r.reason).toMatch(/with 1003 \(unsupported data\), expected close 1002/);
    expect(g(failWith([1007, 1002]), failed(1002)).verdict).toBe('pass');
    // A code no endpoint may send is an invalid frame, whatever the case expected.
    const bad = failed(1005, { events: [{ kind: 'violation', t: 5, violation: violation('invalid-close-code'), opcode: 8 }, closeEv(5, 1005)] });
    expect(g(failWith([1002]), bad)).toMatchObject({ verdict: 'fail', reasonCode: 'invalid-frame' });
    // TCP left open after the failure close: the MUST comes first.
    expect(g(failWith([1002]), failed(1003, { tcpEnd: { t: 9000, kind: 'client-drop' } }))).toMatchObject({ verdict: 'fail', reasonCode: 'unclean-close' });
  });

  it('accepted: our invalid close answered as a valid one with a listed code is informational (5000: no range above 4999)', () => {
    const e = failWith([1002], { accepted: { codes: [1000], why: 'RFC 6455 §7.4.2 defines nothing above 4999' } });
    const answered = (code: number): Observation =>
      obs({ events: [closeEv(6, code)], closeSent: { t: 5, code: 5000, auto: false }, closeReceived: { t: 6, code, reason: '' }, tcpEnd: { t: 7, kind: 'fin' } });
    const r = g(e, answered(1000));
    expect(r).toMatchObject({ verdict: 'informational', reasonCode: 'informational' });
    expect(r.reason).toMatch(/answered our close as a valid one, with 1000 \(normal\): RFC 6455 §7\.4\.2/);
    expect(g(e, answered(1002)).verdict).toBe('pass');
    expect(g(e, answered(1001))).toMatchObject({ verdict: 'non-strict', reasonCode: 'other-code' });
    expect(g(failWith([1002]), answered(1000))).toMatchObject({ verdict: 'non-strict', reasonCode: 'other-code' });
  });

  it('not-failed: the target kept going until we gave up and closed', () => {
    const o = obs({
      marks: [{ name: GIVE_UP_MARK, t: 9000 }],
      events: [closeEv(9001, 1000)],
      closeSent: { t: 9000, code: 1000, auto: false },
      closeReceived: { t: 9001, code: 1000, reason: '' },
      tcpEnd: { t: 9002, kind: 'fin' },
    });
    const r = g(failWith([1002]), o);
    expect(r).toMatchObject({ verdict: 'fail', reasonCode: 'not-failed' });
    expect(r.reason).toMatch(/_Fail the WebSocket Connection_/);
  });

  it('no-close: the target did not fail, and then did not answer our close either (e.g. after a bad compressed block)', () => {
    const gaveUp = (tcpEnd: Observation['tcpEnd']): Observation =>
      obs({ marks: [{ name: GIVE_UP_MARK, t: 9000 }], closeSent: { t: 9000, code: 1000, auto: false }, tcpEnd });
    const kept = g(failWith([1007]), gaveUp({ t: 12000, kind: 'client-drop' }));
    expect(kept).toMatchObject({ verdict: 'fail', reasonCode: 'no-close' });
    expect(kept.reason).toMatch(/did not _Fail the WebSocket Connection_ \(§7\.1\.7\).*never answered: §5\.5\.1 "the endpoint MUST send a Close frame in response"; it kept TCP open until we dropped it/);
    expect(g(failWith([1007]), gaveUp({ t: 9001, kind: 'fin' })).reason).toMatch(/TCP fin came instead/);
  });

  it('unexpected-frame: echoing the invalid data (or answering the ping behind it) before failing', () => {
    const o = failed(1002, { events: [msg(2, 'hello'), msg(3, 'invalid'), closeEv(5, 1002)] });
    expect(g(failWith([1002], { before: [text('hello')] }), o)).toMatchObject({ verdict: 'fail', reasonCode: 'unexpected-frame' });
    const p = failed(1002, { events: [pongEv(3, ''), closeEv(5, 1002)] });
    expect(g(failWith([1002]), p)).toMatchObject({ verdict: 'fail', reasonCode: 'unexpected-frame' });
  });

  it('early-fail: failing before echoing the valid message sent first is non-strict', () => {
    expect(g(failWith([1002], { before: [text('hello')] }), failed(1002))).toMatchObject({ verdict: 'non-strict', reasonCode: 'early-fail' });
    const echoed = failed(1002, { events: [msg(2, 'hello'), closeEv(5, 1002)] });
    expect(g(failWith([1002], { before: [text('hello')] }), echoed).verdict).toBe('pass');
  });

  it('late-fail: failing only after the rest of the message went out is non-strict', () => {
    const late = failed(1007, { marks: [{ name: 'rest', t: 4 }] });
    expect(g(failWith([1007], { failBy: 'rest' }), late)).toMatchObject({ verdict: 'non-strict', reasonCode: 'late-fail' });
    const fast = failed(1007, { marks: [{ name: 'rest', t: 50 }] });
    expect(g(failWith([1007], { failBy: 'rest' }), fast).verdict).toBe('pass');
  });

  it('unclean-close: failed with the right code but TCP kept open until we dropped it', () => {
    const o = failed(1002, { tcpEnd: { t: 9000, kind: 'client-drop', detail: 'the target did not close TCP' } });
    expect(g(failWith([1002]), o)).toMatchObject({ verdict: 'fail', reasonCode: 'unclean-close' });
  });
});

describe('grade: informational and handshake', () => {
  it('informational: always informational, whatever happened', () => {
    const r = g(informational('records it', { reasonCode: 'not-configured' }), obs({ handshake: { ok: false, failure: 'timeout', t: 1 } }));
    expect(r).toMatchObject({ verdict: 'informational', reasonCode: 'not-configured' });
  });

  const hs = (status: number | undefined, headers: [string, string][] = [], extra: Partial<NonNullable<Observation['handshake']>> = {}): Observation =>
    obs({
      handshake: {
        ok: status === 101,
        t: 1,
        ...(status !== undefined ? { status, head: { startLine: `HTTP/1.1 ${status} X`, status, version: { major: 1, minor: 1 }, headers } } : {}),
        ...extra,
      },
    });

  it('handshake-status: status outside the allowed set; non-strict alternatives', () => {
    const e: Expectation = { kind: 'handshake', status: [426], requireHeaders: [{ name: 'Sec-WebSocket-Version', hasToken: '13' }], nonStrict: { status: [400], why: 'a 400 where §4.4 suggests 426' } };
    expect(g(e, hs(426, [['Sec-WebSocket-Version', '13']])).verdict).toBe('pass');
    expect(g(e, hs(400))).toMatchObject({ verdict: 'non-strict', reasonCode: 'handshake-status' });
    expect(g(e, hs(101))).toMatchObject({ verdict: 'fail', reasonCode: 'handshake-status' });
  });

  it('handshake-header: a required header missing, a forbidden one present', () => {
    const e: Expectation = { kind: 'handshake', status: [426], requireHeaders: [{ name: 'sec-websocket-version', hasToken: '13' }] };
    expect(g(e, hs(426))).toMatchObject({ verdict: 'fail', reasonCode: 'handshake-header' });
    const f: Expectation = { kind: 'handshake', status: [101], forbidHeaders: ['Sec-WebSocket-Protocol'] };
    expect(g(f, hs(101, [['Sec-WebSocket-Protocol', 'chat']]))).toMatchObject({ verdict: 'fail', reasonCode: 'handshake-header' });
  });

  it('handshake-invalid: a 101 that fails the client checks of §4.1', () => {
    const e: Expectation = { kind: 'handshake', status: [101] };
    const o = hs(101, [], { ok: false, rejection: { id: 'wrong-accept', rfc: '4.1', message: 'Sec-WebSocket-Accept wrong' } });
    expect(g(e, o)).toMatchObject({ verdict: 'fail', reasonCode: 'handshake-invalid' });
  });

  it("'reject' with allowDrop accepts a TCP close without response; timeout otherwise", () => {
    const e: Expectation = { kind: 'handshake', status: 'reject', allowDrop: true };
    expect(g(e, hs(undefined, [], { failure: 'closed' })).verdict).toBe('pass');
    expect(g(e, hs(undefined, [], { failure: 'timeout' }))).toMatchObject({ verdict: 'fail', reasonCode: 'timeout' });
    expect(g(e, hs(403)).verdict).toBe('pass');
  });

  it('then: grades the connection after a 101', () => {
    const e: Expectation = { kind: 'handshake', status: [101], then: echo([text('x')]) };
    const good = obs({ handshake: { ok: true, status: 101, t: 1 }, events: [msg(2, 'x'), closeEv(11, 1000)], ...cleanClose(10) });
    expect(g(e, good).verdict).toBe('pass');
    const bad = obs({ handshake: { ok: true, status: 101, t: 1 }, events: [closeEv(11, 1000)], ...cleanClose(10) });
    expect(g(e, bad).reasonCode).toBe('no-echo');
  });
});

describe('grade: vocabulary', () => {
  it('every reason code the grader can produce is documented in REASON_CODES', () => {
    for (const code of ['ok', 'no-echo', 'wrong-echo', 'unexpected-frame', 'unexpected-close', 'no-close', 'wrong-code', 'other-code', 'failed-without-close', 'refused-code', 'late-pong', 'unclean-close', 'not-failed', 'early-fail', 'late-fail', 'timeout', 'invalid-frame', 'masked-frame', 'handshake-status', 'handshake-header', 'handshake-invalid', 'limit-reached']) {
      expect(REASON_CODES).toHaveProperty(code);
    }
  });

  it('formats status lists as ranges', () => {
    expect(formatNumbers(Array.from({ length: 100 }, (_, i) => 400 + i))).toBe('400-499');
    expect(formatNumbers([1002, 1007])).toBe('1002 or 1007');
  });
});
