/**
 * What the boot command line asks of huge pages: HugeTLB reservations (`hugepagesz=`/`hugepages=` pairs,
 * incl. the per-node form `hugepages=0:N,1:M`), the default size, THP and HVO switches, hugetlb CMA.
 */
import { kernelParams, type CmdlineParam } from './parse/cmdline';
import { parseMemSizeKiB } from './parse/memsize';

export interface BootReservation {
  readonly pageSizeKiB: number;
  readonly count: number;
  /** Node -> pages for the per-node form; null for a plain count. */
  readonly perNode: Readonly<Record<number, number>> | null;
}

export interface BootParams {
  readonly hugepages: readonly BootReservation[];
  readonly defaultHugepageSizeKiB: number | null;
  readonly transparentHugepage: string | null;
  readonly thpAnon: string | null;
  readonly hugetlbFreeVmemmap: string | null;
  readonly hugetlbCma: string | null;
  /** Parameters that could not be understood, with why. */
  readonly problems: readonly string[];
}

function parseCount(v: string): { count: number; perNode: Record<number, number> | null } | null {
  if (/^\d{1,9}$/.test(v)) return { count: Number(v), perNode: null };
  const perNode: Record<number, number> = {};
  let count = 0;
  for (const part of v.split(',')) {
    const m = /^(\d{1,4}):(\d{1,9})$/.exec(part);
    if (!m) return null;
    perNode[Number(m[1])] = Number(m[2]);
    count += Number(m[2]);
  }
  return { count, perNode };
}

const last = (params: readonly CmdlineParam[], key: string): string | null =>
  params.filter((p) => p.key === key).at(-1)?.value ?? null;

/** `archDefaultKiB` is the huge page size a bare `hugepages=` means without `default_hugepagesz=` (2 MiB on x86). */
export function bootParams(allParams: readonly CmdlineParam[], archDefaultKiB = 2048): BootParams {
  // A `hugepages=` after `--` is an argument for init: the kernel never reserves anything for it.
  const params = kernelParams(allParams);
  const problems: string[] = [];
  const defText = last(params, 'default_hugepagesz');
  const defaultKiB = defText === null ? null : parseMemSizeKiB(defText);
  if (defText !== null && defaultKiB === null) problems.push(`default_hugepagesz=${defText}: not a size`);
  const bySize = new Map<number, BootReservation>();
  let size: number | null = null;
  let sizeInvalid = false;
  for (const p of params) {
    if (p.key === 'default_hugepagesz' && p.value !== null && parseMemSizeKiB(p.value) !== null) {
      // default_hugepagesz= adds its size as hugepagesz= does, so a count after it is for that size
      // (mm/hugetlb.c: hugetlb_add_hstate sets parsed_hstate; "goes with the previously parsed
      // hugepagesz or default_hugepagesz").
      size = parseMemSizeKiB(p.value);
      sizeInvalid = false;
    } else if (p.key === 'hugepagesz') {
      size = p.value === null ? null : parseMemSizeKiB(p.value);
      sizeInvalid = size === null;
      if (size === null) problems.push(`hugepagesz=${p.value ?? ''}: not a size`);
    } else if (p.key === 'hugepages' && sizeInvalid) {
      // The kernel drops a count that follows a size it rejected.
      problems.push(`hugepages=${p.value ?? ''}: ignored, it follows an invalid hugepagesz=`);
    } else if (p.key === 'hugepages') {
      const c = p.value === null ? null : parseCount(p.value);
      if (c === null) {
        problems.push(`hugepages=${p.value ?? ''}: not a count or node:count list`);
        continue;
      }
      const kib = size ?? defaultKiB ?? archDefaultKiB;
      bySize.set(kib, { pageSizeKiB: kib, ...c });
    }
  }
  return {
    hugepages: [...bySize.values()].sort((a, b) => a.pageSizeKiB - b.pageSizeKiB),
    defaultHugepageSizeKiB: defaultKiB,
    transparentHugepage: last(params, 'transparent_hugepage'),
    thpAnon: last(params, 'thp_anon'),
    hugetlbFreeVmemmap: last(params, 'hugetlb_free_vmemmap'),
    hugetlbCma: last(params, 'hugetlb_cma'),
    problems,
  };
}
