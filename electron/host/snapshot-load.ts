/**
 * Snapshots from other people's hands (opened in the window, sent by a web client, named on the command line)
 * are read through ./open-input and parsed in a worker with a deadline (./parse-worker); only a file table
 * within its bounds comes back to be validated and built here.
 */
import { basename } from 'node:path';
import { UserError } from '../../shared/errors';
import type { HostFiles } from '../../shared/host/files';
import { checkSnapshot, snapshotFiles } from '../../shared/host/snapshot';
import { hasControl, printable } from '../../shared/text';
import { INPUT_KINDS, inputLabel, jsonOptions, readJsonInput } from './open-input';
import { parseJsonOffThread } from './parse-worker';

/** Far above what a real 64 MiB snapshot takes to parse; a file that takes longer is refused. */
export const SNAPSHOT_DEADLINE_MS = INPUT_KINDS.snapshot.deadlineMs;

function build(json: unknown, name: string): HostFiles {
  const v = checkSnapshot(json);
  if (!v.ok) throw new UserError(`snapshot ${printable(name, { max: 200 })}: ${v.error}`, 'bad-request');
  // A host name and a tool name never hold control characters; ones that do were not written by a capture.
  for (const [field, value] of [
    ['host', v.value.host],
    ['tool', v.value.tool],
  ] as const) {
    if (typeof value === 'string' && hasControl(value))
      throw new UserError(
        `snapshot ${printable(name, { max: 200 })}: malformed: ${field} holds control characters`,
        'bad-request',
      );
  }
  const when = v.value.capturedAt.slice(0, 16).replace('T', ' ');
  const host = v.value.host === null ? 'host redacted' : printable(v.value.host, { max: 64 });
  return snapshotFiles(v.value, `snapshot ${printable(basename(name), { max: 80 })} (${host}, ${when} UTC)`);
}

/** Snapshot text as a file tree, parsed off the main thread; a UserError with one line when it is refused. */
export async function loadSnapshot(
  text: string,
  name: string,
  deadlineMs: number = SNAPSHOT_DEADLINE_MS,
): Promise<HostFiles> {
  const r = await parseJsonOffThread(text, jsonOptions('snapshot', deadlineMs));
  if ('error' in r) throw new UserError(`snapshot ${printable(name, { max: 200 })}: ${r.error}`, 'bad-request');
  return build(r.json, name);
}

/** A snapshot file (or `-` for standard input) as a file tree, read and parsed as loadSnapshot parses text. */
export async function loadSnapshotFile(path: string): Promise<HostFiles> {
  const json = await readJsonInput(path, 'snapshot', inputLabel('snapshot ', path), { stdin: true });
  return build(json, path);
}
