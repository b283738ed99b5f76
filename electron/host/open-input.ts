/**
 * The one way a file the user names is opened and read: `--snapshot`, `--sim FILE.json`, `sim show`, a
 * journal for `rollback`, a GGUF model (its header), and the kernel files of a fake root.
 *
 * - Opened with O_NONBLOCK, so a FIFO without a writer opens at once instead of waiting for one, and checked
 *   with fstat on the open descriptor (not a stat of the name, which could change in between): only a regular
 *   file is read. /dev/zero, /dev/urandom, a FIFO, a socket or a directory is refused by what it is.
 * - A size cap per kind of input, checked against the file's size before a byte is read and again while
 *   reading (a file may grow), so refusing a 300 MB profile costs no memory at all.
 * - Read with a deadline, so a file on a stuck network mount is refused instead of waited for.
 * - Every refusal is a UserError with one line: the name as the user gave it (control characters shown as
 *   `?`), then why.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { UserError } from '../../shared/errors';
import { SNAPSHOT_MAX_BYTES } from '../../shared/host/snapshot';
import type { JsonLimits } from '../../shared/json-scan';
import { parseJsonOffThread, type ParseOptions } from './parse-worker';
import { printable } from '../../shared/text';

export interface InputKind {
  /** "a profile", "a snapshot": how the limit is named in a refusal. */
  noun: string;
  maxBytes: number;
  /** How long reading (and parsing, for JSON) may take before the input is refused. */
  deadlineMs: number;
  /** Limits checked before JSON.parse, for JSON inputs. */
  json?: JsonLimits;
}

const MiB = 1024 * 1024;

/**
 * The kinds of input and their caps. Each cap is far above any real file of its kind: a capture of a
 * 1,024-CPU server is about 3 MiB, a profile a few KiB, a journal a few KiB, a kernel file at most a few
 * hundred KiB (/proc/interrupts on many CPUs).
 */
export const INPUT_KINDS = {
  snapshot: {
    noun: 'a snapshot',
    maxBytes: SNAPSHOT_MAX_BYTES,
    deadlineMs: 5000,
    // A snapshot is three levels deep; its file table is checked against its own limit after the scan.
    json: { maxDepth: 16, maxEntries: 100_000, maxValues: 1_000_000, maxString: SNAPSHOT_MAX_BYTES },
  },
  profile: {
    noun: 'a profile',
    maxBytes: 4 * MiB,
    deadlineMs: 5000,
    json: { maxDepth: 16, maxEntries: 10_000, maxValues: 100_000 },
  },
  journal: {
    noun: 'a journal',
    maxBytes: MiB,
    deadlineMs: 5000,
    json: { maxDepth: 16, maxEntries: 10_000, maxValues: 100_000 },
  },
  kernel: { noun: 'a kernel file', maxBytes: 16 * MiB, deadlineMs: 5000 },
} as const satisfies Record<string, InputKind>;

export type InputKindName = keyof typeof INPUT_KINDS;

/** A refusal of an input: the message is what follows the input's name; `code` is the errno when one caused it. */
export class InputRefused extends Error {
  constructor(
    message: string,
    readonly code = '',
  ) {
    super(message);
  }
}

const refusedBy = (e: unknown): InputRefused =>
  e instanceof InputRefused ? e : new InputRefused(openProblem(e), errnoOf(e));

/** What a file system object is, in the words a refusal uses. */
export function fileKind(st: Stats): string {
  if (st.isFile()) return 'regular file';
  if (st.isDirectory()) return 'directory';
  if (st.isFIFO()) return 'FIFO';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  if (st.isSocket()) return 'socket';
  if (st.isSymbolicLink()) return 'symbolic link';
  return 'special file';
}

/** A byte count as people read it, for refusals: "300 MiB", "12 KiB", "17 bytes". */
export function bytesLabel(n: number): string {
  if (n >= MiB) return `${Math.round(n / MiB).toLocaleString('en-US')} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} bytes`;
}

