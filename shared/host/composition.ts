/**
 * What the machine's memory is made of now, from /proc/meminfo and the HugeTLB pools, as parts that add up to
 * MemTotal exactly. Each kernel counter is used once: the page cache (Buffers + Cached) already holds shmem and
 * file THPs, so "THP" here is anonymous THP (AnonHugePages) only; "used" is what no other part names (anonymous
 * memory in small pages, slab, kernel stacks, vmalloc, ...). A part whose meminfo line is missing is unknown
 * (null), never 0: its memory is then inside "used", which says so.
 */
import type { Report } from './report';
import { sizeLabel } from '../units';

export type CompositionPart =
  | { kind: 'used'; label: string; kib: number }
  | { kind: 'cache'; label: string; kib: number | null }
  | { kind: 'hugetlb'; label: string; kib: number; pageSizeKiB: number; index: number }
  | { kind: 'thp'; label: string; kib: number | null }
  | { kind: 'pagetables'; label: string; kib: number | null }
  | { kind: 'free'; label: string; kib: number };

export interface Composition {
  totalKiB: number;
  parts: CompositionPart[];
}

/** null when /proc/meminfo lacks MemTotal or MemFree: no picture beats a made-up one. */
export function memoryComposition(
  meminfo: Readonly<Record<string, number>> | null,
  pools: Report['hugetlb']['pools'],
): Composition | null {
  const total = meminfo?.['MemTotal'];
  const free = meminfo?.['MemFree'];
  if (!meminfo || total === undefined || free === undefined || total <= 0) return null;
  const field = (k: string): number | null => {
    const x = meminfo[k];
    return x === undefined ? null : Math.max(0, x);
  };
  /** The sum of lines that must all be present; null when one is missing. */
  const sum = (...xs: (number | null)[]): number | null =>
    xs.some((x) => x === null) ? null : xs.reduce<number>((a, x) => a + x!, 0);
  let left = Math.max(0, total - free);
  // Each part takes what it claims, but never more than what is left: counters read at slightly different
  // moments must not push the sum past MemTotal.
  const take = (kib: number): number => {
    const got = Math.min(Math.max(0, kib), left);
    left -= got;
    return got;
  };
  const unreported: string[] = [];
  const known = (label: string, kib: number | null): number | null => {
    if (kib !== null) return take(kib);
    unreported.push(label);
    return null;
  };
  const hugetlb: CompositionPart[] = [...pools]
    .filter((p) => (p.total ?? 0) > 0)
    .sort((a, b) => a.pageSizeKiB - b.pageSizeKiB)
    .map((p, index) => ({
      kind: 'hugetlb',
      label: `HugeTLB pool, ${sizeLabel(p.pageSizeKiB)} pages`,
      kib: take((p.total ?? 0) * p.pageSizeKiB),
      pageSizeKiB: p.pageSizeKiB,
      index,
    }));
  const cache = known('page cache', sum(field('Buffers'), field('Cached')));
  const thp = known('anonymous THP', field('AnonHugePages'));
  // SecPageTables (KVM's secondary page tables) exists from 6.0; before, there were none to count.
  const pagetables = known('page tables', sum(field('PageTables'), field('SecPageTables') ?? 0));
  const used = left;
  const usedLabel =
    unreported.length === 0
      ? 'Used (anonymous, kernel)'
      : `Used (anonymous, kernel, and ${unreported.join(', ')}: not in /proc/meminfo here)`;
  return {
    totalKiB: total,
    parts: [
      { kind: 'used', label: usedLabel, kib: used },
      { kind: 'cache', label: 'Page cache', kib: cache },
      ...hugetlb,
      { kind: 'thp', label: 'Transparent huge pages (anonymous)', kib: thp },
      { kind: 'pagetables', label: 'Page tables', kib: pagetables },
      { kind: 'free', label: 'Free', kib: free },
    ],
  };
}
