/**
 * The verdict is a function of named constraints: over random machines and requests, `fits` holds exactly
 * when every constraint does, each failing one is printed with its figures, and no suggestion contradicts
 * its own margin. Also the machine model (one source, per-node truth, tiers) and the kernel tables.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../electron/cli/plan';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';
import { hvoArchSupport, hvoKeptPages, hasHvoSysctl } from '../../shared/kernel/hvo';
import { archPages, basePageFromPmdBytes, memmapKiB, pageSizeLabel } from '../../shared/kernel/pages';
import { parseKernelRelease } from '../../shared/kernel/version';
import { machineFromReport, plannedMachine, type PlanMachine, type PlanNode } from '../../shared/plan/machine';
import { catalogSpec, type ModelSpec } from '../../shared/plan/model';
import { plan, type PlanInput } from '../../shared/plan/plan';
import { runPlan } from '../../shared/plan/request';
import { RUNTIMES } from '../../shared/plan/runtimes';
import { openSim } from '../../electron/host/sim-source';
import { parseEdit, type Edits } from '../../shared/sim/edit';
import { fixtureFiles, VM } from '../helpers';

const v = (s: string) => parseKernelRelease(s)!;
const simReport = (profile: string, sets: string[] = []) => {
  const edits: Edits = {};
  for (const e of sets) expect(parseEdit(e, edits)).toBeNull();
  return buildReport(readHost(openSim(profile, edits)));
};

describe('the kernel tables', () => {
  it('HVO by architecture and version, with the stable backports of the arm64 disable', () => {
    const arm = (r: string) => hvoArchSupport('aarch64', v(r)).supported;
    expect(arm('5.18.0')).toBe(false);
    expect(arm('5.19.0')).toBe(true); // 1e63ac088f20
    expect(arm('6.1.15')).toBe(true);
    expect(arm('6.1.16')).toBe(false); // 060a2c92d1b6 in stable
    expect(arm('6.1.100')).toBe(false);
    expect(arm('6.2.2')).toBe(true);
    expect(arm('6.2.3')).toBe(false);
    expect(arm('6.8.0')).toBe(false);
    expect(hvoArchSupport('x86_64', v('5.13.0')).supported).toBe(false);
    expect(hvoArchSupport('x86_64', v('5.14.0')).supported).toBe(true);
    expect(hvoArchSupport('s390x', v('6.12.57')).supported).toBe(true);
    expect(hvoArchSupport('s390x', v('6.12.58')).supported).toBe(false); // 64e2f60f355e in stable
    expect(hvoArchSupport('riscv64', v('6.3.0')).supported).toBe(false);
    expect(hvoArchSupport('ppc64le', v('6.8.0')).supported).toBe(false);
  });
  it('two vmemmap pages kept before 5.18, one since; the sysctl from 5.19', () => {
    expect(hvoKeptPages(v('5.17.9'))).toBe(2);
    expect(hvoKeptPages(v('5.18.0'))).toBe(1);
    expect(hasHvoSysctl(v('5.18.19'))).toBe(false);
    expect(hasHvoSysctl(v('5.19.0'))).toBe(true);
  });
  it('huge page sizes by architecture and granule', () => {
    const sizes = (arch: string, base: number) => archPages(arch, base).hugePages.map((k) => pageSizeLabel(k.sizeKiB));
    expect(sizes('x86_64', 4)).toEqual(['2M', '1G']);
    expect(sizes('arm64', 4)).toEqual(['64K', '2M', '32M', '1G']);
    expect(sizes('arm64', 16)).toEqual(['2M', '32M', '1G']);
    expect(sizes('arm64', 64)).toEqual(['2M', '512M', '16G']);
    expect(basePageFromPmdBytes(2 * 1048576)).toBe(4);
    expect(basePageFromPmdBytes(32 * 1048576)).toBe(16);
    expect(basePageFromPmdBytes(512 * 1048576)).toBe(64);
    // The measured vmemmap counts base pages: 64 KiB each on a 64K kernel, 4 KiB where the PMD size is unknown.
    expect(memmapKiB(1000, 512 * 1048576)).toBe(64000);
    expect(memmapKiB(1000, 2 * 1048576)).toBe(4000);
    expect(memmapKiB(1000, null)).toBe(4000);
    expect(memmapKiB(null, 2 * 1048576)).toBeNull();
  });
});

describe('one machine per plan', () => {
  it('a planned machine is the same whatever host it is planned on', () => {
    const req = { model: 'deepseek-r1-671b', quant: 'Q4_K_M', memGiB: 512, pageSize: '1G' };
    const a = runPlan(req, buildReport(readHost(fixtureFiles(VM))));
    const b = runPlan(req, simReport('arm64-workstation'));
    const c = runPlan(req, null);
    expect(a).toEqual(c);
    expect(b).toEqual(c);
    expect(c.fits).toBe(true);
    expect(c.machine.hugePageSizesKiB.value).toContain(1048576);
  });
  it('a planned arm64 machine with 64K pages has 512M pages and an HVO figure from its kernel', () => {
    const p = runPlan(
      { footprintMiB: 64 * 1024, memGiB: 128, arch: 'arm64', basePage: '64K', kernel: '6.1.10', pageSize: '512M' },
      null,
    );
    expect(p.constraints.find((c) => c.id === 'page-size')?.ok).toBe(true);
    expect(p.vmemmap.perPageKiB).toBe(7 * 64);
    const later = runPlan(
      { footprintMiB: 64 * 1024, memGiB: 128, arch: 'arm64', basePage: '64K', kernel: '6.8', pageSize: '512M' },
      null,
    );
    expect(later.vmemmap.savedKiB).toBe(0);
    const g1 = runPlan({ footprintMiB: 1024, memGiB: 128, arch: 'arm64', basePage: '64K', pageSize: '1G' }, null);
    expect(g1.fits).toBe(false);
    expect(g1.constraints.find((c) => c.id === 'page-size')?.message).toMatch(/offers 2M, 512M, 16G/);
  });
  it('a simulated arm64 6.1.100 kernel is credited nothing for HVO and gets no sysctl command', () => {
    const r = simReport('arm64-workstation', ['release=6.1.100']);
    const p = runPlan({ footprintMiB: 32 * 1024, pageSize: '2M', hvo: true }, r);
    expect(p.vmemmap.savedKiB).toBe(0);
    expect(p.commands.join('\n')).not.toMatch(/hugetlb_optimize_vmemmap|hugetlb_free_vmemmap/);
  });
  it('--available-mib re-derives the nodes: a 128 GiB one-node case fits exactly when its margin says so', () => {
    const base = { footprintMiB: 127910, reserveMiB: 0, pageSize: '2M', hvo: true };
    for (const report of [buildReport(readHost(fixtureFiles(VM))), simReport('strix-halo-128g')]) {
      const p = runPlan({ ...base, availableMiB: 127342 }, report);
      expect(p.marginMiB).toBeGreaterThan(0);
      expect(p.fits).toBe(true);
      const short = runPlan({ ...base, availableMiB: 126000 }, report);
      expect(short.fits).toBe(false);
      expect(short.marginMiB).toBeLessThan(0);
    }
  });
  it('a node can give its free memory plus free pages of the size, not its MemTotal', () => {
    const r = simReport('xeon-2s-768g');
    const m = machineFromReport(r);
    const p = runPlan(
      { model: 'deepseek-r1-671b', quant: 'Q4_K_M', numa: 'bind', pageSize: '1G', runtime: 'ik_llama.cpp' },
      r,
    );
    const node = p.perNode[0]!;
    const n = m.nodes.find((x) => x.id === node.node)!;
    const free1G = n.pools.find((x) => x.pageSizeKiB === 1048576)?.free ?? 0;
    expect(node.haveMiB).toBeCloseTo(n.availableMiB + free1G * 1024, 0);
    expect(node.haveMiB).toBeLessThan(n.memTotalMiB);
    expect(p.fits).toBe(node.fits && p.constraints.every((c) => c.ok));
  });
  it('pools of another size are not free memory: the plan says to release them, or keeps them', () => {
    const r = simReport('xeon-2s-768g');
    const p = runPlan({ model: 'llama-3.1-405b', quant: 'Q8_0', pageSize: '2M' }, r);
    const other = p.constraints.find((c) => c.id === 'other-pools');
    expect(other?.ok).toBe(false);
    // Its capacity is none while the pools are kept, and it says so beside the figure.
    expect(other?.haveMiB).toBe(0);
    expect(other?.haveNote).toMatch(/while those pools are kept/);
    expect(p.commands.join('\n')).toMatch(/keeps the 1G pool/);
    const released = runPlan({ model: 'llama-3.1-405b', quant: 'Q8_0', pageSize: '2M', releasePools: true }, r);
    expect(released.commands.join('\n')).toMatch(/echo 0 > .*hugepages-1048576kB\/nr_hugepages/);
    expect(released.availableMiB).toBeGreaterThan(p.availableMiB);
  });
  it('memory on a slower tier is never used silently; using it is a named choice with its cost', () => {
    const r = simReport('xeon-cxl-tiered');
    const m = machineFromReport(r);
    expect(m.nodes.some((n) => n.slow)).toBe(true);
    const p = runPlan({ model: 'llama-3.3-70b', quant: 'Q8_0' }, r);
    expect(p.perNode.every((n) => !n.slow)).toBe(true);
    expect(p.constraints.find((c) => c.id === 'total')?.message).toMatch(/slower-tier nodes not used/);
    const slow = runPlan({ model: 'llama-3.3-70b', quant: 'Q8_0', slowTier: true }, r);
    expect(slow.perNode.some((n) => n.slow)).toBe(true);
    expect(slow.notes.join(' ')).toMatch(/slower-tier memory/);
  });
});

// Random machines: nodes with and without CPUs, slow tiers, pools of several sizes, HVO known or not.
const node = (id: number): fc.Arbitrary<PlanNode> =>
  fc
    .record({
      mem: fc.integer({ min: 1024, max: 1024 * 1024 }),
      used: fc.double({ min: 0, max: 0.9, noNaN: true }),
      cpus: fc.boolean(),
      slow: fc.boolean(),
      p2: fc.nat(20000),
      f2: fc.double({ min: 0, max: 1, noNaN: true }),
      p1: fc.nat(64),
      f1: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map((x) => ({
      id,
      memTotalMiB: x.mem,
      availableMiB: x.mem * (1 - x.used),
      hasCpus: id === 0 || x.cpus,
      slow: id !== 0 && x.slow,
      pools: [
        { pageSizeKiB: 2048, total: x.p2, free: Math.floor(x.p2 * x.f2) },
        { pageSizeKiB: 1048576, total: x.p1, free: Math.floor(x.p1 * x.f1) },
      ],
    }));

const machine: fc.Arbitrary<PlanMachine> = fc
  .record({
    count: fc.integer({ min: 1, max: 4 }),
    release: fc.constantFrom('5.15.0', '6.1.10', '6.8.0', '6.18.2'),
    arch: fc.constantFrom('x86_64', 'arm64'),
    has1G: fc.boolean(),
    seed: fc.integer(),
  })
  .chain((x) =>
    fc.tuple(...Array.from({ length: x.count }, (_, k) => node(k))).map((nodes) => {
      const m = plannedMachine({ memGiB: 64, arch: x.arch, release: x.release });
      const total = nodes.reduce((s, n) => s + n.memTotalMiB, 0);
      return {
        ...m,
        source: 'sim' as const,
        nodes,
        totalMiB: { value: total, from: 'test' },
        availableMiB: { value: nodes.reduce((s, n) => s + n.availableMiB, 0), from: 'test' },
        hugePageSizesKiB: { value: x.has1G ? [2048, 1048576] : [2048], from: 'test' },
      };
    }),
  );

const specs = ['llama-3.1-8b', 'llama-3.3-70b', 'deepseek-r1-671b', 'gpt-oss-120b', 'qwen3-235b-a22b'].map(
  (id) => catalogSpec(id, 'Q4_K_M') as ModelSpec,
);

const input: fc.Arbitrary<PlanInput> = fc.record({
  model: fc.oneof(
    fc.constantFrom(...specs).map((spec) => ({ kind: 'spec' as const, spec })),
    fc.integer({ min: 1, max: 2_000_000 }).map((mib) => ({ kind: 'footprint' as const, mib })),
  ),
  ctx: fc.constantFrom(2048, 8192, 32768, 131072),
  kvType: fc.constantFrom('f16', 'q8_0', 'q4_0'),
  runtime: fc.constantFrom(...RUNTIMES),
  build: fc.constantFrom('current', '2025', 'legacy'),
  cacheRamMiB: fc.option(fc.nat(16384)),
  kvSpaceGiB: fc.option(fc.integer({ min: 1, max: 64 })),
  hugePageKiB: fc.constantFrom(null, 2048, 1048576, 32768),
  backing4k: fc.constantFrom('mmap', 'anon'),
  mlock: fc.boolean(),
  hvo: fc.boolean(),
  reserveMiB: fc.option(fc.nat(8192)),
  numa: fc.constantFrom('interleave', 'bind'),
  slowTier: fc.boolean(),
  releasePools: fc.boolean(),
  machine,
});

describe('the verdict over random machines and requests', () => {
  it('fits exactly when every constraint holds; every failing constraint is printed; no suggestion contradicts itself', () => {
    fc.assert(
      fc.property(input, (i) => {
        const p = plan(i);
        expect(p.fits).toBe(p.constraints.every((c) => c.ok));
        // A constraint with figures agrees with them.
        for (const c of p.constraints) {
          if (c.id === 'total' || c.id.startsWith('node')) expect(c.ok).toBe(c.needMiB! <= c.haveMiB! + 0.1);
          if (c.id === 'reserve') expect(c.ok).toBe(c.haveMiB! >= c.needMiB!);
        }
        // The margin is the tightest memory constraint: non-negative exactly when they all hold.
        const memory = p.constraints.filter((c) => c.id === 'total' || c.id === 'reserve' || c.id.startsWith('node'));
        if (memory.every((c) => c.ok)) expect(p.marginMiB).toBeGreaterThanOrEqual(-0.2);
        if (p.marginMiB < -0.2) expect(p.fits).toBe(false);
        for (const c of memory.filter((x) => x.id.startsWith('node')))
          expect(p.marginMiB).toBeLessThanOrEqual(c.haveMiB! - c.needMiB! + 0.2);
        const text = formatPlan(p);
        for (const c of p.constraints.filter((x) => !x.ok)) {
          expect(text).toContain(`FAIL ${c.id}`);
          expect(text).toContain(c.message);
        }
        expect(text).not.toMatch(/see the notes/);
        for (const s of p.suggestions) {
          expect(s.fits).toBe(s.failing.length === 0);
          if (!s.fits) expect(text).toContain(`still fails: ${s.failing.join(', ')}`);
        }
        // Every page counted once.
        expect(p.perNode.reduce((s, n) => s + n.hugepages, 0)).toBe(p.hugepagesNeeded);
        if (!p.fits) expect(p.suggestions.length + p.constraints.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
