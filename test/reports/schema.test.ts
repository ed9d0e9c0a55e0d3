import { describe, expect, it } from 'vitest';
import schemaJson from '../../reports/result.schema.json' with { type: 'json' };
import { validateRunResult } from '../../reports/validate.js';
import { mergeRuns } from '../../reports/merge.js';
import type { LoadSection, RunResult, ScenarioSection, StepSummary } from '../../reports/schema.js';
import { bigFixture, capacityFixture, capacitySearchFixture, conformanceFixture, fullyPopulatedFixture, fuzzFixture, loadFixture, scenarioLoadFixture } from './fixtures.js';

type Node = Record<string, unknown>;

/** Follows local $refs. */
function deref(node: Node): Node {
  let n = node;
  while (typeof n.$ref === 'string') {
    const path = (n.$ref as string).replace(/^#\//, '').split('/');
    n = path.reduce<Node>((acc, key) => acc[key] as Node, schemaJson as unknown as Node);
  }
  return n;
}

/** Lists every property path of `value` that the schema does not declare. */
function undeclared(value: unknown, schema: Node, path: string, out: string[]): void {
  const s = deref(schema);
  if (Array.isArray(value)) {
    value.forEach((v, i) => undeclared(v, s.items as Node, `${path}[${i}]`, out));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  // Free-form objects (options, profile, http) are declared as plain objects on purpose.
  if (s.properties === undefined && s.additionalProperties === undefined) return;
  for (const [key, v] of Object.entries(value)) {
    const props = (s.properties ?? {}) as Record<string, Node>;
    const sub = props[key] ?? (typeof s.additionalProperties === 'object' ? (s.additionalProperties as Node) : undefined);
    if (!sub) out.push(`${path}.${key}`);
    else undeclared(v, sub, `${path}.${key}`, out);
  }
}

describe('result.schema.json', () => {
  const fixtures = {
    conformance: conformanceFixture(),
    fuzz: fuzzFixture(),
    load: loadFixture(),
    capacity: capacityFixture(),
    capacitySearch: capacitySearchFixture(),
    fullyPopulated: fullyPopulatedFixture(),
    matrix: mergeRuns([conformanceFixture(), { ...conformanceFixture(), target: { url: 'ws://other:1/' } }]),
    mergedLoad: mergeRuns([loadFixture({ seed: 1 }), loadFixture({ seed: 2 })]),
    scenarioLoad: scenarioLoadFixture(),
    mergedScenarioLoad: mergeRuns([scenarioLoadFixture({ seed: 1, connections: 20, seconds: 4 }), scenarioLoadFixture({ seed: 2, connections: 20, seconds: 4 })]),
    big: bigFixture(20, 10),
  };

  for (const [name, result] of Object.entries(fixtures)) {
    it(`accepts the ${name} fixture, strictly (no property outside the schema)`, () => {
      expect(validateRunResult(result, { strict: true })).toEqual([]);
    });
  }

  it('declares every property of a fully populated RunResult', () => {
    const missing: string[] = [];
    undeclared(fullyPopulatedFixture(), schemaJson as unknown as Node, '$', missing);
    expect(missing).toEqual([]);
  });

  it('the fully populated fixture really sets every optional field of the top level and of a case', () => {
    const r = fullyPopulatedFixture();
    expect(Object.keys(r).sort()).toEqual(Object.keys(schemaJson.properties).sort());
    expect(Object.keys(r.cases[0]!).sort()).toEqual(Object.keys(schemaJson.$defs.caseResult.properties).sort());
    expect(Object.keys(r.load!).sort()).toEqual(Object.keys(schemaJson.$defs.loadSection.properties).sort());
    expect(Object.keys(r.load!.timeline[0]!).sort()).toEqual(Object.keys(schemaJson.$defs.timelinePoint.properties).sort());
    expect(Object.keys(r.load!.runner!).sort()).toEqual(Object.keys(schemaJson.$defs.loadSection.properties.runner.properties).sort());
    expect(Object.keys(r.capacity!.steps[0]!).sort()).toEqual(Object.keys(schemaJson.$defs.capacityStep.properties).sort());
    expect(Object.keys(r.cases[0]!.outcomes![0]!).sort()).toEqual(Object.keys(schemaJson.$defs.caseOutcome.properties).sort());
    expect(Object.keys(r.targets![0]!).sort()).toEqual(Object.keys(schemaJson.properties.targets.items.properties).sort());
    expect(Object.keys(r.fuzz!).sort()).toEqual(Object.keys(schemaJson.$defs.fuzzSection.properties).sort());
    expect(Object.keys(r.target).sort()).toEqual(Object.keys(schemaJson.properties.target.properties).sort());
    const scenario = r.load!.scenario!;
    expect(Object.keys(scenario).sort()).toEqual(Object.keys(schemaJson.$defs.scenarioSection.properties).sort());
    expect(Object.keys(scenario.roles[0]!).sort()).toEqual(Object.keys(schemaJson.$defs.scenarioSection.properties.roles.items.properties).sort());
    const stepSchema = schemaJson.$defs.stepSummary;
    for (const step of Object.values(scenario.steps)) expect(Object.keys(step).sort()).toEqual(Object.keys(stepSchema.properties).sort());
    expect([...new Set(Object.values(scenario.steps).map((st) => st.kind))].sort()).toEqual([...stepSchema.properties.kind.enum].sort());
    const pointStepKeys = new Set(r.load!.timeline.flatMap((p) => Object.values(p.steps ?? {}).flatMap((v) => Object.keys(v))));
    expect([...pointStepKeys].sort()).toEqual(Object.keys(schemaJson.$defs.timelinePoint.properties.steps.additionalProperties.properties).sort());
    const entryKeys = new Set(r.cases[0]!.transcript.flatMap((e) => Object.keys(e)));
    expect([...entryKeys].sort()).toEqual(Object.keys(schemaJson.$defs.transcriptEntry.properties).sort());
  });

  it('the fully populated fixture sets every field of the capacity search: section, knee, spread, step, window, ramp, bottleneck', () => {
    const cap = fullyPopulatedFixture().capacity!;
    const defs = schemaJson.$defs;
    const keys = (o: object): string[] => Object.keys(o).sort();
    expect(keys(cap)).toEqual(keys(defs.capacitySection.properties));
    expect(keys(cap.knee!)).toEqual(keys(defs.capacitySection.properties.knee.properties));
    expect(keys(cap.knee!.spread!)).toEqual(keys(defs.capacitySection.properties.knee.properties.spread.properties));
    const step = cap.steps[0]!;
    expect(keys(step.window!)).toEqual(keys(defs.capacityStep.properties.window.properties));
    expect(keys(step.ramp!)).toEqual(keys(defs.capacityStep.properties.ramp.properties));
    expect(keys(step.bottleneck!)).toEqual(keys(defs.bottleneck.properties));
    expect(keys(step.pingRtt!)).toEqual(keys(defs.latencyFigures.properties));
    expect(keys(step.messageRtt!)).toEqual(keys(defs.latencyFigures.properties));
    // Every value of each enum occurs, so a renamed outcome, start or limit cannot slip past the strict check.
    const seen = (f: (s: (typeof cap.steps)[number]) => string | undefined): string[] => [...new Set(cap.steps.map(f))].sort() as string[];
    expect(seen((s) => s.outcome)).toEqual([...defs.capacityStep.properties.outcome.enum].sort());
    expect(seen((s) => s.start)).toEqual([...defs.capacityStep.properties.start.enum].sort());
    expect(seen((s) => s.bottleneck?.limit)).toEqual([...defs.bottleneck.properties.limit.enum].sort());
  });

  it('checks the capacity search fields: outcome, start and limit values, closed window, two-number spread', () => {
    const edit = (f: (cap: Record<string, any>) => void): unknown => {
      const copy = structuredClone(capacitySearchFixture()) as unknown as { capacity: Record<string, any> };
      f(copy.capacity);
      return copy;
    };
    expect(validateRunResult(edit((c) => (c.steps[1].outcome = 'failed'))).join('\n')).toContain('/capacity/steps/1/outcome');
    expect(validateRunResult(edit((c) => (c.steps[1].start = 'warm'))).join('\n')).toContain('/capacity/steps/1/start');
    expect(validateRunResult(edit((c) => (c.steps[2].bottleneck.limit = 'disk'))).join('\n')).toContain('/capacity/steps/2/bottleneck/limit');
    expect(validateRunResult(edit((c) => delete c.steps[0].window.steadyEndS)).join('\n')).toContain('/capacity/steps/0/window');
    expect(validateRunResult(edit((c) => (c.steps[0].repeat = 0.5))).join('\n')).toContain('/capacity/steps/0/repeat');
    expect(validateRunResult(edit((c) => (c.knee.spread.held = [1, 2, 3]))).join('\n')).toContain('/capacity/knee/spread/held');
    expect(validateRunResult(edit((c) => delete c.knee.confirmed)).join('\n')).toContain('/capacity/knee');
    expect(validateRunResult(edit((c) => (c.timeline[0].open = 'many'))).join('\n')).toContain('/capacity/timeline/0/open');
    const extra = edit((c) => (c.steps[0].bottleneck.diskBusyPercent = 3));
    expect(validateRunResult(extra)).toEqual([]);
    expect(validateRunResult(extra, { strict: true })).toEqual([expect.stringContaining('unknown property "diskBusyPercent"')]);
  });

  it('rejects wrong types, unknown verdicts and missing fields with a path', () => {
    const r = conformanceFixture() as unknown as Record<string, unknown>;
    expect(validateRunResult({ ...r, kind: 'soak' })).toEqual([expect.stringContaining('/kind')]);
    const cases = structuredClone(r.cases) as Record<string, unknown>[];
    cases[0]!.verdict = 'maybe';
    expect(validateRunResult({ ...r, cases }).join('\n')).toContain('/cases/0/verdict');
    const { summary: _s, ...noSummary } = r;
    expect(validateRunResult(noSummary).join('\n')).toContain('summary');
    expect(validateRunResult({ ...r, startedAt: 'yesterday' }).join('\n')).toContain('/startedAt');
  });

  it('rejects a summary that does not count the cases, duplicate ids and outcomes that do not match targets', () => {
    const r = conformanceFixture();
    expect(validateRunResult({ ...r, summary: { ...r.summary, fail: r.summary.fail + 1 } })).toEqual([
      expect.stringContaining('/summary/fail'),
    ]);
    expect(validateRunResult({ ...r, cases: [...r.cases, r.cases[0]!], summary: { ...r.summary, pass: r.summary.pass + 1 } }).join('\n')).toContain('duplicate case id');
    const m = fixtures.matrix;
    expect(validateRunResult({ ...m, targets: m.targets!.slice(1) }).join('\n')).toContain('outcomes');
  });

  it('reports unknown properties only in strict mode (files from newer versions still read)', () => {
    const r = { ...conformanceFixture(), futureField: 1 };
    expect(validateRunResult(r)).toEqual([]);
    expect(validateRunResult(r, { strict: true })).toEqual([expect.stringContaining('futureField')]);
  });

  it('checks the scenario section: step kinds, counts, closed step and timeline objects', () => {
    const r = scenarioLoadFixture({ connections: 10, seconds: 2 });
    const edit = (f: (c: RunResult & { load: LoadSection & { scenario: ScenarioSection } }) => void): RunResult => {
      const copy = structuredClone(r) as RunResult & { load: LoadSection & { scenario: ScenarioSection } };
      f(copy);
      return copy;
    };
    const join = (c: { load: { scenario: ScenarioSection } }): Partial<StepSummary> => c.load.scenario.steps['request.join']!;
    const joinSecond = (c: RunResult): Record<string, unknown> => c.load!.timeline[0]!.steps!['request.join']!;
    expect(validateRunResult(edit((c) => ((join(c) as { kind: string }).kind = 'wait'))).join('\n')).toContain('/load/scenario/steps/request.join/kind');
    expect(validateRunResult(edit((c) => (join(c).timeouts = -1))).join('\n')).toContain('/load/scenario/steps/request.join/timeouts');
    expect(validateRunResult(edit((c) => delete join(c).latency)).join('\n')).toContain('latency');
    expect(validateRunResult(edit((c) => delete (c.load.scenario as Partial<ScenarioSection>).unmatched)).join('\n')).toContain('unmatched');
    expect(validateRunResult(edit((c) => (c.load.scenario.roles[0]!.connections = 1.5))).join('\n')).toContain('/load/scenario/roles/0/connections');
    expect(validateRunResult(edit((c) => delete joinSecond(c).matched)).join('\n')).toContain('/load/timeline/0/steps/request.join');
    const extra = edit((c) => (joinSecond(c).p50 = 1));
    expect(validateRunResult(extra)).toEqual([]);
    expect(validateRunResult(extra, { strict: true })).toEqual([expect.stringContaining('unknown property "p50"')]);
    const sendP99 = edit((c) => ((c.load.scenario.steps['send.hello'] as unknown as Record<string, unknown>).p99 = 1));
    expect(validateRunResult(sendP99, { strict: true })).toEqual([expect.stringContaining('unknown property "p99"')]);
  });
});
