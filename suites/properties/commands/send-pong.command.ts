// An unsolicited pong: the target must ignore it (RFC 6455 §5.5.3: "A response to an unsolicited Pong frame is not
// expected").
import { pongArb } from '../control.arb.js';
import { SendStep } from './send-step.js';

export class SendPongCommand extends SendStep {
  readonly label = 'pong';
  protected allowed(s: { messageOpen: boolean; doomed: boolean }): boolean {
    return !s.doomed;
  }
}

export const sendPongCommandArb = pongArb.map((f) => new SendPongCommand([f]));
