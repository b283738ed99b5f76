/**
 * The live machine (root "/") or a fake root (`--root DIR`) as a HostFiles tree. Reads are synchronous on
 * purpose: kernel files are tiny and generated on read, and a synchronous read of ~300 of them is faster
 * than scheduling as many promises.
 */
import { readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { DirList, FileRead, HostFiles, SourceInfo } from '../../shared/host/files';
import { INPUT_KINDS, InputRefused, readRegularSync } from './open-input';

function errno(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Kernel text files are small; a 1,024-CPU /proc/interrupts is about 200 KiB. */
const KERNEL = INPUT_KINDS.kernel;
const scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * One kernel file, opened and read as every user-named input is (./open-input): non-blocking, so a FIFO planted
 * in a fake root cannot hang us; a regular file by fstat of the open descriptor, so /dev/zero behind a symlink
 * is refused; read to its end (a short read is not the end of every proc file), at most the kernel-file cap.
 */
function readKernelFile(full: string): Buffer {
  return readRegularSync(full, KERNEL, scratch);
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
      const buf = readKernelFile(full);
      // /proc/config.gz is the one compressed file; present it as the text it holds.
      return {
        kind: 'text',
        text: (path.endsWith('.gz') ? gunzipSync(buf, { maxOutputLength: KERNEL.maxBytes }) : buf).toString('utf8'),
      };
    } catch (e) {
      const code = e instanceof InputRefused ? e.code : errno(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
      if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied' };
      return { kind: 'error', message: describe(e) };
    }
  }

  list(dir: string): DirList {
    const full = this.resolve(dir);
    if (full === null) return { kind: 'error', message: `not a kernel path: ${dir}` };
    try {
      // With the types, which come free with the names (d_type), so walks can tell the links.
      const entries = readdirSync(full, { withFileTypes: true });
      const names = entries.map((e) => e.name).sort();
      const links = entries.filter((e) => e.isSymbolicLink()).map((e) => e.name);
      return links.length > 0 ? { kind: 'entries', names, links } : { kind: 'entries', names };
    } catch (e) {
      const code = errno(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
      if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied' };
      return { kind: 'error', message: describe(e) };
    }
  }
}
