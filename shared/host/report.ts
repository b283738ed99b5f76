/**
 * The report: HostState flattened into the stable JSON shape that `hugetune report --json`, the API and the
 * UI all use. Keys here are a public contract: add, never rename. A value the kernel does not provide is
 * null, never 0.
 */
import { findings, type Finding, type FindingExtras } from '../advise/findings';
import { hasMemmapCounters, hasMthp, inThpAlignmentRegression, numaBalancingMeaning } from '../kernel/facts';
import type { KernelVersion } from '../kernel/version';
import type { BootParams } from './boot';
import type { SourceInfo } from './files';
import { freeBlocksOf, freeKiB, type BuddyZone } from './parse/buddyinfo';
import { cmdlineObject } from './parse/cmdline';
import type { HugetlbfsMount } from './parse/mounts';
import type { Diagnostic } from './reading';
import type { CgroupHugetlbLimit, CpuCount, HostState, IpiRow, MemoryTier, ThpSize } from './state';

export interface ReportPool {
  pageSizeKiB: number;
  total: number | null;
  free: number | null;
  reserved: number | null;
  surplus: number | null;
  overcommit: number | null;
  mempolicy: number | null;
  nodes: { node: number; total: number | null; free: number | null; surplus: number | null }[];
}

export interface Report {
  source: SourceInfo;
  kernel: {
    release: string | null;
    version: KernelVersion | null;
    arch: string | null;
    cmdline: Record<string, string | true | (string | true)[]> | null;
    /** What /proc/cmdline holds after a bare `--`: arguments for init, not kernel parameters. */
    initArgs: string[] | null;
    boot: BootParams | null;
    /** What the upstream version implies; distribution kernels may differ. */
    implies: { thpAlignmentRegression: boolean | null; mthp: boolean | null; memmapCounters: boolean | null };
  };
  thp: {
    present: boolean | null;
    enabled: string | null;
    defrag: string | null;
    shmemEnabled: string | null;
    useZeroPage: number | null;
    pmdSizeBytes: number | null;
    shrinkUnderused: number | null;
    khugepaged: Record<string, number>;
    sizes: ThpSize[];
  };
  hugetlb: {
    defaultPageSizeKiB: number | null;
    pools: ReportPool[];
    mounts: HugetlbfsMount[] | null;
    shmGroup: number | null;
    /** From /proc/buddyinfo: what a runtime pool could still get without compaction. */
    growth: { freeKiB: number; free2MiBBlocks: number } | null;
  };
  hvo: {
    compiled: boolean | null;
    enabled: boolean | null;
    memmapPages: number | null;
    sysctl: number | null;
    bootParam: string | null;
    archSupported: boolean | null;
    archNote: string;
  };
  memory: {
    totalKiB: number | null;
    availableKiB: number | null;
    meminfo: Record<string, number> | null;
    vmstat: Record<string, number> | null;
    buddy: BuddyZone[] | null;
  };
  tlb: {
    available: boolean;
    reason: string | null;
    total: number | null;
    /** How many CPUs /proc/interrupts counts for: the length of `perCpu`, also when that was left out. */
    cpus: number;
    /** Shootdowns per CPU since boot; empty in a report made without per-CPU detail (`withoutPerCpu`). */
    perCpu: CpuCount[];
    res: IpiRow | null;
    cal: IpiRow | null;
  };
  numa: {
    nodes: {
      id: number;
      cpus: number[] | null;
      memTotalKiB: number | null;
      memFreeKiB: number | null;
      distances: number[] | null;
      /** A node with memory and no CPUs: typical of CXL memory expanders. */
      cpuless: boolean;
    }[];
    tiers: MemoryTier[];
    balancing: number | null;
    balancingMeaning: string | null;
    promoteRateLimitMBps: number | null;
    demotionEnabled: boolean | null;
  };
  cpu: { gigantic1G: boolean | null };
  /** HugeTLB limits of the cgroup this view runs in (a container's); empty on a host. */
  cgroup: { hugetlb: CgroupHugetlbLimit[] };
  findings: Finding[];
  diagnostics: Diagnostic[];
}

const obj = (m: ReadonlyMap<string, number> | null): Record<string, number> | null =>
  m ? Object.fromEntries(m) : null;

