/**
 * The first screen: the server renders it (app.firstScreen) and the page shows it before the app's script
 * has mounted; the app then mounts over it with the same data, and what is on screen stays the same. Opened
 * from the printed URL, the page comes with that screen in it; a reload asks for it from its start script.
 */
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { captureSnapshot } from '../../electron/host/snapshot-io';
import { pageCsp } from '../../electron/page-csp';
import { THEME_COOKIE } from '../../shared/served-screen';
import { fixtureFiles, VM_TUNED } from '../helpers';
import { appMounted, launch, openApp, serve, type Served } from './browser';

const REPO = join(import.meta.dirname, '..', '..');

/**
 * Records, in the page, #app as it is the first time it has content, and the theme that content is first
 * painted in (the colour scheme of the first frame drawn once it is there: a frame waits for the stylesheet).
 * The server's rendering carries Svelte's server markers (`<!--[-->`), which a client mount never writes.
 * Content that comes with the page is taken once the parser is done with it.
 */
const RECORD_FIRST = `(() => {
  let framed = false;
  const check = () => {
    const app = document.getElementById('app');
    if (!app || !app.firstChild || window.__first) return;
    if (!framed) {
      framed = true;
      requestAnimationFrame(() => (window.__firstTheme = getComputedStyle(document.documentElement).colorScheme));
    }
    if (document.readyState === 'loading') return;
    window.__first = { html: app.innerHTML };
    seen.disconnect();
  };
  const seen = new MutationObserver(check);
  // From the start: the page may bring the screen, or its start script show it, before DOMContentLoaded.
  seen.observe(document, { childList: true, subtree: true });
  document.addEventListener('readystatechange', check);
})();`;

