/**
 * struct page (vmemmap) arithmetic for HugeTLB pages and what HVO frees, exactly as the kernel does it:
 * a 64-byte struct page per 4 KiB base page; HVO keeps one vmemmap page per huge page (two before 5.18) and
 * frees the rest. 2 MiB: 8 vmemmap pages, 7 freed (28 KiB). 1 GiB: 4,096 pages, 4,095 freed (16,380 KiB).
 * Source: Documentation/mm/vmemmap_dedup.rst; checked against /proc/vmstat nr_memmap_pages on 6.18.
 */
export const BASE_PAGE_KIB = 4;
export const STRUCT_PAGE_BYTES = 64;

/** vmemmap pages (4 KiB each) that describe one huge page of this size. */
export function vmemmapPagesPerHugePage(pageSizeKiB: number): number {
  return ((pageSizeKiB / BASE_PAGE_KIB) * STRUCT_PAGE_BYTES) / (BASE_PAGE_KIB * 1024);
}

/** vmemmap pages HVO frees per huge page; `keptPages` is 1 since 5.18, 2 on 5.14-5.17. */
export function hvoFreedPages(pageSizeKiB: number, keptPages = 1): number {
  const total = vmemmapPagesPerHugePage(pageSizeKiB);
  // Pages whose struct pages fit in one vmemmap page have nothing to free.
  return total >= 2 ? Math.max(0, Math.floor(total) - keptPages) : 0;
}

/** KiB of memory HVO gives back for `count` huge pages of this size. */
export function hvoSavedKiB(pageSizeKiB: number, count: number, keptPages = 1): number {
  return hvoFreedPages(pageSizeKiB, keptPages) * BASE_PAGE_KIB * count;
}