export function tooLarge(size: number, kind: InputKind, atLeast = false): string {
  // Exact when rounding would make the size read as the limit itself.
  const shown =
    bytesLabel(size) === bytesLabel(kind.maxBytes) ? `${size.toLocaleString('en-US')} bytes` : bytesLabel(size);
  return `${atLeast ? 'more than ' : ''}${shown} exceeds the ${bytesLabel(kind.maxBytes)} limit for ${kind.noun}`;
}

function errnoOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
}

/** Why an open or read failed, in a user's words. */
export function openProblem(e: unknown): string {
  switch (errnoOf(e)) {
    case 'ENOENT':
      return 'no such file';
    case 'ENOTDIR':
      return 'no such file (a part of the path is not a directory)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EISDIR':
      return 'not a regular file (directory)';
    case 'ENXIO':
      return 'not a regular file (a socket or a device without a driver)';
    case 'EAGAIN':
      return 'not a regular file';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    default:
      return e instanceof Error ? e.message.split('\n')[0]! : String(e);
  }
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/** Why an opened descriptor may not be read as this kind of input, or null. */
function refuseStat(st: Stats, kind: InputKind): string | null {
  if (!st.isFile()) return `not a regular file (${fileKind(st)})`;
  // Proc and sysfs files report 0 or 4096 whatever they hold; only the bytes read count for them.
  if (st.size > kind.maxBytes) return tooLarge(st.size, kind);
  return null;
}

/**
 * Opens a regular file for reading; the descriptor, or an InputRefused saying why not. The caller closes it.
 * Exported for readers that do not read the whole file (GGUF headers).
 */
export function openRegular(path: string, kind: InputKind): number {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    throw refusedBy(e);
  }
  try {
    const why = refuseStat(fstatSync(fd), kind);
    if (why !== null) throw new InputRefused(why);
  } catch (e) {
    closeSync(fd);
    throw refusedBy(e);
  }
  return fd;
}

/** Reads an open descriptor to its end, at most kind.maxBytes. Kernel files are read this way too. */
export function readOpenSync(fd: number, kind: InputKind, scratch?: Buffer): Buffer {
  const buf = scratch ?? Buffer.allocUnsafe(64 * 1024);
  const chunks: Buffer[] = [];
  let total = 0;
  let n: number;
  // A short read is not the end of every proc file: read until a read returns nothing.
  while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) {
    total += n;
    if (total > kind.maxBytes) throw new InputRefused(tooLarge(total, kind, true));
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks, total);
}

/** The whole of a small regular file, synchronously (journals, kernel files); InputRefused when refused. */
export function readRegularSync(path: string, kind: InputKind, scratch?: Buffer): Buffer {
  const fd = openRegular(path, kind);
  try {
    return readOpenSync(fd, kind, scratch);
  } catch (e) {
    throw refusedBy(e);
  } finally {
    closeSync(fd);
  }
}

/** How an input is named in a refusal: as the user gave it, made safe for a terminal, and not too long. */
export function inputLabel(prefix: string, path: string): string {
  return `${prefix}${printable(path, { max: 200 })}`;
}

