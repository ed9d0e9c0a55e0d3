// All randomness (mask keys, Sec-WebSocket-Key, fuzz choices) comes from an injected Entropy, so a seeded run
// replays byte for byte.
import { randomFillSync } from 'node:crypto';

export interface Entropy {
  /** Fills `target` with random bytes. */
  fill(target: Uint8Array): void;
}

/** Cryptographic randomness, as RFC 6455 §5.3 asks of masking keys in production. Pooled: one syscall per 4 KiB. */
export function cryptoEntropy(): Entropy {
  const pool = new Uint8Array(4096);
  let offset = pool.length;
  return {
    fill(target) {
      if (target.length > pool.length) {
        randomFillSync(target);
        return;
      }
      if (offset + target.length > pool.length) {
        randomFillSync(pool);
        offset = 0;
      }
      target.set(pool.subarray(offset, offset + target.length));
      offset += target.length;
    },
  };
}

/** Deterministic randomness (a counter-based 32-bit mix, splitmix style), for replayable runs and tests. */
export function seededEntropy(seed: number): Entropy {
  let s = seed >>> 0;
  const next32 = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  return {
    fill(target) {
      let i = 0;
      for (; i + 4 <= target.length; i += 4) {
        const r = next32();
        target[i] = r & 0xff;
        target[i + 1] = (r >>> 8) & 0xff;
        target[i + 2] = (r >>> 16) & 0xff;
        target[i + 3] = r >>> 24;
      }
      if (i < target.length) {
        const r = next32();
        for (let k = 0; i < target.length; i++, k += 8) target[i] = (r >>> k) & 0xff;
      }
    },
  };
}
