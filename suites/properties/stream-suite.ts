// The shape shared by the frame-level suites: generate a stream case, send it, grade what the target did against
// the oracle's expectation with the one grader.
import type fc from 'fast-check';
import { gradeRecord, type FuzzSuite, type FuzzSuiteName } from './fuzz-suite.js';
import { expectStream } from './model/expect-stream.js';
import { predictStream } from './model/predict-stream.js';
import { describeStreamCase, encodeStreamCase, streamKeySeed, type StreamCase } from './stream.arb.js';

export function streamSuite(def: { name: FuzzSuiteName; title: string; rfc: string[]; autobahn: string[]; arbitrary: fc.Arbitrary<StreamCase> }): FuzzSuite<StreamCase> {
  return {
    ...def,
    async check(target, value) {
      const prediction = predictStream(value.frames);
      const record = await target.runStream({
        frames: value.frames,
        chunking: value.chunking,
        keySeed: streamKeySeed(encodeStreamCase(value)),
        mustFail: prediction.mustFail,
      });
      return gradeRecord(record, expectStream(prediction), def.rfc);
    },
    describe: describeStreamCase,
  };
}
