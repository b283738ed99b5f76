/**
 * The apply engine, its journal, rollback, the writers and the HVO check, all against a temporary copy of a
 * fixture machine (removed afterwards). A fake "kernel" writer over that tree plays the parts a real kernel
 * would: a pool that grows only partly, a write the kernel refuses, memmap counters that fall when HVO frees
 * vmemmap. No test here writes a real kernel file.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Change } from '../../shared/advise/changes';
import { HELPER_REPO_PATH } from '../../shared/advise/helper-script';
import { UserError } from '../../shared/errors';
import { applyChanges, rollback } from '../../electron/host/apply';
import { hvoCheck, poolPath } from '../../electron/host/hvo-check';
import { defaultJournalDir, listJournals, readJournal, type WriteResult } from '../../electron/host/journal';
import { DirectWriter, PkexecWriter, type WriteOutcome, type Writer } from '../../electron/host/writers';
import { applyCommand, journalCommand, rollbackCommand, type ChangeDeps } from '../../electron/cli/apply';
import { main } from '../../electron/cli/main';
import { fixtureFiles, REPO, VM } from '../helpers';

const HVO = '/proc/sys/vm/hugetlb_optimize_vmemmap';
const THP = '/sys/kernel/mm/transparent_hugepage/enabled';
const DEFRAG = '/sys/kernel/mm/transparent_hugepage/defrag';
const POOL = poolPath(2048);
const NUMA = '/proc/sys/kernel/numa_balancing';

let tmp = '';
let tree = '';
let journals = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-apply-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh copy of the fixture machine and an empty journal directory for every test. */
beforeEach(() => {
  for (const n of readdirSync(tmp)) rmSync(join(tmp, n), { recursive: true, force: true });
  tree = join(tmp, 'root');
  journals = join(tmp, 'journal');
  cpSync(VM, tree, { recursive: true });
  // The fixture has no numa_balancing file; the tests want one.
  writeFileSync(tree + NUMA, '0\n');
});

const at = (p: string): string => readFileSync(tree + p, 'utf8');
const write = (path: string, value: string, before: string | null = null): Change => ({
  kind: 'write',
  path,
  value,
  before,
});

/**
 * The kernel's part, over the temporary tree: pools capped at `poolMax` pages (memory runs out), writes to
 * `refuse` failing as the kernel fails them, and with HVO on each new 2 MiB page freeing 7 vmemmap pages
 * from /proc/vmstat (and each released one taking them back). Logs every write in order.
 */
class FakeKernel implements Writer {
  readonly kind = 'fake';
  readonly log: string[] = [];
  private readonly direct: DirectWriter;
  constructor(
    readonly opts: {
      poolMax?: number;
      refuse?: Set<string>;
      freedPerPage?: number;
      breakVmstatAfterGrow?: boolean;
    } = {},
  ) {
    this.direct = new DirectWriter({ root: tree });
  }
  read(path: string): Promise<string | null> {
    return this.direct.read(path);
  }
  async write(path: string, value: string): Promise<WriteOutcome> {
    this.log.push(`${path}=${value}`);
    if (this.opts.refuse?.has(path)) throw new UserError(`${path}: the kernel refused "${value}" (EBUSY)`);
    if (path === POOL) {
      const old = Number(await this.direct.read(path));
      const got = Math.min(Number(value), this.opts.poolMax ?? Infinity);
      const out = await this.direct.write(path, String(got));
      if ((await this.direct.read(HVO)) === '1') {
        const vm = at('/proc/vmstat');
        const m = /^nr_memmap_pages (\d+)$/m.exec(vm);
        if (!m) return out;
        const n = Number(m[1]);
        const next = n - (got - old) * (this.opts.freedPerPage ?? 7);
        writeFileSync(
          tree + '/proc/vmstat',
          this.opts.breakVmstatAfterGrow && got > old
            ? 'garbage\n'
            : vm.replace(/^nr_memmap_pages \d+$/m, `nr_memmap_pages ${next}`),
        );
      }
      return out;
    }
    return this.direct.write(path, value);
  }
}

const jsonFiles = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json')) : [];

