// The base of every model command: frames to send, when the step makes sense, and how it reads in a counterexample.
import type fc from 'fast-check';
import { describeFuzzFrame, type FuzzFrame } from '../fuzz-frame.js';
import { modelPrediction, runStep, type WsModel, type WsReal } from '../model/ws-model.js';

export abstract class SendStep implements fc.AsyncCommand<WsModel, WsReal> {
  constructor(readonly frames: FuzzFrame[]) {}
  abstract readonly label: string;
  /** Whether the step may follow the model's state (reads the model only). */
  protected abstract allowed(state: { messageOpen: boolean; doomed: boolean }): boolean;

  check(m: Readonly<WsModel>): boolean {
    if (m.over) return false;
    const p = modelPrediction(m as WsModel);
    return this.allowed({ messageOpen: p.messageOpen, doomed: p.doomed });
  }

  async run(m: WsModel, r: WsReal): Promise<void> {
    await runStep(m, r, this.frames);
  }

  toString(): string {
    return `${this.label}(${this.frames.map(describeFuzzFrame).join(' + ')})`;
  }
}
