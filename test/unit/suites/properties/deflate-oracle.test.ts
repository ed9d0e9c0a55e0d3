// The fuzz oracle's permessage-deflate extension (predictStream's `deflate` option) against our protocol core: for
// every generated deflate case and every agreement a server may make for its offer, the frames the suite sends
// (compressed by the raw peer's deflate stage) make a server Connection with permessage-deflate deliver exactly the
// messages and pings the oracle predicts, and fail exactly when it predicts a failure, with a code it allows. And
// without RSV1 anywhere the option changes nothing, so the other suites' predictions stay as they were.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Connection, type ConnectionEvent } from '../../../../protocol/connection/connection.js';
import { parseExtensionHeader } from '../../../../protocol/extensions/header.js';
import {
  acceptDeflateResponse,
  createPerMessageDeflate,
  negotiateDeflateServer,
  parseDeflateParams,
  type DeflateServerConfig,
} from '../../../../protocol/extensions/permessage-deflate.js';
import { DeflateStage } from '../../../../peers/raw/deflate-stage.js';
import { deflateCaseArb, type DeflateCase } from '../../../../suites/properties/deflate.arb.js';
import { predictDeflate } from '../../../../suites/properties/deflate.prop.js';
import { compressFrames, offerHeader } from '../../../../suites/properties/deflate-stream.js';
import { concatBytes, encodeFuzzFrame } from '../../../../suites/properties/fuzz-frame.js';
import { predictStream } from '../../../../suites/properties/model/predict-stream.js';
import { streamCaseArb } from '../../../../suites/properties/stream.arb.js';
import { anyFrameArb } from '../../../../suites/properties/frame.arb.js';

const bitsArb = fc.option(fc.integer({ min: 8, max: 15 }), { nil: undefined });
/** What a server may choose within any offer (RFC 7692 §7.1): ask us to drop context, or to use a smaller window. */
const serverConfigArb: fc.Arbitrary<DeflateServerConfig> = fc.record({
  serverNoContextTakeover: fc.boolean(),
  clientNoContextTakeover: fc.boolean(),
  serverMaxWindowBits: bitsArb,
  clientMaxWindowBits: bitsArb,
});

type Seen = { kind: 'message'; opcode: number; payload: number[] } | { kind: 'ping'; payload: number[] };

/** Sends the case as the suite does to a server Connection that negotiated `config`; what the application saw. */
function serve(c: DeflateCase, config: DeflateServerConfig): { seen: Seen[]; violation: number | null } {
  const offers = parseExtensionHeader(offerHeader(c));
  const agreed = negotiateDeflateServer(offers, config);
  if (agreed === null) throw new Error(`every generated offer is valid: ${offerHeader(c)}`);
  const offer = parseDeflateParams(offers[0]!.params, 'offer');
  if (!offer.ok) throw new Error(offer.message);
  const client = acceptDeflateResponse(agreed.extension.params, offer.params);
  if (!client.ok) throw new Error(client.message);
  const stage = new DeflateStage(client.agreement, c.ours);
  const wire = compressFrames(c.frames, (payload, opcode) => stage.compress(payload, opcode));
  const server = new Connection({ role: 'server', textAsBytes: true, extensions: [createPerMessageDeflate({ role: 'server', agreement: agreed.agreement })] });
  server.receive(concatBytes(wire.map(encodeFuzzFrame)));
  const seen: Seen[] = [];
  for (const e of server.drain().events as ConnectionEvent[]) {
    if (e.type === 'violation') return { seen, violation: e.violation.closeCode };
    if (e.type === 'text') seen.push({ kind: 'message', opcode: 0x1, payload: [...e.bytes!] });
    if (e.type === 'binary') seen.push({ kind: 'message', opcode: 0x2, payload: [...e.data] });
    if (e.type === 'ping') seen.push({ kind: 'ping', payload: [...e.payload] });
  }
  return { seen, violation: null };
}

describe('the deflate oracle', () => {
  it('predicts what a permessage-deflate server Connection does with every generated case, under every agreement', () => {
    fc.assert(
      fc.property(deflateCaseArb, serverConfigArb, (c, config) => {
        const p = predictDeflate(c);
        const { seen, violation } = serve(c, config);
        const messages = seen.filter((s) => s.kind === 'message');
        const pings = seen.filter((s) => s.kind === 'ping').map((s) => s.payload);
        if (p.mustFail) {
          const definite = p.failures[p.failures.length - 1]!;
          expect(violation, 'the server must fail the connection').not.toBeNull();
          expect(definite.codes).toContain(violation);
          expect(messages).toEqual(p.echoes.slice(0, definite.echoes).map((m) => ({ kind: 'message', opcode: m.opcode, payload: [...m.payload] })));
        } else {
          expect(violation).toBeNull();
          expect(messages).toEqual(p.echoes.map((m) => ({ kind: 'message', opcode: m.opcode, payload: [...m.payload] })));
          expect(pings).toEqual(p.pings.map((x) => [...x]));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('changes nothing for streams without RSV1', () => {
    const noRsv1 = streamCaseArb(anyFrameArb().map((f) => [{ ...f, rsv1: false }]), { maxParts: 6 });
    fc.assert(
      fc.property(noRsv1, (s) => {
        expect(predictStream(s.frames, { deflate: { undecodable: () => true } })).toEqual(predictStream(s.frames));
      }),
      { numRuns: 500 },
    );
  });

  it('without the extension, RSV1 anywhere fails the connection with 1002 (RFC 6455 §5.2)', () => {
    fc.assert(
      fc.property(deflateCaseArb, (c) => {
        const at = c.frames.findIndex((f) => f.rsv1);
        fc.pre(at !== -1);
        const p = predictStream(c.frames);
        expect(p.mustFail).toBe(true);
        expect(p.failures[p.failures.length - 1]!.frame).toBeLessThanOrEqual(at);
      }),
      { numRuns: 200 },
    );
  });
});
