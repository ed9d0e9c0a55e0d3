// The handshake area's shape: enough cases, well-formed ids, every refusal case grading 4xx as pass and 101 as a
// failure, and the expected accept value of the RFC's own example.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveExpectation, type Expectation } from '../../../../../suites/define.js';
import { cases } from '../../../../../suites/conformance/handshake/index.js';
import { CLIENT_ERROR_STATUSES, FIXED_ACCEPT, FIXED_KEY } from '../../../../../suites/conformance/handshake/common.js';

describe('handshake cases', () => {
  it('has at least 30 uniquely named handshake.* cases citing RFC 6455 §4 or beyond', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const c of cases) {
      expect(c.id.startsWith('handshake.')).toBe(true);
      expect(c.rfc.length).toBeGreaterThan(0);
    }
  });

  it('refusal cases accept every 4xx, never 101, and do not accept a silent TCP close', () => {
    const refusals = cases
      .map((c) => [c.id, resolveExpectation(c, {})] as const)
      .filter((pair): pair is readonly [string, Extract<Expectation, { kind: 'handshake' }>] => pair[1].kind === 'handshake' && Array.isArray(pair[1].status) && !pair[1].status.includes(101));
    expect(refusals.length).toBeGreaterThanOrEqual(18);
    for (const [id, e] of refusals) {
      expect(e.status, id).toEqual(CLIENT_ERROR_STATUSES);
      expect(e.allowDrop, id).toBe(false);
      const alternatives = [e.nonStrict ?? []].flat();
      // Any other refusal is non-strict; only draft version 8 may also be accepted (non-strict, hybi-08).
      expect(alternatives.at(-1)?.status, id).toBe('reject');
      const accepted = alternatives.filter((n) => n.status !== 'reject' && n.status.includes(101));
      expect(accepted.length, id).toBe(id === 'handshake.version.8' ? 1 : 0);
    }
  });

  it('an unsupported version must come back with Sec-WebSocket-Version listing 13', () => {
    for (const id of ['handshake.version.8', 'handshake.version.14', 'handshake.version.garbage']) {
      const e = resolveExpectation(cases.find((c) => c.id === id)!, {});
      expect(e.kind === 'handshake' && e.requireHeaders).toEqual([{ name: 'Sec-WebSocket-Version', hasToken: '13' }]);
    }
  });

  it('states an accept value that matches its key (RFC 6455 §4.2.2 step 5.4)', () => {
    expect(createHash('sha1').update(`${FIXED_KEY}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')).toBe(FIXED_ACCEPT);
  });
});
