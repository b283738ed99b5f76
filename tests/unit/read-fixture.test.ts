/** The readers against real captures of a 6.18 kernel, before and after a runtime tuning. */
import { describe, expect, it } from 'vitest';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';
import { fixtureFiles, VM, VM_TUNED } from '../helpers';

const before = buildReport(readHost(fixtureFiles(VM)));
const after = buildReport(readHost(fixtureFiles(VM_TUNED)));

describe('real capture: vm-x86_64-6.18-2cpu', () => {
  it('reads the kernel', () => {
    expect(before.kernel.release).toBe('6.18.44-fc-v595');
    expect(before.kernel.arch).toBe('x86_64');
    expect(before.kernel.cmdline?.['console']).toBe('ttyS0');
    expect(before.kernel.cmdline?.['quiet']).toBe(true);
  });
  it('reads THP and resolves inherit per size', () => {
    expect(before.thp.enabled).toBe('madvise');
    expect(before.thp.defrag).toBe('madvise');
    expect(before.thp.shmemEnabled).toBe('never');
    const sizes = Object.fromEntries(before.thp.sizes.map((s) => [s.sizeKiB, s]));
    expect(Object.keys(sizes).map(Number)).toEqual([8, 16, 32, 64, 128, 256, 512, 1024, 2048]);
    expect(sizes[2048]).toMatchObject({ enabled: 'inherit', effective: 'madvise' });
    expect(sizes[64]).toMatchObject({ enabled: 'never', effective: 'never' });
    // Order 1 has no anon `enabled` file: unsupported, not "never", and not a diagnostic.
    expect(sizes[8]).toMatchObject({ anon: false, enabled: null, effective: null });
    expect(sizes[16]).toMatchObject({ anon: true });
  });
  it('reads both HugeTLB pools with their node split', () => {
    expect(before.hugetlb.defaultPageSizeKiB).toBe(2048);
    expect(before.hugetlb.pools.map((p) => [p.pageSizeKiB, p.total, p.free])).toEqual([
      [2048, 0, 0],
      [1048576, 0, 0],
    ]);
    expect(before.hugetlb.pools[0]!.nodes).toEqual([{ node: 0, total: 0, free: 0, surplus: 0 }]);
    expect(before.hugetlb.pools[0]!.mempolicy).toBe(0);
    expect(before.hugetlb.shmGroup).toBe(0);
    expect(before.hugetlb.mounts).toEqual([]);
  });
  it('reads HVO off and the measured vmemmap', () => {
    expect(before.hvo).toMatchObject({
      compiled: true,
      enabled: false,
      memmapPages: 17928 + 80376,
      bootParam: null,
      archSupported: true,
    });
  });
  it('reads the TLB shootdown row per CPU', () => {
    expect(before.tlb.available).toBe(true);
    expect(before.tlb.perCpu).toEqual([
      { cpu: 0, count: 2701 },
      { cpu: 1, count: 3174 },
    ]);
    expect(before.tlb.total).toBe(5875);
  });
  it('reads memory and NUMA', () => {
    expect(before.memory.totalKiB).toBeGreaterThan(20 * 1048576);
    expect(before.numa.nodes).toHaveLength(1);
    expect(before.numa.nodes[0]!.cpus).toEqual([0, 1]);
    expect(before.numa.balancing).toBe(0);
    expect(before.cpu.gigantic1G).toBe(true);
  });
  it('reads THP knobs, khugepaged and per-size stats', () => {
    expect(before.thp).toMatchObject({ useZeroPage: 1, pmdSizeBytes: 2097152, shrinkUnderused: 1 });
    expect(before.thp.khugepaged).toMatchObject({
      pages_to_scan: 4096,
      max_ptes_none: 511,
      max_ptes_swap: 64,
      max_ptes_shared: 256,
    });
    const s2m = before.thp.sizes.find((s) => s.sizeKiB === 2048)!;
    expect(Object.keys(s2m.stats)).toEqual(expect.arrayContaining(['anon_fault_alloc', 'split', 'nr_anon', 'swpout']));
  });
  it('reads memory counters, buddyinfo and what a pool could still grow by', () => {
    expect(before.memory.meminfo!['Hugepagesize']).toBe(2048);
    expect(before.memory.vmstat!['nr_memmap_boot_pages']).toBe(80376);
    expect(before.memory.buddy!.map((z) => z.zone)).toEqual(['DMA', 'DMA32', 'Normal']);
    // Orders 9 (2 MiB) and 10 (4 MiB = two 2 MiB blocks) of each zone in the capture's /proc/buddyinfo.
    expect(before.hugetlb.growth!.free2MiBBlocks).toBe(1 + 3 * 2 + (2 + 752 * 2) + (5 + 1003 * 2));
  });
  it('knows what the kernel version implies', () => {
    expect(before.kernel.implies).toEqual({ thpAlignmentRegression: false, mthp: true, memmapCounters: true });
    expect(before.kernel.boot).toMatchObject({ hugepages: [], hugetlbFreeVmemmap: null });
  });
  it("raises only that the node's memory does not add up to MemTotal, before tuning and after", () => {
    // This VM's /proc/meminfo says 23.6 GiB while node0/meminfo holds 7.8 GiB (and nr_free_pages agrees with
    // the node): per-node figures cover a third of the memory, and the report says so.
    expect(before.findings.map((f) => f.id)).toEqual(['node-memory-partial']);
    expect(after.findings.map((f) => f.id)).toEqual(['node-memory-partial']);
    const f = before.findings[0]!;
    expect(f.detail).toMatch(/adds up to 7\.8 GiB, \/proc\/meminfo says 23\.6 GiB/);
    expect(f.evidence.map((e) => e.path)).toEqual(['/proc/meminfo', '/sys/devices/system/node/node0/meminfo']);
  });
  it('raises no diagnostic other than files this kernel does not have', () => {
    expect(before.diagnostics.filter((d) => d.problem !== 'missing')).toEqual([]);
  });
});

describe('real capture after tuning: -tuned', () => {
  it('sees the pools, HVO on and THP always', () => {
    expect(after.thp.enabled).toBe('always');
    expect(after.hvo.enabled).toBe(true);
    expect(after.hugetlb.pools.map((p) => [p.pageSizeKiB, p.total])).toEqual([
      [2048, 512],
      [1048576, 2],
    ]);
  });
  it('measures exactly what HVO freed: 7 pages per 2 MiB page, 4,095 per 1 GiB page', () => {
    expect(before.hvo.memmapPages! - after.hvo.memmapPages!).toBe(512 * 7 + 2 * 4095);
  });
});
