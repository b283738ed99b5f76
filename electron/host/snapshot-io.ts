/**
 * Capturing and writing snapshot files; reading them is ./snapshot-load, and everything else about snapshots is
 * pure (shared/host/snapshot).
 */
import { hostname } from 'node:os';
import type { HostFiles } from '../../shared/host/files';
import { takeSnapshot, type Snapshot } from '../../shared/host/snapshot';
import { writeFileSafely } from './safe-write';
import { APP_VERSION } from './version';

export function captureSnapshot(
  files: HostFiles,
  redact: boolean,
  now = new Date(),
  pids: readonly number[] = [],
): Snapshot {
  // The machine the files are from: this one's name only when they are this machine's; a simulated machine or
  // a fake root is named by what it is, never stamped with the name of the host that captured it.
  const host = redact ? null : files.source.kind === 'live' ? hostname() : files.source.label;
  return takeSnapshot(files, { capturedAt: now, host, tool: `hugetune ${APP_VERSION}` }, pids);
}

/**
 * Writes atomically (temp file, then rename) so a failed write never leaves half a snapshot; refuses to replace
 * anything but the user's own regular file (see ./safe-write: the CLI often runs as root in shared folders).
 */
export function writeSnapshot(path: string, snap: Snapshot): void {
  writeFileSafely(path, `${JSON.stringify(snap)}\n`, { mode: 0o644 });
}
