// The queues a Connection hands out (events, writes). Items sit in slots [0, count) of an array; a drain either
// hands the filled array over (take) or lends it for one call and then reuses it, so a transport's hot path
// allocates nothing per drain.

export class SlotQueue<T> {
  /** Items queued: slots [0, count) of `items`. Public for the hot path's `count === 0` checks. */
  count = 0;
  private items: (T | undefined)[] = [];
  /** Takes what is queued while the filled array is lent out; null while it is in use. */
  private spare: (T | undefined)[] | null = [];

  push(item: T): void {
    this.items[this.count++] = item;
  }

  /** The queued items as an array of their own (the queue starts a new one). */
  take(): T[] {
    if (this.count === 0) return [];
    const list = this.items;
    list.length = this.count;
    this.items = [];
    this.count = 0;
    return list as T[];
  }

  /**
   * Lends the queued items to `sink` as `list[0]` to `list[count - 1]`, valid only during the call; items queued
   * meanwhile wait for the next drain.
   */
  lendAll(sink: (list: readonly T[], count: number) => void): void {
    const n = this.count;
    if (n === 0) return;
    const list = this.lend();
    try {
      sink(list as T[], n);
    } finally {
      this.giveBack(list, n);
    }
  }

  /** Calls `handler` for each queued item, in order, and returns how many there were; see lendAll(). */
  forEach(handler: (item: T) => void): number {
    const n = this.count;
    if (n === 0) return 0;
    const list = this.lend();
    try {
      for (let i = 0; i < n; i++) {
        const item = list[i]!;
        list[i] = undefined;
        handler(item);
      }
    } finally {
      this.giveBack(list, n);
    }
    return n;
  }

  private lend(): (T | undefined)[] {
    const list = this.items;
    this.items = this.spare ?? [];
    this.spare = null;
    this.count = 0;
    return list;
  }

  private giveBack(list: (T | undefined)[], n: number): void {
    for (let i = 0; i < n; i++) list[i] = undefined;
    this.spare = list;
  }
}
