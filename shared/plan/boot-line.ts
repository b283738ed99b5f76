/**
 * The kernel parameters that reserve HugeTLB pools at boot. The Planner's setup lines, the advice, every
 * artifact written from it and the simulator's "apply the recommended settings" take them from here, so they
 * cannot disagree about what a boot reservation needs.
 */
import { pageSizeLabel } from '../kernel/pages';

export interface BootParam {
  readonly key: string;
  readonly value: string;
}

export interface BootPool {
  pageKiB: number;
  /** `hugepages=` as the kernel reads it: one count, or node:count,... on a machine with several nodes. */
  counts: string;
  /** The runtime maps only the default huge page size, and the machine's default is another one. */
  makeDefault: boolean;
  /** The plan counts what HVO gives back: HVO exists on this kernel and architecture and the plan has it on. */
  hvo: boolean;
}

/**
 * `hugepages=` as the kernel reads it: one count on a machine with one node; `node:count,...` on a machine with
 * several (hugetlb_hstate_alloc_pages_specific_nodes), where a node left out gets none.
 */
export function hugepagesCount(counts: readonly { node: number; pages: number }[], machineNodes: number): string {
  return machineNodes > 1 ? counts.map((c) => `${c.node}:${c.pages}`).join(',') : String(counts[0]?.pages ?? 0);
}

/** In the order the kernel reads them: a default size takes the count that follows it, so it comes first. */
export function poolBootParams(b: BootPool): BootParam[] {
  const size = pageSizeLabel(b.pageKiB);
  return [
    ...(b.makeDefault ? [{ key: 'default_hugepagesz', value: size }] : []),
    { key: 'hugepagesz', value: size },
    { key: 'hugepages', value: b.counts },
    // Boot-time pages are allocated before any sysctl.d file is read, and vm.hugetlb_optimize_vmemmap only
    // affects pages allocated after it is set: only the boot switch optimizes them.
    ...(b.hvo ? [{ key: 'hugetlb_free_vmemmap', value: 'on' }] : []),
  ];
}

export const bootParamsText = (params: readonly BootParam[]): string =>
  params.map((p) => `${p.key}=${p.value}`).join(' ');

/**
 * Several pools reserved at boot, each size with its own `hugepagesz=`/`hugepages=` pair in the order given,
 * and HVO's boot switch once: it applies to every pool the boot line reserves.
 */
export function poolsBootParams(pools: readonly { pageKiB: number; counts: string }[], hvo: boolean): BootParam[] {
  return [
    ...pools.flatMap((p) => poolBootParams({ pageKiB: p.pageKiB, counts: p.counts, makeDefault: false, hvo: false })),
    ...(hvo ? [{ key: 'hugetlb_free_vmemmap', value: 'on' }] : []),
  ];
}

/** The words of a boot line that reserve pools (`hugepagesz=`, `hugepages=`); the default size is not one. */
const RESERVES = /^hugepages(?:z)?=/;

/** A boot line without its pool reservations, every other word kept as it is, for a line that sets new ones. */
export function withoutPoolReservations(cmdline: string): string {
  return cmdline
    .split(/\s+/)
    .filter((w) => w !== '' && !RESERVES.test(w))
    .join(' ');
}
