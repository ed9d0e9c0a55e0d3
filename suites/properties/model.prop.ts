// model: a model-based run (fc.commands). Each step sends a message, a fragment, a ping, a pong, a close or a bad
// frame on one connection, and waits for what the model predicts: an echo, a pong, a failure with an allowed code,
// or the close. Steps after the end are never generated (each command's check reads the model).
import fc from 'fast-check';
import { sendBadFrameCommandArb } from './commands/send-bad-frame.command.js';
import { sendCloseCommandArb } from './commands/send-close.command.js';
import { sendFragmentCommandArb } from './commands/send-fragment.command.js';
import { sendMessageCommandArb } from './commands/send-message.command.js';
import { sendPingCommandArb } from './commands/send-ping.command.js';
import { sendPongCommandArb } from './commands/send-pong.command.js';
import type { FuzzSuite } from './fuzz-suite.js';
import { ModelMismatch, type WsModel, type WsReal } from './model/ws-model.js';

type Commands = Iterable<fc.AsyncCommand<WsModel, WsReal>>;

const commandsArb = fc.commands(
  [
    sendMessageCommandArb,
    sendMessageCommandArb,
    sendFragmentCommandArb,
    sendPingCommandArb,
    sendPongCommandArb,
    sendCloseCommandArb,
    sendBadFrameCommandArb,
  ],
  { maxCommands: 8 },
);

export const modelSuite: FuzzSuite<Commands> = {
  name: 'model',
  title: 'Model-based: random step sequences on one connection against the RFC model',
  rfc: ['5', '7', '8.1'],
  autobahn: [],
  arbitrary: commandsArb as fc.Arbitrary<Commands>,
  async check(target, cmds) {
    const opened = await target.openSession(0);
    if ('connectError' in opened) {
      return {
        mismatch: { reasonCode: 'connect-failed', reason: opened.connectError, expected: 'a WebSocket connection', observed: opened.connectError },
        sent: new Uint8Array(0),
        transcript: [],
        transcriptOmitted: 0,
      };
    }
    const model: WsModel = { frames: [], over: false, timeoutMs: target.timeoutMs };
    let mismatch = null;
    try {
      await fc.asyncModelRun(() => ({ model, real: { session: opened } }), cmds);
    } catch (err) {
      if (!(err instanceof ModelMismatch)) throw err;
      mismatch = err.mismatch;
    }
    const obs = await opened.finish();
    return { mismatch, sent: obs.sent, transcript: obs.transcript, transcriptOmitted: obs.transcriptOmitted };
  },
  describe(cmds) {
    return [...cmds].map((c, i) => `${i + 1}. ${String(c)}`);
  },
};
