/**
 * Simulator memory accounting, read back through the real parsers: every KiB counted once, node files that
 * add up to the system-wide ones, and HVO giving back exactly the vmemmap it frees.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryFiles } from '../../shared/host/files';
import { parseMeminfo } from '../../shared/host/parse/meminfo';
import { readHost } from '../../shared/host/read/index';
import { buildReport, type Report } from '../../shared/host/report';
import { SimMachine } from '../../shared/sim/machine';
import { parseProfile, type Profile } from '../../shared/sim/profile';
import { findProfile } from '../../shared/sim/profiles';
import { writeTree } from '../../shared/sim/write';
import { arbProfile } from '../mocks/random-profile';
import { fixtureFiles, VM_TUNED } from '../helpers';

const GIB = 1048576;
/** vmemmap pages HVO frees per huge page from 5.18 on (Documentation/admin-guide/sysctl/vm.rst). */
const FREED: Record<number, number> = { 2048: 7, 1048576: 4095 };

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

function read(m: SimMachine): { r: Report; tree: Record<string, string> } {
  const tree = writeTree(m);
  return { r: buildReport(readHost(MemoryFiles.fromTexts({ kind: 'sim', label: 'memory test' }, tree))), tree };
}

const CMDLINES = [
  'ro quiet',
  'ro hugetlb_free_vmemmap=on hugepages=64',
  'ro hugetlb_free_vmemmap=on hugepagesz=1G hugepages=2',
  'ro default_hugepagesz=1G hugepagesz=1G hugepages=1 hugepagesz=2M hugepages=32',
  'ro hugetlb_cma=4G',
];

const arbMachine = (releases: readonly string[], arches: readonly Profile['arch'][]): fc.Arbitrary<Profile> =>
  arbProfile({
    arches,
    releases,
    cmdlines: CMDLINES,
    maxNodes: 4,
    // Quarter-GiB steps too, so node sizes need not be whole GiB.
    memGiB: fc.oneof(
      fc.integer({ min: 4, max: 1024 }),
      fc.integer({ min: 2, max: 256 }).map((q) => q / 4),
    ),
    thp: fc.constant<Profile['thp']>('madvise'),
    max2MiBPages: 4096,
    max1GiBPages: 4,
  });

type Action =
  | { kind: 'pool'; size: number; perNode: number[] }
  | { kind: 'hvo'; on: boolean }
  | { kind: 'advance'; seconds: number }
  | { kind: 'reboot' };

const arbAction: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant('pool' as const),
    size: fc.nat(),
    perNode: fc.array(fc.integer({ min: 0, max: 8192 }), { minLength: 4, maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('hvo' as const), on: fc.boolean() }),
  fc.record({ kind: fc.constant('advance' as const), seconds: fc.integer({ min: 0, max: 86400 }) }),
  fc.constant({ kind: 'reboot' as const }),
);

function apply(m: SimMachine, a: Action): void {
  const nodes = m.profile.nodes.length;
  switch (a.kind) {
    case 'pool': {
      const sizes = m.poolSizes();
      const size = sizes[a.size % sizes.length]!;
      // 1 GiB pools in a handful of pages, smaller ones in thousands.
      const scale = size >= GIB ? 1024 : 1;
      m.setPool(
        size,
        a.perNode.slice(0, nodes).map((x) => Math.floor(x / scale)),
      );
      return;
    }
    case 'hvo':
      if (m.hvoAvailable() && m.hasHvoSysctl()) m.setHvo(a.on);
      return;
    case 'advance':
      m.advance(a.seconds);
      return;
    case 'reboot':
      m.reboot();
  }
}

