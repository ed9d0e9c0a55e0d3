// The shape shared by the frame-level suites: generate a stream case, send it, let the model predict and judge.
import type fc from 'fast-check';
import type { FuzzSuite, FuzzSuiteName } from './fuzz-suite.js';
import { judgeStream } from './judge-stream.js';
import { predictStream } from './model/predict-stream.js';
import { describeStreamCase, encodeStreamCase, streamKeySeed, type StreamCase } from './stream.arb.js';
import { allowedCloseReplies } from './model/predict-stream.js';

export function streamSuite(def: { name: FuzzSuiteName; title: string; rfc: string[]; autobahn: string[]; arbitrary: fc.Arbitrary<StreamCase> }): FuzzSuite<StreamCase> {
  return {
    ...def,
    async check(target, value) {
      const frames = encodeStreamCase(value);
      const prediction = predictStream(value.frames);
      const obs = await target.runStream({
        frames,
        chunking: value.chunking,
        keySeed: streamKeySeed(frames),
        // Wait for the target's TCP close only after a clean closing handshake, where §7.1.1 asks for it.
        awaitTcpEnd: (code) => !prediction.mustFail && prediction.close !== null && allowedCloseReplies(prediction.close.code).includes(code),
      });
      return { mismatch: judgeStream(prediction, obs), sent: obs.sent, transcript: obs.transcript, transcriptOmitted: obs.transcriptOmitted };
    },
    describe: describeStreamCase,
  };
}