describe('applyChanges', () => {
  it('writes in the list order, reads each back, and returns the rest as steps by hand', async () => {
    const k = new FakeKernel();
    const changes: Change[] = [
      write(HVO, '1', '0'),
      {
        kind: 'boot',
        set: [
          { key: 'hugepagesz', value: '1G' },
          { key: 'hugepages', value: '4' },
        ],
        remove: ['nohugeiomap'],
      },
      write(THP, 'always', 'madvise'),
      { kind: 'memlock', scope: 'user', name: 'llm', limit: 'infinity' },
      write(POOL, '16', '0'),
      {
        kind: 'service',
        unit: 'llama.service',
        environment: { OMP_NUM_THREADS: '8' },
        numactl: 'numactl --interleave=all',
      },
    ];
    const out = await applyChanges(changes, { dryRun: false, writer: k, journalDir: journals });
    expect(k.log).toEqual([`${HVO}=1`, `${THP}=always`, `${POOL}=16`]);
    expect(out.results.map((r) => [r.path, r.before, r.after, r.status, r.ok])).toEqual([
      [HVO, '0', '1', 'done', true],
      [THP, 'madvise', 'always', 'done', true],
      [POOL, '0', '16', 'done', true],
    ]);
    expect(at(THP)).toBe('always\n');
    expect(out.ok).toBe(true);
    expect(out.manual).toEqual([
      expect.objectContaining({
        kind: 'boot',
        needsReboot: true,
        summary: expect.stringMatching(/add hugepagesz=1G hugepages=4; remove nohugeiomap/) as unknown,
      }),
      expect.objectContaining({
        kind: 'memlock',
        artifact: '/etc/security/limits.d/60-hugetune.conf',
        needsReboot: false,
      }),
      expect.objectContaining({ kind: 'service', artifact: '/etc/systemd/system/llama.service.d/60-hugetune.conf' }),
    ]);
    expect(out.journalFile).not.toBeNull();
  });

  it('journals the value really there before each write, not the advice’s stale one', async () => {
    writeFileSync(tree + POOL, '4\n');
    const out = await applyChanges([write(POOL, '8', '7')], {
      dryRun: false,
      writer: new FakeKernel(),
      journalDir: journals,
    });
    expect(out.results[0]).toMatchObject({ before: '4', after: '8' });
    expect(readJournal(out.journalFile!).results[0]).toMatchObject({ before: '4', asked: '8', after: '8', ok: true });
  });

  it('records a pool that grew only partly as not ok with the numbers, and goes on', async () => {
    const k = new FakeKernel({ poolMax: 10 });
    const out = await applyChanges([write(POOL, '20'), write(THP, 'never')], {
      dryRun: false,
      writer: k,
      journalDir: journals,
    });
    expect(out.results[0]).toEqual({ path: POOL, asked: '20', before: '0', after: '10', ok: false, status: 'short' });
    expect(out.results[1]).toMatchObject({ path: THP, status: 'done', ok: true });
    expect(out.ok).toBe(false);
  });

  it('records a write the kernel refuses, with the value read back, and goes on', async () => {
    const k = new FakeKernel({ refuse: new Set([HVO]) });
    const out = await applyChanges([write(HVO, '1'), write(THP, 'never')], {
      dryRun: false,
      writer: k,
      journalDir: journals,
    });
    expect(out.results[0]).toMatchObject({
      status: 'failed',
      ok: false,
      before: '0',
      after: '0',
      error: expect.stringMatching(/EBUSY/) as unknown,
    });
    expect(out.results[1]).toMatchObject({ status: 'done' });
  });

  it('skips a value already set, and reports a file this machine lacks', async () => {
    const out = await applyChanges(
      [write(THP, 'madvise'), write('/sys/kernel/mm/transparent_hugepage/hugepages-4096kB/enabled', 'never')],
      { dryRun: false, writer: new FakeKernel(), journalDir: journals },
    );
    expect(out.results.map((r) => r.status)).toEqual(['unchanged', 'failed']);
    expect(out.results[1]!.error).toMatch(/no such file on this machine/);
  });

  it('dry run: reads, writes nothing, not even the journal, and says exactly what it would do', async () => {
    const k = new FakeKernel();
    const before = at(THP);
    const out = await applyChanges([write(THP, 'never'), write(POOL, '16'), write(DEFRAG, 'madvise')], {
      dryRun: true,
      writer: k,
      journalDir: journals,
    });
    expect(k.log).toEqual([]);
    expect(at(THP)).toBe(before);
    expect(existsSync(journals)).toBe(false);
    expect(out.journalFile).toBeNull();
    expect(out.results.map((r) => [r.path, r.before, r.asked, r.status])).toEqual([
      [THP, 'madvise', 'never', 'planned'],
      [POOL, '0', '16', 'planned'],
      [DEFRAG, 'madvise', 'madvise', 'unchanged'],
    ]);
  });

  it('refuses the whole list, before any write, when one change is outside the allow-list', async () => {
    const k = new FakeKernel();
    for (const bad of [
      write('/proc/sys/vm/swappiness', '10'),
      write(POOL, '010'),
      write(THP, 'sometimes'),
      write('/etc/passwd', '1'),
    ]) {
      await expect(
        applyChanges([write(THP, 'never'), bad], { dryRun: false, writer: k, journalDir: journals }),
      ).rejects.toThrow(/^refused, nothing was changed: /);
    }
    expect(k.log).toEqual([]);
    expect(existsSync(journals)).toBe(false);
  });

  it('stops before the next write once aborted, and journals what was not run', async () => {
    const stop = new AbortController();
    const out = await applyChanges([write(THP, 'never'), write(POOL, '2')], {
      dryRun: false,
      writer: new FakeKernel(),
      journalDir: journals,
      signal: stop.signal,
      onResult: () => stop.abort(),
    });
    expect(out.stopped).toBe(true);
    expect(out.results.map((r) => r.status)).toEqual(['done', 'not-run']);
    expect(at(POOL)).toBe('0\n');
  });
});

