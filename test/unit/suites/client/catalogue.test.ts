// The client catalogue's shape and its responses. Shape: ids unique, dotted and in their area; every area present;
// RFC sections that exist; Autobahn ids that exist, each claimed once, covering all of groups 1-7. Responses: for
// any client request (key, subprotocols, permessage-deflate offers), the response each case sends (its spec, or what
// its script passes to respond()) is built by the wire server's own builder and read back with RFC 6455 §4.1's
// client checks and RFC 7692 §7's: every `refuse` case's response is refused for the rule it names, every graded
// case that expects an open connection gets one. Scripts: against a fake peer whose waits end any way, every script
// finishes, ends the connection, responds exactly once when it must, and sets the marks its expectation names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidWireCloseCode } from '../../../../protocol/close.js';
import { parseExtensionHeader } from '../../../../protocol/extensions/header.js';
import { acceptDeflateResponse, buildDeflateOffer, parseDeflateParams, PERMESSAGE_DEFLATE } from '../../../../protocol/extensions/permessage-deflate.js';
import { checkServerResponse } from '../../../../protocol/handshake/client-response.js';
import { HttpHeadParser, headerValue, type HttpHead } from '../../../../protocol/handshake/head-parser.js';
import { buildResponse, readRequest } from '../../../../peers/wire-server/handshake.js';
import { resolveClientExpectation, type ClientCase, type ClientExpectation, type ReceivedRequest, type ResponseSpec } from '../../../../suites/client/define.js';
import { CLIENT_AREAS, CLIENT_CATALOGUE } from '../../../../suites/client/index.js';
import { REPO_ROOT } from '../../../helpers/cli.js';
import { FakePeer } from './fake-peer.js';

const ID_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+$/;
const AREAS = ['handshake', 'framing', 'control', 'fragmentation', 'utf8', 'close', 'limits', 'deflate'];

const AUTOBAHN_IDS = readFileSync(join(REPO_ROOT, 'docs', 'reference', 'autobahn-cases.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t')[0] ?? '')
  .filter((id) => id !== '');

/** Section numbers of RFC 6455, from its headings ("7.1.7.  Fail the WebSocket Connection"). */
const RFC_SECTIONS = new Set(
  readFileSync(join(REPO_ROOT, 'docs', 'specs', 'rfc6455.txt'), 'utf8')
    .split('\n')
    .flatMap((line) => /^(\d+(?:\.\d+)*)\.\s{2}\S/.exec(line)?.[1] ?? []),
);

// ---- A request, as the runner would read it ----

function requestOf(opts: { key: string; protocols: string[]; extensions?: string }): ReceivedRequest {
  const headers: [string, string][] = [
    ['Host', '127.0.0.1:9001'],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', opts.key],
    ['Sec-WebSocket-Version', '13'],
  ];
  if (opts.protocols.length > 0) headers.push(['Sec-WebSocket-Protocol', opts.protocols.join(', ')]);
  if (opts.extensions !== undefined) headers.push(['Sec-WebSocket-Extensions', opts.extensions]);
  const head: HttpHead = { startLine: 'GET /runCase?case=1 HTTP/1.1', method: 'GET', target: '/runCase?case=1', version: { major: 1, minor: 1 }, headers };
  return readRequest(head);
}

const deflateOfferArb = fc
  .record({
    serverNoContextTakeover: fc.boolean(),
    clientNoContextTakeover: fc.boolean(),
    serverMaxWindowBits: fc.option(fc.integer({ min: 8, max: 15 }), { nil: undefined }),
    clientMaxWindowBits: fc.oneof(fc.boolean(), fc.integer({ min: 8, max: 15 })),
  })
  .map((config) => buildDeflateOffer(config).header);

const requestArb = fc
  .record({
    key: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64')),
    protocols: fc.subarray(['chat', 'superchat', 'wsprobe.echo']),
    offers: fc.array(fc.oneof({ weight: 4, arbitrary: deflateOfferArb }, { weight: 1, arbitrary: fc.constant('x-wsprobe-other; a=1') }), { maxLength: 3 }),
  })
  .map(({ key, protocols, offers }) => requestOf({ key, protocols, ...(offers.length > 0 ? { extensions: offers.join(', ') } : {}) }));

/** ws's own request: its default permessage-deflate offer. */
const WS_LIKE = requestOf({ key: 'dGhlIHNhbXBsZSBub25jZQ==', protocols: [], extensions: 'permessage-deflate; client_max_window_bits' });

const CTX = { timeoutMs: 10_000, seed: 1 };

/** The response a case sends to `request`: its spec, or what its script passes to respond() (exactly once). */
async function responseFor(c: ClientCase, request: ReceivedRequest): Promise<ResponseSpec> {
  if (c.response !== 'manual') return c.response ?? {};
  const peer = new FakePeer(request);
  await c.run(peer, CTX);
  expect(peer.responses.length, c.id).toBe(1);
  return peer.responses[0]!;
}

