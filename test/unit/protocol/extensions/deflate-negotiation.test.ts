import { describe, expect, it } from 'vitest';
import { parseExtensionHeader } from '../../../../protocol/extensions/header.js';
import {
  acceptDeflateResponse,
  buildDeflateOffer,
  negotiateDeflateServer,
  parseDeflateParams,
  type DeflateServerConfig,
} from '../../../../protocol/extensions/permessage-deflate.js';

const params = (header: string) => (parseExtensionHeader(header)[0] as { params: [string, string | true][] }).params;

describe('parseDeflateParams', () => {
  it.each([
    ['offer', 'permessage-deflate; foo', 'unknown-parameter'],
    ['offer', 'permessage-deflate; server_no_context_takeover; server_no_context_takeover', 'duplicate-parameter'],
    ['offer', 'permessage-deflate; client_max_window_bits; client_max_window_bits=10', 'duplicate-parameter'],
    ['offer', 'permessage-deflate; server_no_context_takeover=1', 'unexpected-value'],
    ['offer', 'permessage-deflate; client_no_context_takeover="x"', 'unexpected-value'],
    ['offer', 'permessage-deflate; server_max_window_bits', 'missing-value'],
    ['offer', 'permessage-deflate; server_max_window_bits=7', 'invalid-window-bits'],
    ['offer', 'permessage-deflate; server_max_window_bits=16', 'invalid-window-bits'],
    ['offer', 'permessage-deflate; server_max_window_bits=09', 'invalid-window-bits'],
    ['offer', 'permessage-deflate; client_max_window_bits=0', 'invalid-window-bits'],
    ['offer', 'permessage-deflate; client_max_window_bits=abc', 'invalid-window-bits'],
    ['response', 'permessage-deflate; client_max_window_bits', 'missing-value'],
  ] as const)('%s %j -> %s', (side, header, id) => {
    const r = parseDeflateParams(params(header), side);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.id).toBe(id);
      // §7's lists: "an extension parameter not defined for use", "an invalid value", "the same name"
      expect(r.message).toMatch(/^RFC 7692 §7: /);
    }
  });

  it('reads every parameter, quoted or not', () => {
    const r = parseDeflateParams(
      params('permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits="8"; client_max_window_bits'),
      'offer',
    );
    expect(r).toEqual({
      ok: true,
      params: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 8, clientMaxWindowBits: true },
    });
  });
});

