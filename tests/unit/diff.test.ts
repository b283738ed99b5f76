/** Comparing two reports: the measured before and after of a real setup, stability, symmetry, and `hugetune diff`. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers } from '../../electron/host/handlers';
import { captureSnapshot, writeSnapshot } from '../../electron/host/snapshot-io';
import { dispatch } from '../../shared/api';
import { cpuRanges, diffDeltaText, diffReports, type DiffEntry, type ReportDiff } from '../../shared/host/diff';
import { readHost } from '../../shared/host/read/index';
import { buildReport, type Report } from '../../shared/host/report';
import { applyEdits } from '../../shared/sim/edit';
import { SimMachine } from '../../shared/sim/machine';
import { PROFILES } from '../../shared/sim/profiles';
import { simFiles } from '../../shared/sim/write';
import { CLI, fixtureFiles, VM, VM_TUNED } from '../helpers';

const before = buildReport(readHost(fixtureFiles(VM)));
const after = buildReport(readHost(fixtureFiles(VM_TUNED)));

const entry = (d: ReportDiff, key: string): DiffEntry | undefined =>
  d.groups.flatMap((g) => g.entries).find((e) => e.key === key);
const changedKeys = (d: ReportDiff): string[] =>
  d.groups.flatMap((g) => g.entries.filter((e) => e.changed).map((e) => e.key));

/** What diff(b, a) must be, given diff(a, b). `0 - d`, not `-d`: an unchanged number keeps a delta of 0, not -0. */
function reversed(d: ReportDiff): ReportDiff {
  return {
    ...d,
    a: d.b,
    b: d.a,
    groups: d.groups.map((g) => ({
      ...g,
      entries: g.entries.map((e) => ({
        ...e,
        a: e.b,
        b: e.a,
        ...(e.delta === undefined ? {} : { delta: 0 - e.delta }),
      })),
    })),
  };
}

describe('diff of the measured 6.18 setup (512 × 2 MiB and 2 × 1 GiB reserved with HVO on)', () => {
  const d = diffReports(before, after);

  it('shows both pools appearing, in total and on node 0', () => {
    expect(entry(d, 'hugetlb.pool.2048.total')).toMatchObject({
      a: 0,
      b: 512,
      delta: 512,
      unit: 'pages',
      changed: true,
    });
    expect(entry(d, 'hugetlb.pool.1048576.total')).toMatchObject({ a: 0, b: 2, delta: 2, unit: 'pages' });
    expect(entry(d, 'hugetlb.pool.2048.node.0.total')).toMatchObject({ a: 0, b: 512, delta: 512 });
    expect(entry(d, 'hugetlb.pool.1048576.node.0.free')).toMatchObject({ a: 0, b: 2, delta: 2 });
    expect(entry(d, 'hugetlb.pool.1048576.memory')).toMatchObject({ a: 0, b: 2097152, delta: 2097152, unit: 'KiB' });
    expect(entry(d, 'hugetlb.memory')?.delta).toBe(512 * 2048 + 2 * 1048576);
  });

  it('shows HVO going on and the memmap pages falling by exactly 512 × 7 + 2 × 4,095 = 11,774', () => {
    expect(entry(d, 'hvo.enabled')).toMatchObject({ a: false, b: true, changed: true });
    expect(entry(d, 'hvo.sysctl')).toMatchObject({ a: 0, b: 1, changed: true });
    // A sysctl's value is a mode, not an amount: no delta.
    expect(entry(d, 'hvo.sysctl')?.delta).toBeUndefined();
    const memmap = entry(d, 'hvo.memmapPages')!;
    expect(memmap).toMatchObject({ a: 98304, b: 86530, delta: -11774, unit: 'pages' });
    expect(memmap.delta).toBe(-(512 * 7 + 2 * 4095));
    expect(diffDeltaText(memmap)).toBe('-11,774 pages');
  });

  it('leaves the kernel and boot line alone, says what differs, and that counters are left out', () => {
    expect(changedKeys(d).filter((k) => k.startsWith('kernel.'))).toEqual([]);
    expect(d.same).toBe(false);
    expect(d.countersIncluded).toBe(false);
    expect(d.groups.map((g) => g.area)).not.toContain('counters');
    expect(d.leftOut).toMatch(/TLB shootdown and IPI totals, \d+ vmstat counters.* are left out/);
    expect(d.summary).toMatch(/^\d+ values differ in \d+ areas: .*HugeTLB pools \(\d+\).*HVO and vmemmap \(\d+\)/);
    expect(d.summary).toMatch(/counters left out/);
    // The areas keep their fixed order.
    expect(d.groups.map((g) => g.area)).toEqual(['kernel', 'thp', 'hugetlb', 'hvo', 'memory', 'numa', 'findings']);
  });

  it('compares the counters when asked', () => {
    const c = diffReports(before, after, { counters: true });
    expect(c.leftOut).toBeNull();
    expect(c.countersIncluded).toBe(true);
    const tlb = entry(c, 'counters.tlb.total')!;
    expect(tlb.unit).toBe('events');
    expect(tlb.delta).toBe((tlb.b as number) - (tlb.a as number));
    expect(entry(c, 'counters.vmstat.nr_free_pages')).toBeDefined();
    // The memmap counters are HVO's evidence, compared in its area whether or not counters are.
    expect(entry(c, 'counters.vmstat.nr_memmap_pages')).toBeUndefined();
    expect(entry(c, 'hvo.nr_memmap_pages')).toMatchObject({ a: 17928, b: 14442 });
  });

  it('finds nothing between a report and itself', () => {
    const same = diffReports(after, after, { counters: true });
    expect(same.same).toBe(true);
    expect(same.changed).toBe(0);
    expect(same.summary).toBe('Nothing differs.');
    expect(diffReports(after, after).summary).toBe('Nothing differs (counters left out).');
  });

  it('is the exact reverse when the sides are swapped', () => {
    expect(diffReports(after, before)).toEqual(reversed(d));
  });
});

