/**
 * Keyboard focus after an action, in Chromium against web mode (renderer/src/lib/focus.ts): each action is
 * driven as a keyboard user would (focus on the control, Enter), and focus must land where the rule says,
 * never on <body>: another view's level-one heading, a confirmation's safe choice, the error banner, or what
 * a step produced. Also: the source menu closes when Tab leaves it, and "Back to" names the source.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VM_TUNED } from '../helpers';
import { launch, openApp, serve, type Served } from './browser';

let browser: Browser;
let sim: Served;
let root: Served;
beforeAll(async () => {
  [browser, sim, root] = await Promise.all([launch(), serve('--sim', 'strix-halo-128g'), serve('--root', VM_TUNED)]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), sim?.stop(), root?.stop()]);
});

/** The focused element, told by its test id, else its tag and text. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const at = document.activeElement;
    if (!at || at === document.body) return 'body';
    const id = at.getAttribute('data-testid');
    return id ?? `${at.tagName.toLowerCase()}: ${(at.textContent ?? '').trim()}`;
  });
}

/** The focused element is the view's level-one heading, named `label`. */
function onHeading(page: Page): Promise<string> {
  return page.evaluate(() => {
    const at = document.activeElement;
    return at?.tagName === 'H1' ? `h1: ${at.textContent ?? ''}` : `not a heading: ${at?.tagName ?? 'none'}`;
  });
}

/** Presses Enter on a control as a keyboard user would: focus on it first. */
async function enter(control: Locator): Promise<void> {
  await control.focus();
  await control.page().keyboard.press('Enter');
}

/** The outline a focused element shows now. */
const outline = (page: Page): Promise<string> =>
  page.evaluate(() => (document.activeElement ? getComputedStyle(document.activeElement).outlineStyle : ''));

