/**
 * struct page (vmemmap) arithmetic for HugeTLB pages and what HVO frees, as the kernel does it
 * (mm/hugetlb_vmemmap.c): a huge page of S bytes has S / PAGE_SIZE struct pages; their vmemmap spans
 * (S / PAGE_SIZE) × sizeof(struct page) bytes, in base pages. HVO keeps `kept` of those pages (two before
 * 5.18, one since) and frees the rest; where the whole vmemmap fits in the kept page(s), nothing is freed.
 * x86-64 (4 KiB pages, 64-byte struct page): 2 MiB → 8 vmemmap pages, 7 freed (28 KiB); 1 GiB → 4,096, 4,095
 * freed (16,380 KiB). arm64 with 64 KiB pages: 512 MiB → 8 pages of 64 KiB, 7 freed; 2 MiB (contiguous PTEs)
 * → 2 KiB of struct page, nothing to free.
 * Source: Documentation/mm/vmemmap_dedup.rst; checked against /proc/vmstat nr_memmap_pages on 6.18.
 */
export interface PageGeometry {
  basePageKiB: number;
  structPageBytes: number;
}

export const X86_64_GEOMETRY: PageGeometry = { basePageKiB: 4, structPageBytes: 64 };

/** vmemmap pages (of the base page size) that describe one huge page of this size. */
export function vmemmapPagesPerHugePage(pageSizeKiB: number, g: PageGeometry = X86_64_GEOMETRY): number {
  return ((pageSizeKiB / g.basePageKiB) * g.structPageBytes) / (g.basePageKiB * 1024);
}

/** vmemmap pages HVO frees per huge page; `keptPages` is 1 since 5.18, 2 on 5.14-5.17. */
export function hvoFreedPages(pageSizeKiB: number, keptPages = 1, g: PageGeometry = X86_64_GEOMETRY): number {
  const total = vmemmapPagesPerHugePage(pageSizeKiB, g);
  // The kernel optimizes only when the vmemmap is larger than what it keeps (hugetlb_vmemmap_optimizable_size).
  return total > keptPages ? Math.floor(total) - keptPages : 0;
}

/** KiB of memory HVO gives back for `count` huge pages of this size. */
export function hvoSavedKiB(
  pageSizeKiB: number,
  count: number,
  keptPages = 1,
  g: PageGeometry = X86_64_GEOMETRY,
): number {
  return hvoFreedPages(pageSizeKiB, keptPages, g) * g.basePageKiB * count;
}