describe('stable', () => {
  /** The same machine with every list and map in another order: the diff must not notice. */
  function reordered(r: Report): Report {
    const rev = <T>(xs: readonly T[]): T[] => [...xs].reverse();
    const revObj = <T>(o: Record<string, T> | null): Record<string, T> | null =>
      o === null ? null : Object.fromEntries(rev(Object.entries(o)));
    return {
      ...r,
      kernel: { ...r.kernel, cmdline: revObj(r.kernel.cmdline) },
      thp: { ...r.thp, khugepaged: revObj(r.thp.khugepaged)!, sizes: rev(r.thp.sizes) },
      hugetlb: { ...r.hugetlb, pools: rev(r.hugetlb.pools).map((p) => ({ ...p, nodes: rev(p.nodes) })) },
      memory: { ...r.memory, meminfo: revObj(r.memory.meminfo), vmstat: revObj(r.memory.vmstat) },
      numa: { ...r.numa, nodes: rev(r.numa.nodes), tiers: rev(r.numa.tiers) },
      findings: rev(r.findings),
    };
  }

  const xeon = report(PROFILES.find((p) => p.id === 'xeon-cxl-tiered')!.id, {});

  it('gives the same entries in the same order whatever order the reports list things in', () => {
    for (const [a, b] of [
      [before, after],
      [before, xeon],
    ] as const) {
      const d = JSON.stringify(diffReports(a, b, { counters: true }));
      expect(JSON.stringify(diffReports(a, b, { counters: true }))).toBe(d);
      expect(JSON.stringify(diffReports(reordered(a), reordered(b), { counters: true }))).toBe(d);
    }
  });

  it('gives every entry a unique key and orders pools, nodes and sizes by number', () => {
    const d = diffReports(before, xeon, { counters: true });
    const keys = d.groups.flatMap((g) => g.entries.map((e) => e.key));
    expect(new Set(keys).size).toBe(keys.length);
    const nodes = keys.filter((k) => /^numa\.node\.\d+\.cpus$/.test(k));
    expect(nodes).toEqual(['numa.node.0.cpus', 'numa.node.1.cpus']);
    const pools = keys.filter((k) => /^hugetlb\.pool\.\d+\.total$/.test(k));
    expect(pools).toEqual([...pools].sort((x, y) => parseInt(x.split('.')[2]!, 10) - parseInt(y.split('.')[2]!, 10)));
  });

  it('writes CPU lists as the kernel does', () => {
    expect(cpuRanges([3, 0, 1, 2, 8, 10, 9])).toBe('0-3,8-10');
    expect(cpuRanges([5])).toBe('5');
    expect(cpuRanges([])).toBe('none');
  });
});

