// A report from a real run: the conformance runner against a deliberately broken server, rendered and opened in
// Chromium. The failing cases come first, the counts match the result, and a failing case expands to its
// transcript. The screenshot of this page is the README's (UPDATE_SCREENSHOT=1 copies it to docs/report.png).
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { renderHtml } from '../../reports/html.js';
import { validateRunResult } from '../../reports/validate.js';
import { VERDICT_SEVERITY, type RunResult } from '../../reports/schema.js';
import { runConformance } from '../../runners/conformance/run.js';
import { filterCases } from '../../runners/conformance/filter.js';
import { CATALOGUE } from '../../suites/conformance/index.js';
import { startBrokenServer, type RunningBrokenServer } from '../fixtures/broken-servers/index.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = resolve('test-output');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe.skipIf(!existsSync(CHROMIUM))('a report from a real run against a broken server', () => {
  let browser: Browser;
  let server: RunningBrokenServer;
  let result: RunResult;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    // One rule broken: pongs carry a wrong payload (RFC 6455 §5.5.3). The control and fragmentation areas hold
    // the cases meant to catch it, among many that must still pass.
    server = await startBrokenServer('wrong-pong-payload');
    const { cases } = filterCases(CATALOGUE, { include: ['control.*', 'fragmentation.*', 'framing.text.*'] });
    result = await runConformance({ url: new URL(server.url), cases, concurrency: 8, seed: 7, toolVersion: 'test' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists the failing cases first, with counts equal to the result, and expands one to its transcript', async () => {
    expect(validateRunResult(result)).toEqual([]);
    expect(result.summary.fail).toBeGreaterThan(0);
    expect(result.summary.pass).toBeGreaterThan(0);

    const file = join(OUT, 'report-real-run.html');
    writeFileSync(file, renderHtml(result));
    const context = await browser.newContext({ viewport: { width: 1200, height: 1250 }, offline: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('html[data-ready="true"]', { state: 'attached', timeout: 30_000 });

    expect(await page.textContent('.counts .count[data-verdict="fail"]')).toBe(String(result.summary.fail));
    expect(await page.locator('tr.case').count()).toBe(result.cases.length);

    // Within each area the rows are ordered worst verdict first; the page's first row is a failure.
    const rows = await page.locator('tr.case').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-verdict') ?? ''));
    expect(rows[0]).toBe('fail');
    const severities = rows.map((v) => VERDICT_SEVERITY[v as keyof typeof VERDICT_SEVERITY]);
    const firstPass = severities.indexOf(0);
    expect(severities.slice(0, firstPass).every((s) => s > 0)).toBe(true);

    const failing = result.cases.find((c) => c.verdict === 'fail')!;
    await page.click(`tr.case[data-id="${failing.id}"]`);
    const detail = page.locator('tr.detail table.transcript');
    await expect.poll(() => detail.count(), { timeout: 5000 }).toBeGreaterThan(0);
    expect(await page.locator('tr.detail').first().textContent()).toContain('PING');
    await page.screenshot({ path: join(OUT, 'report-real-run.png') });
    if (process.env.UPDATE_SCREENSHOT) copyFileSync(join(OUT, 'report-real-run.png'), resolve('docs', 'report.png'));
    expect(problems).toEqual([]);
  });
});
