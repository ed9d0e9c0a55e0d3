// deflate: RFC 7692 permessage-deflate, negotiated with generated parameters (context takeover on and off, window
// sizes both ways). Compressed and uncompressed messages interleaved, fragmented or not, pings between them, and
// what the target must fail: RSV1 on a continuation or a control frame (§6.1), a compressed payload that does not
// inflate (§7.2.2), compressed text that is not UTF-8. The oracle predicts the echoes in plain bytes (the observer
// inflates what the target sends, compressed or not). A target that declines the offer is `unimplemented` for the
// case (not-negotiated), never a counterexample.
import { PERMESSAGE_DEFLATE } from '../../protocol/extensions/permessage-deflate.js';
import { whenNegotiated } from '../define.js';
import { deflateCaseArb, type DeflateCase } from './deflate.arb.js';
import { compressFrames, describeDeflateCase, offerHeader, undecodableAt } from './deflate-stream.js';
import { gradeRecord, type FuzzSuite } from './fuzz-suite.js';
import { expectStream } from './model/expect-stream.js';
import { predictStream, type StreamPrediction } from './model/predict-stream.js';
import { encodeStreamCase, streamKeySeed } from './stream.arb.js';

const RFC = ['7692 6', '7692 7.2'];

/** The oracle's prediction for a deflate case, once the extension is negotiated. */
export function predictDeflate(c: DeflateCase): StreamPrediction {
  return predictStream(c.frames, { deflate: { undecodable: undecodableAt(c.frames) } });
}

export const deflateSuite: FuzzSuite<DeflateCase> = {
  name: 'deflate',
  title: 'permessage-deflate: compressed and plain messages, fragments, RSV1 placement, context takeover',
  rfc: RFC,
  autobahn: ['12.*', '13.*'],
  arbitrary: deflateCaseArb,
  async check(target, value) {
    const prediction = predictDeflate(value);
    const extensions = offerHeader(value);
    const record = await target.runStream({
      frames: value.frames,
      chunking: value.chunking,
      keySeed: streamKeySeed([...encodeStreamCase(value), new Uint8Array(Buffer.from(extensions, 'latin1'))]),
      mustFail: prediction.mustFail,
      offer: { extensions, deflate: value.ours, compress: (stage) => compressFrames(value.frames, (payload, opcode) => stage.compress(payload, opcode)) },
    });
    return gradeRecord(record, whenNegotiated(PERMESSAGE_DEFLATE, expectStream(prediction)), RFC);
  },
  describe: describeDeflateCase,
};
