/**
 * The process parsers (maps, smaps_rollup, smaps, status, numa_maps), the mapping layout and the alignment
 * probe's analysis: checked against this machine's own /proc files read at test time (never against values
 * assumed for this host), and fuzzed with fast-check.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { anonRows, PMD_BYTES, summarizeVmas } from '../../shared/host/process/layout';
import { hexAddress, isAnonymous, parseMaps, type Vma } from '../../shared/host/process/maps';
import { nodeUsage, parseNumaMaps } from '../../shared/host/process/numa-maps';
import { analyzeProbe, newRanges } from '../../shared/host/process/probe';
import { parseSmaps, parseSmapsRollup, sumSmaps } from '../../shared/host/process/smaps';
import { parseStatus } from '../../shared/host/process/status';

const MIB2 = PMD_BYTES;
const hex = (n: number): string => n.toString(16).padStart(12, '0');
const mapsLine = (v: Vma): string =>
  `${hex(v.start)}-${hex(v.end)} ${v.perms} 00000000 ${v.inode === 0 ? '00:00' : '08:01'} ${v.inode}${v.path ? `${' '.repeat(10)}${v.path}` : ' '}`;
const anon = (start: number, sizeKiB: number, perms = 'rw-p'): Vma => ({
  start,
  end: start + sizeKiB * 1024,
  perms,
  inode: 0,
  path: '',
});

/** A process that does not change while it is read: `sleep`. */
let sleeper: ReturnType<typeof spawn>;
let pid = 0;
beforeAll(async () => {
  sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
  pid = sleeper.pid!;
  // Wait for the exec: until then /proc/PID shows the forked Node.
  await vi.waitFor(
    () => {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'sleep') throw new Error('not yet sleep');
    },
    { timeout: 10_000, interval: 20 },
  );
});
afterAll(() => sleeper?.kill());

describe('maps', () => {
  it('reads every line of this machine’s /proc/self/maps', () => {
    const text = readFileSync('/proc/self/maps', 'utf8');
    const p = parseMaps(text);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.value).toHaveLength(text.trim().split('\n').length);
    for (const v of p.value) {
      expect(v.end).toBeGreaterThan(v.start);
      // Page boundaries survive as exact numbers, even for the vsyscall page above 2^53.
      expect(v.start % 4096).toBe(0);
    }
  });

  it('keeps addresses above 2^53 exact', () => {
    expect(hexAddress('ffffffffff600000')).toBe(Number(BigInt('0xffffffffff600000')));
    expect(hexAddress('00ffffffffffe000')).toBe(Number(BigInt('0xffffffffffe000')));
  });

  it('round-trips random mappings and never throws on junk', () => {
    const arbVma = fc
      .record({
        page: fc.integer({ min: 1, max: 2 ** 35 }),
        pages: fc.integer({ min: 1, max: 1 << 20 }),
        perms: fc.constantFrom('rw-p', 'r--p', 'r-xp', '---p', 'rw-s'),
        inode: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1e9 })),
        path: fc.constantFrom('', '[heap]', '[stack]', '[anon:llama]', '/usr/lib/libc.so.6', '/models/a b.gguf'),
      })
      .map((r) => ({
        start: r.page * 4096,
        end: (r.page + r.pages) * 4096,
        perms: r.perms,
        inode: r.inode,
        path: r.path,
      }));
    fc.assert(
      fc.property(fc.array(arbVma, { maxLength: 30 }), (vmas) => {
        const p = parseMaps(vmas.map(mapsLine).join('\n') + '\n');
        expect(p).toEqual({ ok: true, value: vmas });
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (junk) => {
        const p = parseMaps(junk);
        expect(typeof p.ok).toBe('boolean');
      }),
    );
  });
});

