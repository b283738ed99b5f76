/** The Simulator in Chromium: what-if edits, kernel semantics, recommended settings side by side, and the Overview on a simulated machine. */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VM } from '../helpers';
import { launch, openApp, serve, type Served } from './browser';

let browser: Browser;
let server: Served;
beforeAll(async () => {
  [browser, server] = await Promise.all([launch(), serve('--root', VM)]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), server?.stop()]);
});

async function openSimulator(): Promise<{ page: Page; problems: string[] }> {
  const opened = await openApp(browser, server, 'simulator');
  await opened.page.getByTestId('sim-compare').waitFor();
  return opened;
}

const cell = (page: Page, row: string) => page.getByTestId(`sim-row-${row}`).locator('td').nth(1);

describe('Simulator', () => {
  it('edits a machine and shows before and after side by side', async () => {
    const { page, problems } = await openSimulator();
    await page.getByTestId('sim-profile').selectOption('ubuntu-2404-desktop-64g');
    await page.getByTestId('sim-mem-0').fill('256');
    await page.getByTestId('sim-release').fill('6.12.48');
    // MemTotal, as the kernel shows it: installed memory less what firmware and the kernel reserve at boot.
    await expect.poll(() => cell(page, 'Memory').textContent()).toMatch(/^25[0-5]\.\d GiB$/);
    expect(await page.getByTestId('sim-row-Memory').locator('td').first().textContent()).toMatch(/^6[23]\.\d GiB$/);
    expect(await cell(page, 'Findings').textContent()).not.toMatch(/alignment regression/);
    expect(await page.getByTestId('sim-row-Findings').locator('td').first().textContent()).toMatch(
      /alignment regression/,
    );
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('a runtime 1 GiB pool falls short on a fragmented machine, saying why; the recommended settings reserve it at boot', async () => {
    const { page } = await openSimulator();
    await page.getByTestId('sim-profile').selectOption('strix-halo-128g');
    await page.getByTestId('sim-1g').fill('16');
    await expect
      .poll(() => page.getByTestId('sim-shortfall').textContent())
      .toMatch(/Asked for 16 × 1 GiB at runtime, got 0/);
    // The reason is the one the simulated kernel had: this profile's fragmentation, not how long it has run.
    expect(await page.getByTestId('sim-shortfall').textContent()).toMatch(
      /free memory is \d+% fragmented, and a free 1 GiB range needs it under 10%; reserve 1 GiB pages at boot/,
    );
    await page.getByTestId('sim-recommended').check();
    // A third column: the what-if with the recommended settings applied.
    const after = page.getByTestId('sim-row-Pools').getByTestId('sim-after');
    await expect.poll(() => after.textContent()).toBe('16 × 1 GiB');
    expect(await cell(page, 'Pools').textContent()).toBe('none');
    expect(await page.getByTestId('sim-steps').textContent()).toMatch(
      /hugepagesz=1G hugepages=16 hugetlb_free_vmemmap=on/,
    );
    if (process.env.HUGETUNE_SCREENSHOT_SIM) {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.screenshot({ path: process.env.HUGETUNE_SCREENSHOT_SIM, fullPage: true });
    }
    await page.context().close();
  });

  it('shows the what-if machine in the Overview, with its own simulated time', async () => {
    const { page, problems } = await openSimulator();
    await page.getByTestId('sim-profile').selectOption('xeon-cxl-tiered');
    await page.getByTestId('sim-open').click();
    await page.getByTestId('finding-tiering-demotion').waitFor();
    expect(await page.getByTestId('source-label').textContent()).toMatch(/simulator: xeon-cxl-tiered-what-if/);
    expect(await page.getByTestId('numa-node-1').textContent()).toMatch(/none \(memory only\)/);
    await page.getByTestId('tlb-rate').waitFor({ timeout: 30_000 });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('marks a bad field beside it in words and keeps the last valid what-if', async () => {
    const { page, problems } = await openSimulator();
    await page.getByTestId('sim-profile').selectOption('strix-halo-128g');
    const memory = cell(page, 'Memory');
    const shown = await memory.textContent();
    for (const bad of ['0', '', '65537']) {
      await page.getByTestId('sim-mem-0').fill(bad);
      await expect
        .poll(() => page.getByTestId('sim-mem-0-problem').textContent())
        .toMatch(/Memory: GiB from 0.25 to 65,536/);
      expect(await page.getByTestId('sim-mem-0').getAttribute('aria-invalid')).toBe('true');
      expect(await memory.textContent()).toBe(shown);
    }
    await page.getByTestId('sim-mem-0').fill('64');
    await expect.poll(() => page.getByTestId('sim-mem-0-problem').count()).toBe(0);
    await expect.poll(() => memory.textContent()).not.toBe(shown);

    const pools = cell(page, 'Pools');
    await page.getByTestId('sim-2m').fill('100');
    await expect.poll(() => pools.textContent()).toBe('100 × 2 MiB');
    for (const bad of ['-5', '1.5', '1e12']) {
      await page.getByTestId('sim-2m').fill(bad);
      await expect.poll(() => page.getByTestId('sim-2m-problem').textContent()).toMatch(/2 MiB pages: a whole number/);
      expect(await pools.textContent()).toBe('100 × 2 MiB');
      expect(await page.getByTestId('sim-invalid').count()).toBe(0);
      expect(await page.getByTestId('sim-open').isDisabled()).toBe(true);
    }
    await page.getByTestId('sim-1g').fill('1e12');
    await expect.poll(() => page.getByTestId('sim-1g-problem').textContent()).toMatch(/1 GiB pages: a whole number/);
    expect(await page.getByTestId('sim-compare').count()).toBe(1);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows in the Overview the machine of its column, with the recommended settings and the speed chosen', async () => {
    const { page, problems } = await openSimulator();
    await page.getByTestId('sim-profile').selectOption('strix-halo-128g');
    await page.getByTestId('sim-2m').fill('20000');
    await page.getByTestId('sim-recommended').check();
    const after = (row: string) => page.getByTestId(`sim-row-${row}`).getByTestId('sim-after');
    await expect.poll(() => after('HVO').textContent()).toBe('on');
    const vmemmap = await after('vmemmap').textContent();
    await page.getByTestId('sim-speed').selectOption('3600');
    await page.getByTestId('sim-open').click();
    await expect
      .poll(() => page.getByTestId('source-label').textContent())
      .toMatch(/simulator: strix-halo-128g-what-if/);
    expect(await page.locator('main').textContent()).not.toMatch(/HVO is built in but off/);

    // Back in the Simulator: the same run, so the same machine and the same speed.
    await page.getByRole('button', { name: 'Simulator' }).click();
    await page.getByTestId('sim-compare').waitFor();
    expect(await page.getByTestId('sim-speed').inputValue()).toBe('3600');
    expect(await page.getByTestId('sim-recommended').isChecked()).toBe(true);
    await expect.poll(() => after('vmemmap').textContent()).toBe(vmemmap);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
