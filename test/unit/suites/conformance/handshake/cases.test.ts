// The handshake area's shape: enough cases, well-formed ids, every refusal case grading 4xx as pass and 101 as a
// failure (or non-strict where a ruling says so), the rulings of issue 12, and the accept value of the RFC's example.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveExpectation, type Expectation } from '../../../../../suites/define.js';
import { cases } from '../../../../../suites/conformance/handshake/index.js';
import { CLIENT_ERROR_STATUSES, FIXED_ACCEPT, FIXED_KEY } from '../../../../../suites/conformance/handshake/common.js';
import { HANDSHAKE_FAULTS } from '../../../../../suites/properties/handshake.arb.js';
import { faultExpectation } from '../../../../../suites/properties/handshake.prop.js';

/** Refusal cases where a 101 is non-strict rather than a fail. */
const MAY_ACCEPT = ['handshake.version.8', 'handshake.key.not-base64', 'handshake.key.15-bytes', 'handshake.key.17-bytes', 'handshake.key.empty'];

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
      // Any other refusal is non-strict; only draft version 8 (hybi-08) and a malformed single key (§4.2.2: "It is
      // not necessary for the server to base64-decode" it; issue 12, ruling 1) may also be accepted, non-strict.
      expect(alternatives.at(-1)?.status, id).toBe('reject');
      const accepted = alternatives.filter((n) => n.status !== 'reject' && n.status.includes(101));
      expect(accepted.length, id).toBe(MAY_ACCEPT.includes(id) ? 1 : 0);
    }
  });

  it('an unsupported version must come back with Sec-WebSocket-Version listing 13; a malformed one need not (ruling 2)', () => {
    const versionRule = (id: string): unknown => {
      const e = resolveExpectation(cases.find((c) => c.id === id)!, {});
      return e.kind === 'handshake' && e.requireHeaders;
    };
    for (const id of ['handshake.version.8', 'handshake.version.14']) expect(versionRule(id), id).toEqual([{ name: 'Sec-WebSocket-Version', hasToken: '13' }]);
    for (const id of ['handshake.version.garbage', 'handshake.version.missing', 'handshake.version.two-headers', 'handshake.version.list']) {
      expect(versionRule(id), id).toBeUndefined();
    }
  });

  it('missing and duplicate keys stay refusals a 101 fails; malformed single keys are non-strict (ruling 1)', () => {
    for (const id of ['handshake.key.missing', 'handshake.key.two-keys']) expect(MAY_ACCEPT, id).not.toContain(id);
    for (const id of ['not-base64', '15-bytes', '17-bytes', 'empty']) {
      const e = resolveExpectation(cases.find((c) => c.id === `handshake.key.${id}`)!, {});
      const why = e.kind === 'handshake' ? [e.nonStrict ?? []].flat()[0]?.why : undefined;
      expect(why, id).toMatch(/§4\.2\.2 \/key\/: "It is not necessary for the server to base64-decode/);
    }
  });

  it('a frame sent before the 101 is recorded only: the client broke §4.1 (ruling 3)', () => {
    const e = resolveExpectation(cases.find((c) => c.id === 'handshake.pipelined-frame')!, {});
    expect(e.kind).toBe('informational');
    expect(e.kind === 'informational' && e.describe).toMatch(/MUST wait for a response from the server before sending any further data/);
  });

  it('an unusual request (big head, body) is recorded; only the next connection is graded (ruling 4)', () => {
    for (const id of ['handshake.head.16k', 'handshake.head.64k', 'handshake.body.content-length']) {
      const e = resolveExpectation(cases.find((c) => c.id === id)!, {});
      expect(e.kind === 'handshake' && e.then?.kind, id).toBe('informational');
      expect(e.kind === 'handshake' && e.requireMetrics?.map((m) => [m.name, m.equals]), id).toEqual([['second-connection-ok', 1]]);
    }
  });

  it('offers several subprotocols, requiring a selection only when --protocol names what the target speaks', () => {
    const several = cases.find((c) => c.id === 'handshake.subprotocol.several-offered')!;
    const without = resolveExpectation(several, {});
    const withUser = resolveExpectation(several, { protocols: ['wsprobe.echo'] });
    expect(without.kind === 'handshake' && without.requireHeaders).toBeUndefined();
    expect(withUser.kind === 'handshake' && withUser.requireHeaders?.map((r) => r.name)).toEqual(['Sec-WebSocket-Protocol']);
    const unknown = cases.find((c) => c.id === 'handshake.subprotocol.several-unknown')!;
    expect(typeof unknown.handshake === 'object' && unknown.handshake.protocols?.length).toBe(2);
  });

  it('the fuzz handshake suite grades every fault with a catalogue refusal case', () => {
    for (const fault of HANDSHAKE_FAULTS) {
      const e = faultExpectation(fault);
      expect(e.kind === 'handshake' && Array.isArray(e.status) && !e.status.includes(101), fault).toBe(true);
    }
    // Only an unsupported version needs §4.4's header; a malformed one (ruling 2) does not.
    const headerOf = (f: (typeof HANDSHAKE_FAULTS)[number]): unknown => {
      const e = faultExpectation(f);
      return e.kind === 'handshake' ? e.requireHeaders : undefined;
    };
    expect(headerOf('version-unsupported')).toBeDefined();
    expect(headerOf('version-malformed')).toBeUndefined();
  });

  it('states an accept value that matches its key (RFC 6455 §4.2.2 step 5.4)', () => {
    expect(createHash('sha1').update(`${FIXED_KEY}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')).toBe(FIXED_ACCEPT);
  });
});
