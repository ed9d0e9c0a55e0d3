// When each connection's scenario next needs the clock (a think ends, a wait times out, a loop iteration falls
// due): one binary min-heap per worker instead of a timer per connection. Entries are never removed; an entry whose
// generation no longer matches its connection's is stale and skipped when it surfaces.

export class WakeHeap {
  private at: number[] = [];
  private slot: number[] = [];
  private gen: number[] = [];

  get size(): number {
    return this.at.length;
  }

  /** When the earliest entry falls due (Infinity when empty). */
  peek(): number {
    return this.at.length === 0 ? Infinity : this.at[0]!;
  }

  push(at: number, slot: number, gen: number): void {
    let i = this.at.length;
    this.at.push(at);
    this.slot.push(slot);
    this.gen.push(gen);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.at[parent]! <= at) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, at, slot, gen);
  }

  /** Removes the earliest entry; `out` receives its slot and generation. */
  pop(out: { slot: number; gen: number }): void {
    out.slot = this.slot[0]!;
    out.gen = this.gen[0]!;
    const lastAt = this.at.pop()!;
    const lastSlot = this.slot.pop()!;
    const lastGen = this.gen.pop()!;
    const n = this.at.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.at[r]! < this.at[l]! ? r : l;
      if (this.at[c]! >= lastAt) break;
      this.move(c, i);
      i = c;
    }
    this.set(i, lastAt, lastSlot, lastGen);
  }

  private move(from: number, to: number): void {
    this.at[to] = this.at[from]!;
    this.slot[to] = this.slot[from]!;
    this.gen[to] = this.gen[from]!;
  }

  private set(i: number, at: number, slot: number, gen: number): void {
    this.at[i] = at;
    this.slot[i] = slot;
    this.gen[i] = gen;
  }
}
