/** Shared test helpers: where the fixtures are, and a HostFiles over a fixture tree. */
import { resolve } from 'node:path';
import { FsFiles } from '../electron/host/fs-files';

export const REPO = resolve(import.meta.dirname, '..');
export const FIXTURES = resolve(REPO, 'tests/fixtures/hosts');
export const VM = resolve(FIXTURES, 'vm-x86_64-6.18-2cpu');
export const VM_TUNED = resolve(FIXTURES, 'vm-x86_64-6.18-2cpu-tuned');
export const CLI = resolve(REPO, 'bin/hugetune.js');

export function fixtureFiles(dir: string): FsFiles {
  return new FsFiles({ kind: 'root', label: `fake root ${dir}` }, dir);
}
