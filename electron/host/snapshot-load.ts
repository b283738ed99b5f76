/**
 * Snapshots from other people's hands (opened in the window, sent by a web client, named on the command line)
 * are parsed in a worker thread with a deadline: JSON.parse of tens of megabytes, and whatever a crafted file
 * makes of it, must never stall the process that serves every other call. The worker parses and checks the
 * bounds of the file table; only a table within them comes back to be validated and built here.
 */
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { UserError } from '../../shared/errors';
import type { HostFiles } from '../../shared/host/files';
import {
  checkSnapshot,
  snapshotFiles,
  SNAPSHOT_MAX_BYTES,
  SNAPSHOT_MAX_DEPTH,
  SNAPSHOT_MAX_FILES,
  SNAPSHOT_MAX_PATH,
} from '../../shared/host/snapshot';
import { readLimited } from './snapshot-io';

/** Far above what a real 64 MiB snapshot takes to parse; a file that takes longer is refused. */
export const SNAPSHOT_DEADLINE_MS = 5000;

// Plain JavaScript evaluated in the worker: it cannot import the TypeScript modules, so the bounds of
// snapshotBoundsProblem (shared/host/snapshot.ts) are repeated here, with the same limits, as a first gate.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.once('message', (input) => {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.length > ${SNAPSHOT_MAX_BYTES}) return parentPort.postMessage({ error: 'larger than ${SNAPSHOT_MAX_BYTES / 1048576} MiB' });
  let json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return parentPort.postMessage({ error: 'not JSON (' + (e && e.message ? e.message : String(e)) + ')' });
  }
  const files = json && typeof json === 'object' ? json.files : undefined;
  if (files && typeof files === 'object') {
    let n = 0;
    for (const path in files) {
      if (++n > ${SNAPSHOT_MAX_FILES}) return parentPort.postMessage({ error: 'malformed: more than ${SNAPSHOT_MAX_FILES} files (a capture has a few thousand at most)' });
      if (path.length > ${SNAPSHOT_MAX_PATH}) return parentPort.postMessage({ error: 'malformed: a file path longer than ${SNAPSHOT_MAX_PATH} characters (' + JSON.stringify(path.slice(0, 60)) + '...)' });
      let depth = 0;
      for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) depth++;
      if (depth > ${SNAPSHOT_MAX_DEPTH}) return parentPort.postMessage({ error: 'malformed: a file path deeper than ${SNAPSHOT_MAX_DEPTH} levels (' + JSON.stringify(path.slice(0, 60)) + '...)' });
    }
  }
  parentPort.postMessage({ json });
});
`;

function parseOffThread(text: string, deadlineMs: number): Promise<{ json: unknown } | { error: string }> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    let done = false;
    const finish = (r: { json: unknown } | { error: string }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(r);
    };
    const timer = setTimeout(
      () => finish({ error: `took longer than ${deadlineMs / 1000} s to read, so it was refused` }),
      deadlineMs,
    );
    worker.once('message', (m: { json: unknown } | { error: string }) => finish(m));
    worker.once('error', (e: Error) =>
      // Out of memory in the worker ends the worker, not the process.
      finish({ error: `could not be read (${e.message})` }),
    );
    worker.once('exit', () => finish({ error: 'could not be read (the reader stopped)' }));
    worker.postMessage(text);
  });
}

/** Snapshot text as a file tree, parsed off the main thread; a UserError with one line when it is refused. */
export async function loadSnapshot(text: string, name: string, deadlineMs = SNAPSHOT_DEADLINE_MS): Promise<HostFiles> {
  const r = await parseOffThread(text, deadlineMs);
  if ('error' in r) throw new UserError(`snapshot ${name}: ${r.error}`, 'bad-request');
  const v = checkSnapshot(r.json);
  if (!v.ok) throw new UserError(`snapshot ${name}: ${v.error}`, 'bad-request');
  const when = v.value.capturedAt.slice(0, 16).replace('T', ' ');
  return snapshotFiles(v.value, `snapshot ${basename(name)} (${v.value.host ?? 'host redacted'}, ${when} UTC)`);
}

/** A snapshot file (or `-` for standard input) as a file tree, parsed as loadSnapshot parses text. */
export async function loadSnapshotFile(path: string): Promise<HostFiles> {
  return loadSnapshot(readLimited(path), path);
}
