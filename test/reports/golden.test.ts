import { describe, it } from 'vitest';
import { writeJson } from '../../reports/json.js';
import { renderHtml } from '../../reports/html.js';
import { renderJunit } from '../../reports/junit.js';
import { renderText } from '../../reports/text.js';
import { compareRuns, renderComparisonText } from '../../reports/compare.js';
import { mergeRuns } from '../../reports/merge.js';
import { expectGolden } from './golden.js';
import { capacityFixture, capacitySearchFixture, conformanceFixture, findingsFixture, fuzzFixture, loadFixture, scenarioLoadFixture, withSummary } from './fixtures.js';

describe('golden outputs', () => {
  const conf = conformanceFixture();
  const fuzz = fuzzFixture();
  const load = loadFixture();
  const scenario = scenarioLoadFixture();
  const cap = capacityFixture();
  const search = capacitySearchFixture();
  const died = findingsFixture();
  const matrix = mergeRuns([conf, { ...conformanceFixture(), target: { url: 'ws://127.0.0.1:9002/' }, cases: conf.cases.map((c) => (c.verdict === 'fail' ? { ...c, verdict: 'pass' as const } : c)), summary: { ...conf.summary, pass: conf.summary.pass + conf.summary.fail, fail: 0 } }]);

  it('json', () => {
    expectGolden('conformance.json', writeJson(conf));
    expectGolden('load.json', writeJson(load));
    expectGolden('load-scenario.json', writeJson(scenario));
    expectGolden('findings.json', writeJson(died));
  });
  it('html', () => {
    expectGolden('conformance.html', renderHtml(conf));
    expectGolden('fuzz.html', renderHtml(fuzz));
    expectGolden('load.html', renderHtml(load));
    expectGolden('load-scenario.html', renderHtml(scenario));
    expectGolden('capacity.html', renderHtml(cap));
    expectGolden('capacity-search.html', renderHtml(search));
    expectGolden('matrix.html', renderHtml(matrix));
    expectGolden('findings.html', renderHtml(died));
  });
  it('junit', () => {
    expectGolden('conformance.junit.xml', renderJunit(conf));
    expectGolden('conformance-non-strict.junit.xml', renderJunit(conf, { failOn: 'non-strict' }));
    expectGolden('fuzz.junit.xml', renderJunit(fuzz));
    expectGolden('load.junit.xml', renderJunit(load));
    expectGolden('matrix.junit.xml', renderJunit(matrix));
    expectGolden('findings.junit.xml', renderJunit(died));
  });
  it('text', () => {
    expectGolden('conformance.txt', renderText(conf, { color: false, transcriptLines: 5 }));
    expectGolden('conformance.color.txt', renderText(conf, { color: true }));
    expectGolden('fuzz.txt', renderText(fuzz, { color: false }));
    expectGolden('load.txt', renderText(load, { color: false }));
    expectGolden('load-scenario.txt', renderText(scenario, { color: false }));
    expectGolden('capacity.txt', renderText(cap, { color: false }));
    expectGolden('capacity-search.txt', renderText(search, { color: false }));
    expectGolden('matrix.txt', renderText(matrix, { color: false }));
    expectGolden('findings.txt', renderText(died, { color: false }));
  });
  it('compare', () => {
    expectGolden('compare.txt', renderComparisonText(compareRuns(matrix, conf)));
    expectGolden('compare-load.txt', renderComparisonText(compareRuns(load, loadFixture({ seed: 9 }))));
    // pass -> not-run and fail -> not-run: neither a regression nor an improvement.
    const unrun = new Set(['framing.opcode.reserved-3', 'control.ping.payload-126']);
    const next = withSummary({ ...conf, cases: conf.cases.map((c) => (unrun.has(c.id) ? { ...c, verdict: 'not-run' as const, reasonCode: 'target-died' } : c)) });
    expectGolden('compare-not-run.txt', renderComparisonText(compareRuns(conf, next)));
  });
});
