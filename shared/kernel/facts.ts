/**
 * What a kernel version implies, in one place. Upstream version numbers: distribution kernels backport and
 * may differ, which every consumer must say when it reports one of these.
 * Sources: ../shared/reference/kernel-interfaces.md §1.6, §3.3, §3.4, §4.
 */
import { atLeast, compareVersions, type KernelVersion } from './version';

export { hvoArchSupport } from './hvo';

/**
 * The THP alignment regression: from 6.7 (efa7df3e3bb5) every anonymous mmap of 2 MiB or more was aligned
 * to 2 MiB, leaving gaps that stop VMAs merging; fixed by d4148aeab412 in 6.12 and 6.11.7.
 */
export function inThpAlignmentRegression(v: KernelVersion): boolean {
  return (
    compareVersions(v, { major: 6, minor: 7, patch: 0 }) >= 0 &&
    compareVersions(v, { major: 6, minor: 11, patch: 7 }) < 0
  );
}

/** Per-size mTHP controls (`hugepages-<N>kB/enabled`) exist from 6.8. */
export const hasMthp = (v: KernelVersion): boolean => atLeast(v, 6, 8);

/** `nr_memmap_pages` / `nr_memmap_boot_pages` in /proc/vmstat from 6.11. */
export const hasMemmapCounters = (v: KernelVersion): boolean => atLeast(v, 6, 11);

/** The meaning of kernel.numa_balancing (a bitmask since 5.18). */
export function numaBalancingMeaning(value: number): string {
  switch (value) {
    case 0:
      return 'off';
    case 1:
      return 'normal: move pages toward the CPUs that use them';
    case 2:
      return 'memory tiering: promote hot pages from slow to fast memory';
    case 3:
      return 'normal and memory tiering';
    default:
      return `unknown mode ${value}`;
  }
}
