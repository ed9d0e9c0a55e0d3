// A whole message, text (valid or invalid UTF-8) or binary, in one or more fragments, sent when no message is open.
import fc from 'fast-check';
import { messageFramesArb } from '../message.arb.js';
import { SendStep } from './send-step.js';

export class SendMessageCommand extends SendStep {
  readonly label = 'message';
  protected allowed(s: { messageOpen: boolean; doomed: boolean }): boolean {
    return !s.messageOpen;
  }
}

export const sendMessageCommandArb = messageFramesArb({ text: 'any', maxFragments: 4 }).map((frames) => new SendMessageCommand(frames));
export type SendMessageCommandArb = fc.Arbitrary<SendMessageCommand>;
