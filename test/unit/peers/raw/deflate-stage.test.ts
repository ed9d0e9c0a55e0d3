// The raw peer's permessage-deflate stage: the response check against the valid offers (RFC 7692 §7), our own
// compressor settings, and reassembly + inflation of compressed messages across frames.
import { describe, expect, it } from 'vitest';
import { createPerMessageDeflate, type DeflateAgreement } from '../../../../protocol/extensions/permessage-deflate.js';
import { parseExtensionHeader } from '../../../../protocol/extensions/header.js';
import { DeflateStage, negotiateDeflateStage, validDeflateOffers } from '../../../../peers/raw/deflate-stage.js';

const resp = (header: string) => parseExtensionHeader(header);
const FULL: DeflateAgreement = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };

describe('negotiateDeflateStage', () => {
  it('is none when the response accepted no permessage-deflate', () => {
    expect(negotiateDeflateStage([], 'permessage-deflate').kind).toBe('none');
  });

  it('accepts a response that fits a valid offer and reports the agreement', () => {
    const d = negotiateDeflateStage(resp('permessage-deflate; server_no_context_takeover; server_max_window_bits=9'), 'permessage-deflate; server_no_context_takeover; server_max_window_bits=10');
    expect(d.kind).toBe('accepted');
    if (d.kind === 'accepted') expect(d.agreement).toEqual({ ...FULL, serverNoContextTakeover: true, serverMaxWindowBits: 9 });
  });

  it.each([
    ['permessage-deflate; server_max_window_bits=7', 'permessage-deflate; server_max_window_bits=7', 'deflate-invalid-offer-accepted'],
    ['permessage-deflate', 'permessage-deflate; x-unknown, permessage-deflate; server_no_context_takeover', 'deflate-not-accepted'],
    ['permessage-deflate; client_max_window_bits=15', 'permessage-deflate', 'deflate-not-offered'],
    ['permessage-deflate; server_max_window_bits=16', 'permessage-deflate; server_max_window_bits=16, permessage-deflate', 'deflate-invalid-window-bits'],
  ])('rejects %j answering %j (%s)', (response, offer, id) => {
    const d = negotiateDeflateStage(resp(response), offer);
    expect(d.kind).toBe('rejected');
    if (d.kind === 'rejected') {
      expect(d.id).toBe(id);
      expect(d.rfc).toMatch(/^7692 /);
      expect(d.message).not.toMatch(/^RFC/);
    }
  });

  it('accepts an offered server_max_window_bits=15 left out, keeping the deviation in the agreement; not a smaller one', () => {
    const d = negotiateDeflateStage(resp('permessage-deflate'), 'permessage-deflate; server_max_window_bits=15');
    expect(d.kind).toBe('accepted');
    if (d.kind === 'accepted') {
      expect(d.agreement).toMatchObject({ ...FULL, deviation: { id: 'window-15-omitted', rfc: '7692 7.1.2.1' } });
      expect(d.stage.agreement.deviation?.id).toBe('window-15-omitted');
    }
    const small = negotiateDeflateStage(resp('permessage-deflate'), 'permessage-deflate; server_max_window_bits=9');
    expect(small).toMatchObject({ kind: 'rejected', id: 'deflate-missing-parameter', rfc: '7692 7.1.2.1' });
  });

  it('cites RFC 7692 §7 when the server accepted an offer it had to decline', () => {
    expect(negotiateDeflateStage(resp('permessage-deflate'), 'permessage-deflate; foo')).toMatchObject({ kind: 'rejected', rfc: '7692 7' });
  });

  it('counts valid and invalid offers', () => {
    expect(validDeflateOffers('permessage-deflate; server_max_window_bits=7, x-other, permessage-deflate')).toEqual({
      valid: [{ serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: null, clientMaxWindowBits: null }],
      invalid: 1,
    });
    expect(validDeflateOffers('permessage-deflate;;')).toEqual({ valid: [], invalid: 1 });
  });
});

describe('DeflateStage', () => {
  const server = () => createPerMessageDeflate({ role: 'server', agreement: FULL });
  const text = (s: string) => new Uint8Array(Buffer.from(s));

  it('compresses what the server inflates, keeping context across messages', () => {
    const stage = new DeflateStage(FULL);
    const srv = server();
    const msg = text('a message that repeats, a message that repeats, '.repeat(20));
    const first = stage.compress(msg);
    const second = stage.compress(msg);
    expect(second.length).toBeLessThan(first.length);
    expect(srv.decode({ rsv1: true, opcode: 1, payload: first })).toEqual(msg);
    expect(srv.decode({ rsv1: true, opcode: 1, payload: second })).toEqual(msg);
  });

  it('drops context when our options say so, though the agreement allows it', () => {
    const stage = new DeflateStage(FULL, { noContextTakeover: true });
    const msg = text('no takeover on our side, no takeover on our side. '.repeat(10));
    expect(stage.compress(msg)).toEqual(stage.compress(msg));
  });

  it('inflates a compressed message split over frames at its last frame; uncompressed frames pass through', () => {
    const stage = new DeflateStage(FULL);
    const srv = server();
    const msg = text('fragmented and compressed '.repeat(30));
    const c = srv.encode({ opcode: 1, payload: msg }).payload;
    const a = c.subarray(0, 5);
    const b = c.subarray(5);
    expect(stage.receive({ fin: false, rsv1: true, opcode: 1, payload: a }, true)).toBeNull();
    expect(stage.receive({ fin: true, rsv1: false, opcode: 0, payload: b }, false)).toEqual(msg);
    const plain = text('plain');
    expect(stage.receive({ fin: true, rsv1: false, opcode: 2, payload: plain }, true)).toBe(plain);
    expect(stage.metrics()).toMatchObject({ deflateMessagesIn: 1, deflateWireBytesIn: c.length, deflatePlainBytesIn: msg.length });
  });

  it('turns data that does not inflate into an inflate-error violation (1007)', () => {
    const stage = new DeflateStage(FULL);
    const v = stage.receive({ fin: true, rsv1: true, opcode: 1, payload: new Uint8Array([0xff, 0xff]) }, true);
    expect(v).toMatchObject({ id: 'inflate-error', closeCode: 1007 });
  });

  it('inflates with the agreed server window: a server that agreed to 9 bits and reaches 1000 bytes back fails', () => {
    const nine: DeflateAgreement = { ...FULL, serverMaxWindowBits: 9 };
    const liar = createPerMessageDeflate({ role: 'server', agreement: FULL });
    const honest = createPerMessageDeflate({ role: 'server', agreement: nine });
    let x = 1;
    const unit = new Uint8Array(1000).map(() => (x = (x * 1103515245 + 12345) >>> 0) >>> 24); // no repeats within
    const msg = new Uint8Array([...unit, ...unit]);
    const stage = new DeflateStage(nine);
    expect(stage.receive({ fin: true, rsv1: true, opcode: 2, payload: honest.encode({ opcode: 2, payload: msg }).payload }, true)).toEqual(msg);
    const v = stage.receive({ fin: true, rsv1: true, opcode: 2, payload: liar.encode({ opcode: 2, payload: msg }).payload }, true);
    expect(v).toMatchObject({ id: 'inflate-error', closeCode: 1007 });
  });

  it('reads an empty stored block as an empty message', () => {
    const stage = new DeflateStage(FULL);
    expect(stage.receive({ fin: true, rsv1: true, opcode: 1, payload: new Uint8Array([0x00]) }, true)).toEqual(new Uint8Array(0));
  });
});
