/** The source is per browser tab: a snapshot opened in one tab changes nothing that another tab shows. */
import { release } from 'node:os';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureSnapshot } from '../../electron/host/snapshot-io';
import { fixtureFiles, VM_TUNED } from '../helpers';
import { appMounted, launch, serve, type Served } from './browser';

let browser: Browser;
let live: Served;
beforeAll(async () => {
  [browser, live] = await Promise.all([launch(), serve()]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), live?.stop()]);
});

describe('one source per tab', () => {
  it('a snapshot opened in one tab leaves the other tab on this machine, labelled Live', async () => {
    // Two tabs of one browser profile, as a person opens them.
    const context = await browser.newContext();
    const [a, b] = [await context.newPage(), await context.newPage()];
    const problems: string[] = [];
    for (const p of [a, b]) p.on('pageerror', (e) => problems.push(e.message));
    await a.goto(live.url);
    await b.goto(live.url);
    await Promise.all([appMounted(a), appMounted(b)]);

    const snap = JSON.stringify(captureSnapshot(fixtureFiles(VM_TUNED), true));
    await a
      .getByTestId('snapshot-input')
      .setInputFiles({ name: 'box.json', mimeType: 'application/json', buffer: Buffer.from(snap) });
    await expect.poll(() => a.getByTestId('source-label').textContent()).toMatch(/snapshot box\.json/);
    await expect.poll(() => a.getByTestId('hvo-enabled').textContent()).toBe('on');

    // The other tab, reloaded so it asks the server again, still shows this machine and says so.
    await b.reload();
    await appMounted(b);
    expect(await b.getByTestId('kernel-release').textContent()).toBe(release());
    expect(await b.getByTestId('source').textContent()).toMatch(/Live/);
    expect(await b.getByTestId('source-label').textContent()).not.toMatch(/snapshot/);

    // The first tab keeps its snapshot across a reload (its session id lives in its sessionStorage).
    await a.reload();
    await expect.poll(() => a.getByTestId('source-label').textContent()).toMatch(/snapshot box\.json/);
    expect(await a.getByTestId('kernel-release').textContent()).toBe('6.18.44-fc-v595');
    // Opened from the printed URL again, it starts afresh, as a new tab does.
    await a.goto(live.url);
    await appMounted(a);
    await expect.poll(() => a.getByTestId('source-label').textContent()).not.toMatch(/snapshot/);
    expect(await a.getByTestId('kernel-release').textContent()).toBe(release());
    await a.reload();
    await a.getByTestId('kernel-release').waitFor();
    expect(await a.getByTestId('source-label').textContent()).not.toMatch(/snapshot/);
    expect(problems).toEqual([]);
    await context.close();
  });
});
