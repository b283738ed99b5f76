/** The Electron main process: window, security rules and IPC. The only module that imports 'electron'. */
import { app, BrowserWindow, dialog } from 'electron';
import { join } from 'node:path';
import { ActiveSource } from '../host/active-source';
import { createHandlers, SAMPLE_INTERVAL_MS } from '../host/handlers';
import { Sampler } from '../host/sampler';
import { loadProfile, openSim } from '../host/sim-source';
import { loadSnapshotFile } from '../host/snapshot-load';
import { openSource } from '../host/source';
import { sourceFromArgv } from './args';
import { registerIpc } from './ipc';
import { registerAppScheme, serveAppScheme } from './app-protocol';
import { installSecurityRules, windowPreferences } from './security';
import { APP_INDEX_URL } from './trust';

app.enableSandbox();
registerAppScheme();

const rendererDir = join(import.meta.dirname, '..', 'renderer');

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1200,
    height: 820,
    minWidth: 720,
    minHeight: 520,
    title: 'hugetune',
    show: false,
    webPreferences: { ...windowPreferences(), preload: join(import.meta.dirname, '..', 'preload', 'index.cjs') },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_INDEX_URL);
}

export async function start(): Promise<void> {
  let files;
  try {
    const opts = sourceFromArgv(process.argv.slice(1));
    files =
      opts.sim !== undefined
        ? openSim(await loadProfile(opts.sim))
        : opts.snapshot !== undefined
          ? await loadSnapshotFile(opts.snapshot)
          : openSource(opts);
  } catch (e) {
    dialog.showErrorBox('hugetune', e instanceof Error ? e.message : String(e));
    app.exit(1);
    return;
  }
  await app.whenReady();
  serveAppScheme(rendererDir);
  installSecurityRules();
  // One source per window: a snapshot opened in one window changes nothing in another.
  const initial = files;
  registerIpc(() => {
    const source = new ActiveSource(initial);
    const sampler = new Sampler(() => source.current, SAMPLE_INTERVAL_MS);
    return { handlers: createHandlers(source, 'electron', { sampler }), sampler };
  });
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
}

app.on('window-all-closed', () => app.quit());
void start();
