/** The Compare view in Chromium: the served root against a simulated machine and against uploaded snapshots. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureSnapshot, writeSnapshot } from '../../electron/host/snapshot-io';
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
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
