/**
 * The guided setup in Chromium against web mode on a simulated machine: each step applied and read back, a
 * pool that grows only partly said so, and one click rolls everything back. No privileges: it is a simulation.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openApp, serve, type Served } from './browser';

let browser: Browser;
let server: Served;
beforeAll(async () => {
  [browser, server] = await Promise.all([launch(), serve('--sim', 'strix-halo-128g')]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), server?.stop()]);
});

describe('Setup', () => {
  it('applies the plan step by step, reads the machine back after each, and rolls back', async () => {
    const { page, problems } = await openApp(browser, server, 'planner');
    await page.getByRole('radio', { name: 'Footprint' }).check();
    await page.getByTestId('plan-footprint').fill('110000');
    await page.locator('select[data-testid="plan-page-size"]').selectOption('2M');
    await expect.poll(() => page.getByTestId('plan-verdict').textContent()).toMatch(/Fits|Does not fit/);
    await page.getByRole('button', { name: 'Setup' }).click();
    await page.getByTestId('setup-plan').check();
    const steps = page.getByTestId('setup-step');
    await expect.poll(() => steps.count()).toBe(2);
    const now = page.getByTestId('setup-now');
    await expect.poll(() => now.textContent()).toMatch(/HVOoff/);

    // Step 1: HVO on, read back.
    await page.getByTestId('setup-apply-next').click();
    await expect.poll(() => steps.nth(0).getAttribute('data-status')).toBe('done');
    await expect.poll(() => now.textContent()).toMatch(/HVOon/);

    // Step 2: the pool; this simulated machine is fragmented, so the kernel may give fewer pages than asked.
    await page.getByTestId('setup-apply-next').click();
    await expect.poll(() => steps.nth(1).getAttribute('data-status')).toMatch(/done|short/);
    const status = await steps.nth(1).getAttribute('data-status');
    if (status === 'short') expect(await page.getByTestId('setup-short').textContent()).toMatch(/grew only partly/);
    await expect.poll(() => now.textContent()).toMatch(/Pool 2 MiB[1-9][\d,]* pages/);

    // The constraints are planned again on the machine as the steps left it: the Planner's own, now.
    const setupConstraints = await page.getByTestId('plan-constraints').textContent();
    await page.getByRole('button', { name: 'Planner' }).click();
    await expect.poll(() => page.getByTestId('plan-constraints').textContent()).toBe(setupConstraints);

    // Another tab and back: the applied steps, and the rollback, are still there.
    await page.getByRole('button', { name: 'Overview' }).click();
    await page.getByRole('button', { name: 'Setup' }).click();
    await expect.poll(() => steps.nth(0).getAttribute('data-status')).toBe('done');
    await page.getByTestId('setup-rollback').click();
    await page.getByTestId('setup-rolled-back').waitFor();
    await expect.poll(() => now.textContent()).toMatch(/HVOoff/);
    expect(await now.textContent()).toMatch(/Pool 2 MiB0 pages/);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('says a plan that does not fit has nothing to set up, and why', async () => {
    const { page, problems } = await openApp(browser, server, 'planner');
    await page.getByRole('radio', { name: 'Footprint' }).check();
    await page.getByTestId('plan-footprint').fill('400000');
    await expect.poll(() => page.getByTestId('plan-verdict').textContent()).toMatch(/Does not fit/);
    await page.getByRole('button', { name: 'Setup' }).click();
    await page.getByTestId('setup-plan').check();
    await expect
      .poll(() => page.getByTestId('setup-unfit').textContent())
      .toMatch(/does not fit this machine \(\d+ of \d+ constraints fail/);
    expect(await page.getByText('No runtime change is needed.').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('keeps its steps and their results across a view switch, and offers them again after a rollback', async () => {
    const { page, problems } = await openApp(browser, server, 'planner');
    await page.getByRole('radio', { name: 'Footprint' }).check();
    await page.getByTestId('plan-footprint').fill('110000');
    await page.locator('select[data-testid="plan-page-size"]').selectOption('2M');
    await expect.poll(() => page.getByTestId('plan-verdict').textContent()).toMatch(/Fits|Does not fit/);
    const setup = page.getByRole('button', { name: 'Setup' });
    const overview = page.getByRole('button', { name: 'Overview' });
    await setup.click();
    await page.getByTestId('setup-plan').check();
    const steps = page.getByTestId('setup-step');
    const now = page.getByTestId('setup-now');
    await expect.poll(() => steps.count()).toBe(2);

    // A button that cannot be pressed looks it; a constraint that holds reads in the text's colour, as in the Planner.
    const look = (id: string) =>
      page.getByTestId(id).evaluate((el) => {
        const st = getComputedStyle(el);
        return { cursor: st.cursor, color: st.color, border: st.borderStyle };
      });
    const [enabled, disabled] = [await look('setup-apply-next'), await look('setup-rollback')];
    expect(disabled.cursor).toBe('not-allowed');
    expect(enabled.cursor).toBe('pointer');
    expect([disabled.color, disabled.border]).not.toEqual([enabled.color, enabled.border]);
    const holds = page.locator('tr[data-ok="true"] td:nth-child(2)').first();
    const ink = await page
      .getByTestId('setup-now')
      .locator('td')
      .first()
      .evaluate((el) => getComputedStyle(el).color);
    expect(await holds.evaluate((el) => getComputedStyle(el).color)).toBe(ink);

    // One step applied, another view, back: both steps, the first with its result, the second still to do.
    await page.getByTestId('setup-apply-next').click();
    await expect.poll(() => steps.nth(0).getAttribute('data-status')).toBe('done');
    await overview.click();
    await setup.click();
    await expect.poll(() => now.textContent()).toMatch(/HVOon/);
    expect(await steps.count()).toBe(2);
    expect(await steps.nth(0).textContent()).toMatch(/hugetlb_optimize_vmemmap.*read back: 1/);
    expect(await steps.nth(1).getAttribute('data-status')).toBe('todo');
    expect(await page.getByTestId('setup-apply-next').isEnabled()).toBe(true);

    // The rest applied, another view, back: both results stay, and so does the rollback.
    await page.getByTestId('setup-apply-all').click();
    await expect.poll(() => steps.nth(1).getAttribute('data-status')).toMatch(/done|short/);
    await overview.click();
    await setup.click();
    // Counts grouped by thousands, as everywhere in the app.
    await expect.poll(() => now.textContent()).toMatch(/Pool 2 MiB[1-9]\d{0,2}(,\d{3})* pages/);
    expect(await page.getByTestId('setup-steps').textContent()).not.toMatch(/No runtime change is needed/);
    expect(await steps.nth(1).getAttribute('data-status')).toMatch(/done|short/);

    // Rolled back: the machine is as it was, and its steps are offered again.
    await page.getByTestId('setup-rollback').click();
    await page.getByTestId('setup-rolled-back').waitFor();
    await expect.poll(() => now.textContent()).toMatch(/HVOoff/);
    await expect.poll(() => steps.count()).toBe(2);
    expect(await steps.nth(0).getAttribute('data-status')).toBe('todo');
    expect(await page.getByTestId('setup-apply-next').isEnabled()).toBe(true);
    expect(await page.getByTestId('setup-rollback').isEnabled()).toBe(false);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