describe('the journal', () => {
  it('is saved before each write and after it, atomically, and always validates', async () => {
    const seen: { status: string[]; onDisk: string[] }[] = [];
    const k = new FakeKernel();
    // Read the journal on disk at each write: the step being written must already be there, as pending.
    const spy: Writer = {
      kind: 'spy',
      read: (p) => k.read(p),
      write: async (p, v) => {
        const files = jsonFiles(journals);
        expect(files).toHaveLength(1);
        const onDisk = readJournal(join(journals, files[0]!)).results.map((r) => r.status);
        seen.push({ status: [p], onDisk });
        return k.write(p, v);
      },
    };
    const out = await applyChanges([write(THP, 'never'), write(POOL, '4'), write(HVO, '1')], {
      dryRun: false,
      writer: spy,
      journalDir: journals,
      source: 'test',
    });
    expect(seen.map((s) => s.onDisk)).toEqual([['pending'], ['done', 'pending'], ['done', 'done', 'pending']]);
    // One file, no temporary files left, private to its owner.
    expect(readdirSync(journals)).toEqual([out.journalFile!.split('/').pop()]);
    expect(statSync(out.journalFile!).mode & 0o777).toBe(0o600);
    const j = readJournal(out.journalFile!);
    expect(j).toMatchObject({ format: 'hugetune-journal', version: 1, kind: 'apply', source: 'test', writer: 'spy' });
    expect(j.finishedAt).not.toBeNull();
    expect(j.results.map((r) => r.status)).toEqual(['done', 'done', 'done']);
  });

  it('goes to /var/lib/hugetune/journal for root, else the XDG state directory', () => {
    expect(defaultJournalDir({}, 0)).toBe('/var/lib/hugetune/journal');
    expect(defaultJournalDir({ XDG_STATE_HOME: '/x/state' }, 1000)).toBe('/x/state/hugetune/journal');
    expect(defaultJournalDir({ XDG_STATE_HOME: 'relative' }, 1000)).toMatch(/\/\.local\/state\/hugetune\/journal$/);
  });

  it('refuses to write when its directory cannot be made, before any write', async () => {
    writeFileSync(join(tmp, 'file'), '');
    const k = new FakeKernel();
    await expect(
      applyChanges([write(THP, 'never')], { dryRun: false, writer: k, journalDir: join(tmp, 'file/journal') }),
    ).rejects.toThrow(/cannot create the journal directory/);
    expect(k.log).toEqual([]);
  });
});

