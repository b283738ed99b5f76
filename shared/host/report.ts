/**
 * The report: HostState flattened into the stable JSON shape that `hugetune report --json`, the API and the
 * Overview all use. Keys here are a public contract; add, never rename.
 */
import { cmdlineObject } from './parse/cmdline';
import type { SourceInfo } from './files';
import type { Diagnostic } from './reading';
import type { CpuCount, HostState, ThpSize } from './state';

export interface ReportPool {
  pageSizeKiB: number;
  total: number | null;
  free: number | null;
  reserved: number | null;
  surplus: number | null;
  overcommit: number | null;
  nodes: { node: number; total: number | null; free: number | null }[];
}

export interface Report {
  source: SourceInfo;
  kernel: {
    release: string | null;
    arch: string | null;
    cmdline: Record<string, string | true | (string | true)[]> | null;
  };
  thp: {
    present: boolean;
    enabled: string | null;
    defrag: string | null;
    shmemEnabled: string | null;
    sizes: ThpSize[];
  };
  hugetlb: { defaultPageSizeKiB: number | null; pools: ReportPool[] };
  hvo: { compiled: boolean | null; enabled: boolean | null; memmapPages: number | null };
  memory: { totalKiB: number | null; availableKiB: number | null };
  tlb: {
    available: boolean;
    reason: string | null;
    total: number | null;
    perCpu: CpuCount[];
  };
  numa: {
    nodes: { id: number; cpus: number[]; memTotalKiB: number | null }[];
    balancing: number | null;
    demotionEnabled: boolean | null;
  };
  cpu: { gigantic1G: boolean | null };
  diagnostics: Diagnostic[];
}

export function buildReport(h: HostState): Report {
  return {
    source: h.source,
    kernel: {
      release: h.kernel.release,
      arch: h.kernel.arch,
      cmdline: h.kernel.cmdline ? cmdlineObject(h.kernel.cmdline) : null,
    },
    thp: {
      present: h.thp.present,
      enabled: h.thp.enabled?.selected ?? null,
      defrag: h.thp.defrag?.selected ?? null,
      shmemEnabled: h.thp.shmemEnabled?.selected ?? null,
      sizes: h.thp.sizes.map((x) => ({ ...x })),
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
        nodes: p.nodes.map((n) => ({ node: n.node, total: n.total, free: n.free })),
      })),
    },
    hvo: { ...h.hvo },
    memory: { totalKiB: h.memory.totalKiB, availableKiB: h.memory.availableKiB },
    tlb: {
      available: h.tlb.available,
      reason: h.tlb.reason,
      total: h.tlb.total,
      perCpu: h.tlb.perCpu.map((c) => ({ ...c })),
    },
    numa: {
      nodes: h.numa.nodes.map((n) => ({ id: n.id, cpus: [...n.cpus], memTotalKiB: n.memTotalKiB })),
      balancing: h.numa.balancing,
      demotionEnabled: h.numa.demotionEnabled,
    },
    // 1 GiB HugeTLB pages need the x86 `pdpe1gb` CPU flag; other architectures say so through the pool dir.
    cpu: {
      gigantic1G:
        h.cpuFlags === null
          ? null
          : h.cpuFlags.has('pdpe1gb') || h.hugetlb.pools.some((p) => p.pageSizeKiB === 1048576),
    },
    diagnostics: [...h.diagnostics],
  };
}
