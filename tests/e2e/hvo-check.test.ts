/**
 * The HVO check from the HVO view, in Chromium against web mode: on a simulated machine it asks before it
 * changes anything, reserves the pages, shows expected against measured vmemmap with the verdict those
 * figures give, and leaves the pool and HVO as they were. A fixture root (a record of a machine) offers no
 * check, only the command for the machine itself.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, VM_TUNED } from '../helpers';
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

describe('HVO check', () => {
  it('runs on a simulated machine from the HVO view, after a confirmation, and restores the pool', async () => {
    const { page, problems } = await openApp(browser, sim, 'hvo');
    const pages = page.getByTestId('hvo-check-pages');
    await pages.waitFor();
    // A sensible default: about 1 GiB of 2 MiB pages.
    expect(await pages.inputValue()).toBe('512');

    // A bad count is said beside the field and cannot be run.
    await pages.fill('0');
    expect(await page.getByTestId('hvo-check-problem').textContent()).toMatch(/at least one page/);
    expect(await page.getByTestId('hvo-check-run').isDisabled()).toBe(true);
    await pages.fill('10000000');
    expect(await page.getByTestId('hvo-check-problem').textContent()).toMatch(/^At most [\d,]+ pages: half the memory/);

    await pages.fill('64');
    expect(await page.getByTestId('hvo-check-expected').textContent()).toMatch(/64 × 7 = 448 vmemmap pages/);
    await page.getByTestId('hvo-check-run').click();
    const confirm = page.getByTestId('hvo-check-confirm');
    expect(await confirm.textContent()).toMatch(
      /turns HVO on .* reserves 64 × 2 MiB pages \(128 MiB\) in the 2 MiB pool \(0 → 64 pages\).* restores the pool to 0 pages and HVO to off/s,
    );
    await page.getByTestId('hvo-check-confirm-run').click();

    const verdict = page.getByTestId('hvo-check-verdict');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-verdict')).toBe('as-predicted');
    const got = Number((await page.getByTestId('hvo-check-got').textContent())?.replace(/,/g, ''));
    expect(got).toBeGreaterThan(0);
    expect(await verdict.textContent()).toContain(`${got} × 7 = ${got * 7}`);
    expect(await page.getByTestId('hvo-check-measured').textContent()).toMatch(new RegExp(`^${got * 7} pages`));
    expect(await page.getByTestId('hvo-check-expected-total').textContent()).toMatch(new RegExp(`^${got * 7} pages`));
    expect(await page.getByTestId('hvo-check-per-page').textContent()).toMatch(/^7 pages \(28 KiB\)/);
    expect(await page.getByTestId('hvo-check-restored').textContent()).toMatch(
      /Restored: the pool and HVO read as before/,
    );

    // Each value put back, newest first, and the machine read again shows HVO off as before the check.
    const steps = await page.getByTestId('hvo-check-steps').textContent();
    expect(steps).toMatch(/nr_hugepages: \d+ → 0 \(done\)/);
    expect(steps).toMatch(/hugetlb_optimize_vmemmap: 1 → 0 \(done\)/);
    expect(await page.getByTestId('hvo-enabled').textContent()).toBe('off');
    // Kept for a person to look at, beside the views' screenshots.
    mkdirSync(join(REPO, 'test-results', 'screens'), { recursive: true });
    await page
      .getByTestId('hvo-check')
      .screenshot({ path: join(REPO, 'test-results', 'screens', 'hvo-check-result.png') });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('offers no check on a fixture root, only the command for the machine itself', async () => {
    const { page, problems } = await openApp(browser, root, 'hvo');
    const why = page.getByTestId('hvo-check-why');
    await why.waitFor();
    expect(await why.textContent()).toMatch(/is a record of a machine, not the machine/);
    expect(await page.getByTestId('hvo-check-run').count()).toBe(0);
    expect(await page.getByTestId('hvo-check').locator('pre').textContent()).toMatch(
      /^sudo hugetune hvo-check --pages \d+ --size 2M$/,
    );
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