export function buildReport(h: HostState, extra: FindingExtras = {}): Report {
  const v = h.kernel.version;
  return {
    source: h.source,
    kernel: {
      release: h.kernel.release,
      version: v,
      arch: h.kernel.arch,
      cmdline: h.kernel.cmdline ? cmdlineObject(h.kernel.cmdline) : null,
      initArgs: h.kernel.initArgs ? [...h.kernel.initArgs] : null,
      boot: h.kernel.boot,
      implies: {
        thpAlignmentRegression: v ? inThpAlignmentRegression(v) : null,
        mthp: v ? hasMthp(v) : null,
        memmapCounters: v ? hasMemmapCounters(v) : null,
      },
    },
    thp: {
      present: h.thp.present,
      enabled: h.thp.enabled?.selected ?? null,
      defrag: h.thp.defrag?.selected ?? null,
      shmemEnabled: h.thp.shmemEnabled?.selected ?? null,
      useZeroPage: h.thp.useZeroPage,
      pmdSizeBytes: h.thp.pmdSizeBytes,
      shrinkUnderused: h.thp.shrinkUnderused,
      khugepaged: { ...h.thp.khugepaged },
      sizes: h.thp.sizes.map((x) => ({ ...x, stats: { ...x.stats } })),
    },
    hugetlb: {
      defaultPageSizeKiB: h.hugetlb.defaultPageSizeKiB,
      pools: h.hugetlb.pools.map((p) => ({
        pageSizeKiB: p.pageSizeKiB,
        total: p.total,
        free: p.free,
        reserved: p.reserved,
        surplus: p.surplus,
        overcommit: p.overcommit,
        mempolicy: p.mempolicy,
        nodes: p.nodes.map((n) => ({ node: n.node, total: n.total, free: n.free, surplus: n.surplus })),
      })),
      mounts: h.hugetlb.mounts ? [...h.hugetlb.mounts] : null,
      shmGroup: h.hugetlb.shmGroup,
      growth: h.memory.buddy
        ? { freeKiB: freeKiB(h.memory.buddy), free2MiBBlocks: freeBlocksOf(h.memory.buddy, 2048) }
        : null,
    },
    hvo: { ...h.hvo },
    memory: {
      totalKiB: h.memory.totalKiB,
      availableKiB: h.memory.availableKiB,
      meminfo: obj(h.memory.meminfo),
      vmstat: obj(h.memory.vmstat),
      buddy: h.memory.buddy ? [...h.memory.buddy] : null,
    },
    tlb: {
      available: h.tlb.available,
      reason: h.tlb.reason,
      total: h.tlb.total,
      cpus: h.tlb.perCpu.length,
      perCpu: h.tlb.perCpu.map((c) => ({ ...c })),
      res: h.tlb.res,
      cal: h.tlb.cal,
    },
    numa: {
      nodes: h.numa.nodes.map((n) => ({
        id: n.id,
        cpus: n.cpus ? [...n.cpus] : null,
        memTotalKiB: n.memTotalKiB,
        memFreeKiB: n.memFreeKiB,
        distances: n.distances ? [...n.distances] : null,
        cpuless: n.cpus !== null && n.cpus.length === 0 && (n.memTotalKiB ?? 0) > 0,
      })),
      tiers: [...h.numa.tiers],
      balancing: h.numa.balancing,
      balancingMeaning: h.numa.balancing === null ? null : numaBalancingMeaning(h.numa.balancing),
      promoteRateLimitMBps: h.numa.promoteRateLimitMBps,
      demotionEnabled: h.numa.demotionEnabled,
    },
    // 1 GiB HugeTLB pages need the x86 `pdpe1gb` flag; elsewhere the pool directory tells.
    cpu: {
      gigantic1G:
        h.hugetlb.pools.some((p) => p.pageSizeKiB === 1048576) ||
        (h.cpuFlags === null ? null : h.kernel.arch === 'x86_64' ? h.cpuFlags.has('pdpe1gb') : false),
    },
    cgroup: { hugetlb: h.cgroupHugetlb.map((x) => ({ ...x })) },
    findings: findings(h, extra),
    diagnostics: [...h.diagnostics],
  };
}

/**
 * The report without its per-CPU interrupt counts (TLB shootdowns, RES and CAL), totals and CPU count kept.
 * The window shows only totals and how many CPUs there are; at 4,096 CPUs the per-CPU rows are nine tenths
 * of the report, and the live monitor brings its own.
 */
export function withoutPerCpu(r: Report): Report {
  const row = (x: IpiRow | null): IpiRow | null => (x ? { total: x.total, perCpu: [] } : null);
  return { ...r, tlb: { ...r.tlb, perCpu: [], res: row(r.tlb.res), cal: row(r.tlb.cal) } };
}
