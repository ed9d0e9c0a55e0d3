// A fake ServerPeer for tests of client case scripts: nothing arrives unless `outcomes` says a wait succeeds (wait i
// gets outcomes[i % length]); the client ends TCP at wait number `endAt`. It keeps what the script does: responses,
// raw bytes sent, closes, drops, marks and metrics.
import { emptyObservation } from '../../../../peers/raw/observation.js';
import type { ReceivedRequest, ResponseSpec, ServerPeer } from '../../../../suites/client/define.js';

export class FakePeer implements ServerPeer {
  readonly deflate = null;
  readonly responses: ResponseSpec[] = [];
  readonly sent: Uint8Array[] = [];
  closes = 0;
  drops = 0;
  waits = 0;
  private over = false;
  private readonly obs = emptyObservation();
  constructor(
    readonly request: ReceivedRequest,
    private readonly outcomes: boolean[] = [false],
    private readonly endAt = Number.POSITIVE_INFINITY,
  ) {}
  async respond(spec: ResponseSpec = {}): Promise<void> {
    this.responses.push(spec);
  }
  async send(bytes: Uint8Array): Promise<void> {
    this.sent.push(bytes);
  }
  async sendFrame(): Promise<void> {}
  async sendFrames(): Promise<void> {}
  async sendMessage(): Promise<void> {}
  async sendPing(): Promise<void> {}
  async sendPong(): Promise<void> {}
  async sendClose(): Promise<void> {}
  async close(): Promise<void> {
    this.closes++;
    this.over = true;
  }
  drop(): void {
    this.drops++;
    this.over = true;
  }
  private async wait(kind: 'data' | 'close' | 'end'): Promise<boolean> {
    const i = this.waits++;
    if (i >= this.endAt) this.over = true;
    if (this.over) return kind !== 'data';
    // A script that loops on waits that always succeed must still stop at its deadline: the cap stands for it.
    const ok = i < 5000 && (this.outcomes[i % this.outcomes.length] ?? false);
    // As with the wire server peer: the client's close frame is answered and TCP closed at once, so a close or an
    // end that arrived leaves the connection over.
    if (ok && kind !== 'data') this.over = true;
    return ok;
  }
  waitForMessages = (): Promise<boolean> => this.wait('data');
  waitForPongs = (): Promise<boolean> => this.wait('data');
  waitForFrames = (): Promise<boolean> => this.wait('data');
  waitForClose = (): Promise<boolean> => this.wait('close');
  waitForEnd = (): Promise<boolean> => this.wait('end');
  async pause(): Promise<void> {}
  get closed(): boolean {
    return this.over;
  }
  get ended(): boolean {
    return this.over;
  }
  remainingMs(): number {
    return 5000;
  }
  mark(name: string): void {
    this.obs.marks.push({ name, t: this.waits });
  }
  metric(name: string, value: number): void {
    this.obs.metrics[name] = value;
  }
  note(): void {}
  observation() {
    return this.obs;
  }
}
