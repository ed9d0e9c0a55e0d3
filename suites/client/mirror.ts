// The server catalogue's role-symmetric cases (suites/define.ts, defineWireCase) as client cases: the same id,
// title, RFC sections, Autobahn ids, expectation and script, run with wsprobe as the server. Autobahn|Testsuite runs
// the same numbered cases in both modes; so do we, for every case whose script needs nothing a server's side lacks.
// Only the framing of the case changes: no run options (a client run has none: the expectation is resolved with
// {}), and a case that needs permessage-deflate accepts the client's offer instead of making one.
import { PERMESSAGE_DEFLATE } from '../../protocol/extensions/permessage-deflate.js';
import type { ConformanceCase, WireExpectation } from '../define.js';
import { defineClientCase, type ClientCase, type ClientExpectation } from './define.js';

/**
 * The client form of server case `c`, which must have been defined with defineWireCase. `id`: another id, for the
 * few client cases first published under their own name (client baselines are keyed on it).
 */
export function toClientCase(c: ConformanceCase, opts: { id?: string } = {}): ClientCase {
  const w = c.wire;
  if (w === undefined) throw new Error(`case ${c.id} is not role-symmetric (defineWireCase): it cannot be mirrored`);
  const expect = w.expect;
  const wrap = (e: WireExpectation): ClientExpectation => (w.deflate ? { kind: 'offered', extension: PERMESSAGE_DEFLATE, then: e } : e);
  return defineClientCase({
    id: opts.id ?? w.id,
    title: w.title,
    rfc: w.rfc,
    autobahn: w.autobahn,
    ...(w.tags !== undefined ? { tags: w.tags } : {}),
    ...(w.timeoutMs !== undefined ? { timeoutMs: w.timeoutMs } : {}),
    ...(w.deflate ? { response: { deflate: true } } : {}),
    // Lazy like the server's: large payloads' digests are computed when the case is graded, not at load.
    expect: typeof expect === 'function' ? () => wrap(expect({})) : wrap(expect),
    run: (peer, ctx) => w.run(peer, { ...ctx, options: {} }),
  });
}

/**
 * The role-symmetric cases of `cases` (a server case file's list, in its order) as client cases, but those `except`
 * names (ids, or a pattern of ids): the server catalogue's extra variants that the client catalogue leaves out, each
 * with its reason where it is used. `except` must name at least one such case, so a stale list fails at load.
 */
export function mirror(cases: readonly ConformanceCase[], except: readonly string[] | RegExp = []): ClientCase[] {
  const symmetric = cases.filter((c) => c.wire !== undefined);
  const left = (id: string): boolean => (except instanceof RegExp ? except.test(id) : except.includes(id));
  const unknown = except instanceof RegExp ? (symmetric.some((c) => left(c.id)) ? [] : [String(except)]) : except.filter((id) => !symmetric.some((c) => c.id === id));
  if (unknown.length > 0) throw new Error(`mirror: no role-symmetric case here for ${unknown.join(', ')}`);
  return symmetric.filter((c) => !left(c.id)).map((c) => toClientCase(c));
}

/** The one role-symmetric case `id` of `cases` as a client case (under `clientId` when given). */
export function mirrorOne(cases: readonly ConformanceCase[], id: string, clientId?: string): ClientCase {
  const c = cases.find((x) => x.id === id);
  if (c === undefined) throw new Error(`mirror: no case ${id}`);
  return toClientCase(c, clientId !== undefined ? { id: clientId } : {});
}