/** Everything the files say about memory adds up, and matches the machine's own figures. */
function expectAccounted(m: SimMachine): void {
  const { r, tree } = read(m);
  expect(r.diagnostics.filter((d) => d.problem !== 'missing')).toEqual([]);
  const mi = r.memory.meminfo!;
  const memTotal = mi['MemTotal']!;
  const memFree = mi['MemFree']!;
  const hugetlb = mi['Hugetlb']!;
  const nodes = r.numa.nodes;
  // (1) The global counters are the sums of the per-node ones.
  expect(sum(nodes.map((n) => n.memTotalKiB!))).toBe(memTotal);
  expect(sum(nodes.map((n) => n.memFreeKiB!))).toBe(memFree);
  expect(memTotal).toBe(m.memTotalKiB());
  expect(memFree).toBe(m.memFreeKiB());
  // Pools: per-node counts add up; Hugetlb covers every size; HugePages_* and Hugepagesize the default only.
  for (const pool of r.hugetlb.pools) expect(sum(pool.nodes.map((n) => n.total!))).toBe(pool.total);
  expect(hugetlb).toBe(sum(r.hugetlb.pools.map((p) => p.total! * p.pageSizeKiB)));
  expect(hugetlb).toBe(m.hugetlbKiB());
  expect(mi['Hugepagesize']).toBe(m.defaultSizeKiB);
  const def = r.hugetlb.pools.find((p) => p.pageSizeKiB === mi['Hugepagesize'])!;
  expect(mi['HugePages_Total']).toBe(def.total);
  const nodeInfo = nodes.map((n) => {
    const parsed = parseMeminfo(tree[`/sys/devices/system/node/node${n.id}/meminfo`]!);
    if (!parsed.ok) throw new Error(`node${n.id}/meminfo does not parse`);
    return parsed.value.fields;
  });
  expect(nodeInfo.map((f) => f.get('HugePages_Total'))).toEqual(def.nodes.map((n) => n.total));
  expect(sum(nodeInfo.map((f) => f.get('HugePages_Total')!))).toBe(mi['HugePages_Total']);
  nodes.forEach((n, i) => expect(nodeInfo[i]!.get('MemUsed')).toBe(n.memTotalKiB! - n.memFreeKiB!));
  // (3) What is neither free nor pooled is at least the baseline in use, never negative.
  const baseline = sum(m.profile.nodes.map((_, n) => m.usedNodeKiB(n)));
  expect(memTotal - memFree - hugetlb).toBeGreaterThanOrEqual(baseline);
  expect(baseline).toBeGreaterThan(0);
  expect(memFree).toBeGreaterThanOrEqual(0);
  expect(mi['MemAvailable']).toBeGreaterThanOrEqual(0);
  expect(memTotal).toBeLessThan(m.totalKiB);
  expect(r.memory.vmstat!['nr_free_pages']! * 4).toBe(memFree);
  // The boot memmap is "not part of MemTotal": installed = MemTotal + other memblock reservations + boot memmap.
  const vm = r.memory.vmstat!;
  const reserved = sum(m.profile.nodes.map((_, n) => m.reservedNodeKiB(n)));
  if (vm['nr_memmap_boot_pages'] !== undefined) {
    expect(vm['nr_memmap_pages']).toBeGreaterThanOrEqual(0);
    expect(vm['nr_memmap_boot_pages']).toBeGreaterThanOrEqual(0);
    expect(memTotal + reserved + 4 * vm['nr_memmap_boot_pages']).toBe(m.totalKiB);
    expect(r.hvo.memmapPages).toBe(m.memmapPages());
  }
}

const ALL_RELEASES = [
  '4.18.0-553.el8_10.x86_64',
  '5.15.0-119-generic',
  '6.1.0-26-amd64',
  '6.8.0-45-generic',
  '6.11.0-1016-nvidia',
  '6.12.9',
  '6.18.2',
];

