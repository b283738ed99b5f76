/** What the process inspector answers: the API's and `hugetune inspect --json`'s shape. Add keys, never rename. */
import type { VmaRow, VmaSummary } from './layout';
import type { NodeUsage } from './numa-maps';
import type { ProcessRuntime } from './runtime';
import type { Condition } from './verdict';

export interface ProcessReport {
  pid: number;
  /** The command line, arguments joined by spaces (at most 400 characters). */
  command: string;
  /** The kernel's short name for the process (comm). */
  comm: string | null;
  /** A label such as "llama.cpp" or "Python with PyTorch"; null for a process of no known runtime. */
  runtime: string | null;
  runtimeId: ProcessRuntime | null;
  uid: number | null;
  rssKiB: number | null;
  anonymousKiB: number | null;
  anonHugeKiB: number | null;
  filePmdKiB: number | null;
  shmemPmdKiB: number | null;
  /** Shared_Hugetlb + Private_Hugetlb. */
  hugetlbKiB: number | null;
  /** VmPTE: every page-table level. */
  pageTablesKiB: number | null;
  /** VmLck. */
  mlockedKiB: number | null;
  swapKiB: number | null;
  /** Memory per NUMA node, page size and backing (numa_maps); null when it could not be read. */
  perNode: NodeUsage[] | null;
  /** Share of resident + HugeTLB memory on huge pages, 0..1; null when the figures could not be read. */
  hugeShare: number | null;
  verdict: string;
  conditions: Condition[];
  /** The anonymous-mapping layout from maps; null when maps could not be read. */
  vma: VmaSummary | null;
  /** What could not be read and why, one sentence each (privileges, a kernel without the file). */
  unavailable: string[];
}

/** The machine figures the verdicts also rest on (THP setting, pools, free 2 MiB blocks per node), as read now. */
export interface MachineFigures {
  thpEnabled: string | null;
  defaultHugePageKiB: number | null;
  pools: { pageSizeKiB: number; total: number | null; free: number | null }[];
  /** Free 2 MiB blocks per node from /proc/buddyinfo; null when it could not be read. */
  free2MiBByNode: { node: number; blocks: number }[] | null;
}

export interface ProcessDetail extends ProcessReport {
  machine: MachineFigures;
  /** Anonymous mappings in address order (the largest, when there are more than the limit). */
  vmas: VmaRow[];
  vmasOmitted: number;
  /** Per-VMA page sizes and THP eligibility from smaps, only when asked for (it is costly to produce). */
  smaps: { vmas: number; thpEligible: number; hugetlbVmas: number; pageSizesKiB: number[] } | null;
  flags: { hugetlbWeights: boolean; noMmap: boolean; mlock: boolean; model: string | null };
}

export interface ProcessList {
  processes: ProcessReport[];
  machine: MachineFigures;
  /** Statements about the scan as a whole (privileges, a source without processes). */
  notes: string[];
  /** Processes looked at. */
  scanned: number;
}

export interface AlignmentProbe {
  /** Every probe mapping (of a length that is not a 2 MiB multiple) started on a 2 MiB boundary. */
  affected: boolean;
  aligned: number;
  total: number;
  /** Holes between neighbouring probe mappings, in address order. */
  gapsKiB: number[];
  /** The length of each probe mapping. */
  mappingKiB: number;
  /** The kernel release the probe ran on. */
  release: string | null;
  /** One sentence: what was measured. */
  detail: string;
}

/** One row of "what it got against what the plan says it needs". */
export interface PlanComparisonRow {
  what: string;
  plannedKiB: number;
  gotKiB: number;
  ok: boolean;
  change: string | null;
}

export interface PlanComparison {
  pid: number;
  /** `runtime`: the planner's runtime the plan was made for (the process's own, unless the request named one). */
  plan: { model: string; backing: string; pageSizeKiB: number; fits: boolean; runtime: string };
  rows: PlanComparisonRow[];
  /** How the comparison was made where it is not the plain one (a runtime that cannot use the planned pool). */
  notes: string[];
  ok: boolean;
}
