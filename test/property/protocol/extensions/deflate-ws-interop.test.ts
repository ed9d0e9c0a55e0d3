// Interoperability with ws's (asynchronous, streaming) permessage-deflate, in both directions and both roles:
// negotiation through the header strings each side writes, then messages in random fragments.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Opcode } from '../../../../protocol/constants.js';
import { parseExtensionHeader } from '../../../../protocol/extensions/header.js';
import {
  acceptDeflateResponse,
  buildDeflateOffer,
  negotiateDeflateServer,
  PerMessageDeflate,
  type DeflateAgreement,
} from '../../../../protocol/extensions/permessage-deflate.js';
import { fragment, payloadArb } from './deflate.arb.js';

interface WsPmd {
  offer(): Record<string, unknown>;
  accept(configs: unknown[]): Record<string, unknown>;
  compress(data: Buffer, fin: boolean, cb: (err: Error | null, out: Buffer) => void): void;
  decompress(data: Buffer, fin: boolean, cb: (err: Error | null, out: Buffer) => void): void;
  cleanup(): void;
}
interface WsPmdOptions {
  isServer?: boolean;
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  serverMaxWindowBits?: number | boolean;
  clientMaxWindowBits?: number | boolean;
}
// ws's package exports hide lib/, so its internals are loaded by file path (test-only).
const require = createRequire(import.meta.url);
const wsLib = join(dirname(require.resolve('ws')), 'lib');
const WsPerMessageDeflate = require(join(wsLib, 'permessage-deflate.js')) as new (opts: WsPmdOptions) => WsPmd;
const wsExtension = require(join(wsLib, 'extension.js')) as {
  parse(header: string): Record<string, unknown[]>;
  format(exts: Record<string, unknown>): string;
};

const call = (fn: (cb: (err: Error | null, out: Buffer) => void) => void): Promise<Buffer> =>
  new Promise((resolve, reject) => fn((err, out) => (err ? reject(err) : resolve(out))));

