/** Shared test helpers: where the fixtures are, and a HostFiles over a fixture tree. */
import { resolve } from 'node:path';
import { FsFiles } from '../electron/host/fs-files';
import type { HostFiles, SourceInfo } from '../shared/host/files';

export const REPO = resolve(import.meta.dirname, '..');
export const FIXTURES = resolve(REPO, 'tests/fixtures/hosts');
export const VM = resolve(FIXTURES, 'vm-x86_64-6.18-2cpu');
export const VM_TUNED = resolve(FIXTURES, 'vm-x86_64-6.18-2cpu-tuned');
export const CLI = resolve(REPO, 'bin/hugetune.js');

export function fixtureFiles(dir: string): FsFiles {
  return new FsFiles({ kind: 'root', label: `fake root ${dir}` }, dir);
}

/**
 * `files` with every read and listing counted, shown as `source` if given (a capture standing in for this
 * machine). Never a copy of itself (no fork): what a test counts is one machine's reads.
 */
export function countedFiles(
  files: HostFiles,
  source: SourceInfo = files.source,
): { files: HostFiles; reads: () => number } {
  let reads = 0;
  const counted: HostFiles = {
    source,
    read: (p) => {
      reads++;
      return files.read(p);
    },
    list: (d) => {
      reads++;
      return files.list(d);
    },
    ...(files.now ? { now: () => files.now!() } : {}),
  };
  return { files: counted, reads: () => reads };
}
