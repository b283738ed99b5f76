/**
 * Page geometry by architecture and base page size: which HugeTLB sizes exist and at which page-table level
 * each is mapped. Source: arch/x86/mm/hugetlbpage.c, arch/arm64/mm/hugetlbpage.c (arch_hugetlb_valid_size),
 * arch/riscv/mm/hugetlbpage.c; the PMD and PUD spans follow from 8-byte entries in one base page per table.
 */
export type MapLevel = 'pte' | 'pmd' | 'pud';

export interface HugePageKind {
  sizeKiB: number;
  /**
   * The level whose entries map it. A contiguous size (arm64 CONT_PTE/CONT_PMD, riscv Svnapot) is a run of
   * entries at that level marked to share one TLB entry, so it sits one level below the size it resembles.
   */
  level: MapLevel;
  contiguous: boolean;
  /** What else the machine needs to offer it. */
  requires: string | null;
}

export interface ArchPages {
  basePageKiB: number;
  hugePages: readonly HugePageKind[];
}

const K = 1;
const M = 1024;
const G = 1024 * 1024;

/** Entries per table page: the base page holds 8-byte entries. */
export const entriesPerTable = (basePageKiB: number): number => (basePageKiB * 1024) / 8;
export const pmdSpanKiB = (basePageKiB: number): number => basePageKiB * entriesPerTable(basePageKiB);
export const pudSpanKiB = (basePageKiB: number): number => pmdSpanKiB(basePageKiB) * entriesPerTable(basePageKiB);

/** The base page size that gives a PMD of this many bytes (the THP `hpage_pmd_size` file), or null. */
export function basePageFromPmdBytes(pmdBytes: number | null): number | null {
  if (pmdBytes === null) return null;
  for (const kib of [4, 16, 64]) if (pmdSpanKiB(kib) * 1024 === pmdBytes) return kib;
  return null;
}

/**
 * The measured vmemmap in KiB. Its count (nr_memmap_pages + nr_memmap_boot_pages) is in base pages, which are
 * 64 KiB on some arm64 kernels; the base page comes from the PMD size, else 4 KiB.
 */
export function memmapKiB(memmapPages: number | null, pmdBytes: number | null): number | null {
  return memmapPages === null ? null : memmapPages * (basePageFromPmdBytes(pmdBytes) ?? 4);
}

export function archPages(arch: string | null, basePageKiB: number): ArchPages {
  const pmd = pmdSpanKiB(basePageKiB);
  const pud = pudSpanKiB(basePageKiB);
  const kinds: HugePageKind[] = [];
  switch (arch) {
    case 'x86_64':
      kinds.push({ sizeKiB: 2 * M, level: 'pmd', contiguous: false, requires: null });
      kinds.push({ sizeKiB: 1 * G, level: 'pud', contiguous: false, requires: 'a CPU with 1 GiB pages (x86 pdpe1gb)' });
      break;
    case 'aarch64':
    case 'arm64': {
      // Contiguous-hint sizes: CONT_PTES is 16/128/32 entries and CONT_PMDS 16/32/32 for the 4K/16K/64K
      // granules (arch/arm64/include/asm/pgtable-hwdef.h).
      const contPte = basePageKiB === 4 ? 64 * K : 2 * M;
      const contPmd = basePageKiB === 4 ? 32 * M : basePageKiB === 16 ? 1 * G : 16 * G;
      kinds.push({ sizeKiB: contPte, level: 'pte', contiguous: true, requires: null });
      kinds.push({ sizeKiB: pmd, level: 'pmd', contiguous: false, requires: null });
      kinds.push({ sizeKiB: contPmd, level: 'pmd', contiguous: true, requires: null });
      // PUD-level blocks exist only with the 4K granule (pud_sect_supported()).
      if (basePageKiB === 4) kinds.push({ sizeKiB: pud, level: 'pud', contiguous: false, requires: null });
      break;
    }
    case 'riscv64':
      kinds.push({ sizeKiB: 64 * K, level: 'pte', contiguous: true, requires: 'the Svnapot extension' });
      kinds.push({ sizeKiB: 2 * M, level: 'pmd', contiguous: false, requires: null });
      kinds.push({ sizeKiB: 1 * G, level: 'pud', contiguous: false, requires: null });
      break;
    default:
      kinds.push({ sizeKiB: pmd, level: 'pmd', contiguous: false, requires: null });
      kinds.push({ sizeKiB: pud, level: 'pud', contiguous: false, requires: null });
  }
  return { basePageKiB, hugePages: kinds.sort((a, b) => a.sizeKiB - b.sizeKiB) };
}

/** A page size as people write it: 4K, 2M, 512M, 1G, 16G. */
export function pageSizeLabel(kib: number): string {
  if (kib % G === 0) return `${kib / G}G`;
  if (kib % M === 0) return `${kib / M}M`;
  return `${kib}K`;
}

export function parsePageSize(text: string): number | null {
  const m = /^(\d{1,6})\s*([KMG])(?:I?B)?$/i.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const kib = n * { K: 1, M: M, G: G }[m[2]!.toUpperCase() as 'K' | 'M' | 'G'];
  return n > 0 && (kib & (kib - 1)) === 0 ? kib : null;
}
