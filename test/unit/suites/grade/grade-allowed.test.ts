// The grader's rules for behaviour the RFC allows: pongs for only the latest ping (§5.5.3), failing where the
// receiver may choose (`mayFail`), a connection graded while open (fuzz model steps), and a close answered before
// the echo of a message sent right ahead of it. Hand-made observations, no sockets; properties where a rule holds
// for all inputs.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyObservation, type Observation, type ObservedEvent } from '../../../../peers/raw/observation.js';
import { echo, pong, text, type Expectation } from '../../../../suites/define.js';
import { grade } from '../../../../suites/grade/grade.js';

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const msg = (t: number, s: string): ObservedEvent => {
  const bytes = enc(s);
  return { kind: 'message', t, opcode: 1, frames: 1, length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
};
const pongEv = (t: number, s: string): ObservedEvent => ({ kind: 'pong', t, payload: enc(s) });
const closeEv = (t: number, code: number | null): ObservedEvent => ({ kind: 'close', t, code, reason: '', length: code === null ? 0 : 2 });
const obs = (parts: Partial<Observation>): Observation => ({ ...emptyObservation(), handshake: { ok: true, status: 101, t: 1 }, ...parts });
const g = (expect: Expectation, o: Observation) => grade({ expect, observation: o, rfc: ['5.5.3'] });

/** We close at 10 (after `unawaited` messages sent with no wait), the target answers with `code` and closes TCP. */
function closedAt(code: number | null, unawaited = 0): Partial<Observation> {
  return { closeSent: { t: 10, code: 1000, auto: false, unawaited }, closeReceived: { t: 11, code, reason: '' }, tcpEnd: { t: 12, kind: 'fin' } };
}

describe('pongs: any subsequence of the pings, ending with the last (RFC 6455 §5.5.3)', () => {
  const pings = ['a', 'b', 'c', 'd'];
  const want = echo(pings.map((p) => pong(p)));

  it('holds for every subsequence that keeps the last ping; fails when the last has no pong', () => {
    fc.assert(
      fc.property(fc.subarray(pings.slice(0, -1)), fc.boolean(), (earlier, withLast) => {
        const answered = withLast ? [...earlier, 'd'] : earlier;
        const r = g(want, obs({ events: [...answered.map((p, i) => pongEv(2 + i, p)), closeEv(11, 1000)], ...closedAt(1000) }));
        if (withLast) expect(r).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
        else expect(r.verdict).toBe('fail');
      }),
    );
  });

  it('a lone pong for pings with the same payload answers the last of them (found by fuzzing)', () => {
    const same = echo([pong(''), pong('')]);
    expect(g(same, obs({ events: [pongEv(2, ''), closeEv(11, 1000)], ...closedAt(1000) }))).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
    const mid = echo([pong('a'), pong('b'), pong('a'), pong('c')]);
    expect(g(mid, obs({ events: [pongEv(2, 'a'), pongEv(3, 'c'), closeEv(11, 1000)], ...closedAt(1000) })).verdict).toBe('pass');
    expect(g(mid, obs({ events: [pongEv(2, 'a'), closeEv(11, 1000)], ...closedAt(1000) }))).toMatchObject({ verdict: 'fail', reasonCode: 'no-echo' });
  });

  it('pongs out of order, or one more than the pings, fail', () => {
    expect(g(want, obs({ events: [pongEv(2, 'c'), pongEv(3, 'b'), pongEv(4, 'd'), closeEv(11, 1000)], ...closedAt(1000) })).reasonCode).toBe('wrong-echo');
    const extra = g(echo([pong('a')]), obs({ events: [pongEv(2, 'a'), pongEv(3, 'a'), closeEv(11, 1000)], ...closedAt(1000) }));
    expect(extra).toMatchObject({ verdict: 'fail', reasonCode: 'unexpected-frame' });
  });
});

describe('mayFail: a failure where the receiver may choose passes', () => {
  const want: Expectation = { kind: 'behave', receive: [text('x')], close: { codes: [1000] }, mayFail: [{ codes: [1002], why: 'RFC 6455 §5.2: non-minimal length' }] };

  const own = (code: number | null): Observation =>
    obs({ events: [closeEv(5, code)], closeReceived: { t: 5, code, reason: '' }, closeSent: { t: 6, code, auto: true }, tcpEnd: { t: 7, kind: 'fin' } });

  it('the target failing on its own with an allowed code passes as allowed-fail', () => {
    const r = g(want, own(1002));
    expect(r).toMatchObject({ verdict: 'pass', reasonCode: 'allowed-fail' });
    expect(r.reason).toMatch(/non-minimal length/);
  });

  it('failing there by a TCP drop, without a code, or with another valid code is non-strict (RFC 6455 §7.1.7 SHOULD)', () => {
    expect(g(want, obs({ tcpEnd: { t: 5, kind: 'reset' } }))).toMatchObject({ verdict: 'non-strict', reasonCode: 'failed-without-close' });
    expect(g(want, own(null))).toMatchObject({ verdict: 'non-strict', reasonCode: 'failed-without-close' });
    const other = g(want, own(1008));
    expect(other).toMatchObject({ verdict: 'non-strict', reasonCode: 'other-code' });
    expect(other.reason).toMatch(/where it may \(RFC 6455 §5\.2: non-minimal length\) with 1008 \(policy violation\), expected close 1002/);
  });

  it('its failure crossing our close (both sent at once) passes too; another code answering our close is non-strict', () => {
    expect(g(want, obs({ events: [closeEv(11, 1002)], ...closedAt(1002, 1) })).reasonCode).toBe('allowed-fail');
    expect(g(want, obs({ events: [closeEv(11, 1011)], ...closedAt(1011, 1) }))).toMatchObject({ verdict: 'non-strict', reasonCode: 'other-code' });
  });

  it('without mayFail the same observations fail', () => {
    const strict: Expectation = { ...want, mayFail: [] } as Expectation;
    expect(g(strict, obs({ tcpEnd: { t: 5, kind: 'reset' } })).verdict).toBe('fail');
    expect(g(strict, own(1008))).toMatchObject({ verdict: 'fail', reasonCode: 'unexpected-close' });
  });

  it('an allowed failure that leaves TCP open is still unclean', () => {
    const r = g(want, obs({ events: [closeEv(5, 1002)], closeReceived: { t: 5, code: 1002, reason: '' }, tcpEnd: { t: 30, kind: 'client-drop' } }));
    expect(r).toMatchObject({ verdict: 'fail', reasonCode: 'unclean-close' });
  });
});

describe('open: graded mid-connection', () => {
  const want: Expectation = { kind: 'behave', receive: [text('x')], open: true };

  it('passes with the answers so far and the connection open; fails when an answer is missing or the target closed', () => {
    expect(g(want, obs({ events: [msg(3, 'x')] }))).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
    expect(g(want, obs({ events: [] }))).toMatchObject({ verdict: 'fail', reasonCode: 'no-echo' });
    const closed = g(want, obs({ events: [msg(3, 'x'), closeEv(4, 1000)], closeReceived: { t: 4, code: 1000, reason: '' }, tcpEnd: { t: 5, kind: 'fin' } }));
    expect(closed).toMatchObject({ verdict: 'fail', reasonCode: 'unexpected-close' });
  });
});

describe('close-before-echo (Autobahn 7.1.6)', () => {
  const want = echo([text('x')]);

  it('non-strict when our close followed the message with no wait and the target answered it', () => {
    const r = g(want, obs({ events: [closeEv(11, 1000)], ...closedAt(1000, 1) }));
    expect(r).toMatchObject({ verdict: 'non-strict', reasonCode: 'close-before-echo' });
  });

  it('a fail when we had waited for the echo, or when a pong is missing; another close code is non-strict', () => {
    expect(g(want, obs({ events: [closeEv(11, 1000)], ...closedAt(1000, 0) }))).toMatchObject({ verdict: 'fail', reasonCode: 'no-echo' });
    expect(g(want, obs({ events: [closeEv(11, 1011)], ...closedAt(1011, 1) }))).toMatchObject({ verdict: 'non-strict', reasonCode: 'other-code' });
    expect(g(echo([pong('p')]), obs({ events: [closeEv(11, 1000)], ...closedAt(1000, 1) }))).toMatchObject({ verdict: 'fail', reasonCode: 'no-echo' });
  });
});
