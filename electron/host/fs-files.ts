/**
 * The live machine (root "/") or a fake root (`--root DIR`) as a HostFiles tree. Reads are synchronous on
 * purpose: kernel files are tiny and generated on read, and a synchronous read of ~300 of them is faster
 * than scheduling as many promises.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { DirList, FileRead, HostFiles, SourceInfo } from '../../shared/host/files';

function errno(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Kernel text files are small; a 1,024-CPU /proc/interrupts is about 200 KiB. */
const MAX_FILE = 16 * 1024 * 1024;
const CHUNK = 64 * 1024;
const scratch = Buffer.allocUnsafe(CHUNK);

/**
 * Reads one regular file (proc and sysfs files are regular, with a size of 0 or 4096 that means nothing),
 * to its end, at most MAX_FILE bytes. Opened non-blocking so a FIFO planted in a fake root cannot hang us
 * (its read fails with EAGAIN); a file that fills the first chunk is checked to be a regular file before
 * reading on, so /dev/zero behind a symlink is refused. Kernel files almost never fill a chunk, which keeps
 * the common case at open, read, read, close. Returns the bytes, or why not.
 */
function readKernelFile(full: string): Buffer | string {
  const fd = openSync(full, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    // Read into a shared scratch buffer until end of file (a short read is not the end for every proc
    // file); only the bytes read are copied out.
    const chunks: Buffer[] = [];
    let total = 0;
    let n: number;
    while ((n = readSync(fd, scratch, 0, CHUNK, null)) > 0) {
      if (total === 0 && n === CHUNK && !fstatSync(fd).isFile()) return 'not a regular file';
      total += n;
      if (total > MAX_FILE) return `larger than ${MAX_FILE / 1048576} MiB: not a kernel file`;
      chunks.push(Buffer.from(scratch.subarray(0, n)));
    }
    // An empty read is rare for a kernel file and is what a FIFO without a writer gives: look closer.
    if (total === 0 && !fstatSync(fd).isFile()) return 'not a regular file';
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
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
      if (typeof buf === 'string') return { kind: 'error', message: buf };
      // /proc/config.gz is the one compressed file; present it as the text it holds.
      return {
        kind: 'text',
        text: (path.endsWith('.gz') ? gunzipSync(buf, { maxOutputLength: MAX_FILE }) : buf).toString('utf8'),
      };
    } catch (e) {
      const code = errno(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
      if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied' };
      if (code === 'EAGAIN') return { kind: 'error', message: 'not a regular file' };
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