/** ws inflates a message given as fragments (it appends the tail itself on the last). */
async function wsInflate(ws: WsPmd, frags: Uint8Array[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for (let i = 0; i < frags.length; i++) {
    const frag = frags[i] as Uint8Array;
    out.push(await call((cb) => ws.decompress(Buffer.from(frag), i === frags.length - 1, cb)));
  }
  return Buffer.concat(out);
}

/** ws deflates a message given as plaintext fragments, as its sender would frame by frame. */
async function wsDeflate(ws: WsPmd, frags: Uint8Array[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for (let i = 0; i < frags.length; i++) {
    const frag = frags[i] as Uint8Array;
    out.push(await call((cb) => ws.compress(Buffer.from(frag), i === frags.length - 1, cb)));
  }
  return Buffer.concat(out);
}

let exchanged = 0; // configurations where ws accepted our offer
const optBits = fc.option(fc.integer({ min: 8, max: 15 }), { nil: undefined });
// null repeats the previous payload, so later messages refer back into earlier ones (context takeover).
const message = fc.tuple(fc.oneof(payloadArb, fc.constant(null)), fc.array(fc.nat(3000), { maxLength: 3 }), fc.boolean());

async function exchange(ours: PerMessageDeflate, ws: WsPmd, messages: [Uint8Array | null, number[], boolean][]): Promise<void> {
  let previous: Uint8Array = new Uint8Array(Buffer.from('a first message, repeated by the ones that say null'));
  for (const [next, cuts, oursSends] of messages) {
    const payload = next ?? previous;
    previous = payload;
    if (oursSends) {
      const enc = ours.encode({ opcode: Opcode.Binary, payload });
      const got = await wsInflate(ws, fragment(enc.payload, cuts));
      expect(got.equals(Buffer.from(payload))).toBe(true);
    } else {
      const wire = await wsDeflate(ws, fragment(payload, cuts));
      const got = ours.decode({ rsv1: true, opcode: Opcode.Binary, payload: wire });
      expect(got).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(got as Uint8Array).equals(Buffer.from(payload))).toBe(true);
    }
  }
}

describe('permessage-deflate interoperates with ws', () => {
  it('our client <-> ws server', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ serverNoContextTakeover: fc.boolean(), clientNoContextTakeover: fc.boolean(), serverMaxWindowBits: optBits, clientMaxWindowBits: fc.oneof(fc.constant(true), fc.constant(false), fc.integer({ min: 8, max: 15 })) }),
        fc.record({ serverNoContextTakeover: fc.option(fc.constant(true), { nil: undefined }), clientNoContextTakeover: fc.option(fc.constant(true), { nil: undefined }), serverMaxWindowBits: optBits, clientMaxWindowBits: optBits }),
        fc.array(message, { minLength: 1, maxLength: 5 }),
        async (clientCfg, wsServerCfg, messages) => {
          const { offer, header } = buildDeflateOffer({
            serverNoContextTakeover: clientCfg.serverNoContextTakeover,
            clientNoContextTakeover: clientCfg.clientNoContextTakeover,
            clientMaxWindowBits: clientCfg.clientMaxWindowBits,
            ...(clientCfg.serverMaxWindowBits !== undefined ? { serverMaxWindowBits: clientCfg.serverMaxWindowBits } : {}),
          });
          const ws = new WsPerMessageDeflate({ isServer: true, ...strip(wsServerCfg) });
          let accepted: Record<string, unknown>;
          try {
            accepted = ws.accept(wsExtension.parse(header)['permessage-deflate'] ?? []);
          } catch {
            return; // ws declined this offer under this configuration: nothing to exchange
          }
          const response = wsExtension.format({ 'permessage-deflate': accepted });
          const r = acceptDeflateResponse(parseExtensionHeader(response)[0]?.params ?? [], offer);
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          exchanged++;
          await exchange(new PerMessageDeflate({ role: 'client', agreement: r.agreement }), ws, messages);
          ws.cleanup();
        },
      ),
      { numRuns: 300 },
    );
    // many configurations must really exchange messages, or the property proves little
    expect(exchanged).toBeGreaterThan(90);
  });

  it('ws client <-> our server', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ serverNoContextTakeover: fc.option(fc.constant(true), { nil: undefined }), clientNoContextTakeover: fc.option(fc.constant(true), { nil: undefined }), serverMaxWindowBits: optBits, clientMaxWindowBits: optBits }),
        fc.record({ serverNoContextTakeover: fc.boolean(), clientNoContextTakeover: fc.boolean(), serverMaxWindowBits: optBits, clientMaxWindowBits: optBits }),
        fc.array(message, { minLength: 1, maxLength: 5 }),
        async (wsClientCfg, serverCfg, messages) => {
          const ws = new WsPerMessageDeflate({ isServer: false, ...strip(wsClientCfg) });
          const offerHeader = wsExtension.format({ 'permessage-deflate': ws.offer() });
          const negotiated = negotiateDeflateServer(parseExtensionHeader(offerHeader), strip(serverCfg));
          expect(negotiated).not.toBeNull();
          if (negotiated === null) return;
          ws.accept(wsExtension.parse(negotiated.response)['permessage-deflate'] ?? []);
          await exchange(new PerMessageDeflate({ role: 'server', agreement: negotiated.agreement }), ws, messages);
          ws.cleanup();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('context takeover with ws: the second identical message from ws is smaller, and we decode both', async () => {
    const agreement: DeflateAgreement = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
    const ws = new WsPerMessageDeflate({ isServer: true });
    ws.accept([{}]);
    const ours = new PerMessageDeflate({ role: 'client', agreement });
    const msg = Buffer.from('a sentence that repeats from one message to the next. '.repeat(10));
    const first = await wsDeflate(ws, [msg]);
    const second = await wsDeflate(ws, [msg]);
    expect(second.length).toBeLessThan(first.length / 3);
    expect(Buffer.from(ours.decode({ rsv1: true, opcode: Opcode.Text, payload: first }) as Uint8Array).equals(msg)).toBe(true);
    expect(Buffer.from(ours.decode({ rsv1: true, opcode: Opcode.Text, payload: second }) as Uint8Array).equals(msg)).toBe(true);
    ws.cleanup();
  });
});

/** Drops undefined fields (ws tells `false` from absent, and exactOptionalPropertyTypes-style configs do too). */
function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
