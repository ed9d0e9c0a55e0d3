// Up to `count` optional parts, any of which shrinking can drop at any time.
//
// Why not a tuple of fc.option: an option offers "absent" only as the first shrink of the value as generated; once
// its inner value has shrunk, it can no longer be dropped. A part that had to stay at first (the failure needed it)
// and later became harmless (the failure moved to another part) then stays in the counterexample: against
// `wrong-pong-payload` the control suite stopped at an empty ping beside the failing one. Here every shrink step
// first tries dropping each present part, then shrinks each part in place with its own context.
import fc from 'fast-check';

class OptionalPartsArbitrary<T> extends fc.Arbitrary<T[]> {
  constructor(
    private readonly partArb: fc.Arbitrary<T>,
    private readonly count: number,
    private readonly absentOneIn: number,
  ) {
    super();
  }

  /** The context is the parts' own Values, so each keeps shrinking from where it is. */
  private wrap(parts: readonly fc.Value<T>[]): fc.Value<T[]> {
    return new fc.Value(parts.map((p) => p.value_), parts);
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T[]> {
    const parts: fc.Value<T>[] = [];
    for (let i = 0; i < this.count; i++) {
      if (this.absentOneIn > 0 && mrng.nextInt(1, this.absentOneIn) === 1) continue;
      parts.push(this.partArb.generate(mrng, biasFactor));
    }
    return this.wrap(parts);
  }

  canShrinkWithoutContext(_value: unknown): _value is T[] {
    return false;
  }

  shrink(_value: T[], context: unknown): fc.Stream<fc.Value<T[]>> {
    if (!Array.isArray(context)) return fc.Stream.nil();
    const parts = context as fc.Value<T>[];
    const partArb = this.partArb;
    const wrap = (ps: readonly fc.Value<T>[]): fc.Value<T[]> => this.wrap(ps);
    function* candidates(): IterableIterator<fc.Value<T[]>> {
      for (let i = 0; i < parts.length; i++) yield wrap([...parts.slice(0, i), ...parts.slice(i + 1)]);
      for (let i = 0; i < parts.length; i++) {
        for (const smaller of partArb.shrink(parts[i]!.value_, parts[i]!.context)) yield wrap([...parts.slice(0, i), smaller, ...parts.slice(i + 1)]);
      }
    }
    return fc.stream(candidates());
  }
}

/**
 * `count` slots, each holding a part, or nothing one time in `absentOneIn` (0: always generated, but still
 * droppable while shrinking).
 */
export function optionalPartsArb<T>(partArb: fc.Arbitrary<T>, count: number, opts: { absentOneIn?: number } = {}): fc.Arbitrary<T[]> {
  return new OptionalPartsArbitrary(partArb, count, opts.absentOneIn ?? 4);
}