describe('smaps_rollup, smaps and status of a real process', () => {
  it('smaps summed over its mappings gives smaps_rollup’s totals (a sleeping process does not change)', () => {
    const rollup = parseSmapsRollup(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    const smaps = parseSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
    expect(rollup.ok && smaps.ok).toBe(true);
    if (!rollup.ok || !smaps.ok) return;
    const summed = sumSmaps(smaps.value);
    for (const k of ['rssKiB', 'anonymousKiB', 'anonHugeKiB', 'filePmdKiB', 'shmemPmdKiB', 'hugetlbKiB'] as const)
      expect(summed[k], k).toBe(rollup.value[k]);
    // One smaps block per maps line, at the same addresses.
    const maps = parseMaps(readFileSync(`/proc/${pid}/maps`, 'utf8'));
    expect(maps.ok && smaps.value.map((v) => v.vma.start)).toEqual(maps.ok && maps.value.map((v) => v.start));
    expect(smaps.value.every((v) => v.kernelPageSizeKiB !== null && v.vmFlags.length > 0)).toBe(true);
  });

  it('status: Name, Pid, VmPTE and VmRSS as the kernel prints them', () => {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const st = parseStatus(text);
    expect(st.ok).toBe(true);
    if (!st.ok) return;
    expect(st.value.name).toBe('sleep');
    expect(st.value.pid).toBe(pid);
    expect(st.value.vmPteKiB).toBe(Number(/^VmPTE:\s+(\d+) kB$/m.exec(text)![1]));
    expect(st.value.vmRssKiB).toBe(Number(/^VmRSS:\s+(\d+) kB$/m.exec(text)![1]));
    expect(st.value.vmLckKiB).toBe(0);
  });

  it('numa_maps: one line per mapping, and its pages add up to the resident memory', (ctx) => {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/numa_maps`, 'utf8');
    } catch {
      return ctx.skip(true, 'this kernel has no numa_maps (built without NUMA)');
    }
    const nm = parseNumaMaps(text);
    const maps = parseMaps(readFileSync(`/proc/${pid}/maps`, 'utf8'));
    const rollup = parseSmapsRollup(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    expect(nm.ok && maps.ok && rollup.ok).toBe(true);
    if (!nm.ok || !maps.ok || !rollup.ok) return;
    // numa_maps leaves out the gate VMA ([vsyscall]), which belongs to no mm.
    expect(nm.value.map((v) => v.start)).toEqual(maps.value.filter((v) => v.path !== '[vsyscall]').map((v) => v.start));
    const total = nodeUsage(nm.value).reduce((a, r) => a + r.kib, 0);
    // numa_maps does not count the kernel's own pages mapped into every process (vdso, vvar, vsyscall).
    const smaps = parseSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
    expect(smaps.ok).toBe(true);
    if (!smaps.ok) return;
    const special = /^\[(vdso|vvar.*|vsyscall)\]$/;
    const rss = smaps.value.filter((v) => !special.test(v.vma.path)).reduce((a, v) => a + (v.fields.Rss ?? 0), 0);
    expect(total).toBe(rss);
  });

  it('fuzzed: smaps_rollup and status round-trip, and junk never throws', () => {
    const names = [
      'Rss',
      'Pss',
      'Anonymous',
      'AnonHugePages',
      'ShmemPmdMapped',
      'FilePmdMapped',
      'Shared_Hugetlb',
      'Private_Hugetlb',
      'Locked',
      'Swap',
    ];
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 2 ** 40 }), { minLength: names.length, maxLength: names.length }), (vals) => {
        const text =
          '557c0840e000-7ffd72d32000 ---p 00000000 00:00 0                          [rollup]\n' +
          names.map((n, i) => `${`${n}:`.padEnd(16)} ${String(vals[i]).padStart(8)} kB`).join('\n') +
          '\n';
        const p = parseSmapsRollup(text);
        expect(p.ok).toBe(true);
        if (!p.ok) return;
        expect(p.value.rssKiB).toBe(vals[0]);
        expect(p.value.anonHugeKiB).toBe(vals[3]);
        expect(p.value.hugetlbKiB).toBe(vals[6]! + vals[7]!);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (junk) => {
        expect(typeof parseSmapsRollup(junk).ok).toBe('boolean');
        expect(typeof parseSmaps(junk).ok).toBe('boolean');
        expect(typeof parseStatus(junk).ok).toBe('boolean');
        expect(typeof parseNumaMaps(junk).ok).toBe('boolean');
      }),
    );
  });

  it('a field a kernel does not print is null, not 0 (an old kernel without FilePmdMapped)', () => {
    const p = parseSmapsRollup('Rss: 100 kB\nAnonymous: 40 kB\nAnonHugePages: 0 kB\n');
    expect(p.ok && p.value.filePmdKiB).toBe(null);
    expect(p.ok && p.value.hugetlbKiB).toBe(null);
    expect(parseSmapsRollup('Pss: 1 kB\n').ok).toBe(false);
  });
});

describe('numa_maps', () => {
  it('counts HugeTLB pages in huge page units and everything else in base pages, per node', () => {
    const text = [
      '7f0000000000 bind:1 file=/anon_hugepage\\040(deleted) huge anon=4 dirty=4 N1=4 kernelpagesize_kB=2048',
      '7f1000000000 default anon=512 dirty=512 N0=256 N1=256 kernelpagesize_kB=4',
      '7f2000000000 default file=/models/llama\\0403.gguf mapped=1000 N0=1000 kernelpagesize_kB=4',
      '7f3000000000 interleave:0-1 heap anon=10 dirty=10 N0=10 kernelpagesize_kB=4',
      '7f4000000000 default',
    ].join('\n');
    const p = parseNumaMaps(text);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.value.map((v) => v.backing)).toEqual(['hugetlb', 'anon', 'file', 'anon', 'anon']);
    expect(p.value[2]!.file).toBe('/models/llama\\0403.gguf');
    expect(nodeUsage(p.value)).toEqual([
      { node: 0, pageSizeKiB: 4, backing: 'anon', kib: 1064 },
      { node: 0, pageSizeKiB: 4, backing: 'file', kib: 4000 },
      { node: 1, pageSizeKiB: 2048, backing: 'hugetlb', kib: 8192 },
      { node: 1, pageSizeKiB: 4, backing: 'anon', kib: 1024 },
    ]);
  });

  it('fuzzed: node counts round-trip', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            nodes: fc.dictionary(fc.integer({ min: 0, max: 7 }).map(String), fc.nat({ max: 1e7 }), { maxKeys: 4 }),
            huge: fc.boolean(),
            kps: fc.constantFrom(4, 2048, 1048576),
          }),
          { maxLength: 20 },
        ),
        (rows) => {
          const text = rows
            .map((r, i) =>
              `${(0x7f0000000000 + i * 0x1000000).toString(16)} default${r.huge ? ' huge' : ''} ${Object.entries(
                r.nodes,
              )
                .map(([n, c]) => `N${n}=${c}`)
                .join(' ')} kernelpagesize_kB=${r.kps}`.replace(/ +/g, ' '),
            )
            .join('\n');
          const p = parseNumaMaps(text);
          expect(p.ok).toBe(true);
          if (!p.ok) return;
          const want = rows.reduce((a, r) => a + Object.values(r.nodes).reduce((b, c) => b + c, 0) * r.kps, 0);
          expect(nodeUsage(p.value).reduce((a, r) => a + r.kib, 0)).toBe(want);
        },
      ),
    );
  });
});

describe('the alignment regression pattern in a layout', () => {
  const top = 0x7f0000000000;
  /** n mappings of sizeKiB placed top-down as a kernel would: back to back, or each on a 2 MiB boundary. */
  function placed(n: number, sizeKiB: number, aligned: boolean): Vma[] {
    const out: Vma[] = [];
    let ceiling = top;
    for (let i = 0; i < n; i++) {
      let start = ceiling - sizeKiB * 1024;
      if (aligned) start -= start % MIB2;
      out.push(anon(start, sizeKiB));
      ceiling = start;
    }
    return out;
  }

  it('an affected kernel’s placement: every odd-length mapping aligned, a 1512 KiB gap below each', () => {
    const s = summarizeVmas(placed(8, 4632, true));
    expect(s).toMatchObject({ anonCount: 8, largeCount: 8, alignedCount: 8, oddAlignedCount: 8, gapCount: 7 });
    expect(s.gapKiB).toBe(7 * 1512);
    expect(s.pattern).toBe(true);
  });

  it('a fixed kernel’s placement (back to back, no gaps) is not the pattern', () => {
    const s = summarizeVmas(placed(8, 4632, false));
    expect(s.gapCount).toBe(0);
    expect(s.pattern).toBe(false);
  });

  it('fuzzed: the counts are consistent with each other and with the rows', () => {
    const arb = fc.array(
      fc.record({
        page: fc.integer({ min: 1, max: 2 ** 34 }),
        pages: fc.integer({ min: 1, max: 8192 }),
        anon: fc.boolean(),
      }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(arb, (rows) => {
        // Non-overlapping: lay them out in order with the generated sizes as holes and lengths.
        let at = 0x10000000;
        const vmas: Vma[] = rows.map((r) => {
          at += (r.page % 1024) * 4096;
          const v: Vma = r.anon
            ? anon(at, r.pages * 4)
            : { start: at, end: at + r.pages * 4096, perms: 'r--p', inode: 7, path: '/lib/x.so' };
          at = v.end;
          return v;
        });
        const s = summarizeVmas(vmas);
        expect(s.alignedCount).toBeLessThanOrEqual(s.largeCount);
        expect(s.largeCount).toBeLessThanOrEqual(s.anonCount);
        expect(s.oddAlignedCount).toBeLessThanOrEqual(s.alignedCount);
        expect(s.gapCount).toBeLessThan(Math.max(1, s.anonCount));
        expect(s.gapKiB).toBeLessThan(s.gapCount * 2048 + 1);
        if (s.pattern) expect(s.oddAlignedCount >= 2 && s.gapCount >= 1).toBe(true);
        const r = anonRows(vmas);
        expect(r.rows).toHaveLength(s.anonCount);
        expect(r.rows.reduce((a, x) => a + x.gapAfterKiB, 0)).toBe(s.gapKiB);
        expect(r.rows.filter((x) => x.sizeKiB >= 2048 && x.aligned)).toHaveLength(s.alignedCount);
      }),
    );
  });

  it('only anonymous private mappings count (named ones too)', () => {
    expect(isAnonymous(anon(0x1000, 4))).toBe(true);
    expect(isAnonymous({ ...anon(0x1000, 4), path: '[anon:kv]' })).toBe(true);
    expect(isAnonymous({ ...anon(0x1000, 4), path: '[stack]' })).toBe(false);
    expect(isAnonymous({ ...anon(0x1000, 4), perms: 'rw-s' })).toBe(false);
  });
});

describe('the alignment probe’s analysis', () => {
  const before: Vma[] = [
    anon(0x7f0000000000, 132),
    { ...anon(0x7e0000000000, 8), perms: 'r--p', inode: 3, path: '/x' },
  ];
  const S = 4632;

  it('fixed kernel: the new mappings merged into one region, split back into eight, none aligned', () => {
    // Placed below the existing anonymous VMA and merged with it (one VMA in `after`).
    const base = 0x7f0000000000 - 8 * S * 1024;
    const after: Vma[] = [anon(base, 8 * S + 132), before[1]!];
    const r = analyzeProbe(newRanges(before, after), S, 8, '6.12.0');
    expect(typeof r).toBe('object');
    if (typeof r === 'string') return;
    expect(r.total).toBe(8);
    expect(r.gapsKiB).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(r.aligned).toBe(base % MIB2 === 0 ? 1 : 0);
    expect(r.affected).toBe(false);
  });

  it('affected kernel: eight separate aligned mappings with 1512 KiB holes', () => {
    const after: Vma[] = [...before];
    let ceiling = 0x7f0000000000;
    for (let i = 0; i < 8; i++) {
      const start = ceiling - S * 1024 - ((ceiling - S * 1024) % MIB2);
      after.push(anon(start, S));
      ceiling = start;
    }
    const r = analyzeProbe(newRanges(before, after), S, 8, '6.8.0');
    expect(r).toMatchObject({ affected: true, aligned: 8, total: 8, gapsKiB: Array(7).fill(1512) });
  });

  it('says so when the helper’s allocator did not map them one by one', () => {
    const r = analyzeProbe(newRanges(before, [...before, anon(0x600000000000, 3 * S + 4)]), S, 8, null);
    expect(typeof r).toBe('string');
    expect(r).toMatch(/found 0 new anonymous regions of 4,632 KiB where the helper made 8/);
  });
});