describe('negotiateDeflateServer', () => {
  const negotiate = (header: string, config: DeflateServerConfig = {}) => negotiateDeflateServer(parseExtensionHeader(header), config);

  it.each([
    // offer, config, response, [snct, cnct, smwb, cmwb]
    ['permessage-deflate', {}, 'permessage-deflate', [false, false, 15, 15]],
    ['permessage-deflate; client_max_window_bits', {}, 'permessage-deflate', [false, false, 15, 15]],
    ['permessage-deflate; client_max_window_bits', { clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=10', [false, false, 15, 10]],
    ['permessage-deflate', { clientMaxWindowBits: 10 }, 'permessage-deflate', [false, false, 15, 15]],
    ['permessage-deflate; client_max_window_bits=12', {}, 'permessage-deflate; client_max_window_bits=12', [false, false, 15, 12]],
    ['permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=10', [false, false, 15, 10]],
    ['permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=9', [false, false, 15, 9]],
    ['permessage-deflate; server_max_window_bits=10', {}, 'permessage-deflate; server_max_window_bits=10', [false, false, 10, 15]],
    ['permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 9 }, 'permessage-deflate; server_max_window_bits=9', [false, false, 9, 15]],
    ['permessage-deflate; server_max_window_bits=8', { serverMaxWindowBits: 12 }, 'permessage-deflate; server_max_window_bits=8', [false, false, 8, 15]],
    ['permessage-deflate', { serverMaxWindowBits: 11 }, 'permessage-deflate; server_max_window_bits=11', [false, false, 11, 15]],
    ['permessage-deflate; server_no_context_takeover', {}, 'permessage-deflate; server_no_context_takeover', [true, false, 15, 15]],
    ['permessage-deflate', { serverNoContextTakeover: true }, 'permessage-deflate; server_no_context_takeover', [true, false, 15, 15]],
    ['permessage-deflate; client_no_context_takeover', {}, 'permessage-deflate; client_no_context_takeover', [false, true, 15, 15]],
    ['permessage-deflate', { clientNoContextTakeover: true }, 'permessage-deflate; client_no_context_takeover', [false, true, 15, 15]],
  ] as const)('%s with %j -> %s', (offer, config, response, [snct, cnct, smwb, cmwb]) => {
    const r = negotiate(offer, config);
    expect(r).not.toBeNull();
    expect(r?.response).toBe(response);
    expect(r?.agreement).toEqual({ serverNoContextTakeover: snct, clientNoContextTakeover: cnct, serverMaxWindowBits: smwb, clientMaxWindowBits: cmwb });
  });

  it('takes the first acceptable offer and skips invalid ones (RFC 7692 §7)', () => {
    const r = negotiate('x-other, permessage-deflate; server_max_window_bits=99, permessage-deflate; foo, permessage-deflate; client_max_window_bits=11, permessage-deflate');
    expect(r?.offerIndex).toBe(2);
    expect(r?.response).toBe('permessage-deflate; client_max_window_bits=11');
  });

  it('declines when no offer is valid or none is permessage-deflate, and honours the accept hook', () => {
    expect(negotiate('permessage-deflate; server_max_window_bits=7')).toBeNull();
    expect(negotiate('x-foo')).toBeNull();
    const noSmall = { accept: (o: { serverMaxWindowBits: number | null }) => o.serverMaxWindowBits === null || o.serverMaxWindowBits >= 9 };
    expect(negotiate('permessage-deflate; server_max_window_bits=8', noSmall)).toBeNull();
    expect(negotiate('permessage-deflate; server_max_window_bits=8, permessage-deflate', noSmall)?.offerIndex).toBe(1);
  });

  it('refuses a bad configuration', () => {
    expect(() => negotiate('permessage-deflate', { serverMaxWindowBits: 16 })).toThrow(RangeError);
    expect(() => negotiate('permessage-deflate', { clientMaxWindowBits: 7 })).toThrow(RangeError);
  });
});

describe('buildDeflateOffer / acceptDeflateResponse', () => {
  it('builds offers', () => {
    expect(buildDeflateOffer().header).toBe('permessage-deflate; client_max_window_bits');
    expect(buildDeflateOffer({ clientMaxWindowBits: false }).header).toBe('permessage-deflate');
    expect(
      buildDeflateOffer({ serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 9 }).header,
    ).toBe('permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9');
    expect(() => buildDeflateOffer({ serverMaxWindowBits: 20 })).toThrow(RangeError);
  });

  const accept = (offerConfig: Parameters<typeof buildDeflateOffer>[0], response: string) =>
    acceptDeflateResponse(params(response), buildDeflateOffer(offerConfig).offer);

  it.each([
    [{}, 'permessage-deflate', [false, false, 15, 15]],
    [{}, 'permessage-deflate; client_max_window_bits=10', [false, false, 15, 10]],
    [{}, 'permessage-deflate; server_max_window_bits=9; server_no_context_takeover', [true, false, 9, 15]],
    [{}, 'permessage-deflate; client_no_context_takeover', [false, true, 15, 15]],
    [{ clientNoContextTakeover: true }, 'permessage-deflate', [false, true, 15, 15]],
    [{ clientMaxWindowBits: 10 }, 'permessage-deflate', [false, false, 15, 10]],
    [{ clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=8', [false, false, 15, 8]],
    [{ serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=10', [false, false, 10, 15]],
    [{ serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=8', [false, false, 8, 15]],
    [{ serverNoContextTakeover: true }, 'permessage-deflate; server_no_context_takeover', [true, false, 15, 15]],
  ] as const)('offer %j, response %s -> agreement', (config, response, [snct, cnct, smwb, cmwb]) => {
    expect(accept(config, response)).toEqual({
      ok: true,
      agreement: { serverNoContextTakeover: snct, clientNoContextTakeover: cnct, serverMaxWindowBits: smwb, clientMaxWindowBits: cmwb },
    });
  });

  it.each([
    [{ clientMaxWindowBits: false }, 'permessage-deflate; client_max_window_bits=10', 'not-offered'],
    [{}, 'permessage-deflate; client_max_window_bits', 'missing-value'],
    [{ clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=11', 'window-too-large'],
    [{ serverMaxWindowBits: 10 }, 'permessage-deflate', 'missing-parameter'],
    [{ serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=11', 'window-too-large'],
    [{ serverNoContextTakeover: true }, 'permessage-deflate', 'not-accepted'],
    [{}, 'permessage-deflate; foo', 'unknown-parameter'],
    [{}, 'permessage-deflate; server_no_context_takeover; server_no_context_takeover', 'duplicate-parameter'],
    [{}, 'permessage-deflate; server_max_window_bits=16', 'invalid-window-bits'],
    [{}, 'permessage-deflate; client_no_context_takeover=yes', 'unexpected-value'],
  ] as const)('offer %j, response %s -> %s', (config, response, id) => {
    const r = accept(config, response);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.id).toBe(id);
      expect(r.message).toMatch(/^RFC 7692 §/);
    }
  });

  it('takes an offered server_max_window_bits=15 left out of the response (the same window), noting the deviation', () => {
    const r = accept({ serverMaxWindowBits: 15 }, 'permessage-deflate');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.agreement).toMatchObject({ serverMaxWindowBits: 15, clientMaxWindowBits: 15 });
      expect(r.agreement.deviation).toMatchObject({ id: 'window-15-omitted', rfc: '7692 7.1.2.1' });
    }
    // with no_context_takeover accepted too, only the window is the deviation
    const both = accept({ serverMaxWindowBits: 15, serverNoContextTakeover: true }, 'permessage-deflate; server_no_context_takeover');
    expect(both.ok && both.agreement.serverNoContextTakeover && both.agreement.deviation?.id).toBe('window-15-omitted');
    // included, it is no deviation
    const included = accept({ serverMaxWindowBits: 15 }, 'permessage-deflate; server_max_window_bits=15');
    expect(included.ok && included.agreement.deviation).toBeUndefined();
    // a smaller offered window left out means 15 bits, more than offered: still refused
    for (const bits of [8, 9, 14]) expect(accept({ serverMaxWindowBits: bits }, 'permessage-deflate')).toMatchObject({ ok: false, id: 'missing-parameter', rfc: '7692 7.1.2.1' });
  });

  it('prefers an offer the response fits exactly over one it fits with a deviation', () => {
    const fifteen = buildDeflateOffer({ serverMaxWindowBits: 15 }).offer;
    const plain = buildDeflateOffer({}).offer;
    const r = acceptDeflateResponse(params('permessage-deflate'), [fifteen, plain]);
    expect(r.ok && r.agreement.deviation).toBeUndefined();
    const only = acceptDeflateResponse(params('permessage-deflate'), [buildDeflateOffer({ serverMaxWindowBits: 10 }).offer, fifteen]);
    expect(only.ok && only.agreement.deviation?.id).toBe('window-15-omitted');
  });

  it('accepts a response that fits any of several offers', () => {
    const a = buildDeflateOffer({ serverMaxWindowBits: 10, clientMaxWindowBits: false }).offer;
    const b = buildDeflateOffer({}).offer;
    const r = acceptDeflateResponse(params('permessage-deflate; client_max_window_bits=9'), [a, b]);
    expect(r.ok && r.agreement.clientMaxWindowBits).toBe(9);
    const bad = acceptDeflateResponse(params('permessage-deflate; server_max_window_bits=12; client_max_window_bits=9'), [a]);
    expect(!bad.ok && bad.id).toBe('window-too-large');
  });

  it('server response is always accepted by the client that made the offer', () => {
    for (const snct of [false, true])
      for (const cnct of [false, true])
        for (const smwb of [undefined, 8, 12, 15])
          for (const cmwb of [true, false, 8, 11] as const)
            for (const cfg of [{}, { serverMaxWindowBits: 9, clientMaxWindowBits: 10, serverNoContextTakeover: true }] as DeflateServerConfig[]) {
              const { offer, header } = buildDeflateOffer({
                serverNoContextTakeover: snct,
                clientNoContextTakeover: cnct,
                clientMaxWindowBits: cmwb,
                ...(smwb !== undefined ? { serverMaxWindowBits: smwb } : {}),
              });
              const server = negotiateDeflateServer(parseExtensionHeader(header), cfg);
              expect(server).not.toBeNull();
              const client = acceptDeflateResponse(params(server?.response ?? ''), offer);
              expect(client).toEqual({ ok: true, agreement: server?.agreement });
            }
  });
});
