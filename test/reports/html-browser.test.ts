// The HTML report in a real browser (Debian's chromium, driven by playwright-core): offline, consistent with the
// JSON, filterable, searchable, expandable, fast at 600 cases with 5,000-frame transcripts, charts for load.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderHtml } from '../../reports/html.js';
import { mergeRuns } from '../../reports/merge.js';
import { VERDICTS, type RunResult } from '../../reports/schema.js';
import { bigFixture, capacityFixture, capacitySearchFixture, conformanceFixture, findingsFixture, fuzzFixture, loadFixture, realisticFixture, scenarioLoadFixture } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = resolve('test-output');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

if (!existsSync(CHROMIUM)) {
  console.warn(`html-browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`);
}

describe.skipIf(!existsSync(CHROMIUM))('HTML report in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  interface Opened {
    page: Page;
    problems: string[];
    requests: string[];
    loadMs: number;
  }

  /** Writes the report to test-output/ and opens it offline, recording console errors and every request. */
  async function open(name: string, results: RunResult | RunResult[], viewport = { width: 1280, height: 900 }): Promise<Opened> {
    const file = join(OUT, name);
    writeFileSync(file, renderHtml(results));
    const url = pathToFileURL(file).href;
    const context = await browser.newContext({ viewport, offline: true });
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    const start = performance.now();
    await page.goto(url);
    await page.waitForSelector('html[data-ready="true"]', { state: 'attached', timeout: 30_000 });
    return { page, problems, requests, loadMs: performance.now() - start };
  }

  it('shows the JSON counts, filters, searches and expands a failing case, offline and without errors', async () => {
    const result = conformanceFixture();
    const { page, problems, requests } = await open('report.html', result);

    for (const v of VERDICTS) {
      expect(await page.textContent(`.counts .count[data-verdict="${v}"]`), v).toBe(String(result.summary[v]));
    }
    expect(await page.locator('tr.case').count()).toBe(result.cases.length);
    // Failing first: the first row is the worst verdict in the run.
    expect(await page.locator('tr.case').first().getAttribute('data-verdict')).toBe('error');

    await page.uncheck('input[name=verdict][value=pass]');
    expect(await page.locator('tr.case[data-verdict=pass]').count()).toBe(0);
    expect(await page.locator('tr.case').count()).toBe(result.cases.length - result.summary.pass);
    await page.check('input[name=verdict][value=pass]');

    await page.fill('#search', 'control.ping');
    await expect.poll(() => page.locator('tr.case').count(), { timeout: 5000 }).toBe(1);
    expect(await page.getAttribute('tr.case', 'data-id')).toBe('control.ping.payload-126');
    await page.fill('#search', '');
    await expect.poll(() => page.locator('tr.case').count(), { timeout: 5000 }).toBe(result.cases.length);

    await page.click('tr.case[data-id="framing.rsv.rsv1-set"]');
    const detail = page.locator('tr.detail');
    await detail.waitFor({ timeout: 5000 });
    const failing = result.cases.find((c) => c.id === 'framing.rsv.rsv1-set')!;
    expect(await detail.locator('table.transcript tbody tr').count()).toBe(failing.transcript.length);
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain('CLOSE');
    expect(text).toContain('code 1002');
    expect(text).toContain('</script><!--'); // hostile text shown as text, not markup
    expect(text).toContain('§5.2');
    expect(await page.getAttribute('tr.case[data-id="framing.rsv.rsv1-set"] button.toggle', 'aria-expanded')).toBe('true');
    await page.screenshot({ path: join(OUT, 'report.png'), fullPage: true });

    await page.click('tr.case[data-id="control.ping.payload-126"]');
    expect(await page.locator('tr.gap').allTextContents()).toContain('1,234 more entries omitted by the runner');

    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('renders 600 cases with 5,000-frame transcripts quickly and shows how many entries it left out', async () => {
    const { page, problems, loadMs } = await open('report-big.html', bigFixture(600, 5000));
    expect(await page.locator('tr.case').count()).toBe(600);
    console.info(`600-case report: ${Math.round(loadMs)} ms to load and render`);
    expect(loadMs).toBeLessThan(15_000);
    const start = performance.now();
    await page.locator('tr.case').first().click();
    await page.locator('tr.detail table.transcript').waitFor({ timeout: 5000 });
    expect(performance.now() - start).toBeLessThan(5000);
    // 120,000 entries for 600 cases: 200 kept per case, the gap says how many are not shown.
    expect(await page.locator('tr.gap').first().textContent()).toBe('4,800 more entries omitted');
    expect(await page.locator('tr.detail table.transcript tbody tr').count()).toBe(201);
    expect(await page.locator('tr.detail table.transcript tbody tr:last-child td:first-child').textContent()).toBe('5000');
    const start2 = performance.now();
    await page.uncheck('input[name=verdict][value=pass]');
    expect(performance.now() - start2).toBeLessThan(5000);
    expect(problems).toEqual([]);
  });

  it('renders the load section with SVG charts and thresholds', async () => {
    const result = loadFixture();
    const { page, problems, requests } = await open('report-load.html', result);
    expect(await page.locator('#load svg').count()).toBeGreaterThanOrEqual(6);
    expect(await page.locator('#load svg path.series').count()).toBeGreaterThan(6);
    expect(await page.locator('tr.threshold').count()).toBe(result.load!.thresholds.length);
    expect(await page.locator('tr.threshold[data-ok="false"]').count()).toBe(result.load!.thresholds.filter((t) => !t.ok).length);
    expect(await page.locator('#cases').count()).toBe(0);
    await page.screenshot({ path: join(OUT, 'report-load.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('renders a scenario run: the loud line first, the step table, per-step p99 and matches charts, roles', async () => {
    const result = scenarioLoadFixture();
    const s = result.load!.scenario!;
    const { page, problems, requests } = await open('report-load-scenario.html', result);
    // The step nothing answered is the first thing the load section says, in the failure colour.
    const first = page.locator('#load > h2 + *');
    expect(await first.textContent()).toBe('request join: none of the 1,600 requests got a reply');
    expect(await first.evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).color)).toBe('rgb(207, 34, 46)');
    expect(await page.locator('p.step-timeouts').allTextContents()).toEqual(['request history: 12 of 900 timed out']);
    expect(await page.locator('tr.scenario-step').count()).toBe(Object.keys(s.steps).length);
    expect(await page.locator('tr.scenario-step[data-loud="true"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')))).toEqual(['request.join']);
    // One line per step that recorded latency; one per step that can match (not the send).
    const chart = (title: string) => page.locator('#load figure.chart', { has: page.locator(`figcaption:text-is("${title}")`) });
    const latencySteps = Object.entries(s.steps).filter(([, st]) => st.latency.count > 0).map(([k]) => k);
    expect(await chart('Step latency p99 over time').locator('path.series').count()).toBe(latencySteps.length);
    expect(await chart('Step latency p99 over time').locator('text.legend').allTextContents()).toEqual(latencySteps);
    expect(await chart('Step matches per second').locator('path.series').count()).toBe(Object.values(s.steps).filter((st) => st.kind !== 'send').length);
    const box = await chart('Step latency p99 over time').locator('svg').boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    expect(await page.locator('tr.scenario-role').allTextContents()).toEqual(['publisher100', 'subscriber900']);
    expect(await page.textContent('li[data-figure="unexpected"]')).toContain('on 7 connections');
    await page.screenshot({ path: join(OUT, 'report-load-scenario.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('renders the capacity curve and steps', async () => {
    const result = capacityFixture();
    const { page, problems } = await open('report-capacity.html', result);
    expect(await page.locator('#capacity svg').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#capacity svg path.cross').count()).toBeGreaterThan(0);
    expect(await page.locator('tr.step').count()).toBe(result.capacity!.steps.length);
    expect(problems).toEqual([]);
  });

  it('renders the capacity search: flags first, points by outcome, SLO lines, the knee marker, runner-limited rows, steady windows', async () => {
    const result = capacitySearchFixture();
    const cap = result.capacity!;
    const { page, problems, requests } = await open('report-capacity-search.html', result);
    const chart = (caption: string) => page.locator('#capacity figure.chart', { has: page.locator('figcaption', { hasText: caption }) });
    const count = (outcome: string) => cap.steps.filter((s) => s.outcome === outcome).length;

    // What a planner must know comes first, then the answer and the knee's spread.
    expect(await page.getAttribute('#capacity > h2 + *', 'class')).toContain('capacity-flags');
    expect(await page.locator('#capacity li.warning').allTextContents()).toEqual(cap.flags);
    expect(await page.textContent('.capacity-answer')).toBe('max connections within SLO: 725 (unconfirmed: 3/3 held at 725, 2/3 breached at 750 (1 runner-limited))');
    expect(await page.textContent('.capacity-spread')).toContain('3 runs at 725: p99 4.30-4.80 ms; 3 runs at 750: p99 14.2-21.0 ms');

    // The curve: every run is a point for each of p50, p90 and p99 (repeats too), shaped and coloured by outcome.
    const curve = chart('percentiles over each steady window');
    expect(await curve.locator('.pt').count()).toBe(cap.steps.length * 3);
    expect(await curve.locator('circle.pt-held').count()).toBe(count('held') * 3);
    expect(await curve.locator('path.pt-breached').count()).toBe(count('breached') * 3);
    expect(await curve.locator('rect.pt-runner-limited').count()).toBe(count('runner-limited') * 3);
    expect(await curve.locator('path.series').count()).toBe(3);
    // The SLO line sits at 10 ms on the y axis, and the knee marker at the x of the runs at 725.
    expect(await curve.locator('text.hline-label').allTextContents()).toEqual(['SLO ping_rtt.p99<10ms']);
    const tickY = Number(await curve.locator('text.tick', { hasText: /^10$/ }).getAttribute('y'));
    expect(Number(await curve.locator('line.hline').getAttribute('y1'))).toBeCloseTo(tickY - 4, 0);
    expect(await curve.locator('text', { hasText: 'capacity 725 (unconfirmed)' }).count()).toBe(1);
    const markerX = Number(await curve.locator('line.marker').getAttribute('x1'));
    const at725 = curve.locator('circle.pt-held', { has: page.locator('title', { hasText: 'p99: 725 →' }) });
    expect(await at725.count()).toBe(3);
    expect(Number(await at725.first().getAttribute('cx'))).toBeCloseTo(markerX, 0);

    const errors = chart('Error rate over each steady window');
    expect(await errors.locator('.pt').count()).toBe(cap.steps.length);
    expect(await errors.locator('text.hline-label').allTextContents()).toEqual(['SLO errors.rate<0.1%']);

    // The steps, in run order; the runner-limited one says so and never reads as breached.
    expect(await page.locator('#capacity tr.step').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-connections'))))).toEqual(cap.steps.map((s) => s.connections));
    const limited = page.locator('#capacity tr.step[data-outcome="runner-limited"]');
    expect(await limited.count()).toBe(1);
    const limitedText = (await limited.textContent()) ?? '';
    expect(limitedText).toContain('RUNNER-LIMITED');
    expect(limitedText).toContain('runner CPU 97%');
    expect(limitedText).toContain('the runner was the limit');
    expect(limitedText).not.toMatch(/breach/i);
    expect(await page.locator('#capacity tr.step[data-outcome="breached"] .v-fail').count()).toBe(count('breached'));

    // Each steady window shaded on the timeline, so a reader sees what was measured and what was ramp or warm-up.
    for (const caption of ['Open connections', 'p99 per second']) expect(await chart(caption).locator('rect.band').count()).toBe(cap.steps.length);
    const box = await chart('Open connections').locator('svg').boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    await page.locator('#capacity').screenshot({ path: join(OUT, 'report-capacity-search.png') });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('shows seed, path, counterexample and replay command of a fuzz case', async () => {
    const result = fuzzFixture();
    const { page, problems } = await open('report-fuzz.html', result);
    await page.click('tr.case[data-verdict=fail]');
    const text = (await page.locator('tr.detail').textContent()) ?? '';
    expect(text).toContain(String(result.cases[0]!.seed));
    expect(text).toContain(result.cases[0]!.path!);
    expect(text).toContain(result.cases[0]!.replay!);
    expect(text).toContain('Shrunk counterexample');
    expect(problems).toEqual([]);
  });

  it('shows one column per target for several result files', async () => {
    const a = conformanceFixture();
    const b = { ...conformanceFixture(), target: { url: 'ws://127.0.0.1:9002/' } };
    const { page, problems } = await open('report-matrix.html', [a, b]);
    expect(await page.locator('#cases thead th').allTextContents()).toEqual(['Case', '127.0.0.1:9001', '127.0.0.1:9002', 'Duration']);
    expect(await page.locator('tr.case').first().locator('td.verdict').count()).toBe(2);
    expect(await page.locator('table.per-target tbody tr').count()).toBe(2);
    expect(mergeRuns([a, b]).cases.length).toBe(await page.locator('tr.case').count());
    expect(problems).toEqual([]);
  });

  it('shows findings first, counts not-run apart, filters it, and opens a case a finding names', async () => {
    const { page, problems } = await open('report-findings.html', findingsFixture());
    // Findings are the first section, the run-level one on top, then the group of three.
    expect(await page.$$eval('main > section', (s) => s.map((x) => x.id))).toEqual(['findings', 'cases']);
    const findings = await page.locator('li.finding').allTextContents();
    expect(findings).toHaveLength(3);
    expect(findings[0]).toMatch(/^FAIL the target died during case handshake\.head\.16k/);
    expect(findings[1]).toMatch(/3 cases fail for one reason: RFC 6455 §4\.2\.2: .*status 400/);

    expect(await page.textContent('.counts .count[data-verdict="not-run"]')).toBe('3');
    expect(await page.locator('tr.case[data-verdict="not-run"]').count()).toBe(3);
    await page.uncheck('input[name=verdict][value="not-run"]');
    expect(await page.locator('tr.case[data-verdict="not-run"]').count()).toBe(0);
    expect(await page.locator('tr.case').count()).toBe(6);

    // A case link in a finding: the table shows that case alone, expanded, whatever the filter was.
    await page.click('li.finding a[data-case="framing.text.empty"]');
    expect(await page.$$eval('tr.case', (r) => r.map((x) => x.getAttribute('data-id')))).toEqual(['framing.text.empty']);
    expect(await page.textContent('tr.detail')).toMatch(/NOT RUN\s*target-died/);
    expect(problems).toEqual([]);
  });

  it('writes a realistic screenshot for the README', async () => {
    const { page, problems } = await open('report-readme.html', realisticFixture(), { width: 1200, height: 1250 });
    await page.click('tr.case[data-id="control.ping.payload-126"]');
    await page.screenshot({ path: join(OUT, 'report-readme.png') });
    expect(problems).toEqual([]);
  });
});
