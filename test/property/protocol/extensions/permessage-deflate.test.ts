import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Opcode } from '../../../../protocol/constants.js';
import { PerMessageDeflate } from '../../../../protocol/extensions/permessage-deflate.js';
import { agreementArb, bits, fragment, payloadArb } from './deflate.arb.js';

const join = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

describe('permessage-deflate properties', () => {
  it('compress then inflate is the identity for any payloads, parameters and fragmentation, both ways', () => {
    fc.assert(
      fc.property(
        agreementArb,
        // null repeats the previous payload, so later messages refer back into earlier ones
        fc.array(fc.tuple(fc.oneof(payloadArb, fc.constant(null)), fc.array(fc.nat(3000), { maxLength: 4 }), fc.boolean()), { minLength: 1, maxLength: 6 }),
        (agreement, messages) => {
          const client = new PerMessageDeflate({ role: 'client', agreement });
          const server = new PerMessageDeflate({ role: 'server', agreement });
          let previous: Uint8Array = new Uint8Array(Buffer.from('a first message, repeated by the ones that say null'));
          for (const [next, cuts, fromClient] of messages) {
            const payload = next ?? previous;
            previous = payload;
            const [tx, rx] = fromClient ? [client, server] : [server, client];
            const enc = tx.encode({ opcode: Opcode.Binary, payload });
            expect(enc.rsv1).toBe(true);
            // the frames of the message carry any split of the compressed payload; the receiver joins them
            const wire = join(fragment(enc.payload, cuts));
            const dec = rx.decode({ rsv1: true, opcode: Opcode.Binary, payload: wire });
            expect(dec).toBeInstanceOf(Uint8Array);
            expect(Buffer.from(dec as Uint8Array).equals(Buffer.from(payload))).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('context takeover only ever helps: a repeated message never compresses larger with it', () => {
    fc.assert(
      fc.property(payloadArb, bits, (payload, windowBits) => {
        const a = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: windowBits, clientMaxWindowBits: windowBits };
        const takeover = new PerMessageDeflate({ role: 'client', agreement: a });
        const fresh = new PerMessageDeflate({ role: 'client', agreement: { ...a, clientNoContextTakeover: true } });
        takeover.encode({ opcode: Opcode.Binary, payload });
        fresh.encode({ opcode: Opcode.Binary, payload });
        const second = takeover.encode({ opcode: Opcode.Binary, payload }).payload.length;
        const alone = fresh.encode({ opcode: Opcode.Binary, payload }).payload.length;
        expect(second).toBeLessThanOrEqual(alone);
      }),
      { numRuns: 200 },
    );
  });
});
