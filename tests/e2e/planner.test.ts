/** The Planner in Chromium against web mode: catalog models, a GGUF file, suggestions applied. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llamaMeta, llamaTensors, tensorSize, writeGguf } from '../fixtures/gguf';
import { VM_TUNED } from '../helpers';
import { dropFile, launch, openApp, serve, type Served } from './browser';

/** Waits for a value that follows a server round trip: seconds on a loaded machine, so no tight deadline. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

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
    await poll(() => page.getByTestId('plan-hugepages').textContent()).toMatch(/^379 × 1 GiB$/);
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
    await poll(() => page.getByTestId('plan-machine').textContent()).toMatch(/arm64/);
    // 64 KiB pages: 1 GiB is not a size this machine has, and the verdict says so by name.
    await page.getByTestId('plan-machine').waitFor();
    const constraints = page.getByTestId('plan-constraints');
    await page.locator('select[data-testid="plan-page-size"]').selectOption('2M');
    await poll(() => constraints.locator('[data-constraint="page-size"]').getAttribute('data-ok')).toBe('true');
    await page.getByTestId('plan-base-page').selectOption('64K');
    await poll(() => page.getByTestId('plan-machine').textContent()).toMatch(/2M, 512M, 16G/);
    await page.locator('select[data-testid="plan-page-size"]').selectOption('512M');
    await poll(() => page.getByTestId('plan-verdict').textContent()).toMatch(/^\s*Fits/);
    expect(await constraints.locator('[data-ok="false"]').count()).toBe(0);
    await page.getByTestId('plan-mem').fill('32');
    await poll(() => page.getByTestId('plan-verdict').textContent()).toMatch(
      /Does not fit\s+\d+ of \d+ constraints fail/,
    );
    expect(await constraints.locator('[data-constraint="total"]').getAttribute('data-ok')).toBe('false');
    // Nothing stays free: the reserve's capacity reads none, and the hover says how far over the plan goes.
    const reserveHave = constraints.locator('[data-constraint="reserve"]').getByTestId('constraint-have');
    expect(await reserveHave.textContent()).toBe('none');
    expect(await reserveHave.getAttribute('title')).toMatch(/^none: the plan takes [\d.,]+ \wiB more than there is$/);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('says what would make it fit, and applies a suggestion', async () => {
    const { page, problems } = await openPlanner();
    await page.getByTestId('plan-model').selectOption('llama-3.3-70b');
    await page.getByTestId('plan-quant').selectOption('Q8_0');
    await page.getByTestId('plan-planned').check();
    await page.getByTestId('plan-mem').fill('64');
    await poll(() => page.getByTestId('plan-verdict').textContent()).toMatch(/Does not fit/);
    const suggestion = page.getByTestId('plan-suggestions').locator('li', { hasText: 'to spare' }).first();
    await suggestion.getByRole('button', { name: 'Try it' }).click();
    await poll(() => page.getByTestId('plan-verdict').textContent()).toMatch(/^\s*Fits/);
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
    await poll(() => page.getByTestId('plan-model-name').textContent()).toBe('tiny-llama');
    const weights = tensors.reduce((s, t) => s + tensorSize(t), 0) / 1048576;
    // The column is in GiB (the prompt cache is 8 GiB); the exact figure is on hover.
    const row = page.getByTestId('plan-breakdown').locator('tr', { hasText: 'Model weights' });
    expect(await row.textContent()).toContain(`${(weights / 1024).toFixed(3)} GiB`);
    expect(await row.locator('td').first().getAttribute('title')).toMatch(
      new RegExp(`^${weights.toLocaleString('en-US', { maximumFractionDigits: 1 })} MiB`),
    );
    // Inside the models directory a missing file is named as missing; outside it, every path gets one answer
    // (whether or not it exists), which names the directories allowed. The message goes beside the path
    // field, and the last plan stays.
    await page.getByTestId('plan-gguf').fill(join(dir, 'missing.gguf'));
    await poll(() => page.getByTestId('plan-gguf-problem').textContent()).toMatch(/missing\.gguf: no such file/);
    expect(await page.getByTestId('plan-gguf').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('plan-model-name').textContent()).toBe('tiny-llama');
    await page.getByTestId('plan-gguf').fill('/no/such/dir/missing.gguf');
    await poll(() => page.getByTestId('plan-gguf-problem').textContent()).toContain(
      `only inside --models-dir directories in web mode: ${dir}`,
    );
    expect(await page.getByTestId('plan-model-name').textContent()).toBe('tiny-llama');
    await page.context().close();
  });
  it('flips from no fit to fit when the page size or HVO changes, and the fit bar shows both', async () => {
    // A 59,500 MiB footprint on a planned 64 GiB machine: base pages fall short by hundreds of MiB; 2 MiB pages
    // with HVO give back 7 of every 8 vmemmap pages (about 1.4% of the pool) and fit; without HVO they do not.
    const { page, problems } = await openPlanner();
    await page.getByTestId('plan-source-footprint').check();
    await page.getByTestId('plan-footprint').fill('59500');
    await page.getByTestId('plan-planned').check();
    await page.getByTestId('plan-mem').fill('64');
    const verdict = page.getByTestId('plan-verdict');
    await poll(() => verdict.textContent()).toMatch(/Does not fit/);
    await page.getByTestId('plan-page-size').selectOption('2M');
    await poll(() => verdict.textContent()).toMatch(/^\s*Fits/);
    const rows = page.getByTestId('fit-row');
    await poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toMatch(/With HVO \(this plan\): fits/);
    expect(await rows.nth(0).getAttribute('data-fits')).toBe('true');
    expect(await rows.nth(1).textContent()).toMatch(/Without HVO: does not fit/);
    await page.getByTestId('plan-hvo').uncheck();
    await poll(() => verdict.textContent()).toMatch(/Does not fit/);
    await poll(() => rows.nth(1).textContent()).toMatch(/Without HVO \(this plan\): does not fit/);
    // The fit bar's figures are a constraint's, in the constraints table too.
    const failing = page.getByTestId('plan-constraints').locator('[data-ok="false"]');
    expect(await failing.count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('steps the context through powers of two with the arrow keys, from a default the browser accepts', async () => {
    const { page, problems } = await openPlanner();
    const ctx = page.getByTestId('plan-ctx');
    expect(await ctx.inputValue()).toBe('8192');
    expect(await ctx.evaluate((e: HTMLInputElement) => e.checkValidity())).toBe(true);
    await ctx.focus();
    const seen: string[] = [];
    for (const key of ['ArrowUp', 'ArrowUp', 'ArrowDown', 'PageDown', 'ArrowDown']) {
      await page.keyboard.press(key);
      seen.push(await ctx.inputValue());
    }
    expect(seen).toEqual(['16384', '32768', '16384', '8192', '4096']);
    // A typed value between steps goes to its neighbours.
    await ctx.fill('5000');
    await page.keyboard.press('ArrowUp');
    expect(await ctx.inputValue()).toBe('8192');
    const range = page.getByTestId('plan-ctx-range');
    await range.focus();
    await page.keyboard.press('ArrowRight');
    expect(await ctx.inputValue()).toBe('16384');
    expect(await range.getAttribute('aria-valuetext')).toBe('16,384 tokens');
    await poll(() => page.getByTestId('plan-breakdown').textContent()).toMatch(/16384 tokens/);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('an invalid field gets its message beside it; the rest of the page stays', async () => {
    const { page, problems } = await openPlanner();
    const ctx = page.getByTestId('plan-ctx');
    await ctx.fill('50');
    const message = page.getByTestId('plan-ctx-problem');
    await poll(() => message.textContent()).toMatch(/whole number of tokens from 128 to 16,777,216/);
    expect(await ctx.getAttribute('aria-invalid')).toBe('true');
    // The slider stays on the last context a plan could take, at neither end, whatever is typed.
    const range = page.getByTestId('plan-ctx-range');
    const at8192 = await range.inputValue();
    expect(await range.getAttribute('aria-valuetext')).toBe('8,192 tokens');
    await ctx.fill('1e30');
    await poll(() => message.textContent()).toMatch(/from 128 to 16,777,216/);
    expect(await range.inputValue()).toBe(at8192);
    expect(await range.getAttribute('aria-valuetext')).toBe('8,192 tokens');
    await ctx.fill('50');
    expect(await ctx.getAttribute('aria-describedby')).toBe(await message.getAttribute('id'));
    // The last plan stays on screen, said to be the last one, and no raw schema message replaces it.
    await page.getByTestId('plan-stale').waitFor();
    expect(await page.getByTestId('plan-verdict').isVisible()).toBe(true);
    expect(await page.getByTestId('plan-constraints').isVisible()).toBe(true);
    expect(await page.getByTestId('plan-error').count()).toBe(0);
    // Away and back with the field still invalid: the same last plan, still said to be the last one.
    const verdict = await page.getByTestId('plan-verdict').textContent();
    await page.getByRole('button', { name: 'Advisor' }).click();
    await page.getByRole('button', { name: 'Planner' }).click();
    await page.getByTestId('plan-stale').waitFor();
    expect(await page.getByTestId('plan-verdict').textContent()).toBe(verdict);
    expect(await page.getByTestId('plan-empty').count()).toBe(0);
    await page.getByTestId('plan-planned').check();
    await page.getByTestId('plan-kernel').fill('six');
    await poll(() => page.getByTestId('plan-kernel-problem').textContent()).toMatch(/a release like 6\.12/);
    await page.getByTestId('plan-kernel').fill('6.12');
    await ctx.fill('4096');
    await poll(() => page.getByTestId('plan-stale').count()).toBe(0);
    expect(await ctx.getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByTestId('plan-breakdown').textContent()).toMatch(/4096 tokens/);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('reads a dropped GGUF file in the window: its size, the header read, the plan', async () => {
    const tensors = llamaTensors({ layers: 2, hidden: 256, kvDim: 64, ffn: 512, vocab: 1024, type: 12 });
    const file = join(dir, 'dropped-tiny.gguf');
    const size = writeGguf(
      file,
      llamaMeta({ name: 'dropped-llama', layers: 2, hidden: 256, heads: 4, kvHeads: 1, ctx: 2048, vocab: 1024 }),
      tensors,
    );
    const { page, problems } = await openPlanner();
    await page.getByTestId('plan-source-gguf').check();
    await dropFile(page, 'gguf-drop', file, 'dropped-tiny.gguf');
    await poll(() => page.getByTestId('plan-model-name').textContent()).toBe('dropped-llama');
    const kib = (b: number) => `${(b / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 })} KiB`;
    expect(await page.getByTestId('gguf-summary').textContent()).toContain(`${kib(size)} on disk`);
    const progress = page.getByTestId('gguf-progress');
    expect(await progress.getAttribute('value')).toBe(await progress.getAttribute('max'));
    expect(await page.getByTestId('gguf-progress-text').textContent()).toMatch(
      new RegExp(`Read the header of dropped-tiny\\.gguf: [\\d.,]+ KiB of a ${kib(size).replace('.', '\\.')} file`),
    );
    const weights = tensors.reduce((s, t) => s + tensorSize(t), 0);
    expect(await page.getByTestId('plan-breakdown').locator('tr', { hasText: 'Model weights' }).textContent()).toMatch(
      /exact: \d+ tensors in 1 file/,
    );
    expect(weights).toBeGreaterThan(0);
    // One shard of a split model alone is refused with what is missing.
    await page.getByTestId('gguf-file').setInputFiles({
      name: 'big-00001-of-00002.gguf',
      mimeType: 'application/octet-stream',
      buffer: readFileSync(file),
    });
    await poll(() => page.getByTestId('gguf-file-problem').textContent()).toMatch(
      /split into 2 files: drop all of them together \(missing 00002\)/,
    );
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('offers arm64 its own page sizes and never claims HVO where it cannot exist', async () => {
    const { page, problems } = await openPlanner();
    await page.getByTestId('plan-planned').check();
    await page.getByTestId('plan-arch').selectOption('arm64');
    const sizes = () =>
      page
        .getByTestId('plan-page-size')
        .locator('option')
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    await poll(sizes).toEqual(['base', '64K', '2M', '32M', '1G']);
    await page.getByTestId('plan-base-page').selectOption('64K');
    await poll(sizes).toEqual(['base', '2M', '512M', '16G']);
    await page.getByTestId('plan-page-size').selectOption('512M');
    // arm64 had HVO only from 5.19 to 6.2: on 6.12 there is no HVO switch and no saving.
    await page.getByTestId('plan-hvo-none').waitFor();
    expect(await page.getByTestId('plan-hvo').count()).toBe(0);
    await poll(() => page.getByTestId('plan-hvo-saved').textContent()).toMatch(/^nothing: HVO does not exist/);
    expect(await page.getByTestId('fit-note').textContent()).toMatch(/HVO does not exist on this machine/);
    await page.getByTestId('plan-kernel').fill('6.1');
    await page.getByTestId('plan-hvo').waitFor();
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('keeps the form when the user leaves the Planner and comes back', async () => {
    const { page, problems } = await openPlanner();
    await page.getByTestId('plan-model').selectOption('deepseek-r1-671b');
    await page.getByTestId('plan-page-size').selectOption('1G');
    await page.getByTestId('plan-ctx').fill('32768');
    await poll(() => page.getByTestId('plan-breakdown').textContent()).toMatch(/32768 tokens/);
    await page.getByTestId('tab-overview').click();
    await page.getByTestId('tab-planner').click();
    await page.getByTestId('plan-verdict').waitFor();
    expect(await page.getByTestId('plan-model').inputValue()).toBe('deepseek-r1-671b');
    expect(await page.getByTestId('plan-page-size').inputValue()).toBe('1G');
    expect(await page.getByTestId('plan-ctx').inputValue()).toBe('32768');
    await poll(() => page.getByTestId('plan-model-name').textContent()).toMatch(/DeepSeek-R1/);
    expect(await page.getByTestId('plan-breakdown').textContent()).toMatch(/32768 tokens/);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("a path typed after a failed pick clears the pick's problem", async () => {
    const tensors = llamaTensors({ layers: 2, hidden: 256, kvDim: 64, ffn: 512, vocab: 1024, type: 12 });
    const file = join(dir, 'after-bad-pick.gguf');
    writeGguf(
      file,
      llamaMeta({ name: 'picked-later', layers: 2, hidden: 256, heads: 4, kvHeads: 1, ctx: 2048, vocab: 1024 }),
      tensors,
    );
    const { page, problems } = await openPlanner();
    await page.getByTestId('plan-source-gguf').check();
    await page.getByTestId('gguf-file').setInputFiles({
      name: 'notgguf.gguf',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('not a model at all, 36 bytes long..'),
    });
    // The file's problem is beside the file, with no full progress bar as if it had been read.
    await poll(() => page.getByTestId('gguf-file-problem').textContent()).toMatch(/notgguf\.gguf: not a readable GGUF/);
    expect(await page.getByTestId('gguf-progress').count()).toBe(0);
    expect(await page.getByTestId('gguf-choose').getAttribute('aria-describedby')).toBe(
      await page.getByTestId('gguf-file-problem').getAttribute('id'),
    );
    expect(await page.getByTestId('plan-gguf-problem').count()).toBe(0);
    await page.getByTestId('plan-gguf').fill(file);
    await poll(() => page.getByTestId('plan-model-name').textContent()).toBe('picked-later');
    expect(await page.getByTestId('plan-gguf').getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByTestId('plan-gguf-problem').count()).toBe(0);
    expect(await page.getByTestId('gguf-file-problem').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('marks a kernel the planner refuses on its field, in plain words, with no banner', async () => {
    const { page, problems } = await openPlanner();
    await page.getByTestId('plan-planned').check();
    const kernel = page.getByTestId('plan-kernel');
    for (const [value, words] of [
      ['2.6', /^\s*Kernel: hugetune plans for kernels 3\.0 and later\s*$/],
      ['99.99', /^\s*Kernel: not a release like 6\.12\s*$/],
      ['abc', /a release like 6\.12/],
    ] as const) {
      await kernel.fill(value);
      await poll(() => page.getByTestId('plan-kernel-problem').textContent()).toMatch(words);
      expect(await kernel.getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByTestId('plan-error').count()).toBe(0);
    }
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('draws each fit row from the constraint that decides it, and says so when that one has no figures', async () => {
    const { page, problems } = await openPlanner();
    const rows = page.getByTestId('fit-row');
    // The tuned capture: 2 MiB pages leave the plan short of memory; the row shows that, not the pools kept.
    await page.getByTestId('plan-page-size').selectOption('2M');
    await poll(() => page.getByTestId('plan-verdict').textContent()).toMatch(/Does not fit/);
    await poll(() => rows.first().getAttribute('data-constraint')).toBe('total');
    expect(await rows.first().getAttribute('data-fits')).toBe('false');
    expect(await rows.first().getByTestId('fit-bar').getAttribute('data-fits')).toBe('false');
    // A planned arm64 machine with 64 KiB pages has no 1 GiB pages and no HVO: the failing constraint has no
    // figures, so the row says so rather than drawing the memory that fits, and it is not named by HVO.
    await page.getByTestId('plan-planned').check();
    await page.getByTestId('plan-page-size').selectOption('1G');
    await page.getByTestId('plan-arch').selectOption('arm64');
    await page.getByTestId('plan-base-page').selectOption('64K');
    await poll(() =>
      page.getByTestId('plan-constraints').locator('[data-constraint="page-size"]').getAttribute('data-ok'),
    ).toBe('false');
    await poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(/^\s*This plan: does not fit/);
    expect(await rows.first().getAttribute('data-constraint')).toBe('page-size');
    expect(await rows.first().getByTestId('fit-bar').count()).toBe(0);
    expect(await rows.first().getByTestId('fit-no-figures').textContent()).toMatch(/No figures to draw: 1G pages/);
    expect(await page.getByTestId('plan-verdict').textContent()).toMatch(/Does not fit/);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('totals the breakdown with what HVO gives back, as the memory constraint does', async () => {
    const { page, problems } = await openPlanner();
    await page.getByTestId('plan-source-footprint').check();
    await page.getByTestId('plan-footprint').fill('1073152');
    await page.getByTestId('plan-planned').check();
    await page.getByTestId('plan-mem').fill('1100');
    await page.getByTestId('plan-page-size').selectOption('1G');
    await poll(() => page.getByTestId('plan-verdict').textContent()).toMatch(/^\s*Fits/);
    const total = page.getByTestId('plan-constraints').locator('[data-constraint="total"] td.num');
    const needed = page.getByTestId('plan-breakdown-needed').locator('td.num');
    expect(await needed.textContent()).toBe(await total.first().textContent());
    expect(await page.getByTestId('plan-breakdown').textContent()).toMatch(/HVO gives back/);
    if (process.env.HUGETUNE_SCREENSHOT_PLANNER) {
      await page.setViewportSize({ width: 1280, height: 1400 });
      await page.screenshot({ path: `${process.env.HUGETUNE_SCREENSHOT_PLANNER}.hvo.png`, fullPage: true });
      await page.evaluate(() => (document.documentElement.dataset['theme'] = 'dark'));
      await page.screenshot({ path: `${process.env.HUGETUNE_SCREENSHOT_PLANNER}.hvo-dark.png`, fullPage: true });
    }
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