interface What {
  thp?: 'always' | 'madvise' | 'never';
  hvo?: boolean;
  pool2m?: number;
  pool1g?: number;
  release?: string;
  hours?: number;
}

/** A report of a built-in profile with what-if edits, as the simulator writes it and the readers read it. */
function report(id: string, w: What): Report {
  const base = PROFILES.find((p) => p.id === id)!;
  const { hours = 1, ...edits } = w;
  const edited = applyEdits(base, edits);
  const m = new SimMachine(edited.ok ? edited.value : base);
  m.advance(hours * 3600);
  return buildReport(readHost(simFiles(m)));
}

describe('symmetrical', () => {
  const what: fc.Arbitrary<What> = fc.record(
    {
      thp: fc.constantFrom('always', 'madvise', 'never'),
      hvo: fc.boolean(),
      pool2m: fc.nat(2048),
      pool1g: fc.nat(8),
      release: fc.constantFrom('5.15.0-119-generic', '6.8.0-45-generic', '6.11.3', '6.12.48', '6.18.2'),
      hours: fc.integer({ min: 0, max: 48 }),
    },
    { requiredKeys: [] },
  );
  const side = fc.tuple(fc.constantFrom(...PROFILES.map((p) => p.id)), what);

  it('diff(b, a) is diff(a, b) reversed, for random pairs of simulated machines', () => {
    fc.assert(
      fc.property(side, side, fc.boolean(), ([ia, wa], [ib, wb], counters) => {
        const a = report(ia, wa);
        const b = report(ib, wb);
        const ab = diffReports(a, b, { counters });
        expect(diffReports(b, a, { counters })).toEqual(reversed(ab));
        expect(ab.same).toBe(ab.changed === 0);
        for (const e of ab.groups.flatMap((g) => g.entries)) {
          expect(e.changed).toBe(e.a !== e.b);
          if (e.delta !== undefined) expect(e.delta).toBe((e.b as number) - (e.a as number));
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('host.diff over the API', () => {
  const handlers = createHandlers(new ActiveSource(fixtureFiles(VM)), 'web');

  it('compares the current source with a built-in profile and with a snapshot sent as text', async () => {
    const sim = await dispatch(handlers, 'host.diff', { a: 'current', b: 'sim:xeon-2s-768g' });
    expect(sim.ok).toBe(true);
    if (sim.ok) expect(entry(sim.value as ReportDiff, 'hugetlb.pool.1048576.total')).toMatchObject({ a: 0, b: 380 });
    const text = JSON.stringify(captureSnapshot(fixtureFiles(VM_TUNED), true));
    const snap = await dispatch(handlers, 'host.diff', { a: 'current', b: { snapshot: { name: 'after.json', text } } });
    expect(snap.ok && entry(snap.value as ReportDiff, 'hvo.memmapPages')?.delta).toBe(-11774);
  });

  it('never takes a path: root:, files as sim: and unknown shapes are refused before anything is read', async () => {
    for (const b of [
      'root:/etc',
      'snapshot:/etc/passwd',
      'sim:../../etc/x.json',
      'sim:/tmp/p.json',
      '/tmp/x.json',
      { path: '/' },
    ]) {
      expect(await dispatch(handlers, 'host.diff', { a: 'current', b }), JSON.stringify(b)).toMatchObject({
        ok: false,
        error: { code: 'bad-request' },
      });
    }
    expect(await dispatch(handlers, 'host.diff', { a: 'sim:no-such-box', b: 'current' })).toMatchObject({
      ok: false,
      error: { code: 'not-found', message: "unknown simulator profile 'no-such-box'" },
    });
    const bad = await dispatch(handlers, 'host.diff', {
      a: 'current',
      b: { snapshot: { name: 'x.json', text: 'hello' } },
    });
    expect(bad.ok === false && bad.error.code).toBe('bad-request');
    expect(bad.ok === false && bad.error.message).toMatch(/^snapshot x\.json: /);
  });
});

describe('hugetune diff', () => {
  let tmp = '';
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'hugetune-diff-'));
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  function run(...args: string[]) {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  it('prints a table per area with a → b (±delta) and exits 0', () => {
    const r = run('diff', `root:${VM}`, `root:${VM_TUNED}`);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^HugeTLB pools$/m);
    expect(r.out).toMatch(/^ {2}2 MiB pool: pages +0 → 512 \(\+512 pages\)$/m);
    expect(r.out).toMatch(/^ {2}1 GiB pool: pages +0 → 2 \(\+2 pages\)$/m);
    expect(r.out).toMatch(/^ {2}On +no → yes$/m);
    expect(r.out).toMatch(/^ {2}memmap pages \(runtime \+ boot\) +98,304 → 86,530 \(-11,774 pages\)$/m);
    // Both captures raise the same finding (this VM's node meminfo covers a third of MemTotal).
    expect(r.out).toMatch(/^Same in both: Kernel and boot line, Findings\.$/m);
    expect(r.out).toMatch(/are left out: they move all the time \(--counters compares them\)\.\n$/);
  });

  it('--json gives the structure; --counters adds the counters', () => {
    const j = JSON.parse(run('diff', '--json', `root:${VM}`, `root:${VM_TUNED}`).out) as ReportDiff;
    expect(j).toEqual(diffReports(before, after));
    const c = JSON.parse(run('diff', `root:${VM}`, `root:${VM_TUNED}`, '--json', '--counters').out) as ReportDiff;
    expect(c.countersIncluded).toBe(true);
    expect(c.groups.at(-1)!.area).toBe('counters');
  });

  it('exits 0 when nothing differs, and says so; reads snapshots and simulated machines', () => {
    const snap = join(tmp, 'vm.json');
    writeSnapshot(snap, captureSnapshot(fixtureFiles(VM), true));
    for (const spec of [`snapshot:${snap}`, snap]) {
      const r = run('diff', spec, `root:${VM}`);
      expect(r.code, spec).toBe(0);
      expect(r.out).toMatch(/^Nothing differs \(counters left out\)\.$/m);
    }
    const sim = run('diff', '--json', 'sim:small-laptop', 'sim:small-laptop');
    expect(sim.code).toBe(0);
    expect((JSON.parse(sim.out) as ReportDiff).same).toBe(true);
    const live = run('diff', '--json', 'live', 'sim:xeon-2s-768g');
    expect(live.code).toBe(0);
    expect((JSON.parse(live.out) as ReportDiff).a.kind).toBe('live');
  });

  it('bad source specs are usage errors: exit 2, one line, no stack trace', () => {
    for (const args of [
      ['diff'],
      ['diff', 'live'],
      ['diff', 'live', 'live', 'live'],
      ['diff', 'bogus', 'live'],
      ['diff', 'live', 'ftp:host'],
      ['diff', 'root:', 'live'],
      ['diff', 'live', 'sim:'],
      ['diff', 'snapshot:-', '-.json'],
      ['diff', 'live', 'live', '--bogus'],
    ]) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.err).toMatch(/^hugetune: /);
      expect(r.err).not.toMatch(/\bat .*\.js:\d+/);
    }
    expect(run('diff', 'bogus', 'live').err).toBe(
      "hugetune: 'bogus' is not a source: use live, root:DIR, snapshot:FILE (or FILE.json) or sim:PROFILE\n",
    );
  });

  it('unreadable sources exit 1 with one line naming the side', () => {
    const notJson = join(tmp, 'not.json');
    writeFileSync(notJson, 'hello');
    const cases: [string[], RegExp][] = [
      [
        ['diff', 'root:/nonexistent/box', 'live'],
        /^hugetune: cannot read A \(root:\/nonexistent\/box\): no such directory\n$/,
      ],
      [['diff', 'live', join(tmp, 'missing.json')], /^hugetune: cannot read B \(.*missing\.json\): no such file\n$/],
      [
        ['diff', `snapshot:${notJson}`, 'live'],
        /^hugetune: cannot read A \(snapshot:.*not\.json\): not JSON: unexpected character \(line 1, column 1\)\n$/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });

  it('an unknown built-in profile is a usage error that lists the ids', () => {
    const r = run('diff', 'live', 'sim:no-such-box');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^hugetune: sim:no-such-box: unknown profile; expected one of strix-halo-128g, .*small-laptop \(hugetune sim list describes them\) or a profile FILE\.json\n$/,
    );
  });

  it('has help', () => {
    const r = run('diff', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: hugetune diff A B/);
    expect(run('--help').out).toMatch(/^ {2}diff {7}/m);
  });
});
