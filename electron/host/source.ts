/**
 * The live machine or a fake root (`--root DIR`) as a HostFiles tree, or a clear UserError. Snapshots
 * (snapshot-io) and the simulator (sim-source) open through their own modules, loaded only when asked for.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../../shared/errors';
import type { HostFiles } from '../../shared/host/files';
import { FsFiles } from './fs-files';

export interface SourceOptions {
  root?: string | undefined;
}

export function openSource(opts: SourceOptions): HostFiles {
  if (opts.root !== undefined) {
    const dir = resolve(opts.root);
    let isDir: boolean;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      throw new UserError(`--root ${opts.root}: no such directory`, 'not-found');
    }
    if (!isDir) throw new UserError(`--root ${opts.root}: not a directory`, 'bad-request');
    if (!statSafe(`${dir}/proc`) && !statSafe(`${dir}/sys`)) {
      throw new UserError(
        `--root ${opts.root}: holds neither proc/ nor sys/, so it is not a captured machine tree`,
        'bad-request',
      );
    }
    return new FsFiles({ kind: 'root', label: `fake root ${dir}` }, dir);
  }
  return new FsFiles({ kind: 'live', label: 'this machine' }, '/');
}

/**
 * Why this machine's own files cannot be read, or null when they can: hugetune reads Linux's /proc and /sys,
 * which a desktop build on another system (for offline planning) or a sandbox without /proc does not have.
 */
export function liveUnavailable(): string | null {
  if (process.platform !== 'linux')
    return `this computer runs ${process.platform}, not Linux: there is no /proc or /sys to read`;
  if (!existsSync('/proc/meminfo')) return '/proc is not mounted here, so this machine cannot be read';
  return null;
}

function statSafe(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
