/**
 * The privileged helper: the shipped script is exactly what the allow-list renders, shellcheck finds nothing,
 * and run for real against a fake tree (HUGETUNE_HELPER_ROOT, a temporary directory) it writes only
 * allow-listed values to regular files reached without links, and refuses everything else with exit 2 and
 * one line. No test here ever writes a real /proc or /sys file.
 */
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ereOf, HELPER_REPO_PATH, refuseWrite, renderHelperScript } from '../../shared/advise/helper-script';
import { SETTING_RULES } from '../../shared/advise/settings';
import { REPO } from '../helpers';

const HELPER = join(REPO, HELPER_REPO_PATH);

let tmp = '';
let tree = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-helper-'));
  tree = join(tmp, 'root');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FILES: Record<string, string> = {
  '/proc/sys/vm/hugetlb_optimize_vmemmap': '0\n',
  '/proc/sys/vm/nr_hugepages': '0\n',
  '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages': '4\n',
  '/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages': '4\n',
  '/sys/kernel/mm/transparent_hugepage/enabled': 'always [madvise] never\n',
  '/sys/kernel/mm/transparent_hugepage/defrag': 'always defer defer+madvise [madvise] never\n',
  '/sys/kernel/mm/numa/demotion_enabled': 'false\n',
};

/** A fresh fake kernel tree, with a file outside it that links point at. */
function makeTree(): void {
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  for (const [p, text] of Object.entries(FILES)) {
    mkdirSync(dirname(tree + p), { recursive: true });
    writeFileSync(tree + p, text);
  }
  writeFileSync(join(tmp, 'victim'), 'precious\n');
  mkdirSync(join(tmp, 'elsewhere/hugepages-1048576kB'), { recursive: true });
  writeFileSync(join(tmp, 'elsewhere/hugepages-1048576kB/nr_hugepages'), '0\n');
  // A link as the file itself, and a link as a directory on the way.
  mkdirSync(tree + '/sys/kernel/mm/transparent_hugepage/khugepaged', { recursive: true });
  symlinkSync(join(tmp, 'victim'), tree + '/sys/kernel/mm/transparent_hugepage/khugepaged/defrag');
  symlinkSync(join(tmp, 'elsewhere/hugepages-1048576kB'), tree + '/sys/kernel/mm/hugepages/hugepages-1048576kB');
  // Not a regular file.
  mkdirSync(tree + '/proc/sys/kernel/numa_balancing', { recursive: true });
}