async function readFileWithDeadline(path: string, kind: InputKind, deadline: number): Promise<Uint8Array> {
  let handle: FileHandle;
  try {
    handle = await withDeadline(open(path, OPEN_FLAGS), deadline, kind);
  } catch (e) {
    throw refusedBy(e);
  }
  try {
    const why = refuseStat(await handle.stat(), kind);
    if (why !== null) throw new InputRefused(why);
    const st = await handle.stat();
    // One buffer of the announced size plus a byte (to notice a file that grew), never more than the cap.
    let out = new Uint8Array(Math.min(st.size, kind.maxBytes) + 1);
    let total = 0;
    for (;;) {
      if (total === out.length) {
        if (total > kind.maxBytes) throw new InputRefused(tooLarge(total, kind, true));
        const grown = new Uint8Array(Math.min(out.length * 2 + 4096, kind.maxBytes + 1));
        grown.set(out);
        out = grown;
      }
      const { bytesRead } = await withDeadline(handle.read(out, total, out.length - total, null), deadline, kind);
      if (bytesRead === 0) return out.subarray(0, total);
      total += bytesRead;
    }
  } catch (e) {
    throw refusedBy(e);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function withDeadline<T>(p: Promise<T>, deadline: number, kind: InputKind): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new InputRefused(`took longer than ${kind.deadlineMs / 1000} s to read, so it was refused`)),
      Math.max(0, deadline - Date.now()),
    );
    timer.unref();
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Standard input, for `--snapshot -`: a pipe or a file, never the terminal; capped and with a deadline. */
async function readStdin(kind: InputKind, deadlineMs: number): Promise<Uint8Array> {
  let st: Stats;
  try {
    st = fstatSync(0);
  } catch (e) {
    throw new InputRefused(openProblem(e));
  }
  if (st.isCharacterDevice()) throw new InputRefused('standard input is a terminal: pipe the file into it');
  if (st.isDirectory()) throw new InputRefused('not a regular file (directory)');
  const chunks: Buffer[] = [];
  let total = 0;
  const stdin = process.stdin;
  return withDeadline(
    new Promise<Uint8Array>((resolve, reject) => {
      const onData = (c: Buffer): void => {
        total += c.length;
        if (total > kind.maxBytes) {
          cleanup();
          stdin.destroy();
          reject(new InputRefused(tooLarge(total, kind, true)));
          return;
        }
        chunks.push(c);
      };
      const onEnd = (): void => {
        cleanup();
        const all = new Uint8Array(total);
        let at = 0;
        for (const c of chunks) {
          all.set(c, at);
          at += c.length;
        }
        resolve(all);
      };
      const onError = (e: Error): void => {
        cleanup();
        reject(new InputRefused(openProblem(e)));
      };
      const cleanup = (): void => {
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        stdin.off('error', onError);
      };
      stdin.on('data', onData);
      stdin.once('end', onEnd);
      stdin.once('error', onError);
    }),
    Date.now() + deadlineMs,
    { ...kind, deadlineMs },
  ).catch((e: unknown) => {
    stdin.pause();
    stdin.unref?.();
    throw e;
  });
}

/** Standard input may take longer than a file: it is often another command (a capture over ssh) still running. */
const STDIN_DEADLINE_MS = 120_000;

/**
 * The bytes of a user-named input (`-` is standard input where the kind allows it), or a UserError whose one
 * line starts with `label` (e.g. "--sim profile.json") and says why it was refused.
 */
export async function readInput(
  path: string,
  kindName: InputKindName,
  label: string,
  opts: { stdin?: boolean } = {},
): Promise<Uint8Array> {
  const kind: InputKind = INPUT_KINDS[kindName];
  try {
    if (opts.stdin && (path === '-' || path === '/dev/stdin')) return await readStdin(kind, STDIN_DEADLINE_MS);
    return await readFileWithDeadline(path, kind, Date.now() + kind.deadlineMs);
  } catch (e) {
    throw refusal(label, e);
  }
}

/** A refusal as the UserError front ends print: one line, the input's label first. */
export function refusal(label: string, e: unknown): UserError {
  const r = refusedBy(e);
  return new UserError(`${label}: ${r.message}`, r.code === 'ENOENT' ? 'not-found' : r.code ? 'failed' : 'bad-request');
}

/** Limits for parsing one kind of JSON input off the main thread. */
export function jsonOptions(kindName: 'snapshot' | 'profile' | 'journal', deadlineMs?: number): ParseOptions {
  const kind = INPUT_KINDS[kindName];
  return {
    limits: kind.json,
    maxChars: kind.maxBytes,
    deadlineMs: deadlineMs ?? kind.deadlineMs,
    snapshot: kindName === 'snapshot',
  };
}

/**
 * A user-named JSON input read and parsed within its kind's limits: the value (for the caller to validate),
 * or a UserError starting with `label`.
 */
export async function readJsonInput(
  path: string,
  kindName: 'snapshot' | 'profile' | 'journal',
  label: string,
  opts: { stdin?: boolean } = {},
): Promise<unknown> {
  const started = Date.now();
  const bytes = await readInput(path, kindName, label, opts);
  const left = Math.max(1, INPUT_KINDS[kindName].deadlineMs - (Date.now() - started));
  const r = await parseJsonOffThread(bytes, jsonOptions(kindName, opts.stdin ? undefined : left));
  if ('error' in r) throw new UserError(`${label}: ${r.error}`, 'bad-request');
  return r.json;
}
