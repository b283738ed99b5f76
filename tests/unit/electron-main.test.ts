/** The Electron main process rules, with the electron module mocked (the runtime cannot run here). */
import { describe, expect, it } from 'vitest';
import { ipcMain, MockWebContents, session, shell } from '../mocks/electron';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers } from '../../electron/host/handlers';
import { Sampler } from '../../electron/host/sampler';
import { CHANNELS, registerIpc } from '../../electron/main/ipc';
import { hardenContents, installSecurityRules, WEB_PREFERENCES } from '../../electron/main/security';
import { appFilePath } from '../../electron/main/app-protocol';
import { APP_INDEX_URL, isAllowedExternal, isAppUrl } from '../../electron/main/trust';
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
  it('opens only allow-listed https documentation links', () => {
    expect(isAllowedExternal('https://docs.kernel.org/admin-guide/mm/hugetlbpage.html')).toBe(true);
    expect(isAllowedExternal('http://docs.kernel.org/')).toBe(false);
    expect(isAllowedExternal('https://evil.example/')).toBe(false);
    expect(isAllowedExternal('https://user:pw@github.com/')).toBe(false);
    expect(isAllowedExternal('file:///etc/passwd')).toBe(false);
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
    expect(shell.opened).toEqual(['https://docs.kernel.org/x']);
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
