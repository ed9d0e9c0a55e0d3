// One data frame on its own: the first fragment of a message, a continuation, or the last one. Legal or not
// depending on the state (a continuation with nothing open, a new message inside one): the model knows which.
import fc from 'fast-check';
import { fuzzFrame } from '../fuzz-frame.js';
import { maskArb } from '../mask.arb.js';
import { anyTextArb } from '../utf8.arb.js';
import { SendStep } from './send-step.js';

export class SendFragmentCommand extends SendStep {
  readonly label = 'fragment';
  protected allowed(s: { messageOpen: boolean; doomed: boolean }): boolean {
    // While a doomed text message is open, only its continuations make sense: the target may have failed already.
    return !s.doomed || this.frames[0]!.opcode === 0x0;
  }
}

export const sendFragmentCommandArb = fc
  .tuple(fc.constantFrom(0x0, 0x0, 0x1, 0x2), anyTextArb, fc.boolean(), maskArb)
  .map(([opcode, payload, fin, mask]) => new SendFragmentCommand([fuzzFrame(opcode, payload.subarray(0, 40), mask, { fin })]));
