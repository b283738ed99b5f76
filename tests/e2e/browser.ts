/** Starts `hugetune serve` as a user would and drives Debian's Chromium against it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { CLI } from '../helpers';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Served {
  url: string;
  port: number;
  token: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function serve(...args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`hugetune serve exited with ${code}: ${stderr}`)));
  });
  const info = JSON.parse(line) as { url: string; port: number; token: string };
  return {
    ...info,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Chromium keeps only the last `--disable-features` switch and Playwright passes one of its own first, so
 * this repeats Playwright's list (playwright-core's `chromiumSwitches`) and adds WebUIOmniboxFullPopup:
 * headless Chromium 156 loads the WebUI omnibox popup (a renderer and some 130 chrome:// requests) in every
 * new window, so in every new context, and on a 2-core machine that took CPU from the page under test.
 */
const DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'WebUIOmniboxFullPopup',
];

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--disable-features=${DISABLED_FEATURES.join(',')}`,
    ],
  });
}

/**
 * Opens the printed URL in a fresh context and records every console error, page error and CSP violation,
 * optionally switching to a view (`tab`).
 */
export async function openApp(
  browser: Browser,
  server: Served,
  tab?: string,
  opts: { context?: BrowserContextOptions; initScript?: string } = {},
): Promise<{ page: Page; problems: string[] }> {
  const page = await (await browser.newContext(opts.context)).newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  if (opts.initScript) await page.addInitScript(opts.initScript);
  await page.goto(server.url);
  await appMounted(page);
  if (tab) await page.getByTestId(`tab-${tab}`).click();
  return { page, problems };
}

/**
 * Until the app has mounted over the server's first screen (whose markup carries Svelte's server markers,
 * `<!--[-->`, which a client mount never writes). What a person does on the first screen is done again on
 * the app's (tests/e2e/first-screen.test.ts holds that); a test waits so that Playwright, which finds an
 * element and then acts on it in two steps, never acts on one the mount has just replaced.
 */
export async function appMounted(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const app = document.getElementById('app');
    return app !== null && app.innerHTML !== '' && !app.innerHTML.includes('<!--[-->');
  });
}

/** Drops a file on an element, as a person dragging it from the file manager would; `name` is what the page sees. */
export async function dropFile(page: Page, testid: string, path: string, name: string): Promise<void> {
  const transfer = await page.evaluateHandle(
    ({ b64, name }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name));
      return dt;
    },
    { b64: readFileSync(path).toString('base64'), name },
  );
  await page.getByTestId(testid).dispatchEvent('drop', { dataTransfer: transfer });
}
