import { describe, expect, it } from 'vitest';
import { Opcode } from '../../../../protocol/constants.js';
import type { Frame } from '../../../../protocol/frame/frame.js';
import { validateFrame, type ValidateContext } from '../../../../protocol/frame/validate.js';
import { hex } from '../wire.js';

const f = (over: Partial<Frame & { lengthForm: 7 | 16 | 64 }>): Frame & { lengthForm?: 7 | 16 | 64 } => ({
  fin: true,
  rsv1: false,
  rsv2: false,
  rsv3: false,
  opcode: Opcode.Text,
  masked: true,
  payload: new Uint8Array(0),
  ...over,
});
const server: ValidateContext = { role: 'server', allowedRsv: 0, messageOpen: false };

describe('validateFrame', () => {
  it('accepts legal frames', () => {
    expect(validateFrame(f({}), server)).toBeNull();
    expect(validateFrame(f({ masked: false }), { ...server, role: 'client' })).toBeNull();
    expect(validateFrame(f({ opcode: Opcode.Continuation }), { ...server, messageOpen: true })).toBeNull();
    expect(validateFrame(f({ opcode: Opcode.Ping, payload: new Uint8Array(125) }), { ...server, messageOpen: true })).toBeNull();
    expect(validateFrame(f({ rsv1: true }), { ...server, allowedRsv: 4 })).toBeNull();
    expect(validateFrame(f({ opcode: Opcode.Close, payload: hex('03e8') }), server)).toBeNull();
  });

  it.each<[string, Partial<Frame & { lengthForm: 7 | 16 | 64 }>, Partial<ValidateContext>, string, string, number]>([
    ['unmasked at a server', { masked: false }, {}, 'unmasked-client-frame', '5.1', 1002],
    ['masked at a client', {}, { role: 'client' }, 'masked-server-frame', '5.1', 1002],
    ['RSV2 with nothing negotiated', { rsv2: true }, {}, 'reserved-bits-set', '5.2', 1002],
    ['RSV1 when only RSV1... not negotiated', { rsv1: true }, { allowedRsv: 2 }, 'reserved-bits-set', '5.2', 1002],
    ['opcode 3', { opcode: 3 }, {}, 'reserved-opcode', '5.2', 1002],
    ['opcode 0xB', { opcode: 0xb }, {}, 'reserved-opcode', '5.2', 1002],
    ['non-minimal length', { lengthForm: 16, payload: new Uint8Array(5) }, {}, 'length-not-minimal', '5.2', 1002],
    ['ping of 126', { opcode: Opcode.Ping, payload: new Uint8Array(126) }, {}, 'control-frame-too-long', '5.5', 1002],
    ['fragmented pong', { opcode: Opcode.Pong, fin: false }, {}, 'control-frame-fragmented', '5.5', 1002],
    ['lone continuation', { opcode: Opcode.Continuation }, {}, 'continuation-without-message', '5.4', 1002],
    ['text inside a message', { opcode: Opcode.Text }, { messageOpen: true }, 'data-frame-inside-message', '5.4', 1002],
    ['close of 1 byte', { opcode: Opcode.Close, payload: hex('03') }, {}, 'close-payload-one-byte', '5.5.1', 1002],
    ['close code 1005', { opcode: Opcode.Close, payload: hex('03ed') }, {}, 'invalid-close-code', '7.4.1', 1002],
    ['close reason not UTF-8', { opcode: Opcode.Close, payload: hex('03e8ff') }, {}, 'close-reason-not-utf8', '5.5.1', 1007],
    ['RSV1 on a continuation', { opcode: Opcode.Continuation, rsv1: true }, { allowedRsv: 4, messageOpen: true }, 'rsv1-on-continuation', '7692 6', 1002],
    ['RSV1 on a ping', { opcode: Opcode.Ping, rsv1: true }, { allowedRsv: 4 }, 'rsv1-on-control', '7692 6', 1002],
  ])('%s: %s', (_name, frame, ctx, id, rfc, code) => {
    const v = validateFrame(f(frame), { ...server, ...ctx });
    expect(v).toMatchObject({ id, rfc, closeCode: code });
    expect(v!.message).toMatch(rfc.startsWith('7692') ? /^RFC 7692 §/ : /^RFC 6455 §/);
  });

  it('can skip the minimal-length rule', () => {
    expect(validateFrame(f({ lengthForm: 64 }), { ...server, checkMinimalLength: false })).toBeNull();
  });
});
