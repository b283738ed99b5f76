/**
 * The first screen: the server renders it (app.firstScreen) and the page shows it before the app's script
 * has mounted; the app then mounts over it with the same data, and what is on screen stays the same.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureSnapshot } from '../../electron/host/snapshot-io';
import { fixtureFiles, VM_TUNED } from '../helpers';
import { launch, openApp, serve, type Served } from './browser';

/**
 * Records, in the page, #app as it is the first time it gets content, and the theme at that moment. The
 * server's rendering carries Svelte's server markers (`<!--[-->`), which a client mount never writes.
 */
const RECORD_FIRST = `(() => {
  const seen = new MutationObserver(() => {
    const app = document.getElementById('app');
    if (!app || !app.firstChild || window.__first) return;
    window.__first = { html: app.innerHTML, theme: document.documentElement.dataset.theme ?? null };
    seen.disconnect();
  });
  // From the start: the boot script is async and may show the screen before DOMContentLoaded.
  seen.observe(document, { childList: true, subtree: true });
})();`;

/** The DOM as a person sees it: elements, attributes (in order of name) and text; no comments. */
function canonical(page: Page, html?: string): Promise<string> {
  return page.evaluate((given) => {
    const canon = (n: Node): string => {
      if (n.nodeType === Node.TEXT_NODE) return (n as Text).data.replace(/\s+/g, ' ');
      if (n.nodeType !== Node.ELEMENT_NODE) return '';
      const e = n as Element;
      // A server-rendered <option selected> is the attribute; a mounted select sets the property instead.
      const attrs = [...e.attributes]
        .filter((a) => a.name !== 'selected')
        .map((a) => `${a.name}="${a.value}"`)
        .sort()
        .join(' ');
      return `<${e.localName} ${attrs}>${[...e.childNodes].map(canon).join('')}</${e.localName}>`;
    };
    const root = document.createElement('div');
    if (given === undefined)
      root.append(...[...document.getElementById('app')!.childNodes].map((c) => c.cloneNode(true)));
    else root.innerHTML = given;
    return [...root.childNodes].map(canon).join('');
  }, html);
}

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(() => browser?.close());

/**
 * A page in a new context whose script named by `asset` is held back until `release`; page errors and console
 * errors are collected in `problems`.
 */
