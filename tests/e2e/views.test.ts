/**
 * Every area of the app in Chromium against web mode, on a simulated machine, a fixture root and an arm64
 * machine: each opens from the sidebar under its own heading, shows its data, logs no console error or CSP
 * violation, and passes axe-core (no serious or critical violation) in the light and the dark theme. A
 * screenshot of each view in each theme is kept under test-results/screens/ for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureSnapshot } from '../../electron/host/snapshot-io';
import { fixtureFiles, REPO, VM_TUNED } from '../helpers';
import { axeProblems } from './axe';
import { launch, openApp, serve, type Served } from './browser';

const SCREENS = join(REPO, 'test-results', 'screens');
/** HUGETUNE_DOCS_SCREENSHOTS=1 also writes the README's small screenshots to docs/screenshots/. */
const DOCS = process.env.HUGETUNE_DOCS_SCREENSHOTS === '1' ? join(REPO, 'docs', 'screenshots') : null;
const DOC_VIEWS = ['overview', 'thp', 'pools', 'hvo', 'monitor', 'planner'];

/**
 * What each view shows once its data is in (test ids, `|` between alternatives: the Monitor shows its charts
 * for a live source and a statement for a captured one); views not listed are waited for by their heading only.
 */
const READY: Record<string, string> = {
  overview: 'card-memory',
  thp: 'thp-events',
  pools: 'pools-growth',
  hvo: 'hvo-sizes',
  planner: 'plan-verdict',
  monitor: 'monitor-keys|monitor-static',
};

const readyIn = (page: Page, ready: string) =>
  page.locator(
    ready
      .split('|')
      .map((id) => `[data-testid="${id}"]`)
      .join(', '),
  );

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
  mkdirSync(SCREENS, { recursive: true });
});
afterAll(() => browser?.close());

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.getByTestId('theme').selectOption(theme);
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset['theme'])).toBe(theme);
}

async function sidebarViews(page: Page): Promise<{ id: string; label: string }[]> {
  return page
    .locator('nav[aria-label="Areas"] button[data-view]')
    .evaluateAll((bs) => bs.map((b) => ({ id: (b as HTMLElement).dataset['view']!, label: b.textContent.trim() })));
}

async function tour(server: Served, name: string): Promise<void> {
  const { page, problems } = await openApp(browser, server);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByTestId('card-kernel').waitFor();
  const views = await sidebarViews(page);
  expect(views.map((v) => v.id)).toEqual(
    expect.arrayContaining(['overview', 'thp', 'pools', 'hvo', 'monitor', 'processes', 'planner', 'advisor']),
  );
  const a11y: string[] = [];
  for (const v of views) {
    await page.getByTestId(`tab-${v.id}`).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(v.label);
    expect(await page.getByTestId(`tab-${v.id}`).getAttribute('aria-current')).toBe('page');
    const ready = READY[v.id];
    if (ready) await readyIn(page, ready).first().waitFor();
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      a11y.push(...(await axeProblems(page)).map((p) => `${name} ${v.id} ${theme}: ${p}`));
      await page.screenshot({ path: join(SCREENS, `${name}-${v.id}-${theme}.png`), fullPage: true });
      if (DOCS && name === 'sim' && DOC_VIEWS.includes(v.id) && (theme === 'light' || v.id === 'overview')) {
        mkdirSync(DOCS, { recursive: true });
        await page.setViewportSize({ width: 1100, height: 760 });
        await page.screenshot({ path: join(DOCS, `${v.id}-${theme}.png`) });
        await page.setViewportSize({ width: 1280, height: 900 });
      }
    }
  }
  expect(a11y).toEqual([]);
  expect(problems).toEqual([]);
  await page.context().close();
}

describe('every view, both themes', () => {
  let sim: Served;
  let root: Served;
  let arm: Served;
  beforeAll(async () => {
    [sim, root, arm] = await Promise.all([
      serve('--sim', 'xeon-2s-768g'),
      serve('--root', VM_TUNED),
      serve('--sim', 'arm64-workstation'),
    ]);
  });
  afterAll(async () => {
    await Promise.all([sim?.stop(), root?.stop(), arm?.stop()]);
  });

  it('a simulated two-node Xeon', () => tour(sim, 'sim'), 180_000);
  it('a captured machine (fixture root)', () => tour(root, 'root'), 180_000);
  it('an arm64 machine', () => tour(arm, 'arm64'), 180_000);
});

describe('layout, themes and a server that goes away', () => {
  let root: Served;
  beforeAll(async () => {
    root = await serve('--root', VM_TUNED);
  });
  afterAll(() => root?.stop());

  it('never scrolls sideways at 1024 px, and the top bar stays one line at 1440 px with a snapshot open', async () => {
    const { page, problems } = await openApp(browser, root);
    await page.setViewportSize({ width: 1024, height: 800 });
    await page.getByTestId('card-kernel').waitFor();
    for (const v of await sidebarViews(page)) {
      await page.getByTestId(`tab-${v.id}`).click();
      const ready = READY[v.id];
      if (ready) await readyIn(page, ready).first().waitFor();
      const [scroll, client] = await page.evaluate(() => [
        document.documentElement.scrollWidth,
        document.documentElement.clientWidth,
      ]);
      expect(scroll, `${v.id} at 1024 px`).toBeLessThanOrEqual(client);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    const snap = JSON.stringify(captureSnapshot(fixtureFiles(VM_TUNED), true));
    await page.getByTestId('snapshot-input').setInputFiles({
      name: 'a-rather-long-snapshot-name-from-the-build-server-2026-11-23.json',
      mimeType: 'application/json',
      buffer: Buffer.from(snap),
    });
    await expect
      .poll(() => page.getByTestId('source-label').textContent(), { timeout: 15_000 })
      .toMatch(/snapshot a-rather-long/);
    // One row: every item's vertical middle within a few pixels of the others'.
    const middles = await page
      .locator('header.topbar > *:not(.spacer)')
      .evaluateAll((els) => els.map((e) => (e.getBoundingClientRect().top + e.getBoundingClientRect().bottom) / 2));
    expect(Math.max(...middles) - Math.min(...middles), `middles at ${middles.join(', ')}`).toBeLessThan(4);
    expect(
      await page.evaluate(() => document.querySelector('header.topbar')!.getBoundingClientRect().height),
    ).toBeLessThan(60);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('follows the OS theme until one is picked, and remembers the pick', async () => {
    const { page } = await openApp(browser, root);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('card-kernel').waitFor();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset['theme'])).toBe('light');
    await page.getByTestId('theme').selectOption('dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.reload();
    await page.getByTestId('card-kernel').waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    await page.context().close();
  });

  it('says so and stops showing live figures when the server dies', async () => {
    const sim = await serve('--sim', 'small-laptop');
    const { page } = await openApp(browser, sim);
    await page.getByTestId('tlb-rate').waitFor({ timeout: 30_000 });
    await sim.stop();
    await page.getByTestId('connection-lost').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('tlb-rate').count()).toBe(0);
    expect(await page.getByTestId('tlb-note').textContent()).toMatch(/connection to hugetune is lost/);
    await page.context().close();
  });
});
