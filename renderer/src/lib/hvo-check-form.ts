/**
 * The HVO view's check form: how many pages to reserve by default, and what a typed count may be. The check
 * takes the pages from free memory for a moment, so the field stays within half of what the machine has
 * available now: enough to measure, never enough to squeeze what runs on it.
 */
import { HVO_CHECK_MAX_PAGES } from '../../../shared/advise/hvo-check';
import { count, mem } from './format';

/** About 1 GiB of pages: plenty to measure (512 × 2 MiB frees 3,584 vmemmap pages) and quick to reserve. */
const DEFAULT_CHECK_KIB = 1024 * 1024;

/** The most pages of `sizeKiB` the field accepts: half the memory available now (null: not known, the API's limit). */
export function maxCheckPages(sizeKiB: number, availableKiB: number | null): number {
  if (availableKiB === null) return HVO_CHECK_MAX_PAGES;
  return Math.min(HVO_CHECK_MAX_PAGES, Math.floor(availableKiB / 2 / sizeKiB));
}

/**
 * The count a person starts from: the last plan's pages when it used this size (fewer is enough to measure,
 * so never more than about 1 GiB), else about 1 GiB of pages; within the field's limit, and at least one.
 */
export function defaultCheckPages(sizeKiB: number, availableKiB: number | null, planPages: number | null): number {
  const measureEnough = Math.max(1, Math.floor(DEFAULT_CHECK_KIB / sizeKiB));
  const wanted = planPages !== null && planPages > 0 ? Math.min(planPages, measureEnough) : measureEnough;
  return Math.max(1, Math.min(wanted, maxCheckPages(sizeKiB, availableKiB)));
}

/** Why a typed page count cannot be checked, in one line; null when it can. */
export function checkPagesProblem(value: unknown, sizeKiB: number, availableKiB: number | null): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'Give the number of pages to reserve.';
  if (!Number.isInteger(value)) return `${value} is not a whole number of pages.`;
  if (value < 1) return 'Reserve at least one page.';
  const max = maxCheckPages(sizeKiB, availableKiB);
  if (max < 1)
    return `Not even one page fits in half the memory available now (${mem(availableKiB)}): free some memory first.`;
  if (value > max)
    return availableKiB !== null && max < HVO_CHECK_MAX_PAGES
      ? `At most ${count(max)} pages: half the memory available now (${mem(availableKiB)}), so the machine keeps room to work.`
      : `At most ${count(max)} pages.`;
  return null;
}
