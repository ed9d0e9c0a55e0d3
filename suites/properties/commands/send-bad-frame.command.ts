// A frame the target must refuse whatever the state: RSV bits, a reserved opcode, an unmasked frame, an oversized
// or fragmented control frame (RFC 6455 §5.1, §5.2, §5.5).
import fc from 'fast-check';
import { fragmentedControlArb, oversizedControlArb, pingArb } from '../control.arb.js';
import { reservedOpcodeFrameArb, rsvFrameArb } from '../frame.arb.js';
import { SendStep } from './send-step.js';

export class SendBadFrameCommand extends SendStep {
  readonly label = 'bad-frame';
  protected allowed(s: { messageOpen: boolean; doomed: boolean }): boolean {
    return !s.doomed;
  }
}

export const sendBadFrameCommandArb = fc
  .oneof(rsvFrameArb, reservedOpcodeFrameArb, oversizedControlArb, fragmentedControlArb, pingArb.map((f) => ({ ...f, mask: null })))
  .map((f) => new SendBadFrameCommand([f]));
