// Periodic work for many connections from one timer: member k fires at epoch + phase(k) + n * period, so the work
// is spread evenly over each period (never in bursts) and every call gets the exact intended time, from which
// lateness is measured. Members fire in phase order: phases ascending in k need nothing more; any other phases (a
// capacity session's, spread for every prefix of the pool) are walked through a sorted order.

export class PeriodicSchedule {
  private cycle = 0;
  private next = 0;
  private readonly phases: Float64Array;
  /** Member of each position in phase order; null when the phases were given ascending (position = member). */
  private readonly order: Uint32Array | null = null;

  /**
   * @param phases phases in [0, period), one per member
   */
  constructor(
    readonly periodMs: number,
    phases: Float64Array,
    private readonly epochMs: number,
  ) {
    let ascending = true;
    for (let k = 1; k < phases.length && ascending; k++) ascending = phases[k - 1]! <= phases[k]!;
    if (ascending) this.phases = phases;
    else {
      const order = Uint32Array.from(phases.keys()).sort((a, b) => phases[a]! - phases[b]!);
      this.order = order;
      this.phases = Float64Array.from(order, (k) => phases[k]!);
    }
  }

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
      fire(this.order === null ? this.next : this.order[this.next]!, due);
      this.next += 1;
      if (this.next === n) {
        this.next = 0;
        this.cycle += 1;
      }
    }
  }
}
