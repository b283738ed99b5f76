/**
 * An output file that cannot be written: why, in plain words that name the directory, never the system's text
 * or the temporary file the write goes through.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSafely, writeProblem } from '../../electron/host/safe-write';
import { CLI } from '../helpers';

const ROOT = process.getuid?.() === 0;

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-write-problem-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('an output file that cannot be written', () => {
  it('says why in plain words, naming the directory and never the temporary file', () => {
    const r = run('snapshot', '-o', '/nonexistent/dir/x.json', '--sim', 'small-laptop');
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'hugetune: cannot write /nonexistent/dir/x.json: the directory /nonexistent/dir does not exist\n',
    );
    const file = join(tmp, 'plain-file');
    writeFileSync(file, 'x');
    expect(() => writeFileSafely(join(file, 'x.json'), '{}')).toThrow(
      `cannot write ${join(file, 'x.json')}: ${file} is not a directory (or a part of it is not)`,
    );
    expect(() => writeFileSafely('/proc/x.json', '{}')).toThrow(
      'cannot write /proc/x.json: /proc does not allow new files',
    );
  });

  it('a directory the user cannot write is named', (ctx) => {
    ctx.skip(ROOT, 'root may write into any directory, so the refusal cannot happen in this run');
    const locked = join(tmp, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    try {
      expect(() => writeFileSafely(join(locked, 'x.json'), '{}')).toThrow(
        `cannot write ${join(locked, 'x.json')}: permission denied (you cannot create files in ${locked})`,
      );
      expect(readdirSync(locked)).toEqual([]);
    } finally {
      chmodSync(locked, 0o700);
    }
  });

  it('every errno a write can meet has its words', () => {
    const err = (code: string) => Object.assign(new Error(`${code}: x, open '/d/.x.json.0123.tmp'`), { code });
    expect(writeProblem(err('EROFS'), '/d/x.json')).toBe('/d is on a read-only file system');
    expect(writeProblem(err('ENOSPC'), '/d/x.json')).toBe('no space left on the device that holds /d');
    expect(writeProblem(err('EDQUOT'), '/d/x.json')).toBe('your disk quota on the device that holds /d is used up');
    expect(writeProblem(err('EACCES'), '/d/x.json')).toBe('permission denied (you cannot create files in /d)');
    expect(writeProblem(err('EXDEV'), '/d/x.json')).toBe('the system refused it (EXDEV)');
    for (const code of ['ENOENT', 'ENOTDIR', 'EPERM', 'EIO', 'ELOOP', 'ENAMETOOLONG', 'EMFILE', 'EXDEV'])
      expect(writeProblem(err(code), '/d/x.json')).not.toMatch(/\.tmp|open '/);
  });
});
