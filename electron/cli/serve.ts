/** `serve` and `open`: the long-running front ends, loaded only when asked for so `report` starts fast. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostFiles } from '../../shared/host/files';
import { UserError } from '../../shared/errors';
import { startServer } from '../server/server';
import { webSessions } from '../server/sessions';
import type { Io } from './main';

const DEFAULT_PORT = 7788;

/** out/cli/hugetune.js -> the project root (where package.json and out/ live). */
const appRoot = (): string => join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Each --models-dir must be a directory now: a typo would otherwise surface only as refused plans. */
function checkModelsDirs(dirs: readonly string[]): void {
  for (const d of dirs) {
    let dir: boolean;
    try {
      dir = statSync(d).isDirectory();
    } catch {
      throw new UserError(`--models-dir ${d}: no such directory`);
    }
    if (!dir) throw new UserError(`--models-dir ${d}: not a directory`);
  }
}

export async function serve(o: {
  files: HostFiles;
  port: number | undefined;
  json: boolean;
  io: Io;
  modelsDirs?: readonly string[];
}): Promise<number> {
  checkModelsDirs(o.modelsDirs ?? []);
  const rendererDir = join(appRoot(), 'out', 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new UserError(`the app is not built (${rendererDir}/index.html is missing): run npm run build`);
  }
  // One source per browser session: a snapshot opened in one tab changes nothing in another.
  const sessions = webSessions(o.files, { modelsDirs: o.modelsDirs ?? [] });
  const common = {
    sessions,
    rendererDir,
    onInternalError: (e: unknown) => o.io.err(`hugetune: internal error: ${String(e)}\n`),
  };
  let server;
  try {
    server = await startServer({ ...common, port: o.port ?? DEFAULT_PORT });
  } catch (e) {
    const inUse = (e as { code?: string }).code === 'EADDRINUSE';
    if (!inUse) throw new UserError(`cannot listen on 127.0.0.1:${o.port ?? DEFAULT_PORT}: ${String(e)}`);
    if (o.port !== undefined)
      throw new UserError(`port ${o.port} is in use: choose another with --port, or --port 0 for any free port`);
    server = await startServer({ ...common, port: 0 });
  }
  if (o.json) o.io.out(`${JSON.stringify({ url: server.url, port: server.port, token: server.token })}\n`);
  else o.io.out(`hugetune web mode (${o.files.source.label}): open ${server.url}\nPress Ctrl-C to stop.\n`);
  // The first page's screen is made by code that loads and compiles on first use: done now, while no one is
  // waiting for it. On a simulated machine or a record of one, that is a whole first screen made ahead (the
  // session map's spare, dropped unused within seconds); this machine is read only for a page that brings
  // the token, so here only the code that renders its screen is loaded.
  setImmediate(() => {
    sessions.prepare();
    import('../../renderer/src/first-screen').catch(() => undefined);
  });
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      void server.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/** Why Electron cannot start here, or null when it can (and then the path of its binary). */
function electronBinary(): { path: string } | { reason: string } {
  const require = createRequire(join(appRoot(), 'package.json'));
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathTxt = join(pkgDir, 'path.txt');
  const existing = existsSync(pathTxt) ? join(pkgDir, 'dist', readFileSync(pathTxt, 'utf8').trim()) : null;
  if (existing && existsSync(existing)) return { path: existing };
  // The electron package fetches its runtime on first use; do that once, quietly, and report one line.
  const r = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: appRoot(),
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (r.status === 0 && r.stdout && existsSync(r.stdout)) return { path: r.stdout };
  return { reason: 'its runtime is not installed and could not be downloaded (no network?)' };
}

export async function openWindow(o: {
  files: HostFiles;
  port: number | undefined;
  rest: string[];
  io: Io;
  modelsDirs?: readonly string[];
}): Promise<number> {
  const bin = electronBinary();
  const display = process.env.DISPLAY || process.env.WAYLAND_DISPLAY;
  const reason =
    'reason' in bin ? bin.reason : display ? null : 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
  if (reason === null && 'path' in bin) {
    const child = spawn(bin.path, [appRoot(), ...o.rest.filter((a) => a !== '--json')], { stdio: 'inherit' });
    const started = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(true), 3000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code === 0);
      });
      child.once('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (started) {
      const code = await new Promise<number>((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode);
        else child.once('exit', (c) => resolve(c ?? 0));
      });
      return code;
    }
    o.io.err('hugetune: the Electron window could not start; starting web mode instead.\n');
  } else {
    o.io.err(`hugetune: Electron cannot start: ${reason}. Starting web mode instead.\n`);
  }
  return serve({ files: o.files, port: o.port, json: false, io: o.io, modelsDirs: o.modelsDirs });
}
