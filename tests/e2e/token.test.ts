/**
 * The web-mode token stays with hugetune: another server on 127.0.0.1 (another local user's, say) never
 * receives it from the browser, in a cookie or a header, and the app keeps working across a reload.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, openApp, serve, type Served } from './browser';

let browser: Browser;
let app: Served;
let other: Server;
let otherPort = 0;
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  [browser, app] = await Promise.all([launch(), serve()]);
  other = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'access-control-allow-origin': '*' });
    res.end('<!doctype html><title>other</title><p>another local server</p>');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherPort = (other.address() as AddressInfo).port;
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await new Promise<void>((resolve) => (other ? other.close(() => resolve()) : resolve()));
});

describe('the web token in Chromium', () => {
  it('is never sent to another server on 127.0.0.1, and survives a reload in the same tab', async () => {
    const { page, problems } = await openApp(browser, app);
    await page.getByTestId('kernel-release').waitFor();
    // Taken out of the address bar at once, and no cookie holds it.
    expect(page.url()).not.toContain(app.token);
    expect(await page.context().cookies()).toEqual([]);

    const otherUrl = `http://127.0.0.1:${otherPort}/`;
    // The tab itself navigating there, a fetch from that page, then a request from the same browser context.
    await page.goto(`${otherUrl}navigated`);
    expect(await page.textContent('p')).toBe('another local server');
    await page.evaluate((u) => fetch(`${u}fetched`, { credentials: 'include' }).then((r) => r.text()), otherUrl);
    await page.context().request.get(`${otherUrl}context-request`);

    expect(seen.map((s) => s.url)).toEqual(expect.arrayContaining(['/navigated', '/fetched', '/context-request']));
    for (const s of seen) {
      expect(s.headers.cookie).toBeUndefined();
      expect(s.headers.authorization).toBeUndefined();
      expect(JSON.stringify(s.headers)).not.toContain(app.token);
      expect(s.url).not.toContain(app.token);
    }

    // Back to the app in the same tab, then a reload: sessionStorage still has the token.
    await page.goBack();
    await page.getByTestId('kernel-release').waitFor();
    await page.reload();
    await page.getByTestId('kernel-release').waitFor();
    await expect.poll(() => page.getByTestId('app-error').count()).toBe(0);
    expect(page.url()).not.toContain(app.token);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('does not reach the API from a new tab opened without the token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const res = await page.goto(`http://127.0.0.1:${app.port}/`);
    expect(res?.status()).toBe(200);
    await expect.poll(() => page.getByTestId('app-error').textContent()).toMatch(/401.*open the URL/);
    expect(await page.getByTestId('kernel-release').count()).toBe(0);
    await context.close();
  });
});
