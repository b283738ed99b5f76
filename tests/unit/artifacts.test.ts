/**
 * The artifacts the advisor hands out, each checked by the program that will read it where that program is
 * here (sh, shellcheck, Python's configparser as TuneD uses it, ansible-playbook), and by a parser of our own
 * (js-yaml, a small INI reader, systemd's quoting rules) where it is not. A test that needs a missing tool
 * skips and says which.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootWords,
  shQuote,
  writeArtifacts,
  type ArtifactContext,
  type Artifacts,
} from '../../shared/advise/artifacts';
import type { Change, WriteChange } from '../../shared/advise/changes';
import { ruleFor, sysctlOf } from '../../shared/advise/settings';
import { TUNED_OPTIONS } from '../../shared/advise/artifacts/tuned';
import { plainText } from '../../shared/advise/artifacts/text';

const has = (cmd: string, args: string[] = ['--version']): boolean => spawnSync(cmd, args).status === 0;
// Looked up when a test first asks, not while collecting: a run whose filter skips these tests starts none.
const memo = <T>(f: () => T): (() => T) => {
  let v: { value: T } | null = null;
  return () => (v ??= { value: f() }).value;
};
const HAS_SHELLCHECK = memo(() => has('shellcheck'));
const HAS_PYTHON = memo(() => has('python3'));
const HAS_ANSIBLE = memo(() => has('ansible-playbook'));
const HAS_POSIX_COLLECTION = memo(() => has('ansible-doc', ['-t', 'module', 'ansible.posix.sysctl']));
const IS_ROOT = process.getuid?.() === 0;
const HAS_SETPRIV = memo(() => has('setpriv'));

const CTX: ArtifactContext = { version: '0.1.0', title: 'Llama 3.1 70B Q4_K_M with llama.cpp', machine: 'box (live)' };

const THP = '/sys/kernel/mm/transparent_hugepage';
const HVO = '/proc/sys/vm/hugetlb_optimize_vmemmap';
const POOL_2M = '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages';
const POOL_1G = '/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages';
const node = (n: number, kib = 2048): string =>
  `/sys/devices/system/node/node${n}/hugepages/hugepages-${kib}kB/nr_hugepages`;
const w = (path: string, value: string, before: string | null): WriteChange => ({ kind: 'write', path, value, before });

/** Change sets the tests run every artifact over. */
const SETS: Record<string, Change[]> = {
  typical: [
    w(`${THP}/enabled`, 'madvise', '[always] madvise never'),
    w(`${THP}/defrag`, 'defer+madvise', 'always defer defer+madvise [madvise] never'),
    w(HVO, '1', '0'),
    w('/proc/sys/vm/nr_hugepages', '512', '0'),
    w(POOL_1G, '2', '0'),
    {
      kind: 'boot',
      set: [
        { key: 'hugetlb_free_vmemmap', value: 'on' },
        { key: 'hugepagesz', value: '1G' },
        { key: 'hugepages', value: '0:2,1:2' },
      ],
      remove: ['transparent_hugepage'],
    },
    { kind: 'memlock', scope: 'user', name: 'llm', limit: 'infinity' },
    { kind: 'memlock', scope: 'service', name: 'llama-server', limit: 'infinity' },
    {
      kind: 'service',
      unit: 'llama-server.service',
      environment: { LLAMA_ARG_THREADS: '32', GGML_NOTE: 'a "quoted" 100% \\ value $HOME' },
      numactl: 'numactl --cpunodebind=0 --membind=0',
    },
  ],
  // Per-node pools: node 0 shrinks, node 1 grows; HVO is given last and must still go first.
  numa: [
    w(node(1), '300', '0'),
    w('/proc/sys/kernel/numa_balancing', '0', '1'),
    w(node(0), '100', '400'),
    w('/sys/kernel/mm/numa/demotion_enabled', 'false', 'true'),
    w(`${THP}/hugepages-64kB/enabled`, 'never', 'always inherit madvise [never]'),
    w('/proc/sys/vm/nr_overcommit_hugepages', '0', null),
    w(HVO, '1', '0'),
  ],
  bootOnly: [
    {
      kind: 'boot',
      set: [
        { key: 'hugepagesz', value: '1G' },
        { key: 'hugepages', value: '4' },
        { key: 'hugepagesz', value: '2M' },
        { key: 'hugepages', value: '512' },
        { key: 'nohz', value: null },
      ],
      remove: ['transparent_hugepage=never'],
    },
  ],
  unknownBefore: [w(POOL_2M, '1024', null), w(`${THP}/khugepaged/defrag`, '0', '1')],
  serviceOnly: [{ kind: 'service', unit: 'vllm', environment: { VLLM_CPU_KVCACHE_SPACE: '40' }, numactl: null }],
};

