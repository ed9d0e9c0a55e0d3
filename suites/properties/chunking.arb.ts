// Generates how the client byte stream is split across TCP writes; the Chunking type and the chopping itself are
// in peers/fuzz/chunking.ts, beside the driver that applies them.
import fc from 'fast-check';
import { MAX_PAUSES, type Chunking } from '../../peers/fuzz/chunking.js';

export const chunkingArb: fc.Arbitrary<Chunking> = fc.oneof({ withCrossShrink: true }, 
  { weight: 4, arbitrary: fc.constant<Chunking>({ kind: 'whole' }) },
  { weight: 2, arbitrary: fc.constant<Chunking>({ kind: 'frames' }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('sizes' as const),
      sizes: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 4 }),
      pauseMs: fc.constantFrom(0, 0, 0, 1, 2),
    }),
  },
);

export function describeChunking(c: Chunking): string {
  if (c.kind === 'whole') return 'sent in one write';
  if (c.kind === 'frames') return 'one write per frame';
  return `writes of ${c.sizes.join(', ')} bytes (cycled)${c.pauseMs > 0 ? `, the first ${MAX_PAUSES} ${c.pauseMs} ms apart` : ''}`;
}
