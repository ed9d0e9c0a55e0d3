// Periodic work for many connections from one timer: member k fires at epoch + phase(k) + n * period, phases
// ascending in k, so the work is spread evenly over each period (never in bursts) and every call gets the exact
// intended time, from which lateness is measured.

export class PeriodicSchedule {
  private cycle = 0;
  private next = 0;

  /**
   * @param phases ascending phases in [0, period), one per member
   */
  constructor(
    readonly periodMs: number,
    private readonly phases: Float64Array,
    private readonly epochMs: number,
  ) {}

  /** When the next member is due (Infinity with no members). */
  nextDueMs(): number {
    if (this.phases.length === 0) return Number.POSITIVE_INFINITY;
    return this.epochMs + this.cycle * this.periodMs + this.phases[this.next]!;
  }

  /** Fires every member due by `nowMs`, in schedule order, with its intended time. */
  advance(nowMs: number, fire: (member: number, intendedMs: number) => void): void {
    const n = this.phases.length;
    if (n === 0) return;
    // After a stall longer than a period, skip whole cycles instead of firing each member many times over; the
    // cycle that does fire is still timed from its own schedule.
    const behind = Math.floor((nowMs - this.epochMs) / this.periodMs) - this.cycle;
    if (behind > 1) this.cycle += behind - 1;
    for (;;) {
      const due = this.epochMs + this.cycle * this.periodMs + this.phases[this.next]!;
      if (due > nowMs) return;
      fire(this.next, due);
      this.next += 1;
      if (this.next === n) {
        this.next = 0;
        this.cycle += 1;
      }
    }
  }
}
