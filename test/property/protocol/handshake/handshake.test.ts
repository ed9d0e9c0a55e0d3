import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpHeadParser } from '../../../../protocol/handshake/head-parser.js';
import { buildClientRequest } from '../../../../protocol/handshake/client-request.js';
import { checkClientRequest } from '../../../../protocol/handshake/server-request.js';
import { buildServerResponse } from '../../../../protocol/handshake/server-response.js';
import { checkServerResponse } from '../../../../protocol/handshake/client-response.js';
import { seededEntropy } from '../../../../protocol/entropy.js';

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const token = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 12 });

/** Random bytes biased towards the characters that matter to a head parser. */
const headish = fc.array(
  fc.oneof(
    fc.integer({ min: 0, max: 255 }),
    fc.constantFrom(...[13, 10, 32, 9, 58].map((c) => c)),
    fc.constantFrom(...Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n')),
  ),
  { maxLength: 400 },
);

function runParser(bytes: number[], chunks: number[], opts: { maxHeadBytes: number; maxHeaders: number }) {
  const p = new HttpHeadParser(opts);
  const u8 = new Uint8Array(bytes);
  let at = 0;
  let last = p.push(new Uint8Array(0));
  for (const c of chunks) {
    last = p.push(u8.subarray(at, Math.min(u8.length, at + c)));
    at = Math.min(u8.length, at + c);
  }
  if (at < u8.length) last = p.push(u8.subarray(at));
  return last;
}

describe('head parser properties', () => {
  it('never throws on random bytes, respects its limits, and does not depend on chunking', () => {
    fc.assert(
      fc.property(
        headish,
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 20 }),
        fc.integer({ min: 16, max: 300 }),
        fc.integer({ min: 0, max: 5 }),
        (bytes, chunks, maxHeadBytes, maxHeaders) => {
          const opts = { maxHeadBytes, maxHeaders };
          const r = runParser(bytes, chunks, opts);
          const whole = runParser(bytes, [], opts);
          if (r.state === 'done') {
            expect(r.head.headers.length).toBeLessThanOrEqual(maxHeaders);
            const headLen = bytes.length - r.rest.length;
            expect(headLen).toBeLessThanOrEqual(maxHeadBytes);
            expect(whole.state).toBe('done');
            if (whole.state === 'done') {
              expect(whole.head).toEqual(r.head);
              expect([...whole.rest]).toEqual([...r.rest]);
            }
          } else if (r.state === 'error') {
            expect([400, 431]).toContain(r.status);
            expect(whole.state).toBe('error');
          } else {
            expect(bytes.length).toBeLessThanOrEqual(maxHeadBytes);
            expect(whole.state).toBe('partial');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('client request <-> server check, server response <-> client check', () => {
  it('round-trips for any valid option set', () => {
    const host = fc.oneof(
      fc.constantFrom('example.com', '127.0.0.1', '[::1]', 'a-b.c.example'),
      fc.domain(),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('ws', 'wss'),
        host,
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        fc.array(fc.stringMatching(/^[a-z0-9._~-]{1,8}$/), { maxLength: 3 }),
        fc.option(fc.stringMatching(/^[a-z0-9=&]{1,10}$/), { nil: undefined }),
        fc.uniqueArray(token, { maxLength: 4 }),
        fc.array(token, { maxLength: 4 }),
        fc.option(fc.domain().map((d) => `https://${d}`), { nil: undefined }),
        fc.integer(),
        fc.boolean(),
        (scheme, h, port, segments, query, clientProtocols, serverProtocols, origin, seed, deflate) => {
          const url = new URL(`${scheme}://${h}${port === undefined ? '' : `:${port}`}/${segments.join('/')}${query === undefined ? '' : `?${query}`}`);
          const extensions = deflate ? 'permessage-deflate; client_max_window_bits' : undefined;
          const { bytes, key } = buildClientRequest({
            url,
            entropy: seededEntropy(seed),
            protocols: clientProtocols,
            ...(origin !== undefined ? { origin } : {}),
            ...(extensions !== undefined ? { extensions } : {}),
            headers: [['X-Extra', 'yes']],
          });
          const parsed = new HttpHeadParser().push(bytes);
          expect(parsed.state).toBe('done');
          if (parsed.state !== 'done') return;
          const check = checkClientRequest(parsed.head, {
            path: url.pathname,
            protocols: serverProtocols,
            ...(origin !== undefined ? { origins: [origin] } : {}),
          });
          expect(check.ok).toBe(true);
          if (!check.ok) return;
          expect(check.key).toBe(key);
          const expected = serverProtocols.find((p) => clientProtocols.includes(p)) ?? null;
          expect(check.protocol).toBe(expected);
          expect(check.extensionOffers.map((e) => e.name)).toEqual(deflate ? ['permessage-deflate'] : []);

          const resp = new HttpHeadParser().push(buildServerResponse({ accept: check.accept, protocol: check.protocol }));
          expect(resp.state).toBe('done');
          if (resp.state !== 'done') return;
          const back = checkServerResponse(resp.head, { key, protocols: clientProtocols, ...(extensions ? { extensionOffers: extensions } : {}) });
          expect(back).toEqual({ ok: true, protocol: expected, extensions: [] });
        },
      ),
      { numRuns: 500 },
    );
  });
});