describe('memory accounting over random machines and actions', () => {
  it('node files add up to the system-wide ones, pools are counted once, and everything parses cleanly', () => {
    fc.assert(
      fc.property(
        arbMachine(ALL_RELEASES, ['x86_64', 'aarch64']),
        fc.array(arbAction, { maxLength: 8 }),
        (p, actions) => {
          expect(parseProfile(p).ok).toBe(true);
          const m = new SimMachine(p);
          expectAccounted(m);
          for (const a of actions) {
            apply(m, a);
            expectAccounted(m);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('HVO then growing a pool by N pages frees exactly 7·N or 4,095·N vmemmap pages, into MemFree, compared with HVO off', () => {
    // x86-64 kernels with the runtime switch (5.19+), with and without the memmap counters.
    const releases = ['6.1.0-26-amd64', '6.8.0-45-generic', '6.11.0-1016-nvidia', '6.12.9', '6.18.2'];
    // Pages grown per size over all runs, so the property is seen to hold for real growth, not just for none.
    const grewBy: Record<number, number> = { 2048: 0, 1048576: 0 };
    fc.assert(
      fc.property(
        arbMachine(releases, ['x86_64']),
        fc.array(arbAction, { maxLength: 6 }),
        fc.nat(),
        fc.array(fc.integer({ min: 0, max: 4096 }), { minLength: 4, maxLength: 4 }),
        (p, prefix, sizeIndex, grow) => {
          const on = new SimMachine(p);
          const off = new SimMachine(p);
          for (const a of prefix) {
            apply(on, a);
            apply(off, a);
          }
          const sizes = on.poolSizes();
          const size = sizes[sizeIndex % sizes.length]!;
          const want = (m: SimMachine) =>
            m.pools.find((x) => x.sizeKiB === size)!.perNode.map((n, i) => n + (size >= GIB ? grow[i]! % 4 : grow[i]!));
          const before = read(on).r;
          const memmapBefore = on.memmapPages();
          expect(off.memmapPages()).toBe(memmapBefore);
          on.setHvo(true);
          off.setHvo(false);
          on.setPool(size, want(on));
          off.setPool(size, want(off));
          // Same growth either way: HVO does not change what the allocator can find.
          const grown = on.pools.find((x) => x.sizeKiB === size)!.perNode;
          expect(grown).toEqual(off.pools.find((x) => x.sizeKiB === size)!.perNode);
          const n =
            sum(grown) - sum(before.hugetlb.pools.find((x) => x.pageSizeKiB === size)!.nodes.map((x) => x.total!));
          grewBy[size] = grewBy[size]! + n;
          const a = read(on).r;
          const b = read(off).r;
          const freedKiB = 4 * FREED[size]! * n;
          // Memory outside pools rises by exactly the freed vmemmap, and MemAvailable with it.
          const notPooled = (r: Report) => r.memory.meminfo!['MemFree']! + r.memory.meminfo!['Hugetlb']!;
          expect(notPooled(a) - notPooled(b)).toBe(freedKiB);
          expect(a.memory.availableKiB! - b.memory.availableKiB!).toBe(freedKiB);
          expect(a.memory.meminfo!['Hugetlb']).toBe(b.memory.meminfo!['Hugetlb']);
          // Against the moment before: the pool took n pages, HVO gave back the freed vmemmap.
          expect(a.memory.meminfo!['MemFree']! - before.memory.meminfo!['MemFree']!).toBe(freedKiB - n * size);
          // The counters fall by exactly 7·N or 4,095·N with HVO on, and not at all with it off.
          expect(memmapBefore - on.memmapPages()).toBe(FREED[size]! * n);
          expect(off.memmapPages()).toBe(memmapBefore);
          if (a.hvo.memmapPages !== null) {
            expect(before.hvo.memmapPages! - a.hvo.memmapPages).toBe(FREED[size]! * n);
            expect(b.hvo.memmapPages).toBe(before.hvo.memmapPages);
            // MemTotal grows only by boot vmemmap handed to buddy.
            const boot = (r: Report) => r.memory.vmstat!['nr_memmap_boot_pages']!;
            expect(a.memory.totalKiB! - b.memory.totalKiB!).toBe(4 * (boot(b) - boot(a)));
          }
          expect(a.memory.totalKiB!).toBeGreaterThanOrEqual(b.memory.totalKiB!);
          expectAccounted(on);
          expectAccounted(off);
        },
      ),
      { numRuns: 150 },
    );
    expect(grewBy[2048]).toBeGreaterThan(0);
    expect(grewBy[1048576]).toBeGreaterThan(0);
  });
});

describe('memory accounting, worked examples', () => {
  const strix = (): SimMachine => new SimMachine({ ...findProfile('strix-halo-128g')!, fragmentation: 0 });

  it('6.2+: boot vmemmap goes to buddy and into MemTotal (8 pages per 2 MiB page), the new head page is in use', () => {
    const on = strix();
    const off = strix();
    const start = read(on).r;
    on.setHvo(true);
    on.setPool(2048, [100]);
    off.setPool(2048, [100]);
    const a = read(on).r;
    const b = read(off).r;
    expect(start.memory.vmstat!['nr_memmap_boot_pages']! - a.memory.vmstat!['nr_memmap_boot_pages']!).toBe(800);
    expect(a.memory.vmstat!['nr_memmap_pages']! - start.memory.vmstat!['nr_memmap_pages']!).toBe(100);
    expect(a.memory.totalKiB! - b.memory.totalKiB!).toBe(800 * 4);
    expect(a.memory.meminfo!['MemFree']! - b.memory.meminfo!['MemFree']!).toBe(700 * 4);
    expect(b.memory.totalKiB).toBe(start.memory.totalKiB);
    // Releasing the pool restores the struct pages from buddy: MemFree is back where HVO off leaves it, and
    // MemTotal keeps the boot memory, which memblock never takes back.
    on.setPool(2048, [0]);
    off.setPool(2048, [0]);
    const a2 = read(on).r;
    const b2 = read(off).r;
    expect(a2.memory.meminfo!['MemFree']).toBe(b2.memory.meminfo!['MemFree']);
    expect(a2.memory.totalKiB! - b2.memory.totalKiB!).toBe(800 * 4);
    expect(a2.hvo.memmapPages).toBe(b2.hvo.memmapPages);
    expect(a2.memory.vmstat!['nr_memmap_pages']! - b2.memory.vmstat!['nr_memmap_pages']!).toBe(800);
    // Growing again lands on the restored memory: buddy struct pages freed, nothing more from boot.
    on.setPool(2048, [100]);
    const a3 = read(on).r;
    expect(a3.memory.totalKiB).toBe(a2.memory.totalKiB);
    expect(a3.memory.vmstat!['nr_memmap_boot_pages']).toBe(a2.memory.vmstat!['nr_memmap_boot_pages']);
    expect(a2.hvo.memmapPages! - a3.hvo.memmapPages!).toBe(700);
    expect(a3.memory.meminfo!['MemFree']! - a2.memory.meminfo!['MemFree']!).toBe(700 * 4 - 100 * 2048);
  });

  it('before 6.2 the head page stays put, and before 5.18 two pages stay: MemTotal and MemFree rise alike', () => {
    for (const [release, freed] of [
      ['6.1.0-26-amd64', 7],
      ['5.15.0-119-generic', 6],
    ] as const) {
      const profile = { ...findProfile('small-laptop')!, release, fragmentation: 0, pools: [] };
      const off = new SimMachine({ ...profile, hvo: false, cmdline: 'ro hugepages=100' });
      const on = new SimMachine({ ...profile, hvo: true, cmdline: 'ro hugetlb_free_vmemmap=on hugepages=100' });
      expect(on.hvo, release).toBe(true);
      const a = read(on).r;
      const b = read(off).r;
      expect(a.memory.meminfo!['Hugetlb'], release).toBe(100 * 2048);
      expect(a.memory.totalKiB! - b.memory.totalKiB!, release).toBe(100 * freed * 4);
      expect(a.memory.meminfo!['MemFree']! - b.memory.meminfo!['MemFree']!, release).toBe(100 * freed * 4);
      expect(b.hvo.memmapPages, release).toBeNull();
    }
  });

  it('HugePages_* and Hugepagesize describe the default size; Hugetlb every size', () => {
    const m = new SimMachine({
      ...findProfile('strix-halo-128g')!,
      cmdline: 'ro default_hugepagesz=1G hugepagesz=1G hugepages=2 hugepagesz=2M hugepages=100',
    });
    const { r, tree } = read(m);
    expect(r.memory.meminfo).toMatchObject({
      HugePages_Total: 2,
      HugePages_Free: 2,
      Hugepagesize: GIB,
      Hugetlb: 2 * GIB + 100 * 2048,
    });
    expect(r.hugetlb.defaultPageSizeKiB).toBe(GIB);
    expect(tree['/proc/sys/vm/nr_hugepages']).toBe('2\n');
    expect(r.hugetlb.mounts?.[0]?.pageSizeKiB).toBe(GIB);
    expect(tree['/sys/devices/system/node/node0/meminfo']).toMatch(/^Node 0 HugePages_Total:\s+2$/m);
  });

  it('meminfo has the lines a real 6.18 kernel writes, and they agree with vmstat', () => {
    const m = new SimMachine(findProfile('xeon-cxl-tiered')!);
    const { r } = read(m);
    const real = buildReport(readHost(fixtureFiles(VM_TUNED))).memory.meminfo!;
    // Balloon is there only with a virtio balloon driver: the capture is of a VM, the simulator is bare metal.
    expect(Object.keys(r.memory.meminfo!)).toEqual(Object.keys(real).filter((k) => k !== 'Balloon'));
    const mi = r.memory.meminfo!;
    const vm = r.memory.vmstat!;
    expect(mi['PageTables']).toBe(4 * vm['nr_page_table_pages']!);
    expect(mi['PageTables']).toBeGreaterThan(0);
    expect(mi['MemFree']).toBe(4 * vm['nr_free_pages']!);
    expect(mi['Buffers']! + mi['Cached']!).toBe(4 * vm['nr_file_pages']!);
    expect(mi['AnonPages']).toBe(4 * vm['nr_anon_pages']!);
    expect(mi['AnonHugePages']).toBe(2048 * vm['nr_anon_transparent_hugepages']!);
    expect(mi['Slab']).toBe(4 * (vm['nr_slab_reclaimable']! + vm['nr_slab_unreclaimable']!));
    // The named parts of the baseline use fit inside it, THPs inside anonymous memory.
    const used = sum(m.profile.nodes.map((_, n) => m.usedNodeKiB(n)));
    const named = ['Buffers', 'Cached', 'Slab', 'KernelStack', 'PageTables', 'Percpu', 'AnonPages'];
    expect(sum(named.map((k) => mi[k]!))).toBe(used);
    expect(mi['AnonHugePages']).toBeLessThanOrEqual(mi['AnonPages']!);
  });
});