describe('focus after an action', () => {
  it('goes to the heading of the view an Overview button opens', async () => {
    const { page, problems } = await openApp(browser, sim);
    await page.getByTestId('kernel-release').waitFor();
    const buttons: [string, string][] = [
      ['THP details', 'THP'],
      ['HVO details', 'HVO'],
      ['Pools per node', 'Pools'],
      ['Open the Monitor', 'Monitor'],
      ['Open the Planner', 'Planner'],
    ];
    for (const [name, view] of buttons) {
      await page.getByTestId('tab-overview').click();
      await enter(page.getByRole('button', { name, exact: true }));
      await expect.poll(() => onHeading(page)).toBe(`h1: ${view}`);
      // A heading is not a control: no ring on it, as is usual for headings focused this way.
      expect(await outline(page)).toBe('none');
    }
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('goes to the Advisor’s heading from the Planner, and to the new verdict after each “Try it”', async () => {
    const { page, problems } = await openApp(browser, root, 'planner');
    const verdict = page.getByTestId('plan-verdict');
    await expect.poll(() => verdict.textContent()).toMatch(/Does not fit/);
    await enter(page.getByTestId('plan-advise'));
    await expect.poll(() => onHeading(page)).toBe('h1: Advisor');

    // Every suggestion of the default plan, each from the default plan again (a reload resets the form).
    await page.getByTestId('tab-planner').click();
    const tries = page.getByRole('button', { name: /^Try it: / });
    await expect.poll(() => tries.count()).toBeGreaterThan(0);
    const names = await tries.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    for (const name of names) {
      await page.reload();
      await page.getByTestId('tab-planner').click();
      await expect.poll(() => verdict.textContent()).toMatch(/Does not fit/);
      await enter(page.getByRole('button', { name, exact: true }));
      await expect.poll(() => focused(page), { message: name }).toBe('plan-verdict');
      // Where the eye must go: the ring shows.
      expect(await outline(page)).toBe('solid');
    }
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('goes to what each Setup step produced while its buttons are disabled', async () => {
    const { page, problems } = await openApp(browser, sim, 'planner');
    await page.getByRole('radio', { name: 'Footprint' }).check();
    await page.getByTestId('plan-footprint').fill('110000');
    await page.locator('select[data-testid="plan-page-size"]').selectOption('2M');
    await expect.poll(() => page.getByTestId('plan-verdict').textContent()).toMatch(/Fits|Does not fit/);
    await page.getByTestId('tab-setup').click();
    await page.getByTestId('setup-plan').check();
    const steps = page.getByTestId('setup-step');
    await expect.poll(() => steps.count()).toBe(2);
    const focusedStep = (): Promise<number> =>
      page.evaluate(() =>
        [...document.querySelectorAll('[data-testid="setup-step"]')].indexOf(document.activeElement!),
      );

    // The next step: focus on it, with its read-back; Tab goes on to the buttons.
    await enter(page.getByTestId('setup-apply-next'));
    await expect.poll(focusedStep).toBe(0);
    expect(await steps.nth(0).getAttribute('data-status')).toBe('done');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('setup-apply-next');

    // The rest: focus on the first step it applied.
    await enter(page.getByTestId('setup-apply-all'));
    await expect.poll(focusedStep).toBe(1);
    expect(await steps.nth(1).getAttribute('data-status')).toMatch(/done|short/);

    // The rollback: focus on what was put back.
    await enter(page.getByTestId('setup-rollback'));
    await expect.poll(() => focused(page)).toBe('setup-rolled-back');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('goes into the HVO check’s confirmation, back on Cancel, and to the verdict once measured', async () => {
    const { page, problems } = await openApp(browser, sim, 'hvo');
    const run = page.getByTestId('hvo-check-run');
    await run.waitFor();
    await enter(run);
    // On Cancel, the choice that changes nothing: a second Enter does not reserve pages unasked.
    await expect.poll(() => focused(page)).toBe('hvo-check-cancel');
    expect(await page.getByTestId('hvo-check-confirm-run').textContent()).toBe('Reserve 512 pages and measure');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('hvo-check-run');

    await enter(run);
    await expect.poll(() => focused(page)).toBe('hvo-check-cancel');
    await page.getByTestId('hvo-check-confirm-run').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('hvo-check-verdict');
    expect(await page.getByTestId('hvo-check-verdict').getAttribute('data-verdict')).toBe('as-predicted');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('goes to the Overview’s heading from the Simulator’s “Show in Overview”', async () => {
    const { page, problems } = await openApp(browser, sim, 'simulator');
    const open = page.getByTestId('sim-open');
    await expect.poll(() => open.isEnabled()).toBe(true);
    await enter(open);
    await expect.poll(() => onHeading(page)).toBe('h1: Overview');
    await expect.poll(() => page.getByTestId('source-label').textContent()).toMatch(/what-if/);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe('the source menu', () => {
  it('goes to the heading after “Simulate”, names the way back, and to the banner when a snapshot is refused', async () => {
    const { page, problems } = await openApp(browser, sim, 'pools');
    await page.getByTestId('kernel-release').or(page.getByTestId('view-title')).first().waitFor();
    await enter(page.getByTestId('source-menu'));
    await page.getByTestId('source-profile').selectOption('xeon-2s-768g');
    await enter(page.getByTestId('source-simulate'));
    await expect.poll(() => page.getByTestId('source-label').textContent()).toMatch(/xeon-2s-768g/);
    await expect.poll(() => onHeading(page)).toBe('h1: Pools');

    // From one simulated machine to another: the way back says which.
    const back = page.getByTestId('source-back');
    expect(await back.textContent()).toMatch(/^\s*Back to simulator: strix-halo-128g\s*$/);
    expect(await page.getByRole('button', { name: 'Back to simulator: strix-halo-128g', exact: true }).count()).toBe(1);

    // Every refused snapshot: the banner says why, with focus on it.
    const refused = [
      ['bad.json', '{"format":', /bad\.json: not JSON/],
      ['other.json', '{"hello": 1}', /other\.json/],
    ] as const;
    for (const [name, text, message] of refused) {
      await enter(page.getByTestId('source-menu'));
      const chooser = page.waitForEvent('filechooser');
      await enter(page.getByRole('button', { name: 'Open snapshot…' }));
      await (await chooser).setFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
      await expect.poll(() => page.getByTestId('app-error').textContent()).toMatch(message);
      await expect.poll(() => focused(page)).toBe('app-error');
      expect(await outline(page)).toBe('solid');
    }

    // Back: the machine the app was started with, and focus on the view's heading.
    await enter(back);
    await expect.poll(() => page.getByTestId('source-label').textContent()).toBe('simulator: strix-halo-128g');
    await expect.poll(() => onHeading(page)).toBe('h1: Pools');
    expect(problems.filter((p) => !p.includes('status of 400'))).toEqual([]);
    await page.context().close();
  });

  it('closes when Tab leaves it', async () => {
    const { page, problems } = await openApp(browser, sim);
    await page.getByTestId('kernel-release').waitFor();
    const summary = page.getByTestId('source-menu');
    const isOpen = (): Promise<boolean> =>
      page.locator('details.source-menu').evaluate((d) => (d as HTMLDetailsElement).open);
    const inside = (): Promise<boolean> =>
      page.locator('details.source-menu').evaluate((d) => d.contains(document.activeElement));
    await enter(summary);
    await expect.poll(isOpen).toBe(true);

    // Through its choices it stays open; the Tab that leaves it closes it.
    let tabs = 0;
    for (; tabs < 10 && (await inside()); tabs++) {
      expect(await isOpen()).toBe(true);
      await page.keyboard.press('Tab');
    }
    expect(tabs).toBeGreaterThan(2);
    expect(await inside()).toBe(false);
    await expect.poll(isOpen).toBe(false);
    expect(await page.getByTestId('source-simulate').isVisible()).toBe(false);

    // Opened again, Shift+Tab out of it, backwards from its summary, closes it too.
    await enter(summary);
    await expect.poll(isOpen).toBe(true);
    await page.keyboard.press('Shift+Tab');
    await expect.poll(isOpen).toBe(false);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
