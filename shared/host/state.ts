/** The typed picture of a machine that every reader produces and every consumer (plan, advise, UI) reads. */
import type { SourceInfo } from './files';
import type { Diagnostic } from './reading';
import type { CmdlineParam } from './parse/cmdline';
import type { MultiChoice } from './parse/scalar';
import type { KernelVersion } from '../kernel/version';
import type { BootParams } from './boot';
import type { BuddyZone } from './parse/buddyinfo';
import type { HugetlbfsMount } from './parse/mounts';

export interface KernelState {
  readonly release: string | null;
  readonly version: KernelVersion | null;
  readonly arch: string | null;
  /** The kernel's parameters: /proc/cmdline up to a bare `--`. */
  readonly cmdline: readonly CmdlineParam[] | null;
  /** The words after a bare `--`, which go to init and mean nothing to the kernel. */
  readonly initArgs: readonly string[] | null;
  /** What the command line asks of huge pages; null when /proc/cmdline could not be read. */
  readonly boot: BootParams | null;
}

export interface ThpSize {
  readonly sizeKiB: number;
  /**
   * Whether anonymous memory can use this size: false where the kernel offers no anon `enabled` file for it
   * (order 1, 8 KiB with 4 KiB pages, is for shmem and file memory only).
   */
  readonly anon: boolean;
  /** The per-size anon `enabled` word (`always`/`inherit`/`madvise`/`never`), null where the size has none. */
  readonly enabled: string | null;
  /** `inherit` resolved against the top-level `enabled`. */
  readonly effective: string | null;
  readonly shmemEnabled: string | null;
  /** `stats/*` counters of this size (6.10+); empty when the kernel has none. */
  readonly stats: Readonly<Record<string, number>>;
}

export interface ThpState {
  /** false: the kernel is built without THP; null: /sys/kernel/mm cannot be seen (container, partial capture). */
  readonly present: boolean | null;
  readonly enabled: MultiChoice | null;
  readonly defrag: MultiChoice | null;
  readonly shmemEnabled: MultiChoice | null;
  readonly useZeroPage: number | null;
  readonly pmdSizeBytes: number | null;
  /** 6.12+: split underused THPs under memory pressure. */
  readonly shrinkUnderused: number | null;
  /** khugepaged knobs and counters by file name. */
  readonly khugepaged: Readonly<Record<string, number>>;
  readonly sizes: readonly ThpSize[];
}

export interface PoolNode {
  readonly node: number;
  readonly total: number | null;
  readonly free: number | null;
  readonly surplus: number | null;
}

export interface HugetlbPool {
  readonly pageSizeKiB: number;
  readonly total: number | null;
  readonly free: number | null;
  readonly reserved: number | null;
  readonly surplus: number | null;
  readonly overcommit: number | null;
  readonly mempolicy: number | null;
  readonly nodes: readonly PoolNode[];
}

export interface HugetlbState {
  readonly defaultPageSizeKiB: number | null;
  readonly pools: readonly HugetlbPool[];
  readonly mounts: readonly HugetlbfsMount[] | null;
  /** vm.hugetlb_shm_group: the group allowed SHM_HUGETLB segments. */
  readonly shmGroup: number | null;
}

export interface HvoState {
  /** Built into the kernel: from the sysctl's presence, else the kernel config; null when neither tells. */
  readonly compiled: boolean | null;
  readonly enabled: boolean | null;
  /** nr_memmap_pages + nr_memmap_boot_pages (4 KiB pages of struct page metadata), null before 6.11. */
  readonly memmapPages: number | null;
  /** vm.hugetlb_optimize_vmemmap as read; null when absent or unreadable. */
  readonly sysctl: number | null;
  /** `hugetlb_free_vmemmap=` on the command line, as written. */
  readonly bootParam: string | null;
  readonly archSupported: boolean | null;
  readonly archNote: string;
}

export interface CpuCount {
  readonly cpu: number;
  readonly count: number;
}

export interface IpiRow {
  readonly total: number;
  readonly perCpu: readonly CpuCount[];
}

export interface TlbState {
  readonly available: boolean;
  /** Why there is no TLB shootdown row, when there is none. */
  readonly reason: string | null;
  readonly total: number | null;
  readonly perCpu: readonly CpuCount[];
  /** Rescheduling (RES) and function-call (CAL) IPIs, where the architecture names them so. */
  readonly res: IpiRow | null;
  readonly cal: IpiRow | null;
}

export interface MemoryState {
  readonly totalKiB: number | null;
  readonly availableKiB: number | null;
  readonly meminfo: ReadonlyMap<string, number> | null;
  readonly vmstat: ReadonlyMap<string, number> | null;
  readonly buddy: readonly BuddyZone[] | null;
}

export interface NumaNode {
  readonly id: number;
  /** null when the node's cpulist could not be read: unknown, not "no CPUs". */
  readonly cpus: readonly number[] | null;
  readonly memTotalKiB: number | null;
  readonly memFreeKiB: number | null;
  /** SLIT distances to every node, in node order. */
  readonly distances: readonly number[] | null;
}

export interface MemoryTier {
  /** Smaller is faster; DRAM is usually tier 4. */
  readonly id: number;
  readonly nodes: readonly number[];
}

export interface NumaState {
  readonly nodes: readonly NumaNode[];
  readonly tiers: readonly MemoryTier[];
  readonly promoteRateLimitMBps: number | null;
  /** kernel.numa_balancing: 0 off, 1 normal, 2 memory tiering, 3 both; null when absent. */
  readonly balancing: number | null;
  readonly demotionEnabled: boolean | null;
}

/** A cgroup v2 HugeTLB limit of the cgroup this view runs in. */
export interface CgroupHugetlbLimit {
  readonly pageSizeKiB: number;
  /** null: no limit ("max"). */
  readonly maxBytes: number | null;
  readonly currentBytes: number | null;
}

export interface HostState {
  readonly source: SourceInfo;
  readonly kernel: KernelState;
  readonly thp: ThpState;
  readonly hugetlb: HugetlbState;
  readonly hvo: HvoState;
  readonly memory: MemoryState;
  readonly tlb: TlbState;
  readonly numa: NumaState;
  readonly cpuFlags: ReadonlySet<string> | null;
  /** HugeTLB limits of this view's cgroup; empty on a host (the root cgroup has none) or without the controller. */
  readonly cgroupHugetlb: readonly CgroupHugetlbLimit[];
  readonly diagnostics: readonly Diagnostic[];
}
