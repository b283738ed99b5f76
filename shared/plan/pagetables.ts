/**
 * Page-table memory for mapping a region, in whole table pages as the kernel allocates them, for a naturally
 * aligned region. A table is one base page of 8-byte entries: with 4 KiB pages a PTE table maps 2 MiB, a PMD
 * table 1 GiB and a PUD table 512 GiB (64 KiB pages: 512 MiB and 4 TiB). Mappings at the PMD level drop the
 * PTE tables, at the PUD level the PMD tables too. Anonymous THP still deposits a PTE table per huge page (so
 * a later split cannot fail), so it costs what base pages cost.
 */
import { entriesPerTable, type MapLevel } from '../kernel/pages';

export function pageTableKiB(regionKiB: number, leaf: MapLevel, basePageKiB = 4): number {
  const per = entriesPerTable(basePageKiB);
  const pteSpan = basePageKiB * per;
  const pmdSpan = pteSpan * per;
  const pudSpan = pmdSpan * per;
  const tables = (span: number): number => Math.ceil(regionKiB / span);
  const levels = leaf === 'pte' ? [pteSpan, pmdSpan, pudSpan] : leaf === 'pmd' ? [pmdSpan, pudSpan] : [pudSpan];
  return levels.reduce((s, span) => s + tables(span), 0) * basePageKiB;
}

/** TLB entries needed to map a region with pages of this size. */
export function tlbEntries(regionKiB: number, pageKiB: number): number {
  return Math.ceil(regionKiB / pageKiB);
}
