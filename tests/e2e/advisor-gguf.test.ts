/**
 * The Advisor on a GGUF file read in the window, in Chromium against web mode: dropped on the Advisor, or handed
 * over from the Planner, it gets the same advice as the same file given by its path on the serving machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llamaMeta, llamaTensors, writeGguf } from '../fixtures/gguf';
import { VM_TUNED } from '../helpers';
import { dropFile, launch, openApp, serve, type Served } from './browser';

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

let browser: Browser;
let server: Served;
let dir = '';
let file = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hugetune-e2e-advise-gguf-'));
  file = join(dir, 'window-llama.gguf');
  writeGguf(
    file,
    llamaMeta({ name: 'window-llama', layers: 4, hidden: 512, heads: 8, kvHeads: 2, ctx: 8192, vocab: 1024 }),
    llamaTensors({ layers: 4, hidden: 512, kvDim: 128, ffn: 1024, vocab: 1024, type: 12 }),
  );
  [browser, server] = await Promise.all([launch(), serve('--root', VM_TUNED, '--models-dir', dir)]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), server?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Drops the model file on an element. */
const dropOn = (page: Page, testid: string): Promise<void> => dropFile(page, testid, file, 'window-llama.gguf');

/** What the Advisor shows: the recommendations (id and text) and the ordered changes. */
async function shown(page: Page): Promise<{ recommendations: string[]; changes: string[] }> {
  return {
    recommendations: await page
      .getByTestId('recommendation')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-id')}: ${e.textContent?.replace(/\s+/g, ' ')}`)),
    changes: await page.locator('[data-testid="advise-changes"] li').allTextContents(),
  };
}

const launchLine = (page: Page) => page.locator('[data-testid="recommendation"][data-id="launch"] pre').textContent();

describe('Advisor on a GGUF read in the window', () => {
  it('advises on a file dropped on the Advisor as on the same file given by path', async () => {
    const { page, problems } = await openApp(browser, server, 'advisor');
    await page.getByTestId('advise-changes').or(page.getByTestId('advise-none')).first().waitFor();
    await dropOn(page, 'advisor');
    expect(await page.getByTestId('advise-gguf').isChecked()).toBe(true);
    await poll(() => page.getByTestId('gguf-summary').textContent()).toMatch(/window-llama/);
    await poll(() => launchLine(page)).toMatch(/-m window-llama\.gguf\b/);

    // Where the file lives on the serving machine goes into the launch line.
    await page.getByTestId('advise-model-path').fill(file);
    await poll(() => launchLine(page)).toContain(`-m ${file}`);
    const inWindow = await shown(page);
    expect(inWindow.recommendations.some((r) => r.startsWith('launch:'))).toBe(true);

    // The same file by its path on the serving machine: the same advice, word for word.
    // (A path outside the models directory first: the advice shown is then surely the path's own.)
    await page.getByTestId('plan-gguf').fill('/etc/passwd');
    expect(await page.getByTestId('advise-model-path').count()).toBe(0);
    await poll(() => page.getByTestId('advise-error').textContent()).toMatch(/only inside --models-dir/);
    await page.getByTestId('plan-gguf').fill(file);
    await poll(() => launchLine(page).catch(() => null)).toContain(`-m ${file}`);
    expect(await shown(page)).toEqual(inWindow);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('takes the Planner’s in-window GGUF plan through “What to set for this plan…”', async () => {
    const { page, problems } = await openApp(browser, server, 'planner');
    await page.getByTestId('plan-verdict').waitFor();
    await page.getByTestId('plan-source-gguf').check();
    await dropOn(page, 'gguf-drop');
    await poll(() => page.getByTestId('plan-model-name').textContent()).toBe('window-llama');
    await page.locator('select[data-testid="plan-page-size"]').selectOption('2M');
    await poll(() => page.getByTestId('plan-verdict').textContent()).toMatch(/window-llama/);
    await page.getByTestId('plan-advise').click();
    expect(await page.getByTestId('advise-plan').isChecked()).toBe(true);
    expect(await page.getByTestId('advise-local-model').textContent()).toMatch(
      /window-llama\.gguf, was read in this window/,
    );
    await poll(() => page.getByTestId('advise-verdict').textContent()).toMatch(/window-llama/);
    await poll(() => launchLine(page)).toMatch(/llama-server -m window-llama\.gguf .*-thp/);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
