// A ping of 0-125 bytes: the target must answer with a pong carrying the same payload (RFC 6455 §5.5.2).
import { pingArb } from '../control.arb.js';
import { SendStep } from './send-step.js';

export class SendPingCommand extends SendStep {
  readonly label = 'ping';
  protected allowed(s: { messageOpen: boolean; doomed: boolean }): boolean {
    return !s.doomed;
  }
}

export const sendPingCommandArb = pingArb.map((f) => new SendPingCommand([f]));
