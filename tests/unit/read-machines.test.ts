/** The readers on kernels and machines not captured in fixtures/hosts (trees written to each kernel's formats). */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryFiles } from '../../shared/host/files';
import { parseInterrupts } from '../../shared/host/parse/interrupts';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';
import { buildTree, interrupts256, TREES, type TreeSpec } from '../fixtures/trees';
import { CLI, VM } from '../helpers';

const report = (spec: TreeSpec, edit: (f: Record<string, string>) => void = () => {}) => {
  const files = buildTree(spec);
  edit(files);
  return buildReport(readHost(MemoryFiles.fromTexts({ kind: 'sim', label: spec.release }, files)));
};
const ids = (r: ReturnType<typeof report>) => r.findings.map((f) => f.id).sort();

describe('arm64 workstation (6.8, 64k-page distro kernel naming, no TLB row, no HVO)', () => {
  const r = report(TREES.arm64);
  it('says TLB shootdowns are not counted, and why', () => {
    expect(r.tlb).toMatchObject({ available: false, total: null, perCpu: [] });
    expect(r.tlb.reason).toMatch(/broadcast TLBI/);
  });
  it('reads its pool sizes, and that HVO is not available on arm64 since 6.3', () => {
    expect(r.hugetlb.pools.map((p) => p.pageSizeKiB)).toEqual([2048, 32768, 1048576]);
    expect(r.hvo).toMatchObject({ compiled: false, enabled: false, archSupported: false, memmapPages: null });
    expect(r.cpu.gigantic1G).toBe(true);
    // A 6.8 kernel on arm64 is in the alignment regression range too.
    expect(ids(r)).toEqual(['thp-alignment-regression']);
  });
});

describe("RHEL 8's 4.18", () => {
  const r = report(TREES.rhel8);
  it('takes the architecture from the release when kernel.arch is missing', () => {
    expect(r.kernel.arch).toBe('x86_64');
    expect(r.kernel.version).toEqual({ major: 4, minor: 18, patch: 0 });
  });
  it('has no mTHP sizes, no HVO and no memmap counters, and says so as null/false, not 0', () => {
    expect(r.thp).toMatchObject({ present: true, enabled: 'always', sizes: [], shrinkUnderused: null });
    expect(r.kernel.implies).toEqual({ thpAlignmentRegression: false, mthp: false, memmapCounters: false });
    expect(r.hvo).toMatchObject({ compiled: false, enabled: false, memmapPages: null });
  });
  it('reads a bare hugepages= as the default size', () => {
    expect(r.kernel.boot!.hugepages).toEqual([{ pageSizeKiB: 2048, count: 1024, perNode: null }]);
    expect(r.hugetlb.pools[0]).toMatchObject({ pageSizeKiB: 2048, total: 1024 });
  });
});

describe("Ubuntu 22.04's 5.15 (HVO by config and boot switch, before the sysctl)", () => {
  const r = report(TREES.jammy);
  it('finds HVO built in (old config name) and on from the command line', () => {
    expect(r.hvo).toMatchObject({ compiled: true, enabled: true, bootParam: 'on', archSupported: true });
  });
});

describe("Ubuntu 24.04's 6.8", () => {
  const r = report(TREES.noble);
  it('is inside the THP alignment regression and says distribution kernels may differ', () => {
    expect(r.kernel.implies.thpAlignmentRegression).toBe(true);
    const f = r.findings.find((x) => x.id === 'thp-alignment-regression')!;
    expect(f.severity).toBe('warning');
    expect(f.detail).toMatch(/Distribution kernels may carry/);
    expect(f.evidence).toEqual([{ path: '/proc/sys/kernel/osrelease', value: '6.8.0-45-generic' }]);
  });
  it('flags HVO off with a 4,096 × 2 MiB pool and the exact saving (7 pages of 4 KiB each)', () => {
    const f = r.findings.find((x) => x.id === 'hvo-off-with-pools')!;
    // Sizes and counts as the tables beside the finding show them.
    expect(f.detail).toContain('give back 112 MiB of struct page memory for 4,096 × 2 MiB');
    expect(f.detail).toContain('7 of 8 vmemmap pages');
    expect(f.evidence).toContainEqual({
      path: '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages',
      value: '4096',
    });
  });
  it('has mTHP sizes but no per-size stats yet', () => {
    expect(r.thp.sizes.map((s) => s.sizeKiB)).toEqual([16, 32, 64, 128, 256, 512, 1024, 2048]);
    expect(r.thp.sizes.every((s) => Object.keys(s.stats).length === 0)).toBe(true);
  });
});