/** What a strict client makes of `spec` for `request`: 'accepted', or why it fails the connection. */
function clientReading(request: ReceivedRequest, spec: ResponseSpec): string {
  const r = new HttpHeadParser({ maxHeadBytes: 65536 }).push(buildResponse(request, spec).bytes);
  if (r.state !== 'done') return `unparsable:${r.state}`;
  const offered = headerValue(request.head, 'sec-websocket-extensions');
  const check = checkServerResponse(r.head, { key: request.key ?? '', protocols: request.protocols, ...(offered !== undefined ? { extensionOffers: offered } : {}) });
  if (!check.ok) return `rejected:${check.id}`;
  const offers = request.extensionOffers.flatMap((o) => {
    const p = o.name === PERMESSAGE_DEFLATE ? parseDeflateParams(o.params, 'offer') : null;
    return p?.ok ? [p.params] : [];
  });
  for (const ext of check.extensions) {
    if (ext.name !== PERMESSAGE_DEFLATE) continue;
    const a = acceptDeflateResponse(ext.params, offers);
    if (!a.ok) return `deflate:${a.id}`;
  }
  return 'accepted';
}

/** Which refusal each refuse case must meet: the rule it quotes, read by protocol/'s checks. */
const REFUSED_FOR: [RegExp, RegExp][] = [
  [/^handshake\.status\./, /^rejected:unexpected-status$/],
  [/^handshake\.upgrade\./, /^rejected:(missing-upgrade|upgrade-not-websocket)$/],
  [/^handshake\.connection\./, /^rejected:(missing-connection|connection-not-upgrade)$/],
  [/^handshake\.accept\./, /^rejected:(missing-accept|wrong-accept)$/],
  [/^handshake\.extension\./, /^rejected:extension-not-offered$/],
  [/^handshake\.protocol\./, /^rejected:protocol-not-offered$/],
  [/^deflate\.response\.twice$/, /^rejected:duplicate-extension$/],
  [/^deflate\.response\./, /^deflate:/],
];

const offersDeflate = (request: ReceivedRequest): boolean => request.extensionOffers.some((o) => o.name === PERMESSAGE_DEFLATE);

/** The expectation that applies to `request`, `offered` unwrapped; null when the case does not apply (unimplemented). */
function applicable(c: ClientCase, request: ReceivedRequest): ClientExpectation | null {
  let e = resolveClientExpectation(c, request);
  while (e.kind === 'offered') {
    if (!offersDeflate(request)) return null;
    e = e.then;
  }
  return e;
}

async function checkResponses(request: ReceivedRequest): Promise<void> {
  for (const c of CLIENT_CATALOGUE) {
    const e = applicable(c, request);
    if (e === null || e.kind === 'informational') continue;
    const reading = clientReading(request, await responseFor(c, request));
    if (e.kind !== 'refuse') {
      expect(reading, c.id).toBe('accepted');
      continue;
    }
    const rule = REFUSED_FOR.find(([id]) => id.test(c.id));
    expect(rule, `${c.id}: a refuse case outside the known rules`).toBeDefined();
    expect(reading, c.id).toMatch(rule![1]);
  }
}

describe('client catalogue: shape', () => {
  it('has every area, each case in its own, with unique dotted ids', () => {
    expect(Object.keys(CLIENT_AREAS)).toEqual(AREAS);
    for (const [area, cases] of Object.entries(CLIENT_AREAS)) {
      expect(cases.length, area).toBeGreaterThan(0);
      for (const c of cases) expect(c.id.split('.')[0], c.id).toBe(area);
    }
    const ids = CLIENT_CATALOGUE.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !ID_RE.test(id))).toEqual([]);
    expect(CLIENT_CATALOGUE.length).toBeGreaterThanOrEqual(300);
  });

  it('every case cites RFC sections that exist (RFC 6455 by number, RFC 7692 as "7692 n")', () => {
    expect(RFC_SECTIONS.has('7.1.7')).toBe(true);
    const bad = CLIENT_CATALOGUE.flatMap((c) => {
      if (c.rfc.length === 0) return [`${c.id}: none`];
      return c.rfc.filter((s) => !(RFC_SECTIONS.has(s) || /^7692 [1-9](\.\d+)*$/.test(s))).map((s) => `${c.id}: ${s}`);
    });
    expect(bad).toEqual([]);
  });

  it('Autobahn ids are well-formed, exist in its table, are claimed once each, and cover groups 1-7', () => {
    const known = new Set(AUTOBAHN_IDS);
    const claimed = CLIENT_CATALOGUE.flatMap((c) => c.autobahn.map((a) => [c.id, a] as const));
    expect(claimed.filter(([, a]) => !/^\d+(\.\d+){1,2}$/.test(a) || !known.has(a))).toEqual([]);
    const twice = claimed.filter(([, a], i) => claimed.findIndex(([, b]) => b === a) !== i);
    expect(twice).toEqual([]);
    const covered = new Set(claimed.map(([, a]) => a));
    expect(AUTOBAHN_IDS.filter((a) => /^[1-7]\./.test(a) && !covered.has(a))).toEqual([]);
  });

  it('close codes in expectations are ones an endpoint may send; refusals name their rule and cite a section of the case', () => {
    const bad: string[] = [];
    const visit = (c: ClientCase, e: ClientExpectation): void => {
      if (e.kind === 'offered') return visit(c, e.then);
      if (e.kind === 'fail') bad.push(...[...e.codes, ...(e.accepted?.codes ?? [])].filter((n) => !isValidWireCloseCode(n)).map((n) => `${c.id}: ${n}`));
      if (e.kind === 'behave') bad.push(...[...(e.close?.codes ?? []), ...(e.limitCodes ?? [])].filter((n) => !isValidWireCloseCode(n)).map((n) => `${c.id}: ${n}`));
      if (e.kind === 'refuse') {
        if (!c.rfc.includes(e.rfc)) bad.push(`${c.id}: refuse cites ${e.rfc}, not among ${c.rfc.join(', ')}`);
        if (!/MUST|not 101/.test(e.rule)) bad.push(`${c.id}: rule without its requirement: ${e.rule}`);
      }
    };
    for (const request of [WS_LIKE, requestOf({ key: 'x3JJHMbDL1EzLkh9GBhXDw==', protocols: [] })]) {
      for (const c of CLIENT_CATALOGUE) visit(c, resolveClientExpectation(c, request));
    }
    expect(bad).toEqual([]);
  });

  it('the refusals cover each of RFC 6455 §4.1 steps 1-6 and the RFC 7692 §7 response rules', () => {
    const refuses = CLIENT_CATALOGUE.filter((c) => applicable(c, WS_LIKE)?.kind === 'refuse').map((c) => c.id);
    for (const [id] of REFUSED_FOR) expect(refuses.some((r) => id.test(r)), String(id)).toBe(true);
    expect(refuses.length).toBeGreaterThanOrEqual(30);
  });
});

