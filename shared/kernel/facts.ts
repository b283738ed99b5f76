/**
 * What a kernel version implies, in one place. Upstream version numbers: distribution kernels backport and
 * may differ, which every consumer must say when it reports one of these.
 * Sources: ../shared/reference/kernel-interfaces.md §1.6, §3.3, §3.4, §4.
 */
import { atLeast, compareVersions, type KernelVersion } from './version';

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

/** vmemmap pages HVO frees per 2 MiB page: 6 from 5.14, 7 from 5.18 (only one page kept). */
export function hvoFreedPer2M(v: KernelVersion): number {
  if (atLeast(v, 5, 18)) return 7;
  if (atLeast(v, 5, 14)) return 6;
  return 0;
}

/** Whether the architecture's kernel can use HVO at this version; null when not known. */
export function hvoArchSupport(
  arch: string | null,
  v: KernelVersion | null,
): { supported: boolean | null; note: string } {
  const since = (major: number, minor: number): boolean | null => (v === null ? null : atLeast(v, major, minor));
  switch (arch) {
    case 'x86_64':
      return { supported: since(5, 14), note: 'x86-64 supports HVO since 5.14' };
    case 'aarch64':
    case 'arm64': {
      // Enabled in 5.19, disabled again in 6.3 (break-before-make), also in stable 5.19+ backports.
      const on = v !== null && atLeast(v, 5, 19) && !atLeast(v, 6, 3);
      return {
        supported: v === null ? null : on,
        note: 'arm64 had HVO only in 5.19–6.2; it was disabled in 6.3 (and in stable backports)',
      };
    }
    case 'riscv64':
      return { supported: since(6, 4), note: 'riscv supports HVO since 6.4' };
    case 'loongarch64':
      return { supported: since(6, 2), note: 'LoongArch supports HVO since 6.2' };
    case 's390x':
      return { supported: null, note: 's390 HVO was removed in 2025 after crashes; check this kernel' };
    case null:
      return { supported: null, note: 'architecture unknown' };
    default:
      return { supported: false, note: `${arch} has no HugeTLB vmemmap optimization` };
  }
}

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
