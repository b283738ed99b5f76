/**
 * The kernel parameters that reserve a plan's HugeTLB pool at boot. The Planner's setup lines, the advice and
 * every artifact written from it take them from here, so they cannot disagree about what a boot reservation
 * needs.
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
