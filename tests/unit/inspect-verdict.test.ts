/**
 * The inspector's verdict is a function of the figures it shows: property tests over random figures, the
 * runtime recognition from command lines, and the comparison with a plan.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFitsMachine, compareWithPlan, requestFor } from '../../shared/host/process/compare';
import type { NodeUsage } from '../../shared/host/process/numa-maps';
import { identifyRuntime, loadFlags, parseCmdline, parsePid, planRuntimeOf } from '../../shared/host/process/runtime';
import type { ProcessReport } from '../../shared/host/process/types';
import { sizeText, verdictOf, type MachineContext, type ProcessFigures } from '../../shared/host/process/verdict';
import { runPlan } from '../../shared/plan/request';
import { findings } from '../../shared/advise/findings';
import type { AlignmentProbe } from '../../shared/host/process/types';
import { readHost } from '../../shared/host/read/index';
import type { HostState } from '../../shared/host/state';
import { inThpAlignmentRegression } from '../../shared/kernel/facts';
import { fixtureFiles, VM } from '../helpers';

const kib = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 36 }));
const arbNode: fc.Arbitrary<NodeUsage> = fc.record({
  node: fc.integer({ min: 0, max: 3 }),
  pageSizeKiB: fc.constantFrom(4, 2048, 1048576),
  backing: fc.constantFrom('anon' as const, 'file' as const, 'hugetlb' as const),
  kib: fc.integer({ min: 1, max: 2 ** 30 }),
});
const arbFigures: fc.Arbitrary<ProcessFigures> = fc
  .record({
    rss: kib,
    anonShare: fc.double({ min: 0, max: 1, noNaN: true }),
    hugeShare: fc.double({ min: 0, max: 1, noNaN: true }),
    filePmd: kib,
    shmemPmd: fc.constantFrom(0, 2048),
    hugetlb: kib,
    perNode: fc.option(fc.array(arbNode, { maxLength: 6 }), { nil: null }),
  })
  .map((r) => {
    const anonymous = Math.floor(r.rss * r.anonShare);
    return {
      rssKiB: r.rss,
      anonymousKiB: anonymous,
      anonHugeKiB: Math.floor(anonymous * r.hugeShare),
      filePmdKiB: Math.min(r.filePmd, r.rss - anonymous),
      shmemPmdKiB: 0,
      hugetlbKiB: r.hugetlb,
      perNode: r.perNode,
    };
  });
const arbMachine: fc.Arbitrary<MachineContext> = fc.record({
  thpEnabled: fc.constantFrom('always', 'madvise', 'never', null),
  defaultHugePageKiB: fc.constantFrom(2048, 1048576, null),
  pools: fc.array(
    fc.record({
      pageSizeKiB: fc.constantFrom(2048, 1048576),
      total: fc.option(fc.nat({ max: 100 }), { nil: null }),
      free: fc.option(fc.nat({ max: 100 }), { nil: null }),
    }),
    { maxLength: 2 },
  ),
  free2MiBByNode: fc.option(
    fc.array(fc.nat({ max: 3 }), { minLength: 4, maxLength: 4 }).map((a) => new Map(a.map((n, i) => [i, n]))),
    { nil: null },
  ),
});
const arbRuntime = fc.constantFrom('llama.cpp' as const, 'ik_llama.cpp' as const, 'vllm' as const, null);
const arbFlags = fc.record({
  hugetlbWeights: fc.boolean(),
  noMmap: fc.boolean(),
  mlock: fc.boolean(),
  model: fc.constant(null),
});

describe('the verdict', () => {
  it('is made of the figures it shows (random figures, machines and runtimes)', () => {
    fc.assert(
      fc.property(arbFigures, arbRuntime, arbFlags, arbMachine, (f, runtime, flags, m) => {
        const v = verdictOf(f, runtime, flags, m);
        const huge = f.anonHugeKiB! + f.filePmdKiB! + f.shmemPmdKiB! + f.hugetlbKiB!;
        const total = f.rssKiB! + f.hugetlbKiB!;
        expect(v.hugeKiB).toBe(huge);
        expect(v.totalKiB).toBe(total);
        expect(v.hugeShare).toBeGreaterThanOrEqual(0);
        expect(v.hugeShare).toBeLessThanOrEqual(1);
        if (total > 0) expect(v.text.startsWith(`${sizeText(huge)} of ${sizeText(total)} on huge pages`)).toBe(true);
        const ids = new Set(v.conditions.map((c) => c.id));
        // Each named condition holds exactly when its figures say so.
        expect(ids.has('on-hugetlb')).toBe(f.hugetlbKiB! > 0);
        expect(ids.has('on-thp')).toBe(f.anonHugeKiB! + f.filePmdKiB! + f.shmemPmdKiB! > 0);
        expect(ids.has('thp-fallback')).toBe(runtime === 'ik_llama.cpp' && flags.hugetlbWeights && f.hugetlbKiB === 0);
        if (ids.has('thp-never')) expect(m.thpEnabled === 'never' && f.anonHugeKiB === 0).toBe(true);
        if (ids.has('thp-madvise')) expect(m.thpEnabled === 'madvise' && f.anonHugeKiB === 0).toBe(true);
        if (ids.has('page-cache')) expect(f.filePmdKiB === 0 && f.hugetlbKiB === 0).toBe(true);
        if (ids.has('node-no-free-2m')) {
          expect(huge).toBe(0);
          const node = Number(/node (\d+)/.exec(v.conditions.find((c) => c.id === 'node-no-free-2m')!.text)![1]);
          expect(m.free2MiBByNode!.get(node)).toBe(0);
          expect(f.perNode!.some((r) => r.node === node && r.backing !== 'hugetlb')).toBe(true);
        }
        // Every condition's words are in the verdict when anything is resident.
        if (total > 0) for (const c of v.conditions) expect(v.text).toContain(c.text);
      }),
    );
  });

  it('names the field report’s cases', () => {
    const none: MachineContext = {
      thpEnabled: 'madvise',
      defaultHugePageKiB: 2048,
      pools: [
        { pageSizeKiB: 2048, total: 0, free: 0 },
        { pageSizeKiB: 1048576, total: 30, free: 30 },
      ],
      free2MiBByNode: new Map([
        [0, 100],
        [1, 0],
      ]),
    };
    const gib27 = 27 * 1048576;
    const ik = verdictOf(
      {
        rssKiB: gib27,
        anonymousKiB: 1024,
        anonHugeKiB: 0,
        filePmdKiB: 0,
        shmemPmdKiB: 0,
        hugetlbKiB: 0,
        perNode: [{ node: 1, pageSizeKiB: 4, backing: 'file', kib: gib27 }],
      },
      'ik_llama.cpp',
      loadFlags(['llama-server', '-m', 'x.gguf', '-thp']),
      none,
    );
    expect(ik.text).toMatch(/^0 KiB of 27 GiB on huge pages: /);
    expect(ik.text).toContain(
      'ik_llama.cpp -thp fell back to a file mapping: the pool holds 1 GiB pages but -thp used the default size 2 MiB',
    );
    expect(ik.text).toContain('node 1 had no free 2 MiB pages');
    const llama = verdictOf(
      { rssKiB: gib27, anonymousKiB: 0, anonHugeKiB: 0, filePmdKiB: 0, shmemPmdKiB: 0, hugetlbKiB: 0, perNode: null },
      'llama.cpp',
      loadFlags(['llama-server', '-m', 'x.gguf']),
      none,
    );
    expect(llama.text).toContain('weights in the page cache: llama.cpp mmap path');
  });
});

describe('runtimes from command lines', () => {
  it('recognises the servers and Python runtimes by their libraries', () => {
    expect(identifyRuntime('llama-server', ['/opt/llama.cpp/build/bin/llama-server', '-m', 'a.gguf'])).toBe(
      'llama.cpp',
    );
    expect(identifyRuntime('llama-server', ['/opt/ik_llama.cpp/build/bin/llama-server', '-m', 'a.gguf'])).toBe(
      'ik_llama.cpp',
    );
    expect(identifyRuntime('llama-bench', ['llama-bench', '-thp', '1'])).toBe('ik_llama.cpp');
    expect(identifyRuntime('ollama', ['/usr/local/bin/ollama', 'serve'])).toBe('ollama');
    expect(identifyRuntime('ollama', ['/usr/local/bin/ollama', 'runner', '--model', 'x'])).toBe('ollama-runner');
    expect(identifyRuntime('python3', ['python3', '-m', 'vllm.entrypoints.openai.api_server'])).toBe('vllm');
    expect(identifyRuntime('vllm', ['/usr/bin/python3', '/usr/local/bin/vllm', 'serve', 'x'])).toBe('vllm');
    expect(identifyRuntime('python3', ['python3', '-m', 'ktransformers.local_chat'])).toBe('ktransformers');
    expect(
      identifyRuntime(
        'python3.12',
        ['python3.12', 'serve.py'],
        ['/venv/lib/python3.12/site-packages/torch/lib/libtorch_cpu.so'],
      ),
    ).toBe('torch');
    expect(
      identifyRuntime('python3', ['python3', 'x.py'], ['/venv/onnxruntime/capi/libonnxruntime_providers_shared.so']),
    ).toBe('onnxruntime');
    expect(identifyRuntime('python3', ['python3', 'x.py'], ['/usr/lib/libc.so.6'])).toBe(null);
    expect(identifyRuntime('bash', ['bash'])).toBe(null);
    // The libraries of a process that is not Python do not make it a runtime.
    expect(identifyRuntime('java', ['java'], ['/x/libtorch_cpu.so'])).toBe(null);
  });

  it('reads the loading flags and the NUL-separated command line', () => {
    expect(parseCmdline('llama-server\0-m\0/m/a b.gguf\0--mlock\0')).toEqual([
      'llama-server',
      '-m',
      '/m/a b.gguf',
      '--mlock',
    ]);
    expect(loadFlags(['llama-server', '--load-mode', 'mlock', '--model=x.gguf'])).toEqual({
      hugetlbWeights: false,
      noMmap: false,
      mlock: true,
      model: 'x.gguf',
    });
    expect(loadFlags(['llama-bench', '-thp', '0']).hugetlbWeights).toBe(false);
    expect(loadFlags(['llama-server', '-thp', '--no-mmap']).hugetlbWeights).toBe(true);
  });

  it('takes a PID only as a positive whole number within the kernel’s limit', () => {
    expect(parsePid('4242')).toBe(4242);
    for (const bad of ['0', '-1', '1e3', '12a', '', '99999999999', '0123']) expect(parsePid(bad)).toBe(null);
  });
});

describe('against the plan', () => {
  const base: ProcessReport = {
    pid: 7,
    command: 'llama-server -thp',
    comm: 'llama-server',
    runtime: 'ik_llama.cpp',
    runtimeId: 'ik_llama.cpp',
    uid: 0,
    rssKiB: 1048576,
    anonymousKiB: 0,
    anonHugeKiB: 0,
    filePmdKiB: 0,
    shmemPmdKiB: 0,
    hugetlbKiB: 0,
    pageTablesKiB: 2048,
    mlockedKiB: 0,
    swapKiB: 0,
    perNode: [],
    hugeShare: 0,
    verdict: '',
    conditions: [],
    vma: null,
    unavailable: [],
  };
  const plan = runPlan({ footprintMiB: 1024, pageSize: '2M', memGiB: 64, nodes: 2 }, null);

  it('a process with none of the planned HugeTLB pages gets rows that say so and what to change', () => {
    const c = compareWithPlan(base, plan);
    expect(c.ok).toBe(false);
    const pages = c.rows.find((r) => r.what === 'HugeTLB 2 MiB pages')!;
    expect(pages.plannedKiB).toBe(plan.hugepagesNeeded * 2048);
    expect(pages.gotKiB).toBe(0);
    expect(pages.change).toMatch(/none mapped: ik_llama.cpp -thp fell back to a file mapping/);
    // Every row's ok is the comparison of its own two figures.
    for (const r of c.rows.filter((x) => x.what.includes('pages'))) expect(r.ok).toBe(r.gotKiB >= r.plannedKiB * 0.95);
  });

  it('a process that got the plan’s pages on the plan’s nodes matches it', () => {
    const perNode: NodeUsage[] = plan.perNode
      .filter((n) => n.hugepages > 0)
      .map((n) => ({ node: n.node, pageSizeKiB: 2048, backing: 'hugetlb', kib: n.hugepages * 2048 }));
    const got = { ...base, rssKiB: 0, hugetlbKiB: plan.hugepagesNeeded * 2048, perNode, pageTablesKiB: 100 };
    const c = compareWithPlan(got, plan);
    expect(c.rows.filter((r) => !r.ok)).toEqual([]);
    expect(c.ok).toBe(true);
  });
});

describe('against the plan, for what the runtime can use', () => {
  // Plain llama.cpp holding 512 MiB on THP out of 528 MiB: it has no HugeTLB path at all.
  const llama: ProcessReport = {
    pid: 9,
    command: 'llama-server -m m.gguf',
    comm: 'llama-server',
    runtime: 'llama.cpp',
    runtimeId: 'llama.cpp',
    uid: 0,
    rssKiB: 528 * 1024,
    anonymousKiB: 520 * 1024,
    anonHugeKiB: 512 * 1024,
    filePmdKiB: 0,
    shmemPmdKiB: 0,
    hugetlbKiB: 0,
    pageTablesKiB: 1200,
    mlockedKiB: 0,
    swapKiB: 0,
    perNode: [],
    hugeShare: 0.97,
    verdict: '',
    conditions: [],
    vma: null,
    unavailable: [],
  };
  const machine = { memGiB: 24, nodes: 1 } as const;

  it('plans for the process’s own runtime unless the request names one', () => {
    expect(requestFor({ footprintMiB: 600, pageSize: '2M' }, llama).runtime).toBe('llama.cpp');
    expect(requestFor({ footprintMiB: 600, runtime: 'ik_llama.cpp' }, llama).runtime).toBe('ik_llama.cpp');
    expect(requestFor({ footprintMiB: 600 }, { runtimeId: 'torch' }).runtime).toBeUndefined();
    expect(planRuntimeOf('ollama-runner')).toBe('ollama');
    expect(planRuntimeOf('vllm')).toBe('vllm-cpu');
  });

  it('a runtime with no HugeTLB path is not told to reserve a pool: it is judged on the THP it got', () => {
    const plan = runPlan(requestFor({ footprintMiB: 600, pageSize: '2M', ...machine }, llama), null);
    const c = compareWithPlan(llama, plan);
    expect(c.plan.runtime).toBe('llama.cpp');
    expect(c.rows.map((r) => r.what)).not.toContain('HugeTLB 2 MiB pages');
    const thp = c.rows.find((r) => r.what === 'memory on transparent huge pages')!;
    expect(thp).toMatchObject({ plannedKiB: 600 * 1024, gotKiB: 512 * 1024, ok: true, change: null });
    expect(c.notes.join(' ')).toMatch(/llama.cpp has no HugeTLB path: a pool of 2 MiB pages would sit unused/);
    for (const r of c.rows) expect(r.change ?? '').not.toMatch(/reserve|ik_llama|-thp/);
    // With little on THP, the advice is about THP, and says a pool would not help.
    const none = compareWithPlan({ ...llama, anonHugeKiB: 0 }, plan);
    const row = none.rows.find((r) => r.what === 'memory on transparent huge pages')!;
    expect(row.ok).toBe(false);
    expect(row.change).toMatch(/transparent_hugepage\/enabled .*a HugeTLB pool would not help it/);
  });

  it('ik_llama.cpp without -thp is told to add it; with -thp and another default size, to change the default', () => {
    const plan = runPlan({ footprintMiB: 600, pageSize: '2M', runtime: 'ik_llama.cpp', ...machine }, null);
    const ik = { ...llama, runtime: 'ik_llama.cpp', runtimeId: 'ik_llama.cpp' as const, anonHugeKiB: 0 };
    const flags = { hugetlbWeights: false, noMmap: false, mlock: false, model: null };
    const machineNow = { thpEnabled: 'always', defaultHugePageKiB: 1048576, pools: [], free2MiBByNode: null };
    const detail = { ...ik, vmas: [], vmasOmitted: 0, smaps: null, flags, machine: machineNow };
    const change = (d: typeof detail) => compareWithPlan(d, plan).rows.find((r) => r.what === 'HugeTLB 2 MiB pages')!;
    expect(change(detail).change).toMatch(/ik_llama.cpp maps a pool only with -thp; add it and reserve \d+ pages/);
    expect(change({ ...detail, flags: { ...flags, hugetlbWeights: true } }).change).toMatch(
      /-thp fell back .*default_hugepagesz=2M at boot\): -thp maps the default size \(1 GiB here\) only/,
    );
  });

  it('refuses a plan larger than the machine, in its units', () => {
    const plan = runPlan({ footprintMiB: 1e9, ...machine }, null);
    expect(() => checkFitsMachine(plan, 24_641_536)).toThrow(
      /^the plan needs 976,562.5 GiB, more than this machine's 23.5 GiB of memory: no process here can have got it$/,
    );
    expect(() => checkFitsMachine(runPlan({ footprintMiB: 600, ...machine }, null), 24_641_536)).not.toThrow();
    expect(() => checkFitsMachine(plan, null)).not.toThrow();
  });
});

describe('the alignment probe in the report', () => {
  const state = readHost(fixtureFiles(VM));
  const at = (major: number, minor: number, patch: number): HostState => ({
    ...state,
    kernel: { ...state.kernel, version: { major, minor, patch }, release: `${major}.${minor}.${patch}-vendor` },
  });
  const probe = (affected: boolean): AlignmentProbe => ({
    affected,
    aligned: affected ? 8 : 0,
    total: 8,
    gapsKiB: Array<number>(7).fill(affected ? 1512 : 0),
    mappingKiB: 4632,
    release: null,
    detail: affected ? '8 of 8 aligned' : '0 of 8 aligned',
  });
  const alignment = (h: HostState, p: AlignmentProbe | null) =>
    findings(h, { alignmentProbe: p }).filter((f) => f.id.startsWith('thp-alignment'));

  it('overrides the version table either way', () => {
    // A version the table calls fixed, measured affected (a vendor kernel that kept the change).
    const kept = alignment(at(6, 12, 0), probe(true));
    expect(kept.map((f) => f.id)).toEqual(['thp-alignment-regression']);
    expect(kept[0]!.detail).toContain('the probe overrides it');
    expect(kept[0]!.detail).toMatch(/reported .* but not proven/);
    expect(kept[0]!.evidence[0]!.path).toBe('hugetune probe-alignment');
    // A version the table calls affected, measured fixed (a vendor kernel with the backport).
    expect(alignment(at(6, 8, 0), probe(false)).map((f) => [f.id, f.severity])).toEqual([
      ['thp-alignment-probe-clear', 'info'],
    ]);
    expect(alignment(at(6, 12, 0), probe(false))).toEqual([]);
    // Without a probe (a snapshot, another machine), the table decides.
    expect(alignment(at(6, 8, 0), null).map((f) => f.id)).toEqual(['thp-alignment-regression']);
    expect(alignment(at(6, 12, 0), null)).toEqual([]);
  });

  it('as a property: a probe decides alone; without one, the version table does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 7 }),
        fc.integer({ min: 0, max: 19 }),
        fc.integer({ min: 0, max: 20 }),
        fc.option(fc.boolean(), { nil: null }),
        (major, minor, patch, measured) => {
          const h = at(major, minor, patch);
          const ids = alignment(h, measured === null ? null : probe(measured)).map((f) => f.id);
          const warned = ids.includes('thp-alignment-regression');
          expect(warned).toBe(measured ?? inThpAlignmentRegression(h.kernel.version!));
        },
      ),
    );
  });
});
