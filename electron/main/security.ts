/** The Electron hardening rules, applied to every web contents the app creates. */
import { app, Menu, session, shell, type MenuItemConstructorOptions, type WebContents } from 'electron';
import { isAllowedExternal, isAppUrl } from './trust';

export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webviewTag: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  spellcheck: false,
} as const;

/** The window's preferences: DevTools exist only in a development build. */
export function windowPreferences(packaged = app.isPackaged): typeof WEB_PREFERENCES & { devTools: boolean } {
  return { ...WEB_PREFERENCES, devTools: !packaged };
}

/**
 * The menu of a packaged build: the Edit shortcuts (copy, paste, select all) and zoom, but no View menu with
 * Reload and Toggle Developer Tools. DevTools in a shipped app would let anyone at the keyboard run code with
 * the renderer's API.
 */
export const PACKAGED_MENU: readonly MenuItemConstructorOptions[] = [
  { label: 'File', submenu: [{ role: 'close' }, { role: 'quit' }] },
  { role: 'editMenu' },
  {
    label: 'View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  },
  { role: 'windowMenu' },
];

export function hardenContents(contents: WebContents, packaged = app.isPackaged): void {
  // Belt and braces with `devTools: false`: should DevTools open anyway (another window, a future default),
  // close them at once.
  if (packaged) contents.on('devtools-opened', () => contents.closeDevTools());
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

export function installSecurityRules(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  if (app.isPackaged) Menu.setApplicationMenu(Menu.buildFromTemplate([...PACKAGED_MENU]));
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
}
