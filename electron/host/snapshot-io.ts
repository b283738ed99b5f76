/** Reading and writing snapshot files on disk; everything else about snapshots is pure (shared/host/snapshot). */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { hostname } from 'node:os';
import { UserError } from '../../shared/errors';
import type { HostFiles } from '../../shared/host/files';
import {
  parseSnapshot,
  snapshotFiles,
  SNAPSHOT_MAX_BYTES,
  takeSnapshot,
  type Snapshot,
} from '../../shared/host/snapshot';
import { writeFileSafely } from './safe-write';
import { APP_VERSION } from './version';

/** A snapshot file's text (`-` for standard input), at most SNAPSHOT_MAX_BYTES; a UserError when unreadable. */
export function readLimited(path: string): string {
  let fd: number;
  // `-` (and /dev/stdin, which cannot be reopened when standard input is a socket) read standard input.
  const stdin = path === '-' || path === '/dev/stdin';
  try {
    fd = stdin ? 0 : openSync(path, 'r');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new UserError(`snapshot ${path}: no such file`, 'not-found');
    if (code === 'EACCES' || code === 'EPERM') throw new UserError(`snapshot ${path}: permission denied`);
    throw new UserError(`snapshot ${path}: ${(e as Error).message}`);
  }
  try {
    if (fstatSync(fd).isDirectory())
      throw new UserError(`snapshot ${path}: is a directory (use --root for a captured tree)`);
    // Read to the end rather than trusting the size: pipes and /dev/stdin report 0.
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(1 << 20);
    let n: number;
    while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) {
      total += n;
      if (total > SNAPSHOT_MAX_BYTES)
        throw new UserError(`snapshot ${path}: larger than the ${SNAPSHOT_MAX_BYTES / 1048576} MiB a snapshot may be`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`snapshot ${path}: ${(e as Error).message}`);
  } finally {
    if (!stdin) closeSync(fd);
  }
}

/** Opens a snapshot file as a file tree, or throws a UserError that says what is wrong with it. */
export function openSnapshot(path: string): HostFiles {
  return snapshotFromText(readLimited(path), path);
}

export function snapshotFromText(text: string, name: string): HostFiles {
  const p = parseSnapshot(text);
  if (!p.ok) throw new UserError(`snapshot ${name}: ${p.error}`, 'bad-request');
  const when = p.value.capturedAt.slice(0, 16).replace('T', ' ');
  return snapshotFiles(p.value, `snapshot ${basename(name)} (${p.value.host ?? 'host redacted'}, ${when} UTC)`);
}

export function captureSnapshot(
  files: HostFiles,
  redact: boolean,
  now = new Date(),
  pids: readonly number[] = [],
): Snapshot {
  return takeSnapshot(
    files,
    { capturedAt: now, host: redact ? null : hostname(), tool: `hugetune ${APP_VERSION}` },
    pids,
  );
}

/**
 * Writes atomically (temp file, then rename) so a failed write never leaves half a snapshot; refuses to replace
 * anything but the user's own regular file (see ./safe-write: the CLI often runs as root in shared folders).
 */
export function writeSnapshot(path: string, snap: Snapshot): void {
  writeFileSafely(path, `${JSON.stringify(snap)}\n`, { mode: 0o644 });
}