async function holding(asset: RegExp) {
  const context = await browser.newContext();
  let release: () => void = () => {};
  const held = new Promise<void>((ok) => (release = ok));
  await context.route(asset, async (route) => {
    await held;
    await route.continue();
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  return { context, page, problems, release };
}

/**
 * A page on `server` whose app script is held back, so the server's screen stays up, unwired, until
 * `release` lets the script load.
 */
async function heldBack(server: Served) {
  const held = await holding(/\/assets\/main-[^/]*\.js$/);
  await held.page.goto(server.url);
  await expect
    .poll(() => held.page.evaluate(() => document.getElementById('app')!.innerHTML.includes('<!--[-->')))
    .toBe(true);
  return held;
}

describe('the first screen', () => {
  // A fixture root, whose counters never move, and a simulated machine, whose counters do.
  let root: Served;
  let sim: Served;
  beforeAll(async () => {
    [root, sim] = await Promise.all([serve('--root', VM_TUNED), serve('--sim', 'strix-halo-128g')]);
  });
  afterAll(async () => {
    await Promise.all([root?.stop(), sim?.stop()]);
  });

  for (const which of ['fixture root', 'simulated machine'] as const) {
    it(`is the server's rendering first, then the app's own, and the two are the same (${which})`, async () => {
      const server = which === 'fixture root' ? root : sim;
      const { page, problems } = await openApp(browser, server, undefined, { initScript: RECORD_FIRST });
      // Once the app has mounted, #app has content and no server marker is left in it.
      await expect
        .poll(() =>
          page.evaluate(() => {
            const html = document.getElementById('app')!.innerHTML;
            return html !== '' && !html.includes('<!--[-->');
          }),
        )
        .toBe(true);
      const first = await page.evaluate(() => (window as unknown as { __first?: { html: string } }).__first);
      expect(first, 'nothing was shown before the app mounted').toBeDefined();
      expect(first!.html.startsWith('<!--[-->'), 'the first content was not the server-rendered screen').toBe(true);
      expect(first!.html).toContain('data-testid="card-memory"');
      const shown = await canonical(page, first!.html);
      // The simulated machine's counters move, and the live samples show it: there, digits are left aside.
      const figures = (dom: string): string => (which === 'fixture root' ? dom : dom.replace(/\d/g, '#'));
      await expect.poll(async () => figures(await canonical(page))).toBe(figures(shown));
      expect(problems).toEqual([]);
      await page.context().close();
    });
  }

  it('is painted in the theme the page starts in (dark here), not the other one first', async () => {
    const { page, problems } = await openApp(browser, sim, undefined, {
      context: { colorScheme: 'dark' },
      initScript: RECORD_FIRST,
    });
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __first?: { theme: string } }).__first?.theme))
      .toBe('dark');
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('keeps what is done on it before the app has mounted, and does it once the app is there', async () => {
    const { context, page, problems, release } = await heldBack(sim);
    // A sidebar pick, a theme, and the snapshot dialog, all on the server's screen.
    await page.getByTestId('tab-pools').click();
    await page.getByTestId('theme').selectOption('dark');
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('source-menu').click();
    await page.getByRole('button', { name: 'Open snapshot…' }).click();
    expect(await page.evaluate(() => localStorage.getItem('hugetune.theme'))).toBeNull();
    release();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Pools');
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    expect(await page.evaluate(() => localStorage.getItem('hugetune.theme'))).toBe('dark');
    expect(await page.getByTestId('theme').inputValue()).toBe('dark');
    // The replayed click still counts as the person's: the file dialog opens.
    await chooser;
    expect(problems).toEqual([]);
    await context.close();
  });
  it('keeps a snapshot picked before the app has mounted, and opens it once the app is there', async () => {
    const { context, page, problems, release } = await heldBack(root);
    const snap = JSON.stringify(captureSnapshot(fixtureFiles(VM_TUNED), true));
    await page
      .getByTestId('snapshot-input')
      .setInputFiles({ name: 'early.json', mimeType: 'application/json', buffer: Buffer.from(snap) });
    release();
    await expect
      .poll(() => page.getByTestId('source-label').textContent())
      .toMatch(/snapshot early.json \(host redacted/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("is asked for and shown by the page's inline start script, before its module script has loaded", async () => {
    const { context, page, problems, release } = await holding(/\/assets\/index-[^/]*\.js$/);
    // Not waiting for the load event, which the held script holds back.
    const response = await page.goto(sim.url, { waitUntil: 'commit' });
    // The one inline script is allowed by its hash, in the page's own policy and in web mode's header alike.
    const policy = response!.headers()['content-security-policy']!;
    const hashes = policy.match(/'sha256-[^']+'/g) ?? [];
    expect(hashes).toHaveLength(1);
    expect(policy).not.toContain('unsafe-inline');
    const meta = await page.evaluate(() =>
      document.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content')!,
    );
    expect(meta).toContain(hashes[0]);
    // The server's screen is up while the module script is still held: the inline script fetched and showed it.
    await expect.poll(() => page.getByTestId('card-memory').count()).toBe(1);
    expect(await page.evaluate(() => document.getElementById('app')!.innerHTML.startsWith('<!--[-->'))).toBe(true);
    release();
    // Then the module script takes over what it began, and the app mounts over the screen.
    await expect
      .poll(() => page.evaluate(() => !document.getElementById('app')!.innerHTML.includes('<!--[-->')))
      .toBe(true);
    await expect.poll(() => page.getByTestId('card-memory').count()).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });
});