describe('dual-socket server with per-node 1 GiB pools reserved at boot', () => {
  const r = report(TREES.twoSocket);
  it('reads both nodes, their CPUs, memory and distances', () => {
    expect(r.numa.nodes.map((n) => [n.id, n.cpus?.length, n.memTotalKiB, n.distances])).toEqual([
      [0, 48, 384 * 1048576, [10, 21]],
      [1, 48, 384 * 1048576, [21, 10]],
    ]);
    expect(r.numa.balancingMeaning).toMatch(/^normal/);
  });
  it('reads the per-node boot form and the per-node pools', () => {
    expect(r.kernel.boot!.hugepages).toEqual([{ pageSizeKiB: 1048576, count: 400, perNode: { 0: 200, 1: 200 } }]);
    expect(r.kernel.boot!.defaultHugepageSizeKiB).toBe(2048);
    expect(r.hugetlb.pools[1]!.nodes.map((n) => n.total)).toEqual([200, 200]);
    expect(r.tlb.perCpu).toHaveLength(96);
    expect(ids(r)).toEqual([]);
  });
});

describe('tiered machine: DRAM plus a CPU-less CXL node', () => {
  const r = report(TREES.cxl);
  it('sees the CPU-less node and the tiers, and explains what tiering does to model memory', () => {
    expect(r.numa.nodes.map((n) => n.cpuless)).toEqual([false, true]);
    expect(r.numa.tiers).toEqual([
      { id: 4, nodes: [0] },
      { id: 22, nodes: [1] },
    ]);
    expect(ids(r)).toEqual(['tiering-demotion']);
  });
});

describe('other findings', () => {
  it('1 GiB pages asked for on a CPU without pdpe1gb', () => {
    const r = report({
      ...TREES.twoSocket,
      cpuFlags: 'fpu pse tsc msr pae lm',
      pools: [{ sizeKiB: 2048, perNode: [0, 0] }],
    });
    expect(ids(r)).toContain('no-1g-pages');
    expect(r.cpu.gigantic1G).toBe(false);
  });
  it('THP never', () => {
    expect(ids(report({ ...TREES.rhel8, thp: { ...TREES.rhel8.thp, enabled: 'never' } }))).toContain('thp-never');
  });
  it('fragmented free memory', () => {
    const r = report(TREES.noble, (f) => {
      f['/proc/buddyinfo'] = 'Node 0, zone   Normal 900000 400000 100000 5000 100 10 2 1 0 0 0\n';
    });
    expect(ids(r)).toContain('pool-growth-fragmented');
    expect(r.hugetlb.growth!.free2MiBBlocks).toBe(0);
    const f = r.findings.find((x) => x.id === 'pool-growth-fragmented')!;
    // 8,568,704 KiB free: 8.2 GiB, as a memory cell shows it, and grouped counts.
    expect(f.detail).toMatch(/^8\.2 GiB is free, but only 0 KiB of it/);
    expect(f.evidence[0]!.value).toBe('0 free 2 MiB blocks of 4,183 possible');
  });
  it('pools reserved at boot while HVO is only turned on later', () => {
    const r = report({ ...TREES.twoSocket, cmdline: 'ro hugepagesz=1G hugepages=0:200,1:200' });
    expect(ids(r)).toContain('hvo-pool-not-optimized');
  });
  it('reads nothing after a bare -- as a boot reservation: those words are for init', () => {
    const r = report({
      ...TREES.noble,
      cmdline: 'BOOT_IMAGE=/boot/vmlinuz-6.8.0-45-generic root=UUID=2b7e ro quiet splash -- hugepages=512 single',
    });
    expect(r.kernel.boot?.hugepages).toEqual([]);
    expect(r.kernel.cmdline?.['hugepages']).toBeUndefined();
    expect(r.kernel.cmdline?.['splash']).toBe(true);
    expect(r.kernel.initArgs).toEqual(['hugepages=512', 'single']);
  });
});

