/**
 * The live machine or a fake root (`--root DIR`) as a HostFiles tree, or a clear UserError. Snapshots
 * (snapshot-io) and the simulator (sim-source) open through their own modules, loaded only when asked for.
 */
import { statSync } from 'node:fs';
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

function statSafe(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
