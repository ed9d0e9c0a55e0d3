// The fuzz suites by name, in the order they run; `--suite` values derive from FUZZ_SUITE_NAMES. The model suite
// is built afresh on each call: fc.commands keeps replay state while it shrinks, so every fc.check worker needs its
// own.
import { closeSuite } from './close.prop.js';
import { controlSuite } from './control.prop.js';
import { deflateSuite } from './deflate.prop.js';
import { fragmentationSuite } from './fragmentation.prop.js';
import { framingSuite } from './framing.prop.js';
import type { FuzzSuite, FuzzSuiteName } from './fuzz-suite.js';
import { handshakeSuite, type HandshakeSuiteOptions } from './handshake.prop.js';
import { maskingSuite } from './masking.prop.js';
import { modelSuite, type ModelSuiteOptions } from './model.prop.js';
import { utf8Suite } from './utf8.prop.js';

export interface SuiteOptions {
  handshake?: HandshakeSuiteOptions;
  model?: ModelSuiteOptions;
}

export function fuzzSuite(name: FuzzSuiteName, opts: SuiteOptions = {}): FuzzSuite<unknown> {
  // Each suite has its own value type; the runner only passes values from a suite's arbitrary to its own check.
  const erase = <T>(s: FuzzSuite<T>): FuzzSuite<unknown> => s as unknown as FuzzSuite<unknown>;
  const suites: Record<FuzzSuiteName, () => FuzzSuite<unknown>> = {
    framing: () => erase(framingSuite),
    masking: () => erase(maskingSuite),
    fragmentation: () => erase(fragmentationSuite),
    control: () => erase(controlSuite),
    utf8: () => erase(utf8Suite),
    close: () => erase(closeSuite),
    handshake: () => erase(handshakeSuite(opts.handshake)),
    model: () => erase(modelSuite(opts.model)),
    deflate: () => erase(deflateSuite),
  };
  return suites[name]();
}