const firstTheme = (page: Page): Promise<string | undefined> =>
  page.evaluate(() => (window as unknown as { __firstTheme?: string }).__firstTheme);

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
async function holding(asset: RegExp, options: BrowserContextOptions = {}) {
  const context = await browser.newContext(options);
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
    await expect.poll(() => firstTheme(page)).toBe('dark');
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  // The page opened from the printed URL runs no script before its screen is painted: the OS's theme comes
  // through the stylesheet, a picked one from the cookie the app keeps. Its module script is held here, so
  // no script runs at all until the end.
  for (const [os, picked] of [
    ['dark', null],
    ['light', 'dark'],
    ['dark', 'light'],
  ] as const) {
    it(`is painted in the ${picked ?? os} theme with no script run, on a ${os} OS ${picked ? `with ${picked} picked` : 'with no pick'}`, async () => {
      const { context, page, problems, release } = await holding(/\/assets\/index-[^/]*\.js$/, {
        colorScheme: os,
      });
      if (picked) {
        // Picked on an earlier visit, which keeps the pick in the tab's storage and in the cookie.
        await context.addCookies([{ name: THEME_COOKIE, value: picked, url: sim.url }]);
        await page.addInitScript((pick) => localStorage.setItem('hugetune.theme', pick), picked);
      }
      await page.addInitScript(RECORD_FIRST);
      await page.goto(sim.url, { waitUntil: 'commit' });
      await expect.poll(() => firstTheme(page)).toBe(picked ?? os);
      expect(await page.evaluate(() => document.documentElement.dataset['theme'] ?? null)).toBe(picked);
      // The same colours as the app's own dark or light theme once it has started and set it.
      const background = (): Promise<string> =>
        page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      const painted = await background();
      release();
      await appMounted(page);
      expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe(picked ?? os);
      expect(await background()).toBe(painted);
      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it('keeps the theme a person picks in the cookie the server reads, and takes it away when they follow the OS again', async () => {
    const { page, problems } = await openApp(browser, sim);
    const cookie = async (): Promise<string | null> =>
      (await page.context().cookies(sim.url)).find((c) => c.name === THEME_COOKIE)?.value ?? null;
    expect(await cookie()).toBeNull();
    await page.getByTestId('theme').selectOption('dark');
    // A page's cookie write reaches the browser's store a moment later.
    await expect.poll(cookie).toBe('dark');
    // The next page the printed URL opens in this browser comes in it (asked for here without a second page,
    // whose own start would write the cookie too).
    const next = await page.context().request.get(sim.url);
    expect(await next.text()).toMatch(/<html data-theme="dark"/);
    await page.getByTestId('theme').selectOption('system');
    await expect.poll(cookie).toBeNull();
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

  it('comes in the page opened from the printed URL, with the session made for it, and no call is made for it', async () => {
    const { context, page, problems, release } = await holding(/\/assets\/index-[^/]*\.js$/);
    const calls: string[] = [];
    const sessions = new Set<string>();
    page.on('request', (r) => {
      if (r.url().endsWith('/api/call')) calls.push(r.postData() ?? '');
      if (r.url().includes('/api/')) sessions.add(r.headers()['x-hugetune-client'] ?? '?');
    });
    // Not waiting for the load event, which the held script holds back.
    const response = await page.goto(sim.url, { waitUntil: 'commit' });
    const html = await response!.text();
    expect(response!.headers()['cache-control']).toBe('no-store');
    // The session in <head>, for the page's script to send its calls under; no script inline; the screen in
    // #app; the rest of the screen for the app in a data block.
    const session = /<meta name="hugetune-session" content="([0-9a-f-]{36})" \/>\s*<\/head>/.exec(html);
    expect(session, 'no session made for the page').not.toBeNull();
    expect(html).not.toMatch(/<script>/);
    expect(html).toMatch(/<div id="app"><!--\[-->[\s\S]*data-testid="card-memory"/);
    expect(html).toContain('<script type="application/json" id="hugetune-first-screen">');
    await expect.poll(() => page.getByTestId('card-memory').count()).toBe(1);
    release();
    // Once the screen is up and the page's script has started it, the address bar has lost the token; the tab
    // keeps it, with the session the server made.
    await expect.poll(() => page.url()).toBe(new URL('/', sim.url).href);
    expect(await page.evaluate(() => sessionStorage.getItem('hugetune.session'))).toBe(session![1]);
    await expect
      .poll(() => page.evaluate(() => !document.getElementById('app')!.innerHTML.includes('<!--[-->')))
      .toBe(true);
    await expect.poll(() => page.getByTestId('card-memory').count()).toBe(1);
    // The app took the report from the page: the first screen was not asked for, nor the report.
    expect(calls.filter((c) => /"(app\.firstScreen|host\.report)"/.test(c))).toEqual([]);
    // The app's own calls go under the session the server made for the page.
    await page.getByTestId('tab-thp').click();
    await expect.poll(() => calls.length).toBeGreaterThan(0);
    expect([...sessions]).toEqual([session![1]]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('has its policy in the header only, allowing the one inline script by its hash', async () => {
    const { page, problems } = await openApp(browser, sim);
    for (const url of [sim.url, new URL('/', sim.url).href]) {
      const response = await page.request.get(url);
      const policy = response.headers()['content-security-policy']!;
      const hashes = policy.match(/'sha256-[^']+'/g) ?? [];
      expect(hashes).toHaveLength(1);
      expect(policy).not.toContain('unsafe-inline');
      // The built page's tag declares it; the page goes without the tag, so that the browser asks for the
      // stylesheet and scripts as soon as the page's first bytes arrive.
      expect(policy.startsWith(pageCsp(join(REPO, 'out', 'renderer')))).toBe(true);
      expect(await response.text()).not.toMatch(/http-equiv="Content-Security-Policy"/i);
    }
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("is asked for and shown by the page's inline start script on a reload, before its module script has loaded", async () => {
    const { context, page, problems, release } = await holding(/\/assets\/index-[^/]*\.js$/);
    const calls: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/call')) calls.push(r.postData() ?? '');
    });
    await page.goto(sim.url, { waitUntil: 'commit' });
    await expect.poll(() => page.getByTestId('card-memory').count()).toBe(1);
    release();
    await appMounted(page);
    const session = await page.evaluate(() => sessionStorage.getItem('hugetune.session'));
    // Held again for the reload, whose URL no longer carries the token: the page comes without the screen.
    let releaseAgain: () => void = () => {};
    const heldAgain = new Promise<void>((ok) => (releaseAgain = ok));
    await context.unrouteAll();
    await context.route(/\/assets\/index-[^/]*\.js$/, async (route) => {
      await heldAgain;
      await route.continue();
    });
    const response = await page.reload({ waitUntil: 'commit' });
    const plain = await response!.text();
    expect(plain).not.toContain('<meta name="hugetune-session"');
    expect(plain).not.toContain('<script type="application/json"');
    // The server's screen is up while the module script is still held: the inline script fetched and showed it.
    await expect.poll(() => page.getByTestId('card-memory').count()).toBe(1);
    expect(await page.evaluate(() => document.getElementById('app')!.innerHTML.startsWith('<!--[-->'))).toBe(true);
    expect(calls.filter((c) => c.includes('"app.firstScreen"'))).toHaveLength(1);
    releaseAgain();
    // Then the module script takes over what it began, and the app mounts over the screen, in the same session.
    await appMounted(page);
    await expect.poll(() => page.getByTestId('card-memory').count()).toBe(1);
    expect(await page.evaluate(() => sessionStorage.getItem('hugetune.session'))).toBe(session);
    expect(problems).toEqual([]);
    await context.close();
  });
});