const LOADER = {
  commands: [`grubby --update-kernel=ALL --args='hugepagesz=1G hugepages=0:2,1:2'`],
  rollbackCommands: [`grubby --update-kernel=ALL --remove-args='hugepagesz hugepages'`],
};

const all = (changes: Change[], ctx: ArtifactContext = CTX): Artifacts => writeArtifacts(changes, ctx);
const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-artifacts-'));
  // Readable by the user the no-root test runs the script as.
  chmodSync(tmp, 0o755);
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});
let seq = 0;
const tmpFile = (name: string, text: string): string => {
  const dir = join(tmp, String(seq++));
  mkdirSync(dir, { mode: 0o755 });
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('shQuote', () => {
  const hostile = [
    '',
    "'",
    "''",
    "a'b'c",
    `it's "quoted" \\ and \\'`,
    '$(touch PWNED)',
    '`touch PWNED`',
    '${HOME} $HOME $0 $@ $*',
    'line one\nline two\n',
    '; rm -rf / #',
    '-n',
    '--apply',
    '* ? [a-z] ~',
    '\t\r\u001b[31m red',
    'ünïcödé ✓ 🐧',
    "'\"'\"'",
  ];
  it.each(hostile.map((s) => [JSON.stringify(s), s]))('keeps %s one literal word through sh', (_, s) => {
    const r = spawnSync('sh', ['-c', `printf '%s' ${shQuote(s)}`], { cwd: tmp, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(s);
    expect(existsSync(join(tmp, 'PWNED'))).toBe(false);
  });
  it('refuses a NUL byte, which no shell word can hold', () => {
    expect(() => shQuote('a\0b')).toThrow(/NUL/);
  });
});

describe('refusals: nothing unvalidated reaches a file', () => {
  const cases: [string, Change[]][] = [
    ['a value the allow-list refuses', [w(HVO, '1; reboot', '0')]],
    ['a value with a newline', [w(`${THP}/enabled`, 'madvise\nnever', 'never')]],
    ['a path outside the allow-list', [w('/proc/sys/kernel/core_pattern', '1', '0')]],
    ['a path climbing out', [w('/sys/kernel/mm/hugepages/../../../etc/passwd', '1', '0')]],
    ['a before value the file cannot take', [w(HVO, '1', "0' ; reboot ; '")]],
    ['a leading zero (read as octal)', [w(POOL_2M, '010', '0')]],
    ['one file written twice', [w(HVO, '1', '0'), w(HVO, '0', '1')]],
    ['a boot value with a space', [{ kind: 'boot', set: [{ key: 'hugepages', value: '1 init=/bin/sh' }], remove: [] }]],
    ['a boot value with $( )', [{ kind: 'boot', set: [{ key: 'x', value: '$(reboot)' }], remove: [] }]],
    ['a boot key with a quote', [{ kind: 'boot', set: [{ key: "a'b", value: null }], remove: [] }]],
    ['a boot word to drop with a quote', [{ kind: 'boot', set: [], remove: ["quiet'"] }]],
    ['a user name with a space', [{ kind: 'memlock', scope: 'user', name: 'root hard', limit: 'infinity' }]],
    ['a unit name with a slash', [{ kind: 'service', unit: '../x', environment: {}, numactl: null }]],
    ['an environment name with =', [{ kind: 'service', unit: 'a', environment: { 'A=B': '1' }, numactl: null }]],
    [
      'an environment value with a newline',
      [{ kind: 'service', unit: 'a', environment: { A: '1\n[Service]' }, numactl: null }],
    ],
    [
      'a numactl prefix running something else',
      [{ kind: 'service', unit: 'a', environment: {}, numactl: 'numactl -m0; reboot' }],
    ],
    ['a prefix that is not numactl', [{ kind: 'service', unit: 'a', environment: {}, numactl: 'taskset -c 0' }]],
    [
      'two services',
      [
        { kind: 'service', unit: 'a', environment: {}, numactl: null },
        { kind: 'service', unit: 'b', environment: {}, numactl: null },
      ],
    ],
  ];
  it.each(cases)('throws on %s', (_, changes) => {
    expect(() => writeArtifacts(changes, CTX)).toThrow();
  });

  it('keeps free text (title, machine) inside comment lines', () => {
    const ctx: ArtifactContext = {
      version: '0.1.0\nrm -rf /',
      title: 'x\n[Service]\nExecStart=/bin/sh\r\n{{ lookup("pipe", "id") }} \\',
      machine: 'm\u2028reboot\n- hosts: all',
    };
    const a = all(SETS.typical!, ctx);
    for (const key of Object.keys(a) as (keyof Artifacts)[]) {
      const art = a[key];
      if (!art) continue;
      const text = art.text.split('\n');
      for (const l of text) {
        expect(l).not.toMatch(/^(rm -rf|ExecStart=\/bin\/sh|reboot|- hosts)/);
        expect(l).not.toContain('{{');
      }
      expect(text.filter((l) => l === '[Service]').length).toBeLessThanOrEqual(1);
    }
    expect(plainText('a\nb\tc \\')).toBe('a b c');
  });
});

describe('sysctl.d', () => {
  it('holds only /proc/sys settings, HVO before the pool, and says what wrote it and how to remove it', () => {
    const a = all(SETS.typical!);
    expect(a.sysctlConf!.path).toBe('/etc/sysctl.d/60-hugetune.conf');
    expect(lines(a.sysctlConf!.text)).toEqual(['vm.hugetlb_optimize_vmemmap = 1', 'vm.nr_hugepages = 512']);
    expect(a.sysctlConf!.text).toMatch(/^# .*\n# Written by hugetune 0\.1\.0: Llama/);
    expect(a.sysctlConf!.text).toContain('rm /etc/sysctl.d/60-hugetune.conf');
  });
  it('keeps the given order otherwise, and moves HVO to the front', () => {
    expect(lines(all(SETS.numa!).sysctlConf!.text)).toEqual([
      'vm.hugetlb_optimize_vmemmap = 1',
      'kernel.numa_balancing = 0',
      'vm.nr_overcommit_hugepages = 0',
    ]);
  });
  it('is null without sysctls', () => {
    expect(all(SETS.unknownBefore!).sysctlConf).toBeNull();
  });
});

describe('tmpfiles.d', () => {
  it('writes sysfs knobs with w lines, per-node pools shrunk first, and the notes on timing', () => {
    const t = all(SETS.numa!).tmpfilesConf!;
    expect(t.path).toBe('/etc/tmpfiles.d/60-hugetune.conf');
    expect(lines(t.text)).toEqual([
      `w ${node(0)} - - - - 100`,
      `w ${node(1)} - - - - 300`,
      'w /sys/kernel/mm/numa/demotion_enabled - - - - false',
      `w ${THP}/hugepages-64kB/enabled - - - - never`,
    ]);
    expect(t.text).toContain('runs early');
    expect(t.text).toContain('hugepages=0:N,1:M');
  });
  it('each line has the seven fields of tmpfiles.d(5)', () => {
    for (const l of lines(all(SETS.typical!).tmpfilesConf!.text)) {
      const f = l.split(/\s+/);
      expect(f).toHaveLength(7);
      expect(f[0]).toBe('w');
      expect(ruleFor(f[1]!)).not.toBeNull();
      expect(sysctlOf(f[1]!)).toBeNull();
    }
  });
});

describe('boot line', () => {
  it('is the parameter string to add, in order, keys repeating', () => {
    expect(all(SETS.bootOnly!).bootCmdline).toEqual({
      path: 'hugetune-boot-cmdline.txt',
      text: 'hugepagesz=1G hugepages=4 hugepagesz=2M hugepages=512 nohz',
    });
    expect(bootWords(SETS.bootOnly!)!.remove).toEqual(['transparent_hugepage=never']);
    expect(all(SETS.numa!).bootCmdline).toBeNull();
  });
});

/** Writes the script and runs it with sh; env adds to a clean environment. */
function runScript(text: string, args: string[], env: Record<string, string> = {}, asNobody = false) {
  const path = tmpFile('script.sh', text);
  const argv = ['sh', path, ...args];
  const opts = {
    encoding: 'utf8' as const,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    timeout: 20_000,
  };
  return asNobody
    ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...argv], opts)
    : spawnSync(argv[0]!, argv.slice(1), opts);
}

describe('apply and rollback scripts', () => {
  const variants: [string, Change[], ArtifactContext][] = [
    ...Object.entries(SETS).map(([k, v]) => [k, v, CTX] as [string, Change[], ArtifactContext]),
    ['typical with loader commands', SETS.typical!, { ...CTX, loader: LOADER }],
    [
      'a loader edit that rewrites a file',
      SETS.bootOnly!,
      {
        ...CTX,
        loader: { ...LOADER, apply: 'file', file: '/etc/default/grub', note: "it's `$HOME`\nline two \\" },
      },
    ],
    [
      'hostile loader commands and text',
      SETS.typical!,
      {
        ...CTX,
        title: "it's $(reboot) `id`",
        loader: { commands: ["echo 'x' $(touch PWNED) `touch PWNED` \\", '"; exit 0; "'], rollbackCommands: ["'"] },
      },
    ],
  ];

  it.for(variants)('pass shellcheck -s sh (%s)', ([name, changes, ctx], c) => {
    c.skip(!HAS_SHELLCHECK(), 'shellcheck is not installed (Debian package shellcheck)');
    const a = all(changes, ctx);
    for (const art of [a.applyScript!, a.rollbackScript!]) {
      const path = tmpFile(art.path, art.text);
      const r = spawnSync('shellcheck', ['-s', 'sh', path], { encoding: 'utf8' });
      expect(r.stdout + r.stderr, `${name}: ${art.path}`).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it.each(variants)('a dry run only prints, and lists every change (%s)', (_, changes, ctx) => {
    const a = all(changes, ctx);
    const empty = mkdtempSync(join(tmp, 'empty-'));
    const r = runScript(a.applyScript!.text, [], { HUGETUNE_TEST_ROOT: empty });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(empty)).toEqual([]);
    expect(existsSync(join(tmp, 'PWNED'))).toBe(false);
    const out = r.stdout;
    for (const c of changes) {
      if (c.kind === 'write') expect(out).toContain(`would write ${c.value} to ${c.path}`);
      if (c.kind === 'boot')
        for (const s of c.set) expect(out).toContain(s.value === null ? s.key : `${s.key}=${s.value}`);
      if (c.kind === 'memlock')
        expect(out).toContain(c.scope === 'user' ? c.name : c.name.replace(/(\.service)?$/, '.service'));
      if (c.kind === 'service') expect(out).toContain(c.unit.replace(/(\.service)?$/, '.service'));
    }
    for (const cmd of ctx.loader?.commands ?? []) expect(out).toContain(cmd);
    expect(out).toContain('dry run: nothing was changed');
    // The rollback's dry run too.
    const rb = runScript(a.rollbackScript!.text, [], { HUGETUNE_TEST_ROOT: empty });
    expect(rb.status).toBe(0);
    expect(readdirSync(empty)).toEqual([]);
  });

  it('writes HVO first and shrinks pools before growing others', () => {
    const text = all(SETS.numa!).applyScript!.text;
    const puts = text.split('\n').filter((l) => l.startsWith('put '));
    expect(puts[0]).toContain(HVO);
    expect(puts.findIndex((l) => l.includes(node(0)))).toBeLessThan(puts.findIndex((l) => l.includes(node(1))));
  });

  it('rejects unknown arguments', () => {
    const r = runScript(all(SETS.numa!).applyScript!.text, ['--aply']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage');
  });

  it('refuses --apply without root', (c) => {
    c.skip(IS_ROOT && !HAS_SETPRIV(), 'runs as root and setpriv is missing: cannot run the script as another user');
    const r = runScript(all(SETS.numa!).applyScript!.text, ['--apply'], {}, IS_ROOT);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('must run as root');
  });

  /** A fake kernel tree holding each written file with its before value. */
  function fakeTree(changes: Change[]): string {
    const root = mkdtempSync(join(tmp, 'root-'));
    for (const c of changes) {
      if (c.kind !== 'write') continue;
      mkdirSync(dirname(join(root, c.path)), { recursive: true });
      writeFileSync(join(root, c.path), `${c.before ?? '0'}\n`);
    }
    return root;
  }

  it('applies into a tree, reads each value back, and the rollback restores the values before', () => {
    const changes = SETS.numa!;
    const a = all(changes);
    const root = fakeTree(changes);
    const r = runScript(a.applyScript!.text, ['--apply'], { HUGETUNE_TEST_ROOT: root });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const c of changes) {
      if (c.kind !== 'write') continue;
      expect(readFileSync(join(root, c.path), 'utf8')).toBe(`${c.value}\n`);
      expect(r.stdout).toContain(`ok      ${c.path} = ${c.value}`);
    }
    const rb = runScript(a.rollbackScript!.text, ['--apply'], { HUGETUNE_TEST_ROOT: root });
    expect(rb.status).toBe(0);
    for (const c of changes) {
      if (c.kind !== 'write') continue;
      // Multiple-choice files are restored to the selected word.
      const want = c.before === null ? c.value : (/\[([^\]]+)\]/.exec(c.before)?.[1] ?? c.before);
      expect(readFileSync(join(root, c.path), 'utf8')).toBe(`${want}\n`);
    }
    expect(rb.stdout).toContain('skip /proc/sys/vm/nr_overcommit_hugepages');
    // Reverse order: HVO is restored last.
    const oks = rb.stdout.split('\n').filter((l) => l.startsWith('ok '));
    expect(oks.at(-1)).toContain(HVO);
  });

  it('reports asked and got when the kernel keeps less, carries on, and exits 1 at the end', () => {
    const changes = SETS.numa!;
    const root = fakeTree(changes);
    // A file that reads back empty whatever is written, like a pool that could not grow at all.
    rmSync(join(root, node(1)));
    symlinkSync('/dev/null', join(root, node(1)));
    // A file that is not there: a kernel without demotion.
    rmSync(join(root, '/sys/kernel/mm/numa/demotion_enabled'));
    const r = runScript(all(changes).applyScript!.text, ['--apply'], { HUGETUNE_TEST_ROOT: root });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`DIFFERS ${node(1)}: asked 300, got `);
    expect(r.stdout).toContain('a pool changes only as far as the kernel can');
    expect(r.stdout).toContain('MISSING /sys/kernel/mm/numa/demotion_enabled');
    // The writes after the failures were still made.
    expect(readFileSync(join(root, `${THP}/hugepages-64kB/enabled`), 'utf8')).toBe('never\n');
    expect(readFileSync(join(root, '/proc/sys/vm/nr_overcommit_hugepages'), 'utf8')).toBe('0\n');
    expect(r.stderr).toContain('not applied as asked');
  });

  it('with a loader edit that rewrites a file, says to edit the file first and prints its note', () => {
    const loader = {
      apply: 'file' as const,
      file: '/etc/default/grub',
      commands: ['update-grub'],
      rollbackCommands: ['update-grub'],
      note: 'GRUB on Debian: update-grub writes /boot/grub/grub.cfg.\nRecovery: press e at the menu and delete hugepages=.',
    };
    const a = all(SETS.bootOnly!, { ...CTX, loader });
    const apply = runScript(a.applyScript!.text, []).stdout;
    expect(apply).toMatch(
      /edit \/etc\/default\/grub as hugetune shows it[^\n]*\n {2}then run as root:\n {4}update-grub\n/,
    );
    expect(apply).toContain('  Recovery: press e at the menu and delete hugepages=.');
    expect(runScript(a.rollbackScript!.text, []).stdout).toContain('put /etc/default/grub back as it was');
    // The playbook does not run update-grub alone as if it were the edit: it uses its own grub.d file.
    const play = a.ansiblePlaybook!.text;
    expect(play).toContain('/etc/default/grub.d/60-hugetune.cfg');
    expect(play).not.toContain('ansible.builtin.shell');
  });

  it('prints the boot line and the loader commands as steps, in apply and in rollback', () => {
    const a = all(SETS.typical!, { ...CTX, loader: LOADER });
    const apply = runScript(a.applyScript!.text, []).stdout;
    expect(apply).toContain('add: hugetlb_free_vmemmap=on hugepagesz=1G hugepages=0:2,1:2');
    expect(apply).toContain('remove: transparent_hugepage');
    expect(apply).toContain(LOADER.commands[0]);
    const rollback = runScript(a.rollbackScript!.text, []).stdout;
    expect(rollback).toContain(LOADER.rollbackCommands[0]);
    expect(rollback).toContain('take out: hugetlb_free_vmemmap=on');
  });
});

/** A small INI reader in TuneD's dialect: = only, # comments, [section] headers. */
function readIni(text: string): [string, [string, string][]][] {
  const out: [string, [string, string][]][] = [];
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) continue;
    const sec = /^\[([^\]]+)\]$/.exec(l);
    if (sec) {
      out.push([sec[1]!, []]);
      continue;
    }
    const eq = l.indexOf('=');
    if (eq <= 0 || out.length === 0) throw new Error(`not an INI line: ${l}`);
    out.at(-1)![1].push([l.slice(0, eq).trim(), l.slice(eq + 1).trim()]);
  }
  return out;
}

