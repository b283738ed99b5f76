/**
 * The live machine (root "/") or a fake root (`--root DIR`) as a HostFiles tree. Reads are synchronous on
 * purpose: kernel files are tiny and generated on read, and a synchronous read of ~300 of them is faster
 * than scheduling as many promises.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { DirList, FileRead, HostFiles, SourceInfo } from '../../shared/host/files';

function errno(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class FsFiles implements HostFiles {
  private readonly prefix: string;

  constructor(
    readonly source: SourceInfo,
    root = '/',
  ) {
    this.prefix = root === '/' ? '' : root.replace(/\/+$/, '');
  }

  private resolve(path: string): string | null {
    // Kernel paths only: absolute, no `..`, so a fake root can never be escaped.
    if (!path.startsWith('/') || path.split('/').includes('..')) return null;
    return this.prefix + path;
  }

  read(path: string): FileRead {
    const full = this.resolve(path);
    if (full === null) return { kind: 'error', message: `not a kernel path: ${path}` };
    try {
      const buf = readFileSync(full);
      // /proc/config.gz is the one compressed file; present it as the text it holds.
      return { kind: 'text', text: (path.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8') };
    } catch (e) {
      const code = errno(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
      if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied' };
      return { kind: 'error', message: describe(e) };
    }
  }

  list(dir: string): DirList {
    const full = this.resolve(dir);
    if (full === null) return { kind: 'error', message: `not a kernel path: ${dir}` };
    try {
      return { kind: 'entries', names: readdirSync(full).sort() };
    } catch (e) {
      const code = errno(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
      if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied' };
      return { kind: 'error', message: describe(e) };
    }
  }
}
