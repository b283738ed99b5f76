/**
 * The Monitor in a real Chromium against web mode on a simulated machine: points arrive with the samples,
 * pause stops them, the CSV has the right header and rows, a reload keeps the history, and a fixture root
 * says plainly that it has no rates. No console errors, no CSP violations.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VM_TUNED } from '../helpers';
import { axeProblems } from './axe';
import { launch, openApp, serve, type Served } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(() => browser?.close());

const points = async (page: Page, id = 'tlb'): Promise<number> =>
  Number(await page.getByTestId(`chart-${id}`).getAttribute('data-points'));

describe('Monitor in Chromium', () => {
  let sim: Served;
  let root: Served;
  beforeAll(async () => {
    [sim, root] = await Promise.all([serve('--sim', 'xeon-cxl-tiered'), serve('--root', VM_TUNED)]);
  });
  afterAll(async () => {
    await Promise.all([sim?.stop(), root?.stop()]);
  });

  it('charts samples as they arrive, pauses, exports CSV and keeps its history across a reload', async () => {
    const { page, problems } = await openApp(browser, sim, 'monitor');
    await page.getByTestId('chart-tlb').waitFor();
    // Each sample adds a point (the interval is 2 s): wait for two more than the first.
    await expect.poll(() => points(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('key-now').textContent()).toMatch(/\/s$/);
    expect(await page.locator('[data-testid="chart-heatmap"] canvas').count()).toBe(1);

    await page.getByTestId('monitor-pause').click();
    expect(await page.getByTestId('monitor-pause').getAttribute('aria-pressed')).toBe('true');
    const frozen = await points(page);
    await page.waitForTimeout(4500);
    expect(await points(page)).toBe(frozen);
    await page.getByTestId('monitor-pause').click();
    await expect.poll(() => points(page), { timeout: 10_000 }).toBeGreaterThan(frozen);

    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('monitor-export').click()]);
    const csv = readFileSync(await dl.path(), 'utf8')
      .trimEnd()
      .split('\n');
    const header = csv[0]!.split(',');
    expect(header.slice(0, 13).join(',')).toBe(
      'time_utc,tlb_shootdowns_per_s,function_call_ipis_per_s,rescheduling_ipis_per_s,thp_fault_alloc_per_s,' +
        'thp_fault_fallback_per_s,thp_collapse_alloc_per_s,thp_split_page_per_s,compact_stall_per_s,' +
        'pgmigrate_success_per_s,numa_pages_migrated_per_s,pgpromote_success_per_s,pgdemote_per_s',
    );
    // Then every CPU's own rate, one column each.
    const cpuColumns = header.slice(13);
    expect(cpuColumns.length).toBeGreaterThan(1);
    expect(cpuColumns.every((h) => /^cpu\d+$/.test(h))).toBe(true);
    const shown = await points(page);
    expect(csv.length - 1).toBeGreaterThanOrEqual(shown - 1);
    for (const row of csv.slice(2)) {
      const cells = row.split(',');
      expect(cells).toHaveLength(header.length);
      expect(cells[0]).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(Number(cells[1])).toBeGreaterThan(0); // the tiered scenario shoots down TLBs all the time
      expect(cells.slice(13).some((c) => Number(c) > 0)).toBe(true);
    }

    // The numbers behind every chart, as tables: each scrolling box is a named region a keyboard can reach.
    // Each switch is named for its chart.
    expect(await page.getByRole('button', { name: 'Show numbers: TLB shootdowns per CPU' }).count()).toBe(1);
    for (const id of ['tlb', 'heatmap', 'ipi', 'thp', 'compaction', 'migration', 'tiering'])
      await page.getByTestId(`table-toggle-${id}`).click();
    expect(await page.getByTestId('table-tlb').locator('tbody tr').count()).toBeGreaterThanOrEqual(shown - 1);
    expect(await page.locator('#chart-heatmap-table').getAttribute('tabindex')).toBe('0');
    // Every CPU with its rate over the window the map shows, not only the newest column.
    expect(await page.getByTestId('table-heatmap').locator('thead th').allTextContents()).toEqual([
      'CPU',
      'Latest',
      'Mean',
      'Peak',
    ]);
    expect(await page.getByTestId('table-heatmap').locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByRole('region', { name: 'TLB shootdowns per CPU: numbers' }).count()).toBe(1);
    expect(await page.getByTestId('chart-tlb').locator('h2').textContent()).toBe('TLB shootdowns per second');
    expect(await page.getByTestId('table-tlb').locator('caption').textContent()).toBe('TLB shootdowns per second');
    expect(await axeProblems(page)).toEqual([]);

    // The heatmap names its axes: CPUs down the side, seconds before the newest sample along the bottom.
    const cpuAxis = await page.getByTestId('heatmap-cpu-axis').locator('span').allTextContents();
    expect(cpuAxis.length).toBeGreaterThanOrEqual(2);
    expect(cpuAxis[0]).toBe(`CPU ${cpuColumns[0]!.slice(3)}`);
    expect(cpuAxis.at(-1)).toBe(`CPU ${cpuColumns.at(-1)!.slice(3)}`);
    expect(await page.getByTestId('heatmap-time-axis').locator('span').allTextContents()).toEqual([
      '-300 s',
      '-240 s',
      '-180 s',
      '-120 s',
      '-60 s',
      '0 s',
    ]);

    // A reload keeps the history the server holds: the chart starts with the points it had.
    const before = await points(page);
    await page.reload();
    await page.getByTestId('tab-monitor').click();
    await page.getByTestId('chart-tlb').waitFor();
    await expect.poll(() => points(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(before);

    // Hovering the heatmap names a CPU, a moment and a rate.
    const box = (await page.locator('[data-testid="chart-heatmap"] canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width - 2, box.y + 5);
    expect(await page.getByTestId('heatmap-readout').textContent()).toMatch(/CPU \d+ · latest sample · [\d,.]+\/s/);

    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('says in the chart card which series this kernel does not count, and why (arm64: no TLB row)', async () => {
    const arm = await serve('--sim', 'arm64-workstation');
    try {
      const { page, problems } = await openApp(browser, arm, 'monitor');
      await page.getByTestId('chart-tlb').waitFor();
      await expect.poll(() => points(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
      expect(await page.getByTestId('none-tlb').textContent()).toMatch(/Not counted on this source/);
      expect(await page.getByTestId('absent-tlb').textContent()).toMatch(/All CPUs: arm64 .*broadcast TLBI/);
      // The per-CPU map says the same instead of drawing an empty grey block with a scale.
      expect(await page.getByTestId('none-heatmap').textContent()).toMatch(/Not counted on this source/);
      expect(await page.getByTestId('heatmap-absent').textContent()).toMatch(/^\d+ CPUs: arm64 .*broadcast TLBI/);
      expect(await page.getByTestId('heatmap-scale').count()).toBe(0);
      expect(await page.getByTestId('heatmap-cpu-axis').locator('span').count()).toBe(0);
      // Its IPIs are counted (IPI0 and IPI1 rows): that card names nothing as missing.
      expect(await page.getByTestId('absent-ipi').count()).toBe(0);
      expect(await page.getByTestId('none-ipi').count()).toBe(0);
      // A chart with some lines counted keeps drawing them, and marks the missing ones in its legend.
      const legend = page.getByTestId('chart-thp').locator('ul.legend li');
      expect(await legend.count()).toBe(4);
      expect(problems).toEqual([]);
      await page.context().close();
    } finally {
      await arm.stop();
    }
  });

  it('the heatmap scale is said in its caption', async () => {
    const { page, problems } = await openApp(browser, sim, 'monitor');
    await page.getByTestId('chart-heatmap').waitFor();
    await expect
      .poll(async () => (await page.getByTestId('heatmap-scale').textContent())?.replace(/\s+/g, ' '), {
        timeout: 20_000,
      })
      .toMatch(/logarithmic scale up to [\d,.]+\/s, which follows the busiest CPU in the window/);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('says when the server is gone and stops showing live figures; a view opened then says why it cannot load', async () => {
    const gone = await serve('--sim', 'xeon-2s-768g');
    const { page } = await openApp(browser, gone, 'monitor');
    try {
      await page.getByTestId('chart-tlb').waitFor();
      await expect.poll(() => points(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
      await expect.poll(() => page.getByTestId('key-now').textContent()).toMatch(/\/s$/);
      expect(await page.getByTestId('connection-lost').count()).toBe(0);
      await gone.stop();
      // Three missed 2 s ticks mean gone.
      await page.getByTestId('connection-lost').waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('connection-lost').textContent()).toMatch(/connection to hugetune is lost/);
      expect(await page.getByTestId('key-now').textContent()).toBe('—');
      expect(await page.getByTestId('key-busiest').textContent()).toBe('—');
      expect(await page.getByTestId('monitor-status').textContent()).toMatch(
        /^No samples since \d\d:\d\d:\d\d: not live/,
      );
      expect(await page.getByTestId('monitor-pause').isDisabled()).toBe(true);

      // The Processes view was never opened, so its code was never fetched: it cannot be now.
      await page.getByTestId('tab-processes').click();
      const failed = page.getByTestId('view-load-failed');
      await failed.waitFor();
      expect(await failed.locator('p').first().textContent()).toMatch(
        /^This view could not be loaded: the app has lost its connection to hugetune/,
      );
      expect(await failed.locator('p').nth(1).textContent()).toMatch(/^Detail: /);
    } finally {
      await gone.stop();
      await page.context().close();
    }
  });

  it('says a fixture root has no rates instead of charting zeros', async () => {
    const { page, problems } = await openApp(browser, root, 'monitor');
    await page.getByTestId('monitor-static').waitFor();
    expect(await page.getByTestId('monitor-static').textContent()).toMatch(/not a running kernel: there are no rates/);
    expect(await page.getByTestId('chart-tlb').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
