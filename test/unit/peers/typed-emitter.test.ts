import { describe, expect, it } from 'vitest';
import { TypedEmitter } from '../../../peers/client/typed-emitter.js';

interface Events {
  tick: { n: number };
  done: { ok: boolean };
}

class Clock extends TypedEmitter<Events> {
  fire<K extends keyof Events>(type: K, payload: Events[K]): void {
    this.emit(type, payload);
  }
}

describe('TypedEmitter', () => {
  it('delivers to listeners in order, stops after off, once fires once', () => {
    const c = new Clock();
    const seen: string[] = [];
    const off = c.on('tick', ({ n }) => seen.push(`a${n}`));
    c.once('tick', ({ n }) => seen.push(`b${n}`));
    c.fire('tick', { n: 1 });
    off();
    c.fire('tick', { n: 2 });
    expect(seen).toEqual(['a1', 'b1']);
    expect(c.listenerCount('tick')).toBe(0);
  });

  it('waitFor resolves with the first matching event and times out otherwise', async () => {
    const c = new Clock();
    const p = c.waitFor('tick', 1000, (e) => e.n > 1);
    c.fire('tick', { n: 1 });
    c.fire('tick', { n: 2 });
    expect(await p).toEqual({ n: 2 });
    await expect(c.waitFor('done', 20)).rejects.toThrow(/no 'done' event within 20 ms/);
    expect(c.listenerCount('done')).toBe(0);
  });
});