function checkTunedOptions(sections: [string, [string, string][]][]): void {
  expect(sections[0]![0]).toBe('main');
  for (const [name, options] of sections) {
    const type = options.find(([k]) => k === 'type')?.[1] ?? name;
    for (const [key, value] of options) {
      if (name === 'main') {
        expect(TUNED_OPTIONS.main).toContain(key);
        continue;
      }
      if ((TUNED_OPTIONS.unit as readonly string[]).includes(key)) continue;
      if (type === 'sysctl') {
        expect(key).toMatch(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/);
        const path = `/proc/sys/${key.replaceAll('.', '/')}`;
        expect(sysctlOf(path)).toBe(key);
      } else if (type === 'sysfs') {
        expect(key.startsWith('/sys/')).toBe(true);
        expect(ruleFor(key)).not.toBeNull();
      } else if (type === 'vm') {
        expect(TUNED_OPTIONS.vm).toContain(key);
      } else if (type === 'bootloader') {
        if (!key.startsWith('cmdline')) expect(TUNED_OPTIONS.bootloader).toContain(key);
        else expect(value).toMatch(/^[+-]?\S/);
      } else {
        throw new Error(`unexpected section ${name} (type ${type})`);
      }
    }
  }
}

describe('TuneD profile', () => {
  it.each(Object.keys(SETS))('uses only option names TuneD knows (%s)', (k) => {
    const t = all(SETS[k]!).tunedProfile;
    if (k === 'serviceOnly') return expect(t).toBeNull();
    expect(t!.path).toBe('/etc/tuned/hugetune/tuned.conf');
    checkTunedOptions(readIni(t!.text));
  });

  it('puts THP in [vm], HVO first in [sysctl], other sysfs in [sysfs], boot words in [bootloader]', () => {
    const s = readIni(all(SETS.typical!).tunedProfile!.text);
    // HVO moves to the front; THP keeps its place before the pools, so the pool sysctl opens a second instance.
    expect(s.map(([n]) => n)).toEqual(['main', 'sysctl', 'vm', 'hugetune_sysctl_2', 'sysfs', 'bootloader']);
    expect(s[1]![1]).toEqual([['vm.hugetlb_optimize_vmemmap', '1']]);
    expect(s[3]![1]).toEqual([
      ['type', 'sysctl'],
      ['vm.nr_hugepages', '512'],
    ]);
    expect(s[2]![1]).toEqual([
      ['transparent_hugepages', 'madvise'],
      ['transparent_hugepage.defrag', 'defer+madvise'],
    ]);
    expect(s[5]![1]).toEqual([['cmdline_hugetune', '+hugetlb_free_vmemmap=on hugepagesz=1G hugepages=0:2,1:2']]);
  });

  it('opens another instance with type= when the apply order goes back to a plugin', () => {
    const s = readIni(all(SETS.numa!).tunedProfile!.text);
    // HVO; node 0 shrinks, node 1 grows; then the rest as given.
    expect(s.map(([n]) => n)).toEqual([
      'main',
      'sysctl',
      'sysfs',
      'hugetune_sysctl_2',
      'hugetune_sysfs_2',
      'hugetune_sysctl_3',
    ]);
    expect(s[1]![1]).toEqual([['vm.hugetlb_optimize_vmemmap', '1']]);
    expect(s[2]![1]).toEqual([
      [node(0), '100'],
      [node(1), '300'],
    ]);
    expect(s[3]![1]).toEqual([
      ['type', 'sysctl'],
      ['kernel.numa_balancing', '0'],
    ]);
  });

  it('reads back with Python configparser as TuneD configures it', (c) => {
    c.skip(!HAS_PYTHON(), 'python3 is not installed: the INI check falls back to the small reader above');
    const profiles = Object.values(SETS)
      .map((changes) => all(changes, { ...CTX, tunedInclude: 'throughput-performance' }).tunedProfile?.text)
      .filter((t): t is string => t !== undefined);
    // TuneD's loader: ConfigParser(delimiters=('='), inline_comment_prefixes=('#'), strict=False), case kept.
    // strict=True here, so a repeated section or option fails instead of merging. One run reads every profile.
    const py = [
      'import configparser, json, sys',
      'out = []',
      'for text in json.load(sys.stdin):',
      "    p = configparser.ConfigParser(delimiters=('=',), inline_comment_prefixes=('#',), strict=True, interpolation=None)",
      '    p.optionxform = str',
      '    p.read_string(text)',
      '    out.append([[s, [[o, p.get(s, o, raw=True)] for o in p.options(s)]] for s in p.sections()])',
      'print(json.dumps(out))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', py], { input: JSON.stringify(profiles), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const parsed = JSON.parse(r.stdout) as [string, [string, string][]][][];
    expect(parsed).toHaveLength(profiles.length);
    parsed.forEach((sections, i) => {
      expect(sections).toEqual(readIni(profiles[i]!));
      checkTunedOptions(sections);
      expect(sections[0]![1]).toContainEqual(['include', 'throughput-performance']);
    });
  });
});

/** js-yaml with Ansible's !unsafe tag (a string Ansible does not template). */
const UNSAFE = new yaml.Type('!unsafe', { kind: 'scalar', construct: (d: string) => d });
const SCHEMA = yaml.DEFAULT_SCHEMA.extend([UNSAFE]);
type Task = Record<string, unknown> & { name: string };
type Play = { name: string; hosts: string; become: boolean; tasks: Task[]; handlers?: Task[] };

const MODULES: Record<string, string[] | null> = {
  'ansible.posix.sysctl': ['name', 'value', 'sysctl_file', 'sysctl_set', 'reload', 'state'],
  'ansible.builtin.copy': ['dest', 'owner', 'group', 'mode', 'content'],
  'ansible.builtin.command': null,
  'ansible.builtin.shell': null,
  'ansible.builtin.debug': ['msg'],
  'ansible.builtin.systemd': ['daemon_reload'],
};
const TASK_KEYS = ['name', 'when', 'register', 'notify', 'changed_when'];

describe('Ansible playbook', () => {
  it.each(Object.keys(SETS))('parses as one play of known modules and arguments (%s)', (k) => {
    const p = all(SETS[k]!).ansiblePlaybook!;
    const doc = yaml.load(p.text, { schema: SCHEMA }) as Play[];
    expect(doc).toHaveLength(1);
    const play = doc[0]!;
    expect(play.hosts).toBe('all');
    expect(play.become).toBe(true);
    const handlerNames = (play.handlers ?? []).map((h) => h.name);
    for (const task of [...play.tasks, ...(play.handlers ?? [])]) {
      const modules = Object.keys(task).filter((key) => !TASK_KEYS.includes(key));
      expect(modules).toHaveLength(1);
      const args = MODULES[modules[0]!];
      expect(args, modules[0]).not.toBeUndefined();
      const value = task[modules[0]!];
      if (args === null) expect(typeof value).toBe('string');
      else for (const a of Object.keys(value as object)) expect(args).toContain(a);
      if (task.notify !== undefined) expect(handlerNames).toContain(task.notify);
    }
  });

  it('sets HVO before the pools, with the sysctl.d file, and installs the tmpfiles.d file it then runs', () => {
    const play = (yaml.load(all(SETS.typical!).ansiblePlaybook!.text, { schema: SCHEMA }) as Play[])[0]!;
    const sysctls = play.tasks
      .filter((t) => 'ansible.posix.sysctl' in t)
      .map((t) => t['ansible.posix.sysctl'] as Record<string, unknown>);
    expect(sysctls.map((s) => s.name)).toEqual(['vm.hugetlb_optimize_vmemmap', 'vm.nr_hugepages']);
    for (const s of sysctls) expect(s.sysctl_file).toBe('/etc/sysctl.d/60-hugetune.conf');
    const copy = play.tasks.find(
      (t) => (t['ansible.builtin.copy'] as { dest?: string } | undefined)?.dest === '/etc/tmpfiles.d/60-hugetune.conf',
    );
    expect((copy!['ansible.builtin.copy'] as { content: string }).content).toBe(all(SETS.typical!).tmpfilesConf!.text);
    expect(play.tasks.map((t) => t['ansible.builtin.command'])).toContain(
      'systemd-tmpfiles --create /etc/tmpfiles.d/60-hugetune.conf',
    );
    // The drop-in's content (with its quoted environment) arrives byte for byte.
    const dropIn = play.tasks.find((t) =>
      String((t['ansible.builtin.copy'] as { dest?: string } | undefined)?.dest).includes('llama-server.service.d'),
    );
    expect((dropIn!['ansible.builtin.copy'] as { content: string }).content).toBe(
      all(SETS.typical!).serviceDropIn!.text,
    );
  });

  it('orders a shrinking sysctl pool before the tmpfiles.d growth and a growing one after', () => {
    const changes: Change[] = [w(POOL_1G, '4', '0'), w('/proc/sys/vm/nr_hugepages', '0', '512'), w(HVO, '1', '0')];
    const play = (yaml.load(all(changes).ansiblePlaybook!.text, { schema: SCHEMA }) as Play[])[0]!;
    const kinds = play.tasks.map(
      (t) =>
        (t['ansible.posix.sysctl'] as { name?: string } | undefined)?.name ?? Object.keys(t).find((x) => x !== 'name'),
    );
    expect(kinds.slice(0, 3)).toEqual(['vm.hugetlb_optimize_vmemmap', 'vm.nr_hugepages', 'ansible.builtin.copy']);
  });

  it('passes ansible-playbook --syntax-check', (c) => {
    c.skip(!HAS_ANSIBLE(), 'ansible-playbook is not installed (Debian package ansible-core)');
    c.skip(!HAS_POSIX_COLLECTION(), 'the ansible.posix collection is not installed (Debian package ansible)');
    // One run for every playbook: each start of ansible-playbook takes seconds.
    const paths = Object.entries(SETS).flatMap(([k, changes]) =>
      [CTX, { ...CTX, loader: LOADER }].map((ctx, i) =>
        tmpFile(`${k}-${i}.yml`, all(changes, ctx).ansiblePlaybook!.text),
      ),
    );
    const r = spawnSync('ansible-playbook', ['--syntax-check', '-i', 'localhost,', ...paths], {
      encoding: 'utf8',
      env: { ...process.env, ANSIBLE_LOCAL_TEMP: join(tmp, 'ansible-tmp'), ANSIBLE_NOCOLOR: '1' },
      timeout: 60_000,
    });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    for (const p of paths) expect(r.stdout).toContain(`playbook: ${p}`);
  }, 120_000);
});

/** systemd's unquoting of one Environment= line (systemd.syntax(7)): quoted words, C escapes, %% specifiers. */
function systemdAssignments(line: string): string[] {
  const body = line.replace(/^Environment=/, '').replaceAll('%%', '\u0000');
  const out: string[] = [];
  let i = 0;
  while (i < body.length) {
    if (body[i] === ' ') {
      i++;
      continue;
    }
    let word = '';
    const quote = body[i] === '"' || body[i] === "'" ? body[i++] : null;
    for (; i < body.length; i++) {
      const ch = body[i]!;
      if (ch === '\\') {
        const next = body[++i]!;
        word += ({ n: '\n', t: '\t', '\\': '\\', '"': '"', "'": "'" } as Record<string, string>)[next] ?? next;
      } else if (quote ? ch === quote : ch === ' ') {
        i++;
        break;
      } else word += ch;
    }
    out.push(word.replaceAll('\u0000', '%'));
  }
  return out;
}

describe('systemd drop-in', () => {
  it('sets LimitMEMLOCK and quotes the environment as systemd reads it', () => {
    const d = all(SETS.typical!).serviceDropIn!;
    expect(d.path).toBe('/etc/systemd/system/llama-server.service.d/60-hugetune.conf');
    const body = lines(d.text);
    expect(body.slice(0, 2)).toEqual(['[Service]', 'LimitMEMLOCK=infinity']);
    const env = body.filter((l) => l.startsWith('Environment=')).flatMap(systemdAssignments);
    expect(env).toEqual(['LLAMA_ARG_THREADS=32', 'GGML_NOTE=a "quoted" 100% \\ value $HOME']);
    // No ExecStart without the unit's own command: the comment says how.
    expect(body.some((l) => l.startsWith('ExecStart'))).toBe(false);
    expect(d.text).toContain('ExecStart= (which clears');
    expect(d.text).toContain('systemctl cat llama-server.service');
  });

  it('replaces ExecStart (empty first) when the original command is given, keeping its prefix characters', () => {
    const d = all(SETS.typical!, { ...CTX, execStart: '-/usr/local/bin/llama-server -m /models/x.gguf --port 8080' });
    const body = lines(d.serviceDropIn!.text);
    expect(body.slice(-2)).toEqual([
      'ExecStart=',
      'ExecStart=-/usr/bin/numactl --cpunodebind=0 --membind=0 /usr/local/bin/llama-server -m /models/x.gguf --port 8080',
    ]);
    const at = all(SETS.typical!, { ...CTX, execStart: '@/usr/bin/server server-name' });
    expect(lines(at.serviceDropIn!.text).some((l) => l.startsWith('ExecStart'))).toBe(false);
  });

  it('quotes a unit name systemd-escape wrote (\\x2d) in the commands to copy, so the shell keeps its backslash', () => {
    const a = all([{ kind: 'memlock', scope: 'service', name: 'llama\\x2dserver.service', limit: 'infinity' }]);
    const d = a.serviceDropIn!;
    expect(d.text).toContain("systemctl restart 'llama\\x2dserver.service'");
    expect(d.text).toContain("rm '/etc/systemd/system/llama\\x2dserver.service.d/60-hugetune.conf'");
    expect(a.rollbackScript!.text).toContain("systemctl restart '\\''llama\\x2dserver.service'\\''");
  });

  it('is written for the service alone, without LimitMEMLOCK unless a memlock change asks for it', () => {
    const d = all(SETS.serviceOnly!).serviceDropIn!;
    expect(d.path).toBe('/etc/systemd/system/vllm.service.d/60-hugetune.conf');
    expect(lines(d.text)).toEqual(['[Service]', 'Environment="VLLM_CPU_KVCACHE_SPACE=40"']);
    expect(all(SETS.numa!).serviceDropIn).toBeNull();
  });
});

describe('limits.d', () => {
  it('gives the user a soft and a hard unlimited memlock', () => {
    const l = all(SETS.typical!).limitsConf!;
    expect(l.path).toBe('/etc/security/limits.d/60-hugetune.conf');
    expect(lines(l.text)).toEqual(['llm soft memlock unlimited', 'llm hard memlock unlimited']);
    expect(all(SETS.numa!).limitsConf).toBeNull();
  });
});

describe('writeArtifacts', () => {
  it('gives nothing for no changes', () => {
    const a = all([]);
    expect((Object.keys(a) as (keyof Artifacts)[]).filter((k) => a[k] !== null)).toEqual([]);
  });
});
