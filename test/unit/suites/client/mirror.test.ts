// The client catalogue mirrors the server catalogue's role-symmetric cases instead of copying them. Checked: a
// mirrored case states exactly what its server twin states (title, RFC sections, Autobahn ids, tags, budget and
// expectation; permessage-deflate accepted from the client instead of offered to the server); its script is the
// twin's, run on the same peer with no run options; every client case that shares an id with a server case outside
// the handshake area (where the same id means a rule about the response, not the request) is such a mirror; the
// server form of a symmetric case is its definition, unchanged; the one role-specific byte (the mask of the chopped
// fail-fast frame) is right in each role; and selection lists cannot go stale.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PERMESSAGE_DEFLATE } from '../../../../protocol/extensions/permessage-deflate.js';
import { readRequest } from '../../../../peers/wire-server/handshake.js';
import { CLIENT_CATALOGUE } from '../../../../suites/client/index.js';
import { resolveClientExpectation, type ClientCase, type ReceivedRequest } from '../../../../suites/client/define.js';
import { mirror, mirrorOne, toClientCase } from '../../../../suites/client/mirror.js';
import { failFastCases } from '../../../../suites/conformance/utf8/fail-fast.case.js';
import { CATALOGUE } from '../../../../suites/conformance/index.js';
import {
  DEFAULT_DEFLATE_OFFER,
  defineWireCase,
  echo,
  failWith,
  resolveExpectation,
  text,
  type ConformanceCase,
  type WireCaseContext,
  type WirePeer,
} from '../../../../suites/define.js';
import { FakePeer } from './fake-peer.js';

const REQUEST: ReceivedRequest = readRequest({
  startLine: 'GET / HTTP/1.1',
  method: 'GET',
  target: '/',
  version: { major: 1, minor: 1 },
  headers: [
    ['Host', '127.0.0.1:9001'],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
    ['Sec-WebSocket-Version', '13'],
    ['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits'],
  ],
});

const symmetric = CATALOGUE.filter((c) => c.wire !== undefined);
const serverById = new Map(CATALOGUE.map((c) => [c.id, c]));

/** What a case states about itself, as compared between the roles. */
const info = (c: ConformanceCase | ClientCase) => ({ title: c.title, rfc: c.rfc, autobahn: c.autobahn, tags: c.tags, timeoutMs: c.timeoutMs });

/** An expectation as comparable text (deep equality on megabyte payloads would take seconds). */
const show = (e: unknown): string => JSON.stringify(e, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));

/** The server expectation as a client one: permessage-deflate is asked of the client ('offered'), not negotiated. */
function asClient(c: ConformanceCase): unknown {
  const e = resolveExpectation(c, {});
  return e.kind === 'negotiated' ? { kind: 'offered', extension: e.extension, then: e.then } : e;
}

