// The server side of the opening handshake, pure: the request read into a ReceivedRequest, the default response
// passing the client's own RFC 6455 §4.1 check for any request, and the server's permessage-deflate stage agreeing
// byte for byte with a client-role codec under any negotiated parameters (RFC 7692 §7.1).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildResponse, readRequest, ServerDeflateStage } from '../../../../peers/wire-server/handshake.js';
import { buildDeflateOffer, createPerMessageDeflate, type DeflateAgreement } from '../../../../protocol/extensions/permessage-deflate.js';
import { parseExtensionHeader } from '../../../../protocol/extensions/header.js';
import { buildClientRequest } from '../../../../protocol/handshake/client-request.js';
import { checkServerResponse } from '../../../../protocol/handshake/client-response.js';
import { HttpHeadParser, type HttpHead } from '../../../../protocol/handshake/head-parser.js';
import { seededEntropy } from '../../../../protocol/entropy.js';

function parse(bytes: Uint8Array): HttpHead {
  const r = new HttpHeadParser().push(bytes);
  if (r.state !== 'done') throw new Error(`head does not parse: ${JSON.stringify(r)}`);
  return r.head;
}

const request = (extensions?: string, protocols?: string[], seed = 1) =>
  buildClientRequest({ url: new URL('ws://127.0.0.1:9001/runCase?case=3'), entropy: seededEntropy(seed), ...(extensions ? { extensions } : {}), ...(protocols ? { protocols } : {}) });

describe('readRequest', () => {
  it('takes the key, target, protocols and extension offers from a valid request', () => {
    const { bytes, key } = request('permessage-deflate; client_max_window_bits, x-foo', ['a', 'b']);
    const r = readRequest(parse(bytes));
    expect(r).toMatchObject({ key, target: '/runCase?case=3', violation: null, protocols: ['a', 'b'] });
    expect(r.extensionOffers).toEqual([
      { name: 'permessage-deflate', params: [['client_max_window_bits', true]] },
      { name: 'x-foo', params: [] },
    ]);
  });

  it('an unparsable extensions header gives no offers and the §9.1 violation', () => {
    const r = readRequest(parse(new Uint8Array(Buffer.from(Buffer.from(request().bytes).toString('latin1').replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: ;;=\r\n\r\n'), 'latin1'))));
    expect(r.extensionOffers).toEqual([]);
    expect(r.violation).toMatchObject({ id: 'invalid-extensions-header', rfc: '9.1' });
  });
});

describe('buildResponse', () => {
  it('the default response passes the client-side §4.1 check for any key (Accept computed from it)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const { bytes, key } = request(undefined, undefined, seed);
        const built = buildResponse(readRequest(parse(bytes)));
        expect(built.status).toBe(101);
        expect(checkServerResponse(parse(built.bytes), { key })).toMatchObject({ ok: true, protocol: null, extensions: [] });
      }),
    );
  });

  it('deflate: true answers the first acceptable offer, and the client-side check accepts it; no offer, no extension', () => {
    const offer = 'permessage-deflate; server_max_window_bits=20, permessage-deflate; client_max_window_bits; server_no_context_takeover';
    const { bytes, key } = request(offer);
    const built = buildResponse(readRequest(parse(bytes)), { deflate: true });
    const check = checkServerResponse(parse(built.bytes), { key, extensionOffers: offer });
    expect(check).toMatchObject({ ok: true, extensions: [{ name: 'permessage-deflate', params: [['server_no_context_takeover', true]] }] });
    expect(built.deflate?.agreement).toMatchObject({ serverNoContextTakeover: true });
    const plain = buildResponse(readRequest(parse(request().bytes)), { deflate: true });
    expect(Buffer.from(plain.bytes).toString('latin1')).not.toMatch(/Extensions/);
    expect(plain.deflate).toBeNull();
  });

  it('no deflate stage when the status is not 101', () => {
    const built = buildResponse(readRequest(parse(request('permessage-deflate').bytes)), { deflate: true, status: 400 });
    expect(built.status).toBe(400);
    expect(built.deflate).toBeNull();
  });
});

const bitsArb = fc.integer({ min: 8, max: 15 });
const configArb = fc.record({
  serverNoContextTakeover: fc.boolean(),
  clientNoContextTakeover: fc.boolean(),
  serverMaxWindowBits: fc.option(bitsArb, { nil: undefined }),
  clientMaxWindowBits: fc.oneof(fc.boolean(), bitsArb),
});

/** Low-entropy payloads: back-references near and far, so a wrong window or takeover shows. */
const compressible = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), minLength: 600, maxLength: 3000 }).map((s) => new Uint8Array(Buffer.from(s)));

describe('ServerDeflateStage', () => {
  it('inflates what a client-role codec compresses, and the other way round, under any agreement (RFC 7692 §7.1)', () => {
    fc.assert(
      fc.property(configArb, fc.array(compressible, { minLength: 1, maxLength: 4 }), (config, distinct) => {
        // Each message twice: the second can refer back into the first (context takeover, window sizes).
        const messages = distinct.flatMap((m) => [m, m]);
        const offer = buildDeflateOffer(config).header;
        const built = buildResponse(readRequest(parse(request(offer).bytes)), { deflate: true });
        const stage = built.deflate!;
        const agreement: DeflateAgreement = stage.agreement;
        const client = createPerMessageDeflate({ role: 'client', agreement });
        for (const payload of messages) {
          // The client's message, inflated by the server's stage (the client's window and takeover apply).
          const wire = client.encode({ opcode: 2, payload }).payload;
          const got = stage.receive({ fin: true, rsv1: true, opcode: 2, payload: wire }, true);
          expect(Buffer.from(got as Uint8Array)).toEqual(Buffer.from(payload));
          // Ours, inflated by the client (the server's window and takeover apply).
          const back = client.decode({ rsv1: true, opcode: 2, payload: stage.compress(payload, 2) });
          expect(Buffer.from(back as Uint8Array)).toEqual(Buffer.from(payload));
        }
        // The agreement reads the usual way round: what the response said about the server is the server's.
        const resp = parseExtensionHeader(/Sec-WebSocket-Extensions: ([^\r]*)/.exec(Buffer.from(built.bytes).toString('latin1'))![1]!)[0]!;
        expect(resp.params.some(([k]) => k === 'server_no_context_takeover')).toBe(agreement.serverNoContextTakeover);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the negotiated agreement as is (not the swapped one it compresses with)', () => {
    const a: DeflateAgreement = { serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: 9, clientMaxWindowBits: 12 };
    expect(new ServerDeflateStage(a).agreement).toEqual(a);
  });
});
