/**
 * Every area of the app in Chromium against web mode, on a simulated machine, a fixture root and an arm64
 * machine: each opens from the sidebar under its own heading, shows its data, logs no console error or CSP
 * violation, and passes axe-core (no serious or critical violation) in the light and the dark theme. A
 * screenshot of each view in each theme is kept under test-results/screens/ for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, VM_TUNED } from '../helpers';
import { launch, openApp, serve, type Served } from './browser';

const SCREENS = join(REPO, 'test-results', 'screens');

/** What each view shows once its data is in; views not listed are waited for by their heading only. */
const READY: Record<string, string> = {
  overview: 'card-memory',
  thp: 'thp-events',
  pools: 'pools-growth',
  hvo: 'hvo-sizes',
  planner: 'plan-verdict',
};

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
  mkdirSync(SCREENS, { recursive: true });
});
afterAll(() => browser?.close());

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page as it is now, one line each. */
async function axeProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) is not involved.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run: (c: Document, o: object) => Promise<{ violations: unknown[] }> } };
    return (await w.axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
}

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
    if (ready) await page.getByTestId(ready).first().waitFor();
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      a11y.push(...(await axeProblems(page)).map((p) => `${name} ${v.id} ${theme}: ${p}`));
      await page.screenshot({ path: join(SCREENS, `${name}-${v.id}-${theme}.png`), fullPage: true });
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
