// The grader and the runner's case adaptation for a target that does not echo (issue 13: application servers).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emptyObservation, type Observation, type ObservedEvent } from '../../../../peers/raw/observation.js';
import { grade } from '../../../../suites/grade/grade.js';
import { withoutEcho } from '../../../../suites/grade/match.js';
import { echo, failWith, GIVE_UP_MARK, pong, text, type Expectation } from '../../../../suites/define.js';

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const msg = (t: number, s: string): ObservedEvent => {
  const bytes = enc(s);
  return { kind: 'message', t, opcode: 1, frames: 1, length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
};
const greeting = msg(2, '{"type":"welcome"}');
function obs(events: ObservedEvent[], parts: Partial<Observation> = {}): Observation {
  return {
    ...emptyObservation(),
    handshake: { ok: true, status: 101, t: 1 },
    events: [...events, { kind: 'close', t: 11, code: 1000, reason: '', length: 2 }],
    closeSent: { t: 10, code: 1000, auto: false },
    closeReceived: { t: 11, code: 1000, reason: '' },
    tcpEnd: { t: 12, kind: 'fin' },
    ...parts,
  };
}
const g = (expect: Expectation, o: Observation, noEcho = true) => grade({ expect, observation: o, rfc: ['5.5.2'], ...(noEcho ? { echo: false } : {}) });

describe('grade with echo: false', () => {
  it("the application's own messages are neither answers nor unexpected frames", () => {
    const o = obs([greeting, { kind: 'pong', t: 3, payload: enc('p') }, msg(4, '{"type":"error"}')]);
    expect(g(echo([pong('p')]), o)).toMatchObject({ verdict: 'pass', reasonCode: 'ok' });
    // With an echo expected, the same messages are unexpected frames.
    expect(g(echo([pong('p')]), o, false)).toMatchObject({ verdict: 'fail', reasonCode: 'unexpected-frame' });
  });

  it('pongs are still graded', () => {
    expect(g(echo([pong('p')]), obs([greeting]))).toMatchObject({ verdict: 'fail', reasonCode: 'no-echo' });
    expect(g(echo([pong('p')]), obs([greeting, { kind: 'pong', t: 3, payload: enc('q') }]))).toMatchObject({ verdict: 'fail', reasonCode: 'wrong-echo' });
  });

  it('a fail case: the valid messages ahead are not required, the failure still is', () => {
    const failed: Partial<Observation> = { closeSent: { t: 11, code: 1002, auto: true }, closeReceived: { t: 5, code: 1002, reason: '' }, tcpEnd: { t: 12, kind: 'fin' } };
    const e = failWith([1002], { before: [text('hello')] });
    expect(g(e, { ...obs([greeting], failed), events: [greeting, { kind: 'close', t: 5, code: 1002, reason: '', length: 2 }] })).toMatchObject({ verdict: 'pass' });
    expect(g(e, obs([greeting], { marks: [{ name: GIVE_UP_MARK, t: 9 }] }))).toMatchObject({ verdict: 'fail', reasonCode: 'not-failed' });
  });
});

describe('withoutEcho', () => {
  it('cases that expect messages back are not run; pongs, closes and failures are', () => {
    expect(withoutEcho(echo([text('a')]), false)).toMatchObject({ reason: expect.stringMatching(/does not echo/) });
    expect(withoutEcho(echo([pong('p')]), false)).toEqual({ expect: echo([pong('p')]) });
    expect(withoutEcho(failWith([1002], { before: [text('a')] }), false)).toHaveProperty('expect');
    expect(withoutEcho(failWith([1002], { before: [text('a')] }), true)).toMatchObject({ reason: expect.stringMatching(/closes on messages/) });
  });

  it('a handshake case whose echo only shows the connection works is graded on its handshake', () => {
    const e: Expectation = { kind: 'handshake', status: [101], then: echo([text('a')]) };
    expect(withoutEcho(e, false)).toEqual({ expect: { kind: 'handshake', status: [101] } });
    expect(withoutEcho({ kind: 'negotiated', extension: 'permessage-deflate', then: echo([text('a')]) }, false)).toHaveProperty('reason');
  });
});
