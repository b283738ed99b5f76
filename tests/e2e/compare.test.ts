/** The Compare view in Chromium: the served root against a simulated machine and against uploaded snapshots. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { captureSnapshot, writeSnapshot } from '../../electron/host/snapshot-io';
import { findProfile } from '../../shared/sim/profiles';
import { fixtureFiles, VM, VM_TUNED } from '../helpers';
import { launch, openApp, serve, type Served } from './browser';

let browser: Browser;
let server: Served;
let tmp = '';
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-compare-'));
  [browser, server] = await Promise.all([launch(), serve('--root', VM)]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), server?.stop()]);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const cells = (page: Page, key: string) => page.getByTestId(`diff-row-${key}`).locator('td');

function snapshotOf(dir: string, name: string): string {
  const file = join(tmp, name);
  writeSnapshot(file, captureSnapshot(fixtureFiles(dir), true));
  return file;
}

describe('Compare', () => {
  it('compares the served root with a simulated machine and shows the pools differ', async () => {
    const { page, problems } = await openApp(browser, server, 'compare');
    await page.getByTestId('compare-b').selectOption('sim:xeon-2s-768g');
    await expect.poll(() => page.getByTestId('compare-b-label').textContent()).toBe('simulator: xeon-2s-768g');
    const row = page.getByTestId('diff-row-hugetlb.pool.1048576.total');
    expect(await row.getAttribute('class')).toMatch(/\bchanged\b/);
    expect(await cells(page, 'hugetlb.pool.1048576.total').allTextContents()).toEqual(['0', '380', '+380 pages']);
    expect(await page.getByTestId('diff-summary').textContent()).toMatch(/HugeTLB pools \(\d+\)/);

    // Swapping the sides reverses every change.
    await page.getByTestId('compare-swap').click();
    await expect
      .poll(() => cells(page, 'hugetlb.pool.1048576.total').allTextContents())
      .toEqual(['380', '0', '-380 pages']);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('compares with uploaded snapshots: a setup made, and nothing at all', async () => {
    const { page, problems } = await openApp(browser, server, 'compare');
    await page.getByTestId('compare-b-file').setInputFiles(snapshotOf(VM_TUNED, 'tuned.json'));
    // Reading, parsing and diffing the upload takes seconds on a loaded machine: wait for it, not for a guess.
    await expect
      .poll(() => page.getByTestId('compare-b-label').textContent(), { timeout: 15_000 })
      .toMatch(/^snapshot tuned\.json/);
    expect(await cells(page, 'hvo.memmapPages').allTextContents()).toEqual(['98,304', '86,530', '-11,774 pages']);
    expect(await cells(page, 'hugetlb.pool.2048.total').allTextContents()).toEqual(['0', '512', '+512 pages']);

    await page.getByTestId('compare-b-file').setInputFiles(snapshotOf(VM, 'same.json'));
    await page.getByTestId('diff-same').waitFor();
    expect(await page.getByTestId('diff-summary').textContent()).toMatch(/^Nothing differs/);

    // A corrupt file is refused and the comparison made before stays, its picker naming the good file.
    const bad = join(tmp, 'trunc.json');
    writeFileSync(bad, '{"truncated": [1,2,');
    await page.getByTestId('compare-b-file').setInputFiles(bad);
    await expect
      .poll(() => page.getByTestId('compare-error').textContent())
      .toMatch(/trunc\.json: not JSON: it ends early \(line 1, column 20\)/);
    expect(await page.getByTestId('compare-error').textContent()).toMatch(/last one that could be made/);
    expect(await page.getByTestId('diff-same').count()).toBe(1);
    expect(await page.getByTestId('compare-b-label').textContent()).toMatch(/^snapshot same\.json/);
    await expect
      .poll(() => page.getByTestId('compare-b').evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent))
      .toBe('Snapshot same.json');
    expect(problems.filter((p) => !p.includes('status of 400'))).toEqual([]);
    await page.context().close();
  });

  it('names memory tiers, keeps one unit per column with the exact figure on hover, and wraps long values', async () => {
    // A tiered machine whose boot line holds one long word, compared with the same machine without it.
    const base = findProfile('xeon-cxl-tiered')!;
    const file = join(tmp, 'long-boot-line.json');
    const long = `dyndbg=${'file mm/hugetlb.c +p;'.repeat(30).replaceAll(' ', '_')}`;
    writeFileSync(file, JSON.stringify({ ...base, id: 'long-boot-line', cmdline: `${base.cmdline} ${long}` }));
    const tiered = await serve('--sim', file);
    try {
      const { page, problems } = await openApp(browser, tiered, 'compare', {
        context: { viewport: { width: 1400, height: 900 } },
      });
      await page.getByTestId('compare-b').selectOption('sim:xeon-2s-768g');
      await page.getByTestId('diff-group-numa').waitFor();
      const numa = page.getByTestId('diff-group-numa');
      const tierLabels = await numa.locator('tr[data-testid^="diff-row-numa.tier."] th').allTextContents();
      expect(tierLabels.length).toBeGreaterThan(1);
      for (const label of tierLabels) expect(label).toMatch(/^Nodes in the (DRAM|slower than DRAM|faster than DRAM)/);

      // Every size in a column in one unit, each with its exact figure in KiB on hover.
      const sizeRows = numa.locator('tr[data-testid$=".memTotal"], tr[data-testid$=".memFree"]');
      for (const col of [0, 1, 2]) {
        const texts = (await sizeRows.locator(`td >> nth=${col}`).allTextContents()).filter((t) => /iB$/.test(t));
        const units = new Set(texts.map((t) => /([KMGT]iB)$/.exec(t)?.[1]));
        expect(units.size, texts.join(' | ')).toBeLessThanOrEqual(1);
      }
      expect(await sizeRows.first().locator('td').first().getAttribute('title')).toMatch(
        /^[\d,]+ KiB \([\d,]+ bytes\)$/,
      );

      // The long boot parameter wraps inside its card: the page is no wider than the window.
      await page.getByTestId('diff-row-kernel.cmdline.dyndbg').waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1400);
      // At 1024 px too, and no column is squeezed to a few letters by the long one.
      await page.setViewportSize({ width: 1024, height: 800 });
      await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
      const widths = await page
        .getByTestId('diff-row-kernel.release')
        .locator('th, td')
        .evaluateAll((cells) => cells.map((c) => c.getBoundingClientRect().width));
      expect(Math.min(...widths), widths.join(', ')).toBeGreaterThanOrEqual(90);
      expect(problems).toEqual([]);
      await page.context().close();
    } finally {
      await tiered.stop();
    }
  });
});
