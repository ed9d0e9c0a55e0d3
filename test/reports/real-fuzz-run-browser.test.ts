// A report from a real fuzz run: the fuzz runner against a deliberately broken server (reserved opcodes accepted,
// RFC 6455 §5.2), rendered and opened in Chromium offline. The counts match the result, and each failing suite
// expands to its seed, its path, the readable shrunk counterexample and the replay command; the JUnit file of the
// same result carries the replay command of every failure.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { renderHtml } from '../../reports/html.js';
import { renderJunit } from '../../reports/junit.js';
import { escapeXml } from '../../reports/escape.js';
import { validateRunResult } from '../../reports/validate.js';
import type { RunResult } from '../../reports/schema.js';
import { TcpFuzzTarget } from '../../peers/fuzz/tcp-target.js';
import { runFuzz } from '../../runners/fuzz/run-fuzz.js';
import { startBrokenServer, type RunningBrokenServer } from '../fixtures/broken-servers/index.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = resolve('test-output');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe.skipIf(!existsSync(CHROMIUM))('a report from a real fuzz run against a broken server', () => {
  let browser: Browser;
  let server: RunningBrokenServer;
  let result: RunResult;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    server = await startBrokenServer('accepts-reserved-opcodes');
    // framing and the model catch the fault; control must hold (the server answers pings correctly).
    const run = await runFuzz({
      target: new TcpFuzzTarget(server.url, { timeoutMs: 1000, closeTimeoutMs: 600 }),
      targetUrl: server.url,
      embedded: false,
      suites: ['framing', 'control', 'model'],
      runs: 60,
      seed: 5,
      concurrency: 8,
      timeLimitMs: 30_000,
      toolVersion: 'test',
      replayCommand: (s, t) => `wsprobe fuzz ${server.url} --suite ${s} --replay ${t}`,
    });
    result = run.result;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the counts of the result and, for each failing suite, seed, path, counterexample and replay command', async () => {
    expect(validateRunResult(result)).toEqual([]);
    const failing = result.cases.filter((c) => c.verdict === 'fail');
    expect(failing.map((c) => c.id).sort()).toEqual(['fuzz.framing', 'fuzz.model']);
    expect(result.cases.find((c) => c.id === 'fuzz.control')?.verdict).toBe('pass');

    const file = join(OUT, 'report-real-fuzz-run.html');
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

    for (const v of ['pass', 'fail', 'error'] as const) {
      expect(await page.textContent(`.counts .count[data-verdict="${v}"]`)).toBe(String(result.summary[v]));
    }
    expect(await page.textContent('.counts .count[data-verdict="total"]')).toBe(String(result.cases.length));
    expect(await page.locator('tr.case').count()).toBe(result.cases.length);
    // The fuzz section: the run's seed and suites.
    const section = (await page.locator('section#fuzz').textContent()) ?? '';
    expect(section).toContain(String(result.fuzz!.seed));
    expect(section).toContain('framing, control, model');

    for (const c of failing) {
      await page.click(`tr.case[data-id="${c.id}"]`);
      const detail = page.locator(`tr.case[data-id="${c.id}"] + tr.detail`);
      await expect.poll(() => detail.count(), { timeout: 5000 }).toBe(1);
      const dd = async (term: string) => (await detail.locator(`dt:text-is("${term}") + dd`).first().textContent()) ?? '';
      expect(await dd('Seed')).toBe(String(c.seed));
      expect(await dd('Path')).toBe(c.path);
      expect(await dd('Runs')).toBe(String(c.numRuns));
      // The counterexample reads line by line as the runner described it (frames or model steps).
      const pre = (await detail.locator('h4:text-is("Shrunk counterexample") + pre').textContent()) ?? '';
      expect(pre.split('\n')).toEqual(c.counterexample);
      expect(pre).toMatch(c.id === 'fuzz.model' ? /^1\. bad-frame\(OP/ : /> OP[3-7BCDEF]/);
      const replay = (await detail.locator('h4:text-is("Replay") + pre').textContent()) ?? '';
      expect(replay).toBe(c.replay);
      expect(replay).toMatch(c.id === 'fuzz.model' ? /--replay -?\d+:[\d:]+@[A-Za-z0-9+/]*:[A-Za-z0-9+/]*$/ : /--replay -?\d+:[\d:]+$/);
    }
    await page.screenshot({ path: join(OUT, 'report-real-fuzz-run.png') });
    expect(problems).toEqual([]);
  });

  it('writes the replay command of every failure into the JUnit report', () => {
    const xml = renderJunit(result);
    expect(xml).toMatch(new RegExp(`<testsuites [^>]*tests="${result.cases.length}" failures="${result.summary.fail}" errors="${result.summary.error}"`));
    for (const c of result.cases.filter((x) => x.verdict === 'fail')) {
      expect(xml).toContain(`replay: ${escapeXml(c.replay!)}`);
      expect(xml).toContain(`seed: ${c.seed}  path: ${c.path}`);
      expect(xml).toContain(escapeXml(c.counterexample![0]!));
    }
  });
});