describe('a 256-CPU /proc/interrupts with CPUs offline', () => {
  it('maps each column to its CPU from the header', () => {
    const { text, cpus } = interrupts256();
    const p = parseInterrupts(text);
    if (!p.ok) throw new Error(p.reason);
    expect(p.value.cpus).toEqual(cpus);
    expect(cpus).toHaveLength(256);
    const tlb = p.value.rows.get('TLB')!;
    expect(tlb.perCpu![100]).toBe(104 * 1000); // column 100 is CPU 104
    expect(p.value.rows.get('ERR')).toMatchObject({ perCpu: null, total: 0 });
  });
});

describe('containers and partial trees', () => {
  it('no /sys at all: THP and pools are unknown, not absent, and the report says why', () => {
    const r = report(TREES.noble, (f) => {
      for (const k of Object.keys(f)) if (k.startsWith('/sys/')) delete f[k];
    });
    expect(r.thp.present).toBeNull();
    expect(r.hugetlb.pools).toEqual([]);
    expect(r.numa.nodes).toEqual([]);
    expect(r.diagnostics).toContainEqual(expect.objectContaining({ path: '/sys/kernel/mm', problem: 'missing' }));
    expect(r.kernel.release).toBe('6.8.0-45-generic');
  });
  it('a /sys with mm/ but no THP directory: a kernel built without THP', () => {
    const r = report({ ...TREES.noble, thp: null });
    expect(r.thp.present).toBe(false);
  });
});

/**
 * Mode bits only stop a user without CAP_DAC_OVERRIDE. As root, the CLI runs as nobody through setpriv; as
 * anyone else it runs as is. Root without setpriv cannot see EACCES at all.
 */
const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;

describe('a user without permission (EACCES on a real file system)', () => {
  let root = '';
  const locked = [
    'sys/kernel/mm/transparent_hugepage/enabled',
    'proc/interrupts',
    'sys/kernel/mm/hugepages/hugepages-1048576kB',
  ];
  afterAll(() => {
    if (!root) return;
    // A directory with mode 000 cannot be emptied by a user who is not root: give the modes back first.
    for (const path of locked) if (existsSync(join(root, path))) chmodSync(join(root, path), 0o755);
    rmSync(root, { recursive: true, force: true });
  });

  it('reports the unreadable files as denied and still reads the rest (as nobody through setpriv when root)', (ctx) => {
    ctx.skip(isRoot && !hasSetpriv, 'runs as root and setpriv is missing: root reads files of any mode');
    root = mkdtempSync(join(tmpdir(), 'hugetune-eacces-'));
    cpSync(VM, root, { recursive: true });
    for (const path of locked) chmodSync(join(root, path), 0o000);
    chmodSync(root, 0o755);
    const argv = [process.execPath, CLI, 'report', '--json', '--root', root];
    const opts = { encoding: 'utf8', timeout: 60_000 } as const; // a hang guard only
    const r = isRoot
      ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...argv], opts)
      : spawnSync(argv[0]!, argv.slice(1), opts);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as ReturnType<typeof report>;
    expect(j.thp.enabled).toBeNull();
    expect(j.thp.defrag).toBe('madvise');
    expect(j.tlb.available).toBe(false);
    expect(j.diagnostics.filter((d) => d.problem === 'denied').map((d) => d.path)).toEqual(
      expect.arrayContaining(['/sys/kernel/mm/transparent_hugepage/enabled', '/proc/interrupts']),
    );
    expect(j.hugetlb.pools.find((p) => p.pageSizeKiB === 1048576)?.total ?? null).toBeNull();
  });
});
