/** The Electron main process rules, with the electron module mocked (the runtime cannot run here). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { app, ipcMain, Menu, MockWebContents, protocol, session, shell } from '../mocks/electron';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers } from '../../electron/host/handlers';
import { Sampler } from '../../electron/host/sampler';
import { CHANNELS, registerIpc } from '../../electron/main/ipc';
import {
  hardenContents,
  installSecurityRules,
  PACKAGED_MENU,
  WEB_PREFERENCES,
  windowPreferences,
} from '../../electron/main/security';
import { appFilePath, serveAppScheme } from '../../electron/main/app-protocol';
import { FALLBACK_CSP, metaCsp } from '../../electron/page-csp';
import { APP_INDEX_URL, EXTERNAL_URLS, isAllowedExternal, isAppUrl } from '../../electron/main/trust';
import { fixtureFiles, VM } from '../helpers';

const APP = APP_INDEX_URL;

describe('trust rules', () => {
  it('recognises only the app page as the app', () => {
    expect(isAppUrl(APP)).toBe(true);
    expect(isAppUrl(`${APP}#/pools`)).toBe(true);
    expect(isAppUrl('file:///tmp/evil.html')).toBe(false);
    expect(isAppUrl('app://evil/index.html')).toBe(false);
    expect(isAppUrl('https://hugetune/index.html')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
  it('serves app:// only from the renderer directory', () => {
    expect(appFilePath('/opt/app/renderer', 'app://hugetune/index.html')).toBe('/opt/app/renderer/index.html');
    expect(appFilePath('/opt/app/renderer', 'app://hugetune/')).toBe('/opt/app/renderer/index.html');
    expect(appFilePath('/opt/app/renderer', 'app://hugetune/assets/x.js')).toBe('/opt/app/renderer/assets/x.js');
    // The URL parser folds %2e%2e itself; an encoded slash is what could climb out after decoding.
    expect(appFilePath('/opt/app/renderer', 'app://hugetune/%2e%2e/%2e%2e/etc/passwd')).toBe(
      '/opt/app/renderer/etc/passwd',
    );
    expect(appFilePath('/opt/app/renderer', 'app://hugetune/..%2f..%2fetc/passwd')).toBeNull();
    expect(appFilePath('/opt/app/renderer', 'app://other/index.html')).toBeNull();
    expect(appFilePath('/opt/app/renderer', 'file:///etc/passwd')).toBeNull();
  });
  it('opens only the exact, allow-listed https documentation pages', () => {
    expect(isAllowedExternal('https://docs.kernel.org/admin-guide/mm/hugetlbpage.html')).toBe(true);
    expect(isAllowedExternal('https://docs.kernel.org/admin-guide/mm/transhuge.html#thp-sysfs')).toBe(true);
    expect(isAllowedExternal('https://docs.kernel.org/admin-guide/cgroup-v2.html')).toBe(true);
    for (const u of EXTERNAL_URLS) expect(u).toMatch(/^https:\/\/docs\.kernel\.org\/[\w/.-]+\.html$/);
    expect(isAllowedExternal('https://docs.kernel.org/')).toBe(false);
    expect(isAllowedExternal('https://docs.kernel.org/admin-guide/mm/hugetlbpage.html?x=1')).toBe(false);
    expect(isAllowedExternal('https://docs.kernel.org:8443/admin-guide/mm/hugetlbpage.html')).toBe(false);
    expect(isAllowedExternal('https://docs.kernel.org.evil.example/admin-guide/mm/hugetlbpage.html')).toBe(false);
    expect(isAllowedExternal('http://docs.kernel.org/admin-guide/mm/hugetlbpage.html')).toBe(false);
    expect(isAllowedExternal('https://u@docs.kernel.org/admin-guide/mm/hugetlbpage.html')).toBe(false);
    expect(isAllowedExternal('https://github.com/')).toBe(false);
    expect(isAllowedExternal('https://github.com/anyone/anything')).toBe(false);
    expect(isAllowedExternal('https://evil.example/')).toBe(false);
    expect(isAllowedExternal('https://user:pw@github.com/')).toBe(false);
    expect(isAllowedExternal('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternal('not a url')).toBe(false);
  });
});

describe('app:// responses', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });
  const serve = (html: string | null) => {
    dir = mkdtempSync(join(tmpdir(), 'hugetune-app-'));
    if (html !== null) writeFileSync(join(dir, 'index.html'), html);
    serveAppScheme(dir);
    return protocol.handlers.get('app') as (r: { url: string }) => Promise<Response>;
  };

  it("read the page's own meta policy, the one place it is written", () => {
    const page = readFileSync(join(import.meta.dirname, '../../renderer/index.html'), 'utf8');
    const csp = metaCsp(page)!;
    expect(csp).toMatch(/^default-src 'self'; script-src 'self';/);
    expect(csp).toContain("object-src 'none'");
    expect(metaCsp('<meta charset="utf-8"><title>x</title>')).toBeNull();
  });
  it('carry the same policy as an HTTP header, on the page, its assets and a 404', async () => {
    const csp = "default-src 'self'; script-src 'self'";
    const handle = serve(`<!doctype html><meta\n  http-equiv="Content-Security-Policy"\n  content="${csp}" />`);
    for (const url of ['app://hugetune/index.html', 'app://hugetune/assets/x.js', 'app://other/x']) {
      const res = await handle({ url });
      expect(res.headers.get('content-security-policy')).toBe(csp);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect((await handle({ url: 'app://other/x' })).status).toBe(404);
  });
  it('fall back to a policy that loads nothing when the page has none', async () => {
    const res = await serve(null)({ url: 'app://hugetune/index.html' });
    expect(res.headers.get('content-security-policy')).toBe(FALLBACK_CSP);
  });
});

describe('packaged builds', () => {
  afterEach(() => {
    app.isPackaged = false;
    Menu.applicationMenu = undefined;
  });
  it('have no DevTools: not in the preferences, closed if they open anyway', () => {
    expect(windowPreferences(true).devTools).toBe(false);
    expect(windowPreferences(false).devTools).toBe(true);
    expect(windowPreferences(true)).toMatchObject(WEB_PREFERENCES);
    const wc = new MockWebContents();
    hardenContents(wc as never, true);
    wc.openDevTools();
    expect(wc.devToolsOpen).toBe(false);
    const dev = new MockWebContents();
    hardenContents(dev as never, false);
    dev.openDevTools();
    expect(dev.devToolsOpen).toBe(true);
  });
  it('get a menu with the Edit shortcuts and no DevTools or reload entries', () => {
    app.isPackaged = true;
    installSecurityRules();
    expect(Menu.applicationMenu?.template).toEqual(PACKAGED_MENU);
    const roles = JSON.stringify(PACKAGED_MENU).toLowerCase();
    expect(roles).toContain('"editmenu"');
    for (const bad of ['toggledevtools', 'reload', 'forcereload', 'viewmenu']) expect(roles).not.toContain(`"${bad}"`);
    // A development build keeps Electron's default menu.
    app.isPackaged = false;
    Menu.applicationMenu = undefined;
    installSecurityRules();
    expect(Menu.applicationMenu).toBeUndefined();
  });
});

describe('window hardening', () => {
  it('uses the sandboxed, isolated web preferences', () => {
    expect(WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      webSecurity: true,
    });
  });
  it('blocks navigation away from the app, webviews and new windows', () => {
    const wc = new MockWebContents();
    hardenContents(wc as never);
    const ev = () => ({
      prevented: false,
      preventDefault() {
        this.prevented = true;
      },
    });
    const away = ev();
    wc.emit('will-navigate', away, 'https://evil.example/');
    expect(away.prevented).toBe(true);
    const home = ev();
    wc.emit('will-navigate', home, APP);
    expect(home.prevented).toBe(false);
    const webview = ev();
    wc.emit('will-attach-webview', webview);
    expect(webview.prevented).toBe(true);
    expect(wc.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler!({ url: 'https://docs.kernel.org/x' })).toEqual({ action: 'deny' });
    const doc = 'https://docs.kernel.org/admin-guide/mm/hugetlbpage.html';
    expect(wc.windowOpenHandler!({ url: doc })).toEqual({ action: 'deny' });
    expect(shell.opened).toEqual([doc]);
  });
  it('denies every permission request', () => {
    installSecurityRules();
    let granted: boolean | null = null;
    session.defaultSession.permissionRequestHandler!(null, 'media', (g: boolean) => (granted = g));
    expect(granted).toBe(false);
    expect(session.defaultSession.permissionCheckHandler!()).toBe(false);
  });
});

describe('IPC', () => {
  const files = fixtureFiles(VM);
  registerIpc(createHandlers(new ActiveSource(files), 'electron'), new Sampler(() => files, 1000));
  const invoke = ipcMain.handlers.get(CHANNELS.call)!;

  it('answers the app frame through the handler table', async () => {
    const env = (await invoke({ senderFrame: { url: APP } }, 'host.report', {})) as {
      ok: boolean;
      value: { tlb: { total: number } };
    };
    expect(env.ok).toBe(true);
    expect(env.value.tlb.total).toBe(5875);
  });
  it('refuses frames that are not the app, and validates arguments', async () => {
    expect(await invoke({ senderFrame: { url: 'https://evil.example/' } }, 'host.report', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await invoke({ senderFrame: null }, 'host.report', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await invoke({ senderFrame: { url: APP } }, 'host.report', { root: '/' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
  });
  it('streams samples to a subscribed window until it is destroyed', () => {
    const wc = new MockWebContents();
    const subscribe = ipcMain.listeners.get(CHANNELS.subscribe)!;
    subscribe({ senderFrame: { url: APP }, sender: wc }, 'host.sample');
    expect(wc.sent[0]![0]).toBe(CHANNELS.event);
    expect(wc.sent[0]![1]).toBe('host.sample');
    const evil = new MockWebContents();
    subscribe({ senderFrame: { url: 'file:///tmp/x.html' }, sender: evil }, 'host.sample');
    expect(evil.sent).toEqual([]);
    wc.emit('destroyed');
  });
});
