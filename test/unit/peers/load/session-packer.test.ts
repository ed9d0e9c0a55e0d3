// Session packing for `load --http2`: for any sequence of WebSocket opens and closes (and connections retired, and
// limits lowered by a server's SETTINGS_MAX_CONCURRENT_STREAMS), no connection carries more than the limit, a new
// connection opens only when every open one is full, and freed slots are reused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SessionPacker } from '../../../../peers/load/session-packer.js';

type Op = { kind: 'open' } | { kind: 'close'; pick: number } | { kind: 'retire'; pick: number } | { kind: 'lower'; to: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Op>({ kind: 'open' }) },
  { weight: 4, arbitrary: fc.nat().map<Op>((pick) => ({ kind: 'close', pick })) },
  { weight: 1, arbitrary: fc.nat().map<Op>((pick) => ({ kind: 'retire', pick })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }).map<Op>((to) => ({ kind: 'lower', to })) },
);

/** Runs `ops` against a packer and a plain model of it, checking the rules after every step. */
function check(limit: number, ops: Op[]): { slots: number; peakLive: number } {
  const packer = new SessionPacker(limit);
  const loads: number[] = [];
  const retired = new Set<number>();
  const live: number[] = []; // the slot of each open WebSocket
  let max = limit;
  let peakLive = 0;
  for (const op of ops) {
    if (op.kind === 'open') {
      const roomy = loads.findIndex((l, i) => !retired.has(i) && l < max);
      const free = loads.findIndex((l, i) => retired.has(i) && l === 0);
      const { slot, fresh } = packer.place();
      if (roomy >= 0) {
        // Reuse: the first open connection with room, never a new one.
        expect({ slot, fresh }).toEqual({ slot: roomy, fresh: false });
      } else {
        // A new connection, in the first slot a finished one left free, else a new slot.
        expect(fresh).toBe(true);
        expect(slot).toBe(free >= 0 ? free : loads.length);
        if (free >= 0) retired.delete(free);
        else loads.push(0);
      }
      loads[slot]! += 1;
      live.push(slot);
      expect(loads[slot]).toBeLessThanOrEqual(max);
    } else if (op.kind === 'close') {
      if (live.length === 0) continue;
      const [slot] = live.splice(op.pick % live.length, 1);
      packer.release(slot!);
      loads[slot!]! -= 1;
    } else if (op.kind === 'retire') {
      if (loads.length === 0) continue;
      const slot = op.pick % loads.length;
      packer.retire(slot);
      retired.add(slot);
    } else {
      packer.lowerLimit(op.to);
      max = Math.min(max, op.to);
    }
    expect(packer.limit).toBe(max);
    loads.forEach((l, i) => {
      expect(packer.loadOf(i)).toBe(l);
      expect(packer.isOpen(i)).toBe(!retired.has(i));
    });
    peakLive = Math.max(peakLive, live.length);
  }
  return { slots: packer.slots, peakLive };
}

describe('SessionPacker', () => {
  it('follows the packing rules for any sequence of opens, closes, retirements and lowered limits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(opArb, { maxLength: 300 }), (limit, ops) => {
        check(limit, ops);
      }),
      { numRuns: 300 },
    );
  });

  it('with opens and closes only, never opens more connections than the peak of WebSockets needs', () => {
    const openClose = fc.array(fc.oneof(fc.constant<Op>({ kind: 'open' }), fc.nat().map<Op>((pick) => ({ kind: 'close', pick }))), { maxLength: 400 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), openClose, (limit, ops) => {
        const { slots, peakLive } = check(limit, ops);
        expect(slots).toBeLessThanOrEqual(Math.ceil(peakLive / limit));
      }),
      { numRuns: 300 },
    );
  });

  it('packs 300 WebSockets at 100 per connection onto 3 connections', () => {
    const packer = new SessionPacker(100);
    const slots = Array.from({ length: 300 }, () => packer.place());
    expect(slots.filter((s) => s.fresh).map((s) => s.slot)).toEqual([0, 1, 2]);
    expect([0, 1, 2].map((i) => packer.loadOf(i))).toEqual([100, 100, 100]);
  });

  it('rejects a limit below 1 and a release with nothing placed', () => {
    expect(() => new SessionPacker(0)).toThrow(RangeError);
    expect(() => new SessionPacker(1.5)).toThrow(RangeError);
    expect(() => new SessionPacker(3).release(0)).toThrow(RangeError);
  });
});