describe('mirrored cases', () => {
  it('most of the server catalogue is role-symmetric, and each of its cases mirrors with the same statement and expectation', () => {
    expect(symmetric.length).toBeGreaterThan(400);
    for (const c of symmetric) {
      const m = toClientCase(c);
      expect(m.id).toBe(c.id);
      expect(info(m), c.id).toEqual(info(c));
      expect(show(resolveClientExpectation(m, REQUEST)), c.id).toBe(show(asClient(c)));
      expect(m.response, c.id).toEqual(c.wire!.deflate ? { deflate: true } : undefined);
      expect(c.handshake, c.id).toEqual(c.wire!.deflate ? { extensions: DEFAULT_DEFLATE_OFFER } : undefined);
    }
  });

  it('every client case sharing an id with a server case outside the handshake area is its mirror', () => {
    const twins = CLIENT_CATALOGUE.filter((m) => serverById.has(m.id) && !m.id.startsWith('handshake.'));
    expect(twins.length).toBeGreaterThan(250);
    // The one wording that names the role: the reason for refusing close codes 1012-1014 (closeCodeCases).
    const neutral = (e: unknown): string => show(e).replace(/\ba (server|client) that knows\b/g, 'a target that knows');
    for (const m of twins) {
      const s = serverById.get(m.id)!;
      expect(s.wire, `${m.id} is a copy, not a mirror`).toBeDefined();
      expect(info(m), m.id).toEqual(info(s));
      expect(neutral(resolveClientExpectation(m, REQUEST)), m.id).toBe(neutral(asClient(s)));
    }
  });

  it('the client form runs the server script on the same peer, with the case budget and seed and no run options', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 120_000 }), fc.integer(), fc.boolean(), async (timeoutMs, seed, deflate) => {
        const calls: [WirePeer, WireCaseContext][] = [];
        const c = defineWireCase({
          id: 'test.mirror.script',
          title: 'records its call',
          rfc: ['5.6'],
          autobahn: [],
          deflate,
          expect: () => echo([text('x')]),
          async run(peer, ctx) {
            calls.push([peer, ctx]);
          },
        });
        const peer = new FakePeer(REQUEST);
        await toClientCase(c).run(peer, { timeoutMs, seed });
        expect(calls).toHaveLength(1);
        expect(calls[0]![0]).toBe(peer);
        expect(calls[0]![1]).toEqual({ timeoutMs, seed, options: {} });
      }),
    );
  });

  it('the server form of a symmetric case is its definition, permessage-deflate offered when it needs it', () => {
    for (const deflate of [false, true]) {
      const expectation = failWith([1002]);
      const run = async (): Promise<void> => {};
      const c = defineWireCase({ id: 'test.mirror.server-form', title: 't', rfc: ['5.2'], autobahn: ['3.1'], deflate, expect: expectation, run });
      expect(c.run).toBe(run);
      expect(c.handshake).toEqual(deflate ? { extensions: DEFAULT_DEFLATE_OFFER } : undefined);
      expect(resolveExpectation(c, {})).toEqual(deflate ? { kind: 'negotiated', extension: PERMESSAGE_DEFLATE, then: expectation } : expectation);
    }
    expect(() => defineWireCase({ id: 'NotDotted', title: 't', rfc: ['5.2'], autobahn: [], expect: failWith(), run: async () => {} })).toThrow(/dotted/);
  });
});

describe('the one role-specific byte', () => {
  it('the chopped fail-fast frame is masked towards a server and unmasked towards a client (RFC 6455 §5.1)', async () => {
    for (const [mask, masked] of [[new Uint8Array([1, 2, 3, 4]), true], [null, false]] as const) {
      for (const c of failFastCases(mask).filter((x) => x.id.includes('chops'))) {
        const peer = new FakePeer(REQUEST);
        await toClientCase(c).run(peer, { timeoutMs: 10_000, seed: 1 });
        const header = peer.sent[0]!;
        expect(((header[1] ?? 0) & 0x80) !== 0, c.id).toBe(masked);
      }
    }
    const client = CLIENT_CATALOGUE.find((c) => c.id === 'utf8.fail-fast.chops')!;
    const peer = new FakePeer(REQUEST);
    await client.run(peer, { timeoutMs: 10_000, seed: 1 });
    expect((peer.sent[0]![1]! & 0x80) === 0).toBe(true);
  });
});

describe('selection', () => {
  it('lists that name no symmetric case fail at load, and server-only cases cannot be mirrored', () => {
    expect(() => mirror(CATALOGUE, ['control.ping.no-such-case'])).toThrow(/control\.ping\.no-such-case/);
    expect(() => mirror(CATALOGUE, /^no-such-area\./)).toThrow(/no-such-area/);
    expect(() => mirrorOne(CATALOGUE, 'control.ping.no-such-case')).toThrow(/no case/);
    const serverOnly = CATALOGUE.find((c) => c.wire === undefined)!;
    expect(() => toClientCase(serverOnly)).toThrow(/not role-symmetric/);
    expect(() => mirror(CATALOGUE, [serverOnly.id])).toThrow(serverOnly.id);
  });

  it('renamed mirrors keep their server twin statement under the client id', () => {
    const m = mirrorOne(CATALOGUE, 'limits.length-64bit-msb-set', 'framing.length.64bit-msb-set');
    expect(m.id).toBe('framing.length.64bit-msb-set');
    expect(info(m)).toEqual(info(serverById.get('limits.length-64bit-msb-set')!));
    expect(CLIENT_CATALOGUE.find((c) => c.id === m.id)?.title).toBe(m.title);
  });
});
