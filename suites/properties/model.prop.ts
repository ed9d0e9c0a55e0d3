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
import { SendStep } from './commands/send-step.js';
import { gradeRecord, type CaseCheck, type FuzzSuite } from './fuzz-suite.js';
import type { Expectation } from '../define.js';
import { held } from '../grade/grade.js';
import { ModelMismatch, type WsModel, type WsReal } from './model/ws-model.js';

/** A model run starts with a correct handshake; a target that refuses it fails here (graded like any handshake). */
const HANDSHAKE_OK: Expectation = { kind: 'handshake', status: [101] };

/** Every step held: the handshake's grade, or a pass for the run as a whole. */
function passed(check: CaseCheck): CaseCheck['grade'] {
  if (check.grade === null || check.grade.verdict === 'fail' || check.grade.verdict === 'error') return check.grade;
  return held('every step as the model predicts', check.grade.expected, check.grade.observed);
}

type Commands = Iterable<fc.AsyncCommand<WsModel, WsReal>>;

export interface ModelSuiteOptions {
  /**
   * fc.commands' replayPath from a replay token: which commands ran at each shrink step, which a path walk cannot
   * know without running them (see runners/fuzz/replay-token.ts).
   */
  replayPath?: string;
}

/** fast-check's CommandWrapper: the command and whether it ran in the last execution of the value. */
interface RanCommand {
  cmd: SendStep;
  hasRan: boolean;
}

/** The commands of a value that ran last time (a step whose check refused it sent nothing). */
export function ranCommands(cmds: Commands): SendStep[] {
  return [...cmds].flatMap((c) => {
    const w = c as unknown as Partial<RanCommand>;
    if (w.cmd instanceof SendStep) return w.hasRan === true ? [w.cmd] : [];
    return c instanceof SendStep ? [c] : [];
  });
}

const REPLAY_PATH_RE = /\/\*replayPath="([A-Za-z0-9+/]*:[A-Za-z0-9+/]*)"\*\/$/;

/**
 * A fresh suite per fc.check worker: the fc.commands arbitrary records its replay path as it shrinks, so two workers
 * (or two runs) must never share one.
 */
export function modelSuite(opts: ModelSuiteOptions = {}): FuzzSuite<Commands> {
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
    { maxCommands: 8, ...(opts.replayPath !== undefined ? { replayPath: opts.replayPath } : {}) },
  );
  return {
    name: 'model',
    title: 'Model-based: random step sequences on one connection against the RFC model',
    rfc: ['5', '7', '8.1'],
    autobahn: [],
    arbitrary: commandsArb as fc.Arbitrary<Commands>,
    async check(target, cmds) {
      const opened = await target.openSession(0);
      if (!('finish' in opened)) return gradeRecord(opened, HANDSHAKE_OK, ['4.1']);
      const model: WsModel = { frames: [], over: false, timeoutMs: target.timeoutMs };
      let failure: ModelMismatch | null = null;
      try {
        await fc.asyncModelRun(() => ({ model, real: { session: opened } }), cmds);
      } catch (err) {
        if (!(err instanceof ModelMismatch)) throw err;
        failure = err;
      }
      const record = await opened.finish();
      const check = gradeRecord(record, HANDSHAKE_OK, ['4.1']);
      return failure !== null ? { ...check, grade: failure.grade } : { ...check, grade: passed(check) };
    },
    describe(cmds) {
      const ran = ranCommands(cmds);
      // No step ran when the connection could not be opened: show the steps the value holds.
      if (ran.length === 0) return [...cmds].map((c, i) => `${i + 1}. (not run) ${String(c)}`);
      return ran.map((c, i) => `${i + 1}. ${String(c)}`);
    },
    replayPath(cmds) {
      // fc.commands prints it after the commands that ran: `... /*replayPath="COUNTS:CHANGES"*/`.
      return REPLAY_PATH_RE.exec(String(cmds))?.[1] ?? null;
    },
  };
}
