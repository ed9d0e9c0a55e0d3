// Which shared connection (an HTTP/2 session) a new WebSocket stream goes to: the first open one with room, else a
// new one, in a slot a finished connection left free when there is one. Bookkeeping only, no sockets, so the rule
// is property-tested for every sequence of opens, closes, retirements and limit changes (test/unit/peers/load).

const OPEN = 0;
/** Takes no new streams (GOAWAY, lost, failed); becomes free once its last stream is released. */
const RETIRED = 1;
const FREE = 2;

export class SessionPacker {
  /** Streams placed on each slot and not yet released (opening or open). */
  private readonly loads: number[] = [];
  private readonly states: number[] = [];
  private max: number;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`streams per connection must be a whole number >= 1, got ${limit}`);
    this.max = limit;
  }

  /** Streams one connection may carry. */
  get limit(): number {
    return this.max;
  }

  /**
   * Lowers the limit (a server's SETTINGS_MAX_CONCURRENT_STREAMS, RFC 7540 §6.5.2); never raises it. Streams
   * already placed stay where they are: the caller moves those it has not started yet.
   */
  lowerLimit(limit: number): void {
    if (limit >= 1 && limit < this.max) this.max = Math.floor(limit);
  }

  /** A slot for one more stream; `fresh` when it is a new connection the caller must open in that slot. */
  place(): { slot: number; fresh: boolean } {
    for (let i = 0; i < this.loads.length; i++) {
      if (this.states[i] === OPEN && this.loads[i]! < this.max) {
        this.loads[i]! += 1;
        return { slot: i, fresh: false };
      }
    }
    let slot = this.states.indexOf(FREE);
    if (slot === -1) {
      slot = this.loads.length;
      this.loads.push(0);
      this.states.push(OPEN);
    }
    this.states[slot] = OPEN;
    this.loads[slot] = 1;
    return { slot, fresh: true };
  }

  /** One stream of `slot` is gone. */
  release(slot: number): void {
    const load = this.loads[slot];
    if (load === undefined || load <= 0) throw new RangeError(`slot ${slot} has no stream to release`);
    this.loads[slot] = load - 1;
    if (load === 1 && this.states[slot] === RETIRED) this.states[slot] = FREE;
  }

  /** The connection in `slot` takes no new streams; the slot is free for a new one once its streams are gone. */
  retire(slot: number): void {
    if (this.states[slot] !== OPEN) return;
    this.states[slot] = this.loads[slot] === 0 ? FREE : RETIRED;
  }

  loadOf(slot: number): number {
    return this.loads[slot] ?? 0;
  }

  isOpen(slot: number): boolean {
    return this.states[slot] === OPEN;
  }

  /** Slots ever used (open, retired or free). */
  get slots(): number {
    return this.loads.length;
  }
}