/** The helper as pkexec would start it, but in test mode: only the variables given, nothing inherited. */
function helper(args: string[], env: Record<string, string> = { HUGETUNE_HELPER_ROOT: tree }) {
  const r = spawnSync(HELPER, args, { encoding: 'utf8', env, timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const at = (p: string): string => readFileSync(tree + p, 'utf8');

describe('the shipped helper', () => {
  it('is exactly what shared/advise/helper-script.ts renders from the allow-list', () => {
    const rendered = renderHelperScript();
    // `npm run gen:helper` runs this test with the variable set: it writes the file, then checks it.
    if (process.env.HUGETUNE_WRITE_HELPER === '1') {
      writeFileSync(HELPER, rendered);
      chmodSync(HELPER, 0o755);
    }
    const shipped = readFileSync(HELPER, 'utf8');
    expect(
      shipped === rendered,
      `${HELPER_REPO_PATH} is out of date with the allow-list: run \`npm run gen:helper\` and commit it`,
    ).toBe(true);
  });

  it('is executable by everyone, writable by its owner only', () => {
    const mode = statSync(HELPER).mode & 0o777;
    expect(mode & 0o555).toBe(0o555);
    expect(mode & 0o022).toBe(0);
    accessSync(HELPER, constants.X_OK);
  });

  it('passes shellcheck as POSIX sh', (ctx) => {
    const probe = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
    ctx.skip(
      probe.error !== undefined || probe.status !== 0,
      'shellcheck is not installed (apt-get install shellcheck)',
    );
    const r = spawnSync('shellcheck', ['--shell=sh', '--severity=style', HELPER], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('renders every rule pattern to a POSIX ERE, and refuses syntax it cannot translate', () => {
    for (const r of SETTING_RULES) expect(ereOf(r.pattern)).toMatch(/^\^\/[^\\]+\$$/);
    expect(() => ereOf(/^\/proc\/sys\/vm\/(?!x)y$/)).toThrow(/does not translate/);
    expect(() => ereOf(/^\/a\s$/)).toThrow(/does not translate/);
    expect(() => ereOf(/^\/a$/i)).toThrow(/flags/);
  });

  it('uses no eval and runs nothing but printf, grep and the shell itself', () => {
    const text = readFileSync(HELPER, 'utf8');
    const code = text
      .split('\n')
      .filter((l) => !/^\s*#/.test(l))
      .join('\n');
    expect(code).not.toMatch(/\beval\b|\bexec\b|\bsource\b|(^|\s)\.\s|`/);
    expect(code).toMatch(/^set -eu$/m);
    expect(code).toMatch(/^PATH=\/usr\/sbin:\/usr\/bin:\/sbin:\/bin$/m);
  });
});

describe('the helper against a fake tree', () => {
  beforeAll(makeTree);

  it('writes an allowed value, reads it back and prints one line with before and after', () => {
    const r = helper(['write', '/sys/kernel/mm/transparent_hugepage/enabled', 'never']);
    expect(r).toEqual({ code: 0, out: 'ok /sys/kernel/mm/transparent_hugepage/enabled madvise never\n', err: '' });
    expect(at('/sys/kernel/mm/transparent_hugepage/enabled')).toBe('never\n');
    const n = helper(['write', '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages', '12']);
    expect(n.out).toBe('ok /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages 4 12\n');
    const d = helper(['write', '/sys/kernel/mm/transparent_hugepage/defrag', 'defer+madvise']);
    expect(d.out).toBe('ok /sys/kernel/mm/transparent_hugepage/defrag madvise defer+madvise\n');
  });

  it('reads an allowed file', () => {
    expect(helper(['read', '/proc/sys/vm/hugetlb_optimize_vmemmap'])).toEqual({ code: 0, out: '0\n', err: '' });
    expect(helper(['read', '/sys/kernel/mm/numa/demotion_enabled']).out).toBe('false\n');
  });

  const REFUSED: [string, string[], RegExp][] = [
    ['a path with ..', ['write', '/proc/sys/vm/../vm/nr_hugepages', '1'], /unexpected characters/],
    ['a path out of the tree', ['write', '/etc/passwd', '1'], /not a setting/],
    ['an unknown key', ['write', '/proc/sys/vm/swappiness', '10'], /not a setting/],
    ['a relative path', ['read', 'proc/sys/vm/nr_hugepages'], /not a setting/],
    ['a doubled slash', ['write', '/proc/sys/vm//nr_hugepages', '1'], /not a setting/],
    ['a newline in the path', ['write', '/proc/sys/vm/nr_hugepages\n/etc/passwd', '1'], /unexpected characters/],
    [
      'a size that is not a power of two',
      ['write', '/sys/kernel/mm/hugepages/hugepages-2000kB/nr_hugepages', '1'],
      /not a huge page size/,
    ],
    [
      'a word not in the list',
      ['write', '/sys/kernel/mm/transparent_hugepage/enabled', 'sometimes'],
      /is not one of always, madvise, never/,
    ],
    ['a number out of range', ['write', '/proc/sys/kernel/numa_balancing', '4'], /is not a whole number from 0 to 3/],
    ['a negative number', ['write', '/proc/sys/vm/nr_hugepages', '-1'], /not a whole number/],
    ['a leading zero (octal in /proc/sys)', ['write', '/proc/sys/vm/nr_hugepages', '010'], /not a whole number/],
    [
      'a value with a newline',
      ['write', '/proc/sys/vm/hugetlb_optimize_vmemmap', '1\n0'],
      /that value is not one of 0, 1/,
    ],
    ['a shell word', ['write', '/proc/sys/vm/nr_hugepages', '$(reboot)'], /that value/],
    ['a link as the file', ['write', '/sys/kernel/mm/transparent_hugepage/khugepaged/defrag', '1'], /symbolic link/],
    ['a link on the way', ['write', '/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages', '1'], /symbolic link/],
    ['a read through a link', ['read', '/sys/kernel/mm/transparent_hugepage/khugepaged/defrag'], /symbolic link/],
    ['a directory', ['write', '/proc/sys/kernel/numa_balancing', '1'], /not a regular file/],
    ['an unknown command', ['rm', '/proc/sys/vm/nr_hugepages'], /usage/],
    ['extra arguments', ['write', '/proc/sys/vm/nr_hugepages', '1', '2'], /usage/],
    ['no arguments', [], /usage/],
  ];

  it.each(REFUSED)('refuses %s with exit 2 and one line, writing nothing', (_what, args, why) => {
    const before = Object.fromEntries(Object.keys(FILES).map((p) => [p, at(p)]));
    const r = helper(args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(why);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    for (const [p, text] of Object.entries(before)) expect(at(p)).toBe(text);
    expect(readFileSync(join(tmp, 'victim'), 'utf8')).toBe('precious\n');
    expect(readFileSync(join(tmp, 'elsewhere/hugepages-1048576kB/nr_hugepages'), 'utf8')).toBe('0\n');
  });

  it('says so in one line with exit 1 when the file is not on this machine', () => {
    const r = helper(['write', '/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled', 'never']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'hugetune-helper: /sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled: no such file on this machine\n',
    );
  });

  it('refuses the test prefix under pkexec or sudo instead of falling through to the real files', () => {
    for (const v of ['PKEXEC_UID', 'SUDO_UID']) {
      const r = helper(['write', '/proc/sys/vm/nr_hugepages', '0'], { HUGETUNE_HELPER_ROOT: tree, [v]: '1000' });
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/not honoured under pkexec or sudo/);
    }
    const rel = helper(['read', '/proc/sys/vm/nr_hugepages'], { HUGETUNE_HELPER_ROOT: 'relative/dir' });
    expect(rel.code).toBe(2);
    expect(rel.err).toMatch(/absolute path/);
  });

  it('runs under dash and under bash in POSIX mode alike', (ctx) => {
    const bash = spawnSync('bash', ['--version']);
    ctx.skip(bash.error !== undefined, 'bash is not installed');
    for (const sh of [['sh'], ['bash', '--posix']]) {
      const r = spawnSync(sh[0]!, [...sh.slice(1), HELPER, 'write', '/proc/sys/vm/nr_hugepages', '3'], {
        encoding: 'utf8',
        env: { HUGETUNE_HELPER_ROOT: tree },
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^ok \/proc\/sys\/vm\/nr_hugepages \d+ 3\n$/);
    }
  });
});

describe('the helper and the TypeScript allow-list agree', () => {
  // Paths built from the rules' shapes with the parts that matter varied: sizes (powers of two or not,
  // leading zeros), node numbers, names, and hostile bits spliced in. Sizes stay below 2^31 kB, where
  // JavaScript's 32-bit `&` in ruleFor and the shell's 64-bit arithmetic agree.
  const size = fc.oneof(
    fc.integer({ min: 0, max: 30 }).map((e) => String(2 ** e)),
    fc.integer({ min: 0, max: 2 ** 31 - 1 }).map(String),
    fc.integer({ min: 1, max: 20 }).map((e) => `0${2 ** e}`),
  );
  const name = fc.constantFrom('nr_hugepages', 'nr_overcommit_hugepages', 'enabled', 'defrag', 'free_hugepages');
  const hostile = fc.constantFrom('', '', '', '/..', '//', '/', ' ', '.', '\n', '*', 'x');
  const path = fc.oneof(
    fc.tuple(size, name).map(([s, n]) => `/sys/kernel/mm/hugepages/hugepages-${s}kB/${n}`),
    fc
      .tuple(fc.integer({ min: 0, max: 99999 }), size, name)
      .map(([node, s, n]) => `/sys/devices/system/node/node${node}/hugepages/hugepages-${s}kB/${n}`),
    fc.tuple(size, name).map(([s, n]) => `/sys/kernel/mm/transparent_hugepage/hugepages-${s}kB/${n}`),
    fc.constantFrom(
      '/proc/sys/vm/hugetlb_optimize_vmemmap',
      '/proc/sys/vm/nr_hugepages',
      '/proc/sys/vm/nr_overcommit_hugepages',
      '/proc/sys/kernel/numa_balancing',
      '/sys/kernel/mm/transparent_hugepage/enabled',
      '/sys/kernel/mm/transparent_hugepage/defrag',
      '/sys/kernel/mm/transparent_hugepage/khugepaged/defrag',
      '/sys/kernel/mm/numa/demotion_enabled',
      '/proc/sys/vm/swappiness',
    ),
  );
  const spliced = fc.tuple(path, hostile, fc.nat()).map(([p, h, i]) => {
    const at = i % (p.length + 1);
    return p.slice(0, at) + h + p.slice(at);
  });
  const value = fc.oneof(
    fc.constantFrom('0', '1', '2', '3', '4', 'always', 'madvise', 'never', 'inherit', 'defer', 'defer+madvise'),
    fc.constantFrom('true', 'false', 'yes', '', ' 1', '1 ', '00', '01', '-0', '+1', '1e3', '0x10', 'Never'),
    fc.integer({ min: 0, max: 2 ** 31 }).map(String),
    fc.string({ maxLength: 6 }),
  );

  it('on which writes are allowed (check command vs refuseWrite)', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(spliced, value, (p, v) => {
        const r = helper(['check', p, v]);
        const allowed = refuseWrite(p, v) === null;
        expect([p, v, r.code]).toEqual([p, v, allowed ? 0 : 2]);
      }),
      { numRuns: 150 },
    );
  });
});
