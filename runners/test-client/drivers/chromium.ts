// The browser as the client under test: headless Chromium (Debian's /usr/bin/chromium or --chromium PATH) driven
// by playwright-core opens the run's own page (/client.html?agent=A, drivers/page.ts), whose script runs every case
// with the browser's WebSocket and POSTs each close event back to /report. playwright-core is a development
// dependency of wsprobe: it is loaded only here, with a one-line error when it is missing. The browser is closed
// through the object playwright returned, never by name, when the page is done, at the run's end or on Ctrl-C.
import { existsSync } from 'node:fs';
import { DriverSetupError, type Driver } from './types.js';

/** Where Chromium usually is on Linux; the first that exists is used. */
export const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The browser to launch: the given path, else the first of CHROMIUM_PATHS that exists. */
export function findChromium(given: string | undefined, exists: (p: string) => boolean = existsSync): string | null {
  if (given !== undefined) return exists(given) ? given : null;
  return CHROMIUM_PATHS.find((p) => exists(p)) ?? null;
}

type Playwright = typeof import('playwright-core');

export function chromiumDriver(opts: { executablePath?: string } = {}): Driver {
  let playwright: Playwright | undefined;
  let executablePath = '';
  return {
    name: 'chromium',
    async prepare() {
      try {
        playwright = await import('playwright-core');
      } catch {
        throw new DriverSetupError('the chromium driver needs playwright-core (npm install playwright-core)');
      }
      const found = findChromium(opts.executablePath);
      if (found === null) {
        throw new DriverSetupError(
          opts.executablePath !== undefined ? `no browser at --chromium ${opts.executablePath}` : `no Chromium found (looked in ${CHROMIUM_PATHS.join(', ')}; apt-get install chromium, or --chromium PATH)`,
        );
      }
      executablePath = found;
    },
    async run(ctx) {
      const browser = await playwright!.chromium.launch({ executablePath, args: [...ARGS, ...(ctx.secure ? ['--ignore-certificate-errors'] : [])] });
      const onAbort = (): void => void browser.close().catch(() => undefined);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      try {
        const page = await browser.newPage();
        await page.goto(`${ctx.httpBase}/client.html?agent=${encodeURIComponent(ctx.agent)}`);
        // The page sets wsprobeDone after its last report; the run's own timeout aborts (and closes) sooner.
        await page.waitForFunction(() => (globalThis as { wsprobeDone?: boolean }).wsprobeDone === true, undefined, { timeout: 0, polling: 200 });
      } catch (err) {
        if (!ctx.signal.aborted) throw err;
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
        await browser.close().catch(() => undefined);
      }
    },
  };
}
