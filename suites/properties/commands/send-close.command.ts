// A close frame, legal or not (any code class, reason valid or not, 1-byte body): the last step of a connection.
import { closeFrameArb } from '../close.arb.js';
import { SendStep } from './send-step.js';

export class SendCloseCommand extends SendStep {
  readonly label = 'close';
  protected allowed(s: { messageOpen: boolean; doomed: boolean }): boolean {
    return !s.doomed;
  }
}

export const sendCloseCommandArb = closeFrameArb.map((f) => new SendCloseCommand([f]));
