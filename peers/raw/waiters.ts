// Waits that end: each resolves true when its check holds (re-checked on every event the driver reports), or with
// the check's value at its timeout or once the connection has ended. No wait outlives its timer.
interface Waiter {
  check: () => boolean;
  resolve: (ok: boolean) => void;
  timer: NodeJS.Timeout | undefined;
}

export class Waiters {
  private readonly pending = new Set<Waiter>();

  /** `over`: the connection has ended, so a check that does not hold now never will. */
  constructor(private readonly over: () => boolean) {}

  wait(check: () => boolean, ms: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    if (this.over() || ms <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const w: Waiter = { check, resolve, timer: undefined };
      w.timer = setTimeout(() => {
        this.pending.delete(w);
        resolve(check());
      }, ms);
      this.pending.add(w);
    });
  }

  /** Something happened: settle the waits whose check now holds, and all of them once the connection is over. */
  notify(): void {
    const over = this.over();
    for (const w of [...this.pending]) {
      const ok = w.check();
      if (ok || over) this.settle(w, ok);
    }
  }

  releaseAll(): void {
    for (const w of [...this.pending]) this.settle(w, w.check());
  }

  private settle(w: Waiter, ok: boolean): void {
    clearTimeout(w.timer);
    this.pending.delete(w);
    w.resolve(ok);
  }
}
