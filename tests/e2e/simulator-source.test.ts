/**
 * The Simulator against a simulated source: its picker follows the machine the app shows and names a profile
 * loaded from a file; applying the recommended settings keeps the user's own pool. Also: every view of the
 * planning side opens with one level-one heading.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProfile } from '../../shared/sim/profiles';
import { launch, openApp, serve, type Served } from './browser';

/** Waits for a value that follows a server round trip: seconds on a loaded machine, so no tight deadline. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

let browser: Browser;
let server: Served;
let dir = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hugetune-e2e-sim-'));
  [browser, server] = await Promise.all([launch(), serve('--sim', 'ubuntu-2404-desktop-64g')]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), server?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function openSimulator(): Promise<{ page: Page; problems: string[] }> {
  const opened = await openApp(browser, server, 'simulator');
  await opened.page.getByTestId('sim-compare').waitFor();
  return opened;
}

const picked = (page: Page) => page.getByTestId('sim-profile').locator('option:checked').textContent();

describe('Simulator on a simulated source', () => {
  it('opens on the simulated machine the app shows, and names a profile loaded from a file', async () => {
    const { page, problems } = await openSimulator();
    expect(await page.getByTestId('sim-profile').inputValue()).toBe('ubuntu-2404-desktop-64g');
    const file = join(dir, 'my-box.json');
    writeFileSync(file, JSON.stringify({ ...findProfile('small-laptop')!, id: 'my-box', description: 'my box' }));
    await page.getByTestId('sim-load').setInputFiles(file);
    await poll(() => picked(page)).toBe('my-box (loaded from a file)');
    expect(await page.getByTestId('sim-compare').locator('thead th').nth(1).textContent()).toBe('my-box');
    // A built-in profile can be chosen and the loaded one chosen back.
    await page.getByTestId('sim-profile').selectOption('strix-halo-128g');
    await page.getByTestId('sim-profile').selectOption({ label: 'my-box (loaded from a file)' });
    await poll(() => page.getByTestId('sim-compare').locator('thead th').nth(1).textContent()).toBe('my-box');
    // A corrupt file: the message says which file it is about.
    const corrupt = join(dir, 'corrupt-box.json');
    writeFileSync(corrupt, '{"id": 1, x}');
    await page.getByTestId('sim-load').setInputFiles(corrupt);
    await poll(() => page.getByTestId('sim-error').textContent()).toBe(
      'corrupt-box.json: not JSON: unexpected character where a quoted key should be (line 1, column 11)',
    );
    // Random bytes are named as binary data, none of them shown.
    const random = join(dir, 'rand.json');
    writeFileSync(random, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xc3, 0x28, 0x47, 0x9c, 0x38, 0x5d, 0xfe, 0x7d]));
    await page.getByTestId('sim-load').setInputFiles(random);
    await poll(() => page.getByTestId('sim-error').textContent()).toBe(
      'rand.json: not JSON: it holds binary data (a compressed file? unpack it first)',
    );
    // A snapshot is named as one, with where it opens.
    const snapshot = join(dir, 'box-snapshot.json');
    writeFileSync(snapshot, JSON.stringify({ format: 'hugetune-snapshot', version: 1, files: {} }));
    await page.getByTestId('sim-load').setInputFiles(snapshot);
    await poll(() => page.getByTestId('sim-error').textContent()).toBe(
      'box-snapshot.json: this is a hugetune snapshot, not a machine profile: open it with Switch source → Open snapshot… (or --snapshot FILE)',
    );
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('applying the recommended settings keeps the user’s own 20,000-page pool', async () => {
    const { page, problems } = await openSimulator();
    await page.getByTestId('sim-profile').selectOption('strix-halo-128g');
    await page.getByTestId('sim-2m').fill('20000');
    await page.getByTestId('sim-1g').fill('4');
    const pools = page.getByTestId('sim-row-Pools');
    await poll(() => pools.getByTestId('sim-whatif').textContent()).toBe('20,000 × 2 MiB');
    await page.getByTestId('sim-recommended').check();
    await poll(() => pools.getByTestId('sim-after').textContent()).toBe('20,000 × 2 MiB, 4 × 1 GiB');
    expect(await page.getByTestId('sim-steps').textContent()).toMatch(
      /the 20,000 × 2M pool reserved at boot too so the reboot keeps it/,
    );
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('after showing a what-if machine, opens on it', async () => {
    const { page, problems } = await openSimulator();
    await page.getByTestId('sim-2m').fill('1000');
    await page.getByTestId('sim-speed').selectOption('600');
    await page.getByTestId('sim-open').click();
    await poll(() => page.getByTestId('source-label').textContent()).toMatch(/ubuntu-2404-desktop-64g-what-if/);
    await page.getByTestId('tab-simulator').click();
    await poll(() => picked(page)).toBe('ubuntu-2404-desktop-64g-what-if (the machine shown now)');
    expect(await page.getByTestId('sim-2m').inputValue()).toBe('1000');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('each planning view opens with one level-one heading', async () => {
    const { page, problems } = await openApp(browser, server);
    for (const [tab, title] of [
      ['planner', 'Planner'],
      ['advisor', 'Advisor'],
      ['setup', 'Setup'],
      ['simulator', 'Simulator'],
      ['compare', 'Compare'],
    ] as const) {
      await page.getByTestId(`tab-${tab}`).click();
      // The shell heads every view with one h1, and the view's region is named by it.
      const view = page.locator(`section[aria-labelledby="${tab}-title"]`);
      await view.waitFor();
      const h1 = page.getByRole('heading', { level: 1 });
      expect(await h1.count(), tab).toBe(1);
      expect(await h1.textContent()).toBe(title);
      expect(await h1.getAttribute('id')).toBe(`${tab}-title`);
      expect(await view.locator('h1').count(), tab).toBe(0);
    }
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
