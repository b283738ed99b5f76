/**
 * The Processes view in Chromium against web mode on this machine: a process this test starts, renamed as a
 * model server, is listed with its verdict; its detail shows the figures, the per-node table and the address
 * space as a strip and a table; the alignment probe and the comparison with a plan answer; bad PIDs get one
 * line. With no C compiler the process is `sleep` (no large mappings, so no strip to check).
 */
import { spawn } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHelper, runHelper, type Helper, type Running } from '../process-helper';
import { launch, openApp, serve, type Served } from './browser';

let browser: Browser;
let server: Served;
let helper: Helper | null = null;
let proc: Running | null = null;
let sleeper: ReturnType<typeof spawn> | null = null;
let pid = 0;

beforeAll(async () => {
  const built = buildHelper();
  helper = typeof built === 'string' ? null : built;
  if (helper) {
    proc = await runHelper(helper, ['pattern', '4632', '6144', '3072'], 'llama-server');
    pid = proc.pid;
  } else {
    sleeper = spawn('sleep', ['300'], { argv0: 'llama-server', stdio: 'ignore' });
    pid = sleeper.pid!;
  }
  [browser, server] = await Promise.all([launch(), serve()]);
});
afterAll(async () => {
  sleeper?.kill();
  await Promise.all([browser?.close(), server?.stop(), proc?.stop()]);
  helper?.remove();
});

describe('Processes', () => {
  it('lists a model server with its verdict, and shows its memory and address space', async () => {
    const { page, problems } = await openApp(browser, server, 'processes');
    const row = page.locator(`[data-testid="process-row"][data-pid="${pid}"]`);
    await row.waitFor();
    expect(await page.getByTestId('processes-machine').textContent()).toMatch(
      /^Machine now: THP \w+; default huge page/,
    );
    expect(await row.textContent()).toContain('llama.cpp');
    expect(await row.textContent()).toMatch(/on huge pages|not readable/);
    await row.getByRole('button', { name: 'Details' }).click();
    const detail = page.locator(`[data-testid="process-detail"][data-pid="${pid}"]`);
    await detail.waitFor();
    expect(await page.getByTestId('process-verdict').textContent()).toMatch(/of .* on huge pages/);
    expect(await page.getByTestId('process-figures').textContent()).toMatch(/Page tables \(VmPTE\)\s*\d/);
    expect(await page.getByTestId('process-vma').textContent()).toMatch(/\d+ anonymous mappings/);
    if (proc) {
      // Every large mapping the helper made is a row, and a block in the strip.
      const table = (await page.getByTestId('process-vmas').textContent()) ?? '';
      for (const m of proc.maps) expect(table).toContain(m.address.toString(16));
      expect(await page.getByTestId('address-strip').locator('rect').count()).toBeGreaterThanOrEqual(proc.maps.length);
    }

    await page.getByTestId('process-smaps').click();
    await expect.poll(() => page.getByTestId('process-smaps-result').textContent()).toMatch(/smaps: \d+ mappings/);

    if (proc) {
      // One unit down the Size column, the exact figure on hover.
      const sizes = await page.getByTestId('process-vmas').locator('tbody tr td:nth-child(2)').allTextContents();
      expect(new Set(sizes.map((t) => t.split(' ')[1])).size).toBe(1);
      expect(
        await page.getByTestId('process-vmas').locator('tbody tr td:nth-child(2)').first().getAttribute('title'),
      ).toMatch(/^[\d,]+ KiB \([\d,]+ bytes\)$/);
    }
    expect(await page.getByTestId('processes-machine').textContent()).not.toMatch(/\d{4}/);

    // Bad plans are refused beside the field: not a plain amount, or more memory than the machine has.
    await page.getByTestId('compare-footprint').fill('1e9');
    await page.getByTestId('compare-run').click();
    await expect
      .poll(() => page.getByTestId('compare-error').textContent())
      .toMatch(/^1e9: the planned footprint is a number of MiB/);
    expect(await page.getByTestId('compare-footprint').getAttribute('aria-invalid')).toBe('true');
    await page.getByTestId('compare-footprint').fill('999999999');
    await page.getByTestId('compare-run').click();
    await expect
      .poll(() => page.getByTestId('compare-error').textContent())
      .toMatch(/^the plan needs 976,562.5 GiB, more than this machine's [\d,.]+ \wiB of memory/);
    expect(await page.getByTestId('process-comparison').count()).toBe(0);

    // Plain llama.cpp has no HugeTLB path: it is compared on THP and never told to reserve a pool.
    await page.getByTestId('compare-footprint').fill('64');
    await page.locator('select[data-testid="compare-page-size"]').selectOption('2M');
    await page.getByTestId('compare-run').click();
    await expect
      .poll(() => page.getByTestId('process-comparison').textContent())
      .toMatch(/memory on transparent huge pages/);
    expect(await page.getByTestId('compare-error').count()).toBe(0);
    expect(await page.getByTestId('comparison-note').textContent()).toMatch(/llama.cpp has no HugeTLB path/);
    const comparison = (await page.getByTestId('process-comparison').textContent()) ?? '';
    expect(comparison).not.toMatch(/HugeTLB 2 MiB pages|reserve|ik_llama/);
    const planned = await page.getByTestId('process-comparison').locator('tbody td:nth-child(3)').allTextContents();
    const got = await page.getByTestId('process-comparison').locator('tbody td:nth-child(4)').allTextContents();
    expect(new Set([...planned, ...got].map((t) => t.split(' ').at(-1))).size).toBe(1);

    await page.getByTestId('processes-probe').click();
    await expect.poll(() => page.getByTestId('probe-result').textContent()).toMatch(/(Affected|Not affected): \d of 8/);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('any PID on request; a bad or gone one is one clear line', async () => {
    const { page, problems } = await openApp(browser, server, 'processes');
    await page.getByTestId('processes-pid').fill('abc');
    await page.getByTestId('processes-open').click();
    await expect.poll(() => page.getByTestId('processes-error').textContent()).toMatch(/abc: expected a process id/);
    await page.getByTestId('processes-pid').fill('999999999');
    await page.getByTestId('processes-open').click();
    await expect
      .poll(() => page.getByTestId('processes-error').textContent())
      .toBe('999999999: expected a process id, a whole number from 1 to 4,194,304');
    await page.getByTestId('processes-pid').fill('4194304');
    await page.getByTestId('processes-open').click();
    await expect
      .poll(() => page.getByTestId('processes-error').textContent())
      .toMatch(/process 4194304: no such process/);
    await page.getByTestId('processes-pid').fill(String(pid));
    await page.getByTestId('processes-open').click();
    await page.locator(`[data-testid="process-detail"][data-pid="${pid}"]`).waitFor();
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
