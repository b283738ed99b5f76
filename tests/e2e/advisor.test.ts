/** The Advisor in Chromium against web mode: advice for the machine, then for the plan set up in the Planner. */
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

describe('Advisor', () => {
  it('turns a plan into recommendations with reasons, evidence and the ordered changes', async () => {
    const { page, problems } = await openApp(browser, server, 'planner');
    await page.getByRole('radio', { name: 'Footprint' }).check();
    await page.getByTestId('plan-footprint').fill('100000');
    await page.locator('select[data-testid="plan-page-size"]').selectOption('2M');
    await expect.poll(() => page.getByTestId('plan-verdict').textContent()).toMatch(/Fits|Does not fit/);
    await page.getByTestId('plan-advise').click();
    await page.getByTestId('advise-changes').waitFor();
    const ids = await page
      .getByTestId('recommendation')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    expect(ids).toEqual(expect.arrayContaining(['hvo-on', 'pool']));
    const changes = (await page.getByTestId('advise-changes').locator('li').allTextContents()).join('\n');
    // HVO first: only pages reserved while it is on are optimized.
    expect(changes.split('\n')[0]).toMatch(/hugetlb_optimize_vmemmap: 0 → 1/);
    expect(changes).toMatch(/hugepages-2048kB\/nr_hugepages: 0 → 50000/);
    // The apply script, as the user would save it: a dry run by default, HVO before the pool.
    await page.getByTestId('artifact-applyScript').click();
    const script = (await page.getByTestId('artifact-text').textContent()) ?? '';
    expect(script).toMatch(/^#!\/bin\/sh/);
    expect(script.indexOf('hugetlb_optimize_vmemmap')).toBeLessThan(script.indexOf('hugepages-2048kB'));
    const saved = page.waitForEvent('download');
    await page.getByTestId('artifact-save').click();
    expect((await saved).suggestedFilename()).toBe('hugetune-apply.sh');
    // The tabs move with the keyboard as a tab list does; only the selected one is in the Tab order.
    await page.getByTestId('artifact-applyScript').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByTestId('artifact-rollbackScript').getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'artifact-rollbackScript',
    );
    expect(await page.getByTestId('artifact-text').textContent()).toMatch(/rollback|roll back/i);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByRole('tab', { selected: true }).count()).toBe(1);
    expect(await page.getByTestId('artifact-applyScript').getAttribute('tabindex')).toBe('-1');
    expect(await page.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe(
      await page.getByRole('tab', { selected: true }).getAttribute('id'),
    );
    await page.getByTestId('advise-machine').check();
    await expect.poll(() => page.getByTestId('recommendation').count()).toBeLessThan(ids.length);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('marks an invalid user, unit or path beside its field, in plain words, and keeps the last advice', async () => {
    const { page, problems } = await openApp(browser, server, 'planner');
    await page.getByRole('radio', { name: 'Footprint' }).check();
    await page.getByTestId('plan-footprint').fill('100000');
    await page.locator('select[data-testid="plan-page-size"]').selectOption('2M');
    await expect.poll(() => page.getByTestId('plan-verdict').textContent()).toMatch(/Fits|Does not fit/);
    await page.getByTestId('plan-advise').click();
    await page.getByTestId('recommendation').first().waitFor();
    const before = await page.getByTestId('recommendation').count();
    for (const [field, value, words] of [
      ['advise-user', 'llm; rm -rf /', /User: one user name, such as llm/],
      ['advise-unit', 'my llama', /Systemd unit: one service name ending in \.service/],
    ] as const) {
      const input = page.getByTestId(field);
      await input.fill(value);
      const problem = page.getByTestId(`${field}-problem`);
      await expect.poll(() => problem.textContent()).toMatch(words);
      expect(await problem.textContent()).not.toMatch(/advise\.run|expected/);
      expect(await input.getAttribute('aria-invalid')).toBe('true');
      expect(await input.getAttribute('aria-describedby')).toBe(await problem.getAttribute('id'));
      expect(await page.getByTestId('advise-error').count()).toBe(0);
      expect(await page.getByTestId('recommendation').count()).toBe(before);
      expect(await page.getByTestId('advise-stale').count()).toBe(1);
      await input.fill('');
      await expect.poll(() => problem.count()).toBe(0);
      expect(await input.getAttribute('aria-invalid')).toBeNull();
    }
    await page.getByTestId('advise-user').fill('llm');
    await page.getByTestId('advise-unit').fill('llama.service');
    await expect.poll(() => page.getByTestId('advise-stale').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
