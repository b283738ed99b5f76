/**
 * HugeTLB Vmemmap Optimization by kernel version and architecture: the one table every consumer reads
 * (readers, planner, findings, simulator). Upstream releases; a distribution kernel may carry backports, so
 * a machine's own files (the sysctl, the kernel config) win over this table wherever they exist.
 * Sources: ../shared/reference/kernel-interfaces.md §3.
 */
import { atLeast, compareVersions, type KernelVersion } from './version';

export interface HvoEvent {
  readonly release: string;
  /** Upstream commit, where the record names one. */
  readonly commit: string | null;
  readonly what: string;
}

/** The history the rules below encode, shown wherever a figure rests on it. */
export const HVO_HISTORY: readonly HvoEvent[] = [
  {
    release: '5.14',
    commit: 'f41f2ed43ca5',
    what: 'HVO first merged (x86-64, boot switch hugetlb_free_vmemmap=): 6 of 8 vmemmap pages freed per 2 MiB page',
  },
  {
    release: '5.18',
    commit: 'e7d324850bfc',
    what: 'the second vmemmap page freed too: one page kept per huge page (7 of 8 for 2 MiB, 4,095 of 4,096 for 1 GiB)',
  },
  { release: '5.19', commit: '78f39084b41d', what: 'sysctl vm.hugetlb_optimize_vmemmap added (runtime switch)' },
  { release: '5.19', commit: '1e63ac088f20', what: 'arm64 enabled' },
  { release: '6.2', commit: '00a34d5a99c0', what: 's390 enabled' },
  { release: '6.2', commit: null, what: 'LoongArch enabled' },
  {
    release: '6.3',
    commit: '060a2c92d1b6',
    what: 'arm64 disabled again (break-before-make); backported to stable 6.1.16 and 6.2.3, not re-enabled since',
  },
  { release: '6.4', commit: null, what: 'RISC-V enabled' },
  {
    release: '6.18',
    commit: '64e2f60f355e',
    what: 's390 disabled (crashes); backported to stable 6.6.117, 6.12.58 and 6.17.8',
  },
];

/** vmemmap pages kept per optimized huge page: two before 5.18, one since (e7d324850bfc). */
export function hvoKeptPages(v: KernelVersion): number {
  return atLeast(v, 5, 18) ? 1 : 2;
}

/** The runtime sysctl exists from 5.19; before it, HVO is switched only at boot (hugetlb_free_vmemmap=on). */
export const hasHvoSysctl = (v: KernelVersion): boolean => atLeast(v, 5, 19);

/** Whether a version lies in [from, to), where stable lines that received the `to` change end early. */
function window(v: KernelVersion, from: [number, number], to: [number, number], stableEnds: KernelVersion[]): boolean {
  if (!atLeast(v, ...from) || atLeast(v, ...to)) return false;
  const end = stableEnds.find((s) => s.major === v.major && s.minor === v.minor);
  return end === undefined || compareVersions(v, end) < 0;
}

const ver = (major: number, minor: number, patch: number): KernelVersion => ({ major, minor, patch });

/** arm64: on from 5.19 (1e63ac088f20), off from 6.3 and stable 6.1.16 / 6.2.3 (060a2c92d1b6). */
const arm64Hvo = (v: KernelVersion): boolean => window(v, [5, 19], [6, 3], [ver(6, 1, 16), ver(6, 2, 3)]);

/** s390: on from 6.2 (00a34d5a99c0), off from 6.18 and stable 6.6.117 / 6.12.58 / 6.17.8 (64e2f60f355e). */
const s390Hvo = (v: KernelVersion): boolean =>
  window(v, [6, 2], [6, 18], [ver(6, 6, 117), ver(6, 12, 58), ver(6, 17, 8)]);

/** Whether the architecture's kernel can use HVO at this version; null when not known. */
export function hvoArchSupport(
  arch: string | null,
  v: KernelVersion | null,
): { supported: boolean | null; note: string } {
  const since = (major: number, minor: number): boolean | null => (v === null ? null : atLeast(v, major, minor));
  switch (arch) {
    case 'x86_64':
      return { supported: since(5, 14), note: 'x86-64 supports HVO since 5.14 (f41f2ed43ca5)' };
    case 'aarch64':
    case 'arm64':
      return {
        supported: v === null ? null : arm64Hvo(v),
        note: 'arm64 had HVO in 5.19 to 6.2 only: 060a2c92d1b6 disabled it in 6.3, 6.1.16 and 6.2.3',
      };
    case 'riscv64':
      return { supported: since(6, 4), note: 'RISC-V supports HVO since 6.4' };
    case 'loongarch64':
      return { supported: since(6, 2), note: 'LoongArch supports HVO since 6.2' };
    case 's390x':
      return {
        supported: v === null ? null : s390Hvo(v),
        note: 's390 had HVO from 6.2 until 64e2f60f355e removed it (6.18, 6.6.117, 6.12.58, 6.17.8)',
      };
    case null:
      return { supported: null, note: 'architecture unknown' };
    default:
      return { supported: false, note: `${arch} has no HugeTLB vmemmap optimization` };
  }
}
