// A bounded transcript: the first `head` entries and the last `tail`, with a count of those left out between, so
// a case that exchanges a million frames still reports where it began and how it ended.
import type { TranscriptEntry } from '../../reports/schema.js';

export class Transcript {
  private readonly first: TranscriptEntry[] = [];
  private readonly last: TranscriptEntry[] = [];
  private omitted = 0;

  constructor(
    private readonly head: number,
    private readonly tail: number,
  ) {}

  add(entry: TranscriptEntry): void {
    if (this.first.length < this.head) {
      this.first.push(entry);
      return;
    }
    this.last.push(entry);
    if (this.last.length > this.tail) {
      this.last.shift();
      this.omitted++;
    }
  }

  /** The entries in reports/schema.ts form, with a note where entries were left out. */
  entries(now: number): { entries: TranscriptEntry[]; omitted: number } {
    if (this.omitted === 0) return { entries: [...this.first, ...this.last], omitted: 0 };
    const gap: TranscriptEntry = { t: this.last[0]?.t ?? now, dir: 'local', kind: 'note', text: `${this.omitted} transcript entries omitted` };
    return { entries: [...this.first, gap, ...this.last], omitted: this.omitted };
  }
}
