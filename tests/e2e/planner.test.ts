/** The Planner in Chromium against web mode: catalog models, a GGUF file, suggestions applied. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llamaMeta, llamaTensors, tensorSize, writeGguf } from '../fixtures/gguf';
import { VM_TUNED } from '../helpers';
import { launch, openApp, serve, type Served } from './browser';

let browser: Browser;
let server: Served;
// Made before the first test, not while collecting: a run whose filter skips every test here runs neither
// hook, so a directory made at collection would be left behind. Web mode plans GGUF files only inside the
// directories the server was started with (--models-dir).
let dir = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hugetune-e2e-gguf-'));
  [browser, server] = await Promise.all([launch(), serve('--root', VM_TUNED, '--models-dir', dir)]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), server?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function openPlanner(): Promise<{ page: Page; problems: string[] }> {
  const opened = await openApp(browser, server, 'planner');
  await opened.page.getByTestId('plan-verdict').waitFor();
  return opened;
}

describe('Planner', () => {
  it('answers the question users come with: DeepSeek-R1 Q4_K_M on a 512 GB box with 1 GiB pages', async () => {
    const { page, problems } = await openPlanner();
    await page.getByTestId('plan-model').selectOption('deepseek-r1-671b');
    await page.getByTestId('plan-quant').selectOption('Q4_K_M');
    await page.getByTestId('plan-planned').check();
    await page.getByTestId('plan-mem').fill('512');
    await page.getByTestId('plan-page-size').selectOption('1G');
    await expect.poll(() => page.getByTestId('plan-hugepages').textContent()).toMatch(/^379 × 1 GiB$/);
    expect(await page.getByTestId('plan-verdict').textContent()).toMatch(/^\s*Fits/);
    expect(await page.getByTestId('plan-hvo-saved').textContent()).toBe(
      `${(379 * 16380).toLocaleString('en-US')} KiB (6062.5 MiB)`,
    );
    expect(await page.getByTestId('plan-commands').textContent()).toMatch(
      /hugepagesz=1G hugepages=379 hugetlb_free_vmemmap=on/,
    );
    expect(await page.locator('.chart.breakdown canvas').count()).toBe(1);
    if (process.env.HUGETUNE_SCREENSHOT_PLANNER) {
      await page.setViewportSize({ width: 1280, height: 1000 });
      await page.screenshot({ path: process.env.HUGETUNE_SCREENSHOT_PLANNER, fullPage: true });
    }
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows every constraint behind the verdict and the machine the plan used', async () => {
    const { page, problems } = await openPlanner();
    await page.getByTestId('plan-planned').check();
    await page.getByTestId('plan-mem').fill('128');
    await page.getByTestId('plan-arch').selectOption('arm64');
    await expect.poll(() => page.getByTestId('plan-machine').textContent()).toMatch(/arm64/);
    // 64 KiB pages: 1 GiB is not a size this machine has, and the verdict says so by name.
    await page.getByTestId('plan-machine').waitFor();
    const constraints = page.getByTestId('plan-constraints');
    await page.locator('select[data-testid="plan-page-size"]').selectOption('2M');
    await expect.poll(() => constraints.locator('[data-constraint="page-size"]').getAttribute('data-ok')).toBe('true');
    await page.getByTestId('plan-base-page').selectOption('64K');
    await expect.poll(() => page.getByTestId('plan-machine').textContent()).toMatch(/2M, 512M, 16G/);
    await page.locator('select[data-testid="plan-page-size"]').selectOption('512M');
    await expect.poll(() => page.getByTestId('plan-verdict').textContent()).toMatch(/^\s*Fits/);
    expect(await constraints.locator('[data-ok="false"]').count()).toBe(0);
    await page.getByTestId('plan-mem').fill('32');
    await expect
      .poll(() => page.getByTestId('plan-verdict').textContent())
      .toMatch(/Does not fit\s+\d+ of \d+ constraints fail/);
    expect(await constraints.locator('[data-constraint="total"]').getAttribute('data-ok')).toBe('false');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('says what would make it fit, and applies a suggestion', async () => {
    const { page, problems } = await openPlanner();
    await page.getByTestId('plan-model').selectOption('llama-3.3-70b');
    await page.getByTestId('plan-quant').selectOption('Q8_0');
    await page.getByTestId('plan-planned').check();
    await page.getByTestId('plan-mem').fill('64');
    await expect.poll(() => page.getByTestId('plan-verdict').textContent()).toMatch(/Does not fit/);
    const suggestion = page.getByTestId('plan-suggestions').locator('li', { hasText: 'fits, margin' }).first();
    await suggestion.getByRole('button', { name: 'Try it' }).click();
    await expect.poll(() => page.getByTestId('plan-verdict').textContent()).toMatch(/^\s*Fits/);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('plans a GGUF file by its path, and explains a bad path', async () => {
    const tensors = llamaTensors({ layers: 4, hidden: 512, kvDim: 128, ffn: 1536, vocab: 2048, type: 12 });
    const file = join(dir, 'tiny.gguf');
    writeGguf(
      file,
      llamaMeta({ name: 'tiny-llama', layers: 4, hidden: 512, heads: 8, kvHeads: 2, ctx: 4096, vocab: 2048 }),
      tensors,
    );
    const { page } = await openPlanner();
    await page.getByRole('radio', { name: 'GGUF file' }).check();
    await page.getByTestId('plan-gguf').fill(file);
    await expect.poll(() => page.getByTestId('plan-model-name').textContent()).toBe('tiny-llama');
    const weights = tensors.reduce((s, t) => s + tensorSize(t), 0) / 1048576;
    expect(
      await page.getByTestId('plan-breakdown').locator('tr', { hasText: 'Model weights' }).textContent(),
    ).toContain(`${Math.round(weights)} MiB`);
    await page.getByTestId('plan-gguf').fill(join(dir, 'missing.gguf'));
    // In web mode a path that cannot be planned gets one answer, whether or not it exists.
    await expect.poll(() => page.getByTestId('plan-error').textContent()).toMatch(/only inside --models-dir/);
    await page.context().close();
  });
});