describe('rollback', () => {
  it('restores every value in reverse order, reads each back, and journals the rollback', async () => {
    writeFileSync(tree + POOL, '2\n');
    const applied = await applyChanges(
      [write(HVO, '1'), write(POOL, '0'), write(POOL, '6'), write(THP, 'madvise'), write(DEFRAG, 'never')],
      {
        dryRun: false,
        writer: new FakeKernel(),
        journalDir: journals,
      },
    );
    expect(applied.results.map((r) => r.status)).toEqual(['done', 'done', 'done', 'unchanged', 'done']);
    const k = new FakeKernel();
    const out = await rollback(applied.journalFile!, k, { journalDir: journals });
    // Newest first; the unchanged THP write is not touched.
    expect(k.log).toEqual([`${DEFRAG}=madvise`, `${POOL}=0`, `${POOL}=2`, `${HVO}=0`]);
    expect([at(HVO), at(POOL), at(THP), at(DEFRAG)]).toEqual(['0\n', '2\n', 'always [madvise] never\n', 'madvise\n']);
    expect(out.ok).toBe(true);
    expect(out.otherBoot).toBe(false);
    const j = readJournal(out.journalFile!);
    expect(j.kind).toBe('rollback');
    expect(j.rollbackOf).toBe(applied.journalFile);
    expect(listJournals(journals).map((l) => l.entry?.kind)).toEqual(['apply', 'rollback']);
  });

  it('restores a step journaled as pending (the process died during the write)', async () => {
    let snapshot = '';
    const k = new FakeKernel();
    const dying: Writer = {
      kind: 'dying',
      read: (p) => k.read(p),
      write: async (p, v) => {
        const out = await k.write(p, v);
        // What a kill right after the kernel took the value leaves on disk.
        snapshot = readFileSync(join(journals, jsonFiles(journals)[0]!), 'utf8');
        return out;
      },
    };
    await applyChanges([write(THP, 'never')], { dryRun: false, writer: dying, journalDir: journals });
    const crashed = join(tmp, 'crashed.json');
    writeFileSync(crashed, snapshot);
    expect(readJournal(crashed).results[0]).toMatchObject({ status: 'pending', before: 'madvise' });
    expect(at(THP)).toBe('never\n');
    const out = await rollback(crashed, new FakeKernel(), { journalDir: journals });
    expect(out.results[0]).toMatchObject({ path: THP, asked: 'madvise', status: 'done' });
    expect(at(THP)).toBe('madvise\n');
  });

  it('dry run lists what it would restore and writes nothing', async () => {
    const applied = await applyChanges([write(THP, 'never')], {
      dryRun: false,
      writer: new FakeKernel(),
      journalDir: journals,
    });
    const k = new FakeKernel();
    const out = await rollback(applied.journalFile!, k, { journalDir: journals, dryRun: true });
    expect(k.log).toEqual([]);
    expect(out.results).toEqual([
      expect.objectContaining({ path: THP, before: 'never', asked: 'madvise', status: 'planned' }),
    ]);
    expect(jsonFiles(journals)).toHaveLength(1);
  });

  const good = () => ({
    format: 'hugetune-journal',
    version: 1,
    kind: 'apply',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: null,
    source: 'test',
    writer: 'direct',
    host: null,
    kernel: null,
    bootId: null,
    rollbackOf: null,
    results: [{ path: POOL, asked: '8', before: '0', after: '8', ok: true, status: 'done' }],
    manual: [],
  });
  const HOSTILE: [string, (j: ReturnType<typeof good>) => unknown, RegExp][] = [
    [
      'a path outside the allow-list',
      (j) => ((j.results[0]!.path = '/etc/passwd'), j),
      /refused: \/etc\/passwd: not a setting/,
    ],
    [
      'a path with ..',
      (j) => ((j.results[0]!.path = '/proc/sys/vm/../../../etc/shadow'), j),
      /not a hugetune journal|refused/,
    ],
    [
      'a value outside the allow-list',
      (j) => ((j.results[0]!.before = '1; reboot'), j),
      /refused: .*is not a whole number/,
    ],
    ['a leading-zero value', (j) => ((j.results[0]!.before = '010'), j), /refused: .*leading zero/],
    ['an unknown key', (j) => ({ ...j, exec: 'rm -rf /' }), /not a hugetune journal \(exec: unknown key\)/],
    ['another format', (j) => ({ ...j, format: 'other' }), /not a hugetune journal \(format/],
    ['a bad status', (j) => ((j.results[0]!.status = 'whatever'), j), /not a hugetune journal \(results\[0\]\.status/],
  ];

  it.each(HOSTILE)('refuses a journal with %s in one line, writing nothing', async (_what, spoil, why) => {
    const file = join(tmp, 'hostile.json');
    writeFileSync(file, JSON.stringify(spoil(good())));
    const k = new FakeKernel();
    const err = await rollback(file, k, { journalDir: journals }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).not.toContain('\n');
    expect(k.log).toEqual([]);
    expect(existsSync(journals)).toBe(false);
  });

  it('refuses what is not JSON, too large, or not a regular file', async () => {
    const k = new FakeKernel();
    writeFileSync(join(tmp, 'text.json'), 'not json');
    await expect(rollback(join(tmp, 'text.json'), k, { journalDir: journals })).rejects.toThrow(
      /not a hugetune journal \(not JSON: unexpected character \(line 1, column 2\)\)$/,
    );
    writeFileSync(join(tmp, 'big.json'), ' '.repeat((1 << 20) + 10));
    await expect(rollback(join(tmp, 'big.json'), k, { journalDir: journals })).rejects.toThrow(
      /exceeds the 1 MiB limit for a journal/,
    );
    await expect(rollback(tmp, k, { journalDir: journals })).rejects.toThrow(/not a regular file/);
    await expect(rollback(join(tmp, 'none.json'), k, { journalDir: journals })).rejects.toThrow(/no such file/);
    expect(k.log).toEqual([]);
  });
});

describe('DirectWriter', () => {
  const direct = () => new DirectWriter({ root: tree });

  it('writes an allowed value in one write and reads it back', async () => {
    await expect(direct().write(THP, 'never')).resolves.toEqual({ before: 'madvise', after: 'never' });
    expect(at(THP)).toBe('never\n');
    await expect(direct().read(POOL)).resolves.toBe('0');
    await expect(direct().read('/sys/kernel/mm/transparent_hugepage/hugepages-4096kB/enabled')).resolves.toBeNull();
  });

  it('refuses links (the file or a directory on the way), other files, and values outside the allow-list', async () => {
    writeFileSync(join(tmp, 'victim'), 'precious\n');
    rmSync(tree + DEFRAG);
    symlinkSync(join(tmp, 'victim'), tree + DEFRAG);
    mkdirSync(join(tmp, 'elsewhere/hugepages-2048kB'), { recursive: true });
    writeFileSync(join(tmp, 'elsewhere/hugepages-2048kB/nr_hugepages'), '0\n');
    rmSync(tree + '/sys/devices/system/node/node0/hugepages/hugepages-2048kB', { recursive: true });
    symlinkSync(
      join(tmp, 'elsewhere/hugepages-2048kB'),
      tree + '/sys/devices/system/node/node0/hugepages/hugepages-2048kB',
    );
    rmSync(tree + NUMA);
    mkdirSync(tree + NUMA);
    const w = direct();
    const cases: [string, string, RegExp][] = [
      [DEFRAG, 'never', /is a symbolic link/],
      ['/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages', '4', /is a symbolic link/],
      [NUMA, '1', /not a regular file/],
      ['/proc/sys/vm/swappiness', '10', /not a setting hugetune changes/],
      ['/proc/sys/vm/../../../etc/passwd', '1', /not a setting hugetune changes/],
      [POOL, '-1', /not a whole number/],
      [POOL, '010', /leading zero/],
      [THP, 'always\nnever', /is not one of/],
    ];
    for (const [p, v, why] of cases) {
      const err = await w.write(p, v).catch((e: unknown) => e);
      expect(err, p).toBeInstanceOf(UserError);
      expect((err as UserError).code, p).toBe('bad-request');
      expect((err as Error).message, p).toMatch(why);
    }
    await expect(w.read(DEFRAG)).rejects.toThrow(/symbolic link/);
    expect(readFileSync(join(tmp, 'victim'), 'utf8')).toBe('precious\n');
    expect(readFileSync(join(tmp, 'elsewhere/hugepages-2048kB/nr_hugepages'), 'utf8')).toBe('0\n');
  });

  it('refuses a FIFO without hanging', async (ctx) => {
    rmSync(tree + THP);
    const r = spawnSync('mkfifo', [tree + THP]);
    ctx.skip(r.error !== undefined || r.status !== 0, 'mkfifo is not available');
    await expect(direct().write(THP, 'never')).rejects.toThrow(/not a regular/);
  });

  it('says the file is missing, as a failure rather than a refusal', async () => {
    const err = await direct()
      .write('/sys/kernel/mm/transparent_hugepage/hugepages-4096kB/enabled', 'never')
      .catch((e: unknown) => e);
    expect((err as UserError).code).toBe('failed');
    expect((err as Error).message).toMatch(/no such file on this machine/);
  });
});

describe('PkexecWriter', () => {
  const HELPER = join(REPO, HELPER_REPO_PATH);
  /** A stand-in for pkexec that logs its arguments and runs them, or exits with a given code. */
  function standIn(code: number | null): string {
    const file = join(tmp, `pkexec-${code ?? 'run'}`);
    writeFileSync(
      file,
      `#!/bin/sh\nprintf '%s\\n' "$*" >> "${join(tmp, 'pkexec.log')}"\n${code === null ? 'exec "$@"' : `exit ${code}`}\n`,
    );
    chmodSync(file, 0o755);
    return file;
  }
  const env = () => ({ HUGETUNE_HELPER_ROOT: tree });

  it('writes through pkexec and the helper, and parses its one line', async () => {
    const w = new PkexecWriter(HELPER, { pkexec: standIn(null), env: env() });
    await expect(w.write(THP, 'never')).resolves.toEqual({ before: 'madvise', after: 'never' });
    expect(at(THP)).toBe('never\n');
    await expect(w.read(THP)).resolves.toBe('never');
    await expect(w.read('/sys/kernel/mm/transparent_hugepage/hugepages-4096kB/enabled')).resolves.toBeNull();
    expect(readFileSync(join(tmp, 'pkexec.log'), 'utf8')).toBe(`${HELPER} write ${THP} never\n`);
  });

  it('refuses a bad write itself, without asking for a password', async () => {
    const w = new PkexecWriter(HELPER, { pkexec: standIn(null), env: env() });
    await expect(w.write('/proc/sys/vm/swappiness', '1')).rejects.toThrow(/not a setting/);
    await expect(w.write(POOL, '$(reboot)')).rejects.toThrow(/not a whole number/);
    expect(existsSync(join(tmp, 'pkexec.log'))).toBe(false);
  });

  it('passes on the helper’s own refusal and pkexec’s authorization failures in one line', async () => {
    rmSync(tree + DEFRAG);
    symlinkSync(join(tree, THP), tree + DEFRAG);
    const w = new PkexecWriter(HELPER, { pkexec: standIn(null), env: env() });
    await expect(w.write(DEFRAG, 'never')).rejects.toThrow(/^refused: .*symbolic link$/);
    await expect(new PkexecWriter(HELPER, { pkexec: standIn(126), env: env() }).write(THP, 'never')).rejects.toThrow(
      /not authorized/,
    );
    await expect(new PkexecWriter(HELPER, { pkexec: standIn(127), env: env() }).write(THP, 'never')).rejects.toThrow(
      /could not authorize/,
    );
    await expect(
      new PkexecWriter(HELPER, { pkexec: join(tmp, 'no-pkexec'), env: env() }).write(THP, 'never'),
    ).rejects.toThrow(/not installed/);
  });
});

describe('hvoCheck against a fake kernel', () => {
  const opts = (writer: Writer, pages = 64) => ({
    pages,
    pageSizeKiB: 2048,
    writer,
    files: fixtureFiles(tree),
    journalDir: journals,
  });

  it('measures what the prediction says, and restores the pool and HVO', async () => {
    const r = await hvoCheck(opts(new FakeKernel()));
    expect(r).toMatchObject({
      pagesAsked: 64,
      pagesGot: 64,
      predictedPages: 448,
      measuredPages: 448,
      restored: true,
      hvoWasOn: false,
    });
    expect(r.keptPages).toBe(1);
    expect(r.freedPagesPerHugePage).toBe(7);
    expect([at(HVO), at(POOL)]).toEqual(['0\n', '0\n']);
    expect(r.steps.map((s) => s.path)).toEqual([HVO, POOL]);
    expect(r.restoreSteps.map((s) => s.path)).toEqual([POOL, HVO]);
    expect(readJournal(r.journalFile!).kind).toBe('hvo-check');
    expect(readJournal(r.restoreJournalFile!).rollbackOf).toBe(r.journalFile);
  });

  it('predicts from the pages obtained when the pool grows only partly', async () => {
    const r = await hvoCheck(opts(new FakeKernel({ poolMax: 40 })));
    expect(r).toMatchObject({ pagesAsked: 64, pagesGot: 40, predictedPages: 280, measuredPages: 280, restored: true });
  });

  it('reports a kernel that frees something else than predicted', async () => {
    const r = await hvoCheck(opts(new FakeKernel({ freedPerPage: 6 })));
    expect(r.measuredPages).toBe(384);
    expect(r.predictedPages).toBe(448);
  });

  it('restores everything when a step fails, and says so in the error', async () => {
    const k = new FakeKernel({ breakVmstatAfterGrow: true });
    await expect(hvoCheck(opts(k))).rejects.toThrow(/lost its memmap counters; every value was put back$/);
    expect([at(HVO), at(POOL)]).toEqual(['0\n', '0\n']);
    expect(k.log).toEqual([`${HVO}=1`, `${POOL}=64`, `${POOL}=0`, `${HVO}=0`]);
  });

  it('restores everything when stopped after turning HVO on', async () => {
    const stop = new AbortController();
    const r = hvoCheck({ ...opts(new FakeKernel()), signal: stop.signal, onResult: () => stop.abort() });
    await expect(r).rejects.toThrow(/^stopped; every value was put back$/);
    expect([at(HVO), at(POOL)]).toEqual(['0\n', '0\n']);
  });

  it('leaves HVO alone when it is already on', async () => {
    writeFileSync(tree + HVO, '1\n');
    const k = new FakeKernel();
    const r = await hvoCheck(opts(k, 8));
    expect(r).toMatchObject({ hvoWasOn: true, predictedPages: 56, measuredPages: 56, restored: true });
    expect(k.log).toEqual([`${POOL}=8`, `${POOL}=0`]);
  });

  it('says in one line why it cannot measure', async () => {
    const vm = at('/proc/vmstat');
    writeFileSync(tree + '/proc/vmstat', vm.replace(/^nr_memmap.*\n/gm, ''));
    await expect(hvoCheck(opts(new FakeKernel()))).rejects.toThrow(
      /^cannot measure: \/proc\/vmstat has no nr_memmap_pages and nr_memmap_boot_pages \(added in Linux 6\.11; this kernel is 6\.18/,
    );
    writeFileSync(tree + '/proc/vmstat', vm);
    rmSync(tree + HVO);
    await expect(hvoCheck(opts(new FakeKernel()))).rejects.toThrow(
      /^cannot measure: .*(without HVO|no runtime switch)/,
    );
    writeFileSync(tree + HVO, '0\n');
    await expect(hvoCheck({ ...opts(new FakeKernel()), pageSizeKiB: 32768 })).rejects.toThrow(
      /^cannot measure: this machine has no 32M HugeTLB pool \(it has: 2M, 1G\)/,
    );
    await expect(hvoCheck(opts(new FakeKernel(), 0))).rejects.toThrow(/expected a whole number/);
    expect([at(HVO), at(POOL)]).toEqual(['0\n', '0\n']);
  });
});

describe('the CLI commands that change a machine', () => {
  const io = () => {
    const o = { out: '', err: '' };
    return { o, io: { out: (t: string) => void (o.out += t), err: (t: string) => void (o.err += t) } };
  };
  const deps = (over: Partial<ChangeDeps> = {}): ChangeDeps => ({
    isRoot: true,
    writer: new FakeKernel(),
    files: fixtureFiles(tree),
    journalDir: journals,
    ask: null,
    ...over,
  });
  const changes = () => Promise.resolve([write(THP, 'never', 'madvise'), write(POOL, '8', '0')]);

  it('apply --dry-run prints every change with before and after and writes nothing', async () => {
    const { o, io: out } = io();
    expect(await applyCommand(changes, { dryRun: true, yes: false, json: false }, deps({ isRoot: false }), out)).toBe(
      0,
    );
    expect(o.out).toMatch(/^Dry run: /);
    expect(o.out).toMatch(/change {4}\/sys\/kernel\/mm\/transparent_hugepage\/enabled {3}madvise → never/);
    expect(o.out).toMatch(/nr_hugepages {3}0 → 8/);
    expect(at(THP)).toBe('always [madvise] never\n');
    expect(existsSync(journals)).toBe(false);
  });

  it('apply needs root, then consent: --yes, or yes typed at a terminal', async () => {
    const { io: out } = io();
    await expect(
      applyCommand(changes, { dryRun: false, yes: true, json: false }, deps({ isRoot: false }), out),
    ).rejects.toThrow("run as root (sudo hugetune apply ...) or use the app's guided setup");
    await expect(applyCommand(changes, { dryRun: false, yes: false, json: false }, deps(), out)).rejects.toThrow(
      /add --yes to confirm \(standard input is not a terminal/,
    );
    await expect(
      applyCommand(
        changes,
        { dryRun: false, yes: false, json: false },
        deps({ ask: () => Promise.resolve('no') }),
        out,
      ),
    ).rejects.toThrow(/nothing was changed/);
    expect(at(THP)).toBe('always [madvise] never\n');
    const { o, io: out2 } = io();
    expect(
      await applyCommand(
        changes,
        { dryRun: false, yes: false, json: false },
        deps({ ask: () => Promise.resolve('yes') }),
        out2,
      ),
    ).toBe(0);
    expect(at(THP)).toBe('never\n');
    expect(o.out).toMatch(/ok {8}\/sys\/kernel\/mm\/transparent_hugepage\/enabled {3}madvise → never/);
    expect(o.out).toMatch(/Undo with: sudo hugetune rollback \/.*\.json/);
  });

  it('apply exits 1 when a change did not take fully; rollback puts it back', async () => {
    const { o, io: out } = io();
    const k = new FakeKernel({ poolMax: 3 });
    expect(await applyCommand(changes, { dryRun: false, yes: true, json: true }, deps({ writer: k }), out)).toBe(1);
    const j = JSON.parse(o.out) as { results: WriteResult[]; journalFile: string; ok: boolean };
    expect(j.ok).toBe(false);
    expect(j.results[1]).toMatchObject({ status: 'short', asked: '8', after: '3' });
    const r = io();
    expect(await rollbackCommand(j.journalFile, { dryRun: false, json: false }, deps(), r.io)).toBe(0);
    expect(r.o.out).toMatch(/^Restored, each value read back:/);
    expect([at(THP), at(POOL)]).toEqual(['madvise\n', '0\n']);
    const l = io();
    expect(journalCommand([journals], false, l.io)).toBe(0);
    expect(l.o.out).toMatch(/apply by hugetune apply, .*: 2 written, 1 not as asked/);
    expect(l.o.out).toMatch(/rollback by hugetune rollback, .*: 2 written, all as asked; undid /);
  });

  it('refuses --root, --snapshot and --sim, and a missing journal file, in one line', async () => {
    for (const args of [
      ['apply', '--root', tree],
      ['apply', '--snapshot', 'x.json'],
      ['apply', '--dry-run', '--sim', 'workstation'],
      ['hvo-check', '--pages', '8', '--root', tree],
    ]) {
      const { o, io: out } = io();
      expect(await main(args, out), args.join(' ')).toBe(2);
      expect(o.err).toMatch(
        /^hugetune: (apply|hvo-check) changes this machine only: --(root|snapshot|sim) names another/,
      );
    }
    for (const [args, why] of [
      [['rollback'], /rollback needs one journal file/],
      [['hvo-check'], /hvo-check needs --pages N/],
      [['hvo-check', '--pages', '8', '--size', '64K'], /--size 64K: expected 2M or 1G/],
      [['hvo-check', '--pages', '0'], /^hugetune: --pages 0: expected a whole number from 1 to 1,048,576\n$/],
      [
        ['hvo-check', '--pages', '2000000'],
        /^hugetune: --pages 2000000: expected a whole number from 1 to 1,048,576\n$/,
      ],
      [['apply', '--mem-gib', '64', '--model', 'llama-3.3-70b', '--dry-run'], /--mem-gib plans another machine/],
    ] as const) {
      const { o, io: out } = io();
      expect(await main([...args], out), args.join(' ')).toBe(2);
      expect(o.err).toMatch(why);
    }
  });

  it('has help for every new command', async () => {
    for (const cmd of ['apply', 'rollback', 'journal', 'hvo-check']) {
      const { o, io: out } = io();
      expect(await main([cmd, '--help'], out)).toBe(0);
      expect(o.out).toMatch(new RegExp(`^Usage: hugetune ${cmd}`));
    }
  });
});
