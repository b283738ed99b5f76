/**
 * Page-table memory for mapping a region, x86-64 and arm64 with 4 KiB granule (4 levels, 512 eight-byte
 * entries per 4 KiB table). Whole table pages, as the kernel allocates them, for a naturally aligned region:
 * 4 KiB pages need a PTE page per 2 MiB, a PMD page per GiB and a PUD page per 512 GiB; 2 MiB mappings
 * drop the PTE level; 1 GiB mappings the PMD level too. Anonymous THP still deposits a PTE page per huge
 * page (so a later split cannot fail): about 2 MiB per GiB, as with 4 KiB pages.
 */
export type Mapping = '4k' | 'thp' | 'hugetlb-2m' | 'hugetlb-1g';

const KIB_2M = 2048;
const KIB_1G = 1048576;
const KIB_512G = 512 * KIB_1G;
const TABLE_KIB = 4;

export function pageTableKiB(regionKiB: number, mapping: Mapping): number {
  const tables = (span: number): number => Math.ceil(regionKiB / span);
  const pud = tables(KIB_512G);
  const pmd = tables(KIB_1G);
  const pte = tables(KIB_2M);
  switch (mapping) {
    case '4k':
    case 'thp':
      return (pte + pmd + pud) * TABLE_KIB;
    case 'hugetlb-2m':
      return (pmd + pud) * TABLE_KIB;
    case 'hugetlb-1g':
      return pud * TABLE_KIB;
  }
}

/** TLB entries needed to map a region with pages of this size. */
export function tlbEntries(regionKiB: number, pageKiB: number): number {
  return Math.ceil(regionKiB / pageKiB);
}
