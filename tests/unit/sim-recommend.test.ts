/**
 * Recommendations never take away pages the user reserved: applying them to a simulated machine keeps every
 * pool at least as large as it was, and the advisor's pool writes never ask for less than the pool holds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';
import { recommend } from '../../shared/advise/recommend';
import { runPlan } from '../../shared/plan/request';
import { applyEdits } from '../../shared/sim/edit';
import { SimMachine } from '../../shared/sim/machine';
import { parseProfile, type Profile } from '../../shared/sim/profile';
import { findProfile } from '../../shared/sim/profiles';
import { applyRecommended } from '../../shared/sim/recommend';
import { simFiles } from '../../shared/sim/write';
import { arbProfile } from '../mocks/random-profile';

const CMDLINES = [
  'ro quiet',
  'ro hugepages=64',
  'ro hugetlb_free_vmemmap=on hugepages=64',
  'ro hugetlb_free_vmemmap=on hugepagesz=1G hugepages=2',
  'ro default_hugepagesz=1G hugepagesz=1G hugepages=1 hugepagesz=2M hugepages=32',
  'ro default_hugepagesz=1G hugepages=1',
  'ro hugetlb_cma=4G',
];
const RELEASES = ['5.15.0-119-generic', '6.1.0-26-amd64', '6.8.0-45-generic', '6.12.48', '6.18.2'];

const arbMachine = arbProfile({
  arches: ['x86_64', 'aarch64'],
  releases: RELEASES,
  cmdlines: CMDLINES,
  maxNodes: 3,
  memGiB: fc.integer({ min: 4, max: 512 }),
  thp: fc.constantFrom('always' as const, 'madvise' as const, 'never' as const),
  max2MiBPages: 40_000,
  max1GiBPages: 16,
});

const tightMachine: Profile = {
  id: 'random',
  description: 'random',
  arch: 'x86_64',
  release: '5.15.0-119-generic',
  hvoBuiltIn: true,
  sockets: 1,
  nodes: [{ memGiB: 7, cpus: 4 }],
  cmdline: 'ro hugetlb_free_vmemmap=on hugepages=64',
  thp: 'always',
  defrag: 'madvise',
  hvo: false,
  pools: [
    { sizeKiB: 2048, perNode: [3198] },
    { sizeKiB: 1048576, perNode: [1] },
  ],
  pdpe1gb: true,
  fragmentation: 0,
  numaBalancing: 0,
  demotion: false,
  scenario: 'inference',
  seed: 1,
};

const pools = (m: SimMachine): Map<number, number[]> => new Map(m.pools.map((p) => [p.sizeKiB, [...p.perNode]]));

describe('applying the recommended settings to a simulated machine', () => {
  it('keeps the user’s own 20,000-page pool when 1 GiB pages need a reboot', () => {
    const e = applyEdits(findProfile('strix-halo-128g')!, { pool2m: 20_000, pool1g: 4 });
    if (!e.ok) throw new Error(e.error);
    const m = new SimMachine(e.value);
    m.advance(3600);
    const steps = applyRecommended(m);
    expect(m.pools.find((p) => p.sizeKiB === 2048)!.perNode).toEqual([20_000]);
    expect(m.pools.find((p) => p.sizeKiB === 1048576)!.perNode).toEqual([4]);
    expect(m.bootCmdline).toMatch(/hugepagesz=2M hugepages=20000 hugepagesz=1G hugepages=4 hugetlb_free_vmemmap=on$/);
    expect(steps.join('\n')).toMatch(/the 20,000 × 2M pool reserved at boot too so the reboot keeps it/);
  });

  it('does not release a pool to optimize it when fragmented memory would not give it all back', () => {
    const e = applyEdits(findProfile('ubuntu-2404-desktop-64g')!, {
      pool2m: 20_000,
      hvo: false,
      fragmentation: 0.9,
      cmdline: 'ro quiet hugepages=20000',
    });
    if (!e.ok) throw new Error(e.error);
    const m = new SimMachine(e.value);
    m.advance(3600);
    const steps = applyRecommended(m);
    expect(m.pools.find((p) => p.sizeKiB === 2048)!.perNode).toEqual([20_000]);
    expect(m.hvo).toBe(true);
    expect(steps.join('\n')).toMatch(/20,000 × 2M pool kept as it is/);
  });

  it('never leaves any pool on any node smaller than it was (random machines)', () => {
    fc.assert(
      fc.property(arbMachine, fc.integer({ min: 0, max: 48 * 3600 }), (raw, seconds) => {
        const p = parseProfile(raw);
        fc.pre(p.ok);
        if (!p.ok) return;
        const m = new SimMachine(p.value);
        m.advance(seconds);
        const before = pools(m);
        const steps = applyRecommended(m);
        expect(steps.length).toBeGreaterThan(0);
        for (const [size, perNode] of before) {
          const after = pools(m).get(size)!;
          perNode.forEach((n, i) => expect(after[i], `${size} kB pool on node ${i}`).toBeGreaterThanOrEqual(n));
        }
      }),
      {
        numRuns: 300,
        // Found by this property: a 2 MiB pool filling a small machine, whose reboot for a 1 GiB page would
        // have given it back one page short.
        examples: [[{ ...tightMachine }, 0]],
      },
    );
  });
});

describe('the advisor’s pool for a plan', () => {
  it('never asks a pool for fewer pages than it holds, nor than the plan needs (random machines and plans)', () => {
    fc.assert(
      fc.property(
        arbMachine,
        fc.integer({ min: 1024, max: 400_000 }),
        fc.constantFrom('2M', '1G'),
        fc.boolean(),
        (raw, footprintMiB, pageSize, releasePools) => {
          const p = parseProfile(raw);
          fc.pre(p.ok);
          if (!p.ok) return;
          const m = new SimMachine(p.value);
          m.advance(3600);
          const report = buildReport(readHost(simFiles(m)));
          const plan = runPlan({ footprintMiB, pageSize, releasePools }, report);
          const advice = recommend(report, plan);
          for (const c of advice.changes) {
            if (c.kind !== 'write' || !c.path.endsWith('/nr_hugepages')) continue;
            expect(Number(c.value), c.path).toBeGreaterThanOrEqual(Number(c.before ?? 0));
          }
          if (plan.fits && plan.backing === 'hugetlb') {
            const target = plan.perNode.reduce((s, n) => s + n.poolTarget, 0);
            expect(target).toBeGreaterThanOrEqual(plan.hugepagesNeeded);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