describe('client catalogue: responses read by a strict client', () => {
  it("against ws's request: refusals are refused for their rule, the rest open", async () => {
    await checkResponses(WS_LIKE);
  });

  it('against any request (keys, subprotocols, permessage-deflate offers)', async () => {
    await fc.assert(fc.asyncProperty(requestArb, (request) => checkResponses(request)), { numRuns: 60 });
  });

  it('the strict-client reading itself tells a correct 101 from broken ones', () => {
    // The check itself must tell: the default response is accepted, and an upgrade header left out is not.
    expect(clientReading(WS_LIKE, {})).toBe('accepted');
    expect(clientReading(WS_LIKE, { removeHeaders: ['Upgrade'] })).toBe('rejected:missing-upgrade');
    expect(clientReading(WS_LIKE, { extensions: 'permessage-deflate; server_max_window_bits=7' })).toMatch(/^deflate:/);
  });
});

describe('client catalogue: scripts', () => {
  const outcomesArb = fc.array(fc.boolean(), { minLength: 1, maxLength: 6 });
  const endAtArb = fc.option(fc.nat({ max: 12 }), { nil: undefined });

  it('every script finishes and leaves the connection ended, whatever the client does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: CLIENT_CATALOGUE.length - 1 }), outcomesArb, endAtArb, requestArb, async (i, outcomes, endAt, request) => {
        const c = CLIENT_CATALOGUE[i]!;
        const peer = new FakePeer(request, outcomes, endAt);
        await c.run(peer, CTX);
        expect(peer.ended, c.id).toBe(true);
        expect(peer.waits, c.id).toBeLessThan(6000);
        if (c.response === 'manual') expect(peer.responses.length, c.id).toBe(1);
      }),
      { numRuns: 1500 },
    );
  });

  it('each script, when the client never answers, sets the marks its expectation grades by (failBy, pongsBy)', async () => {
    for (const c of CLIENT_CATALOGUE) {
      let e = resolveClientExpectation(c, WS_LIKE);
      while (e.kind === 'offered') e = e.then;
      const mark = e.kind === 'fail' ? e.failBy : e.kind === 'behave' ? e.pongsBy?.mark : undefined;
      if (mark === undefined) continue;
      const peer = new FakePeer(WS_LIKE);
      await c.run(peer, CTX);
      expect(peer.observation().marks.map((m) => m.name), c.id).toContain(mark);
    }
  });

  it('fail scripts give up visibly: a client that never fails leaves the give-up mark before our close', async () => {
    for (const c of CLIENT_CATALOGUE) {
      const e = applicable(c, WS_LIKE);
      if (e?.kind !== 'fail') continue;
      const peer = new FakePeer(WS_LIKE);
      // The fake has no deflate stage: deflate scripts then only close, and the grader says unimplemented.
      if (c.id.startsWith('deflate.')) continue;
      await c.run(peer, CTX);
      expect(peer.observation().marks.map((m) => m.name), c.id).toContain('give-up');
      expect(peer.closes, c.id).toBeGreaterThan(0);
    }
  });

  it('every offered parse of the test requests is valid (the arbitraries make what they claim)', () => {
    fc.assert(
      fc.property(deflateOfferArb, (header) => {
        const [offer] = parseExtensionHeader(header);
        expect(parseDeflateParams(offer!.params, 'offer').ok).toBe(true);
      }),
    );
  });
});
