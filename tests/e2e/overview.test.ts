/** The Overview in a real Chromium against web mode: live data, no console errors, no CSP violations. */
import { mkdtempSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureSnapshot } from '../../electron/host/snapshot-io';
import { findProfile } from '../../shared/sim/profiles';
import { buildTree, TREES, writeTree } from '../fixtures/trees';
import { fixtureFiles, VM_TUNED } from '../helpers';
import { axeProblems } from './axe';
import { launch, openApp, serve, type Served } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(() => browser?.close());
// Made before the first test, not while collecting: a run whose filter skips every test here runs neither
// hook, so a directory made at collection would be left behind.
let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-noble-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const open = (server: Served): Promise<{ page: Page; problems: string[] }> => openApp(browser, server);

describe('web mode in Chromium', () => {
  let live: Served;
  let tuned: Served;
  beforeAll(async () => {
    [live, tuned] = await Promise.all([serve(), serve('--root', VM_TUNED)]);
  });
  afterAll(async () => {
    await Promise.all([live?.stop(), tuned?.stop()]);
  });

  it('renders this machine live, with no console errors or CSP violations', async () => {
    const { page, problems } = await open(live);
    await page.getByTestId('kernel-release').waitFor();
    expect(await page.getByTestId('kernel-release').textContent()).toBe(release());
    expect(new URL(page.url()).search).toBe(''); // the token left the address bar
    await page.getByTestId('card-pools').waitFor();
    await page.getByTestId('hw-cpu').waitFor();
    // Live samples keep arriving over server-sent events.
    if (await page.getByTestId('tlb-total').count()) {
      await page.getByTestId('tlb-rate').waitFor({ timeout: 30_000 });
    }
    await page.waitForTimeout(500);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('renders a captured machine from --root exactly', async () => {
    const { page, problems } = await open(tuned);
    await page.getByTestId('kernel-release').waitFor();
    expect(await page.getByTestId('thp-enabled').textContent()).toBe('always');
    expect(await page.getByTestId('hvo-enabled').textContent()).toBe('on');
    expect(await page.getByTestId('pool-2048').getByTestId('pool-total').textContent()).toBe('512');
    expect(await page.getByTestId('pool-1048576').getByTestId('pool-total').textContent()).toBe('2');
    expect(await page.getByTestId('source').textContent()).toMatch(/fake root/);
    // The path's end is what tells one capture from another: in the bar, and the whole path in the open menu.
    expect(await page.getByTestId('source-label').textContent()).toMatch(/^fake root …\/.*vm-x86_64-6\.18-2cpu-tuned$/);
    await page.getByTestId('source-menu').click();
    expect(await page.getByTestId('source-full').textContent()).toBe(`Showing fake root ${VM_TUNED}`);
    // Readable on the menu's own colours (axe cannot tell the background of a panel laid over the page, so the
    // contrast is computed here): WCAG's 4.5:1 for text, and no other serious axe finding with it open.
    const ratio = await page.getByTestId('source-full').evaluate((el) => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
      let bg = el as Element | null;
      while (bg && rgb(getComputedStyle(bg).backgroundColor)[3] === 0) bg = bg.parentElement;
      const lum = (c: string) => {
        const [r, g, b] = rgb(c).map((v) => {
          const x = v / 255;
          return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const [hi, lo] = [lum(getComputedStyle(el).color), lum(getComputedStyle(bg!).backgroundColor)].sort(
        (a, b) => b - a,
      );
      return (hi! + 0.05) / (lo! + 0.05);
    });
    expect(ratio).toBeGreaterThanOrEqual(4.5);
    expect(await axeProblems(page)).toEqual([]);
    expect(await page.getByTestId('memory-table').count()).toBe(1);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('the violation check is live: a blocked resource is caught', async () => {
    const { page, problems } = await open(tuned);
    await page.getByTestId('kernel-release').waitFor();
    await page.evaluate(() => {
      const img = document.createElement('img');
      img.src = 'https://example.invalid/x.png';
      document.body.append(img);
    });
    await expect.poll(() => problems.join('\n')).toMatch(/CSP violation: img-src/);
    await page.context().close();
  });

  it('opens a snapshot in the app and goes back to this machine', async () => {
    const { page, problems } = await open(live);
    await page.getByTestId('kernel-release').waitFor();
    const snap = JSON.stringify(captureSnapshot(fixtureFiles(VM_TUNED), true));
    await page
      .getByTestId('snapshot-input')
      .setInputFiles({ name: 'box.json', mimeType: 'application/json', buffer: Buffer.from(snap) });
    await expect
      .poll(() => page.getByTestId('source-label').textContent())
      .toMatch(/snapshot box.json \(host redacted/);
    await expect.poll(() => page.getByTestId('hvo-enabled').textContent()).toBe('on');
    expect(await page.getByTestId('pool-1048576').getByTestId('pool-total').textContent()).toBe('2');
    // A corrupt file is refused with a message; what is shown stays.
    await page
      .getByTestId('snapshot-input')
      .setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"format":') });
    await expect
      .poll(() => page.getByTestId('app-error').textContent())
      .toMatch(/bad\.json: not JSON: it ends early \(line 1, column 11\)/);
    // A machine profile is named as one, with where it opens.
    await page.getByTestId('snapshot-input').setInputFiles({
      name: 'profile.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(findProfile('small-laptop'))),
    });
    await expect
      .poll(() => page.getByTestId('app-error').textContent())
      .toMatch(
        /profile\.json: this is a machine profile, not a hugetune snapshot: load it in the Simulator with Load a saved profile/,
      );
    expect(await page.getByTestId('source-label').textContent()).toMatch(/box.json/);
    await page.getByRole('button', { name: 'Back to this machine' }).click();
    await expect.poll(() => page.getByTestId('kernel-release').textContent()).toBe(release());
    expect(problems.filter((p) => !p.includes('status of 400'))).toEqual([]);
    await page.context().close();
  });

  it('switches from a fixture root to a simulated machine and to this machine from the source menu', async () => {
    const { page, problems } = await open(tuned);
    await page.getByTestId('kernel-release').waitFor();
    await page.getByTestId('source-menu').click();
    await page.getByTestId('source-profile').selectOption('xeon-2s-768g');
    await page.getByTestId('source-simulate').click();
    await expect.poll(() => page.getByTestId('source-label').textContent()).toMatch(/xeon-2s-768g/);
    // The menu closes on a pick, and the simulated machine is shown.
    await expect.poll(() => page.getByTestId('source-simulate').isVisible()).toBe(false);
    await page.getByTestId('source-menu').click();
    expect(await page.getByTestId('source-profile').inputValue()).toBe('xeon-2s-768g');
    await page.getByTestId('source-live').click();
    await expect.poll(() => page.getByTestId('kernel-release').textContent()).toBe(release());
    expect(await page.getByTestId('source-label').textContent()).toBe('this machine');
    // Shown now, so not offered again; the way back to the fixture root is. Escape closes the menu.
    await page.getByTestId('source-menu').click();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('source-live').isVisible()).toBe(false);
    await page.getByTestId('source-menu').click();
    expect(await page.getByTestId('source-live').isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Back to fake root' }).click();
    await expect.poll(() => page.getByTestId('source-label').textContent()).toMatch(/fake root/);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows findings with their evidence for an affected machine', async () => {
    const dir = writeTree(tmp, buildTree(TREES.noble));
    const noble = await serve('--root', dir);
    try {
      const { page, problems } = await open(noble);
      const finding = page.getByTestId('finding-thp-alignment-regression');
      await finding.waitFor();
      await finding.getByText('Evidence').click();
      expect(await finding.textContent()).toMatch(/\/proc\/sys\/kernel\/osrelease: 6\.8\.0-45-generic/);
      expect(await page.getByTestId('finding-hvo-off-with-pools').count()).toBe(1);
      expect(problems).toEqual([]);
      // The README's screenshot: HUGETUNE_SCREENSHOT=docs/overview.png npx vitest run tests/e2e -t findings
      if (process.env.HUGETUNE_SCREENSHOT) {
        await page.setViewportSize({ width: 1200, height: 900 });
        await page.screenshot({ path: process.env.HUGETUNE_SCREENSHOT, fullPage: true });
      }
      await page.context().close();
    } finally {
      await noble.stop();
    }
  });

  it('refuses a browser without the token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The page itself is public code; every API call it makes is refused and says why.
    const res = await page.goto(`http://127.0.0.1:${live.port}/`);
    expect(res?.status()).toBe(200);
    await expect.poll(() => page.getByTestId('app-error').textContent()).toMatch(/Unauthorized/);
    const api = await context.request.post(`http://127.0.0.1:${live.port}/api/call`, {
      data: { method: 'host.report', args: {} },
    });
    expect(api.status()).toBe(401);
    await context.close();
  });

  it('refuses a page on another origin that calls the API with the token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(live.url); // the victim's tab holds the token
    await page.getByTestId('kernel-release').waitFor();
    // A foreign origin (another loopback port) tries to use it.
    const evil = await serve('--root', VM_TUNED);
    try {
      const other = await context.newPage();
      await other.goto(evil.url);
      const status = await other.evaluate(async (port) => {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/api/call`, {
            method: 'POST',
            credentials: 'include',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ method: 'host.report', args: {} }),
          });
          return r.status;
        } catch {
          return 'blocked';
        }
      }, live.port);
      expect(status).not.toBe(200);
    } finally {
      await evil.stop();
      await context.close();
    }
  });
});
