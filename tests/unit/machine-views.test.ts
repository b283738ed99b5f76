/** The arithmetic behind the machine views: memory composition and how far a pool can grow per node. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryComposition } from '../../shared/host/composition';
import { parseBuddyinfo } from '../../shared/host/parse/buddyinfo';
import { freePagesNow, poolGrowth } from '../../shared/host/pool-growth';
import { buildReport } from '../../shared/host/report';
import { readHost } from '../../shared/host/read/index';
import { fixtureFiles, VM_TUNED } from '../helpers';

const tuned = buildReport(readHost(fixtureFiles(VM_TUNED)));

describe('memoryComposition', () => {
  it('splits the tuned VM: the pools by size, and parts that add up to MemTotal', () => {
    const c = memoryComposition(tuned.memory.meminfo, tuned.hugetlb.pools)!;
    expect(c.totalKiB).toBe(tuned.memory.totalKiB);
    expect(c.parts.filter((p) => p.kind === 'hugetlb').map((p) => p.kib)).toEqual([512 * 2048, 2 * 1048576]);
    expect(c.parts.reduce((a, p) => a + p.kib!, 0)).toBe(c.totalKiB);
    expect(c.parts.find((p) => p.kind === 'free')!.kib).toBe(tuned.memory.meminfo!['MemFree']);
  });

  it('a part whose meminfo line is missing is unknown, not 0, and "used" says it holds that memory', () => {
    const c = memoryComposition({ MemTotal: 1000, MemFree: 400, AnonHugePages: 100 }, [])!;
    const kib = (kind: string) => c.parts.find((p) => p.kind === kind)!.kib;
    expect(kib('pagetables')).toBeNull();
    expect(kib('cache')).toBeNull();
    expect(kib('thp')).toBe(100);
    expect(kib('used')).toBe(500);
    expect(c.parts.find((p) => p.kind === 'used')!.label).toMatch(/page cache, page tables: not in \/proc\/meminfo/);
    // Before 6.0 there is no SecPageTables line, and no secondary page tables to count.
    const old = memoryComposition({ MemTotal: 1000, MemFree: 400, Buffers: 0, Cached: 0, PageTables: 8 }, [])!;
    expect(old.parts.find((p) => p.kind === 'pagetables')!.kib).toBe(8);
    expect(old.parts.find((p) => p.kind === 'used')!.label).toMatch(/anonymous THP: not in/);
  });

  it('says nothing rather than guess when MemTotal is missing', () => {
    expect(memoryComposition(null, [])).toBeNull();
    expect(memoryComposition({ MemFree: 10 }, [])).toBeNull();
  });

  it('for any counters, parts are never negative and add up to MemTotal', () => {
    const kib = fc.integer({ min: 0, max: 2 ** 40 });
    fc.assert(
      fc.property(
        fc.record({ MemTotal: fc.integer({ min: 1, max: 2 ** 40 }), MemFree: kib, Buffers: kib, Cached: kib }),
        kib,
        kib,
        fc.array(fc.record({ size: fc.constantFrom(2048, 1048576), pages: fc.integer({ min: 0, max: 4096 }) }), {
          maxLength: 2,
        }),
        (base, anon, pt, pools) => {
          const meminfo = {
            ...base,
            MemFree: Math.min(base.MemFree, base.MemTotal),
            AnonHugePages: anon,
            PageTables: pt,
          };
          const c = memoryComposition(
            meminfo,
            pools.map((p) => ({
              pageSizeKiB: p.size,
              total: p.pages,
              free: 0,
              reserved: 0,
              surplus: 0,
              overcommit: 0,
              mempolicy: null,
              nodes: [],
            })),
          )!;
          expect(c.parts.every((p) => p.kib !== null && p.kib >= 0)).toBe(true);
          expect(c.parts.reduce((a, p) => a + p.kib!, 0)).toBe(meminfo.MemTotal);
        },
      ),
    );
  });
});

describe('poolGrowth', () => {
  const zones = parseBuddyinfo(
    [
      'Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3',
      'Node 0, zone    DMA32      2      2      4      2      5      4      3      3      4      2    240',
      'Node 0, zone   Normal   2047   2893    790    156    315    275     64     24     12      2    748',
      'Node 1, zone   Normal      0      0      0      0      0      0      0      0      0      5      0',
    ].join('\n'),
  );
  if (!zones.ok) throw new Error('fixture buddyinfo did not parse');

  it('counts free blocks of at least the page size, each big block giving 2^(k-n) pages', () => {
    // 2 MiB = order 9: per zone, order-9 blocks + 2 × order-10 blocks: 7 + 482 + 1498.
    const g = poolGrowth(zones.value, [2048, 1048576]);
    expect(g.find((x) => x.node === 0 && x.pageSizeKiB === 2048)!.now).toBe(1987);
    expect(g.find((x) => x.node === 1 && x.pageSizeKiB === 2048)!.now).toBe(5);
  });

  it('gives gigantic pages no "now" figure, only the upper bound of free memory', () => {
    const g = poolGrowth(zones.value, [1048576]);
    const n1 = g.find((x) => x.node === 1)!;
    expect(n1.now).toBeNull();
    expect(n1.freeKiB).toBe(5 * 2048);
    expect(n1.upperBound).toBe(0);
  });

  it('counts in base pages of the architecture: 64 KiB pages make order 0 a 64 KiB block', () => {
    const one = parseBuddyinfo('Node 0, zone Normal 0 0 0 0 0 1 0 0 0 0 0 0 0 0');
    if (!one.ok) throw new Error('did not parse');
    // An order-5 block of 64 KiB pages is 2 MiB: one 2 MiB page, 32 pages of 64 KiB.
    expect(freePagesNow(one.value, 2048, 64)).toBe(1);
    expect(freePagesNow(one.value, 64, 64)).toBe(32);
  });

  it('agrees with the report on the real capture', () => {
    const g = poolGrowth(tuned.memory.buddy!, [2048]);
    expect(g.reduce((a, x) => a + x.now!, 0)).toBe(tuned.hugetlb.growth!.free2MiBBlocks);
  });
});
