/**
 * The live HVO check's result and its verdict, shared by the CLI (`hugetune hvo-check`), the API (`hvo.check`)
 * and the HVO view. The verdict is read off the figures the result carries (pages obtained × vmemmap pages
 * freed per huge page against the fall of the memmap counters), never judged beside them.
 */
import type { SetupStep } from '../api';
import { pageSizeLabel } from '../kernel/pages';
import { countLabel, sizeLabel } from '../units';
import { numberText } from '../number-text';
import { printable } from '../text';

/** The most huge pages one check reserves (the CLI's --pages and the API's `pages`). */
export const HVO_CHECK_MAX_PAGES = 1 << 20;

/** Why a page count is not one a check takes ("--pages 0: expected ..."), or null. */
export function pagesFlagProblem(text: string): string | null {
  if (/^\d{1,7}$/.test(text) && Number(text) >= 1 && Number(text) <= HVO_CHECK_MAX_PAGES) return null;
  return `--pages ${printable(text, { max: 40 })}: expected a whole number from 1 to ${numberText(HVO_CHECK_MAX_PAGES)}`;
}

export interface HvoCheckResult {
  pageSizeKiB: number;
  pagesAsked: number;
  /** The pool may grow only partly (memory is fragmented or short): the prediction is for what it got. */
  pagesGot: number;
  predictedPages: number;
  measuredPages: number;
  /** Every value touched reads back as it was. */
  restored: boolean;
  kernel: string;
  keptPages: number;
  freedPagesPerHugePage: number;
  /** The base page the vmemmap is made of, in KiB (4 on x86-64). */
  basePageKiB: number;
  hvoWasOn: boolean;
  memmapBefore: number;
  memmapAfter: number;
  journalFile: string | null;
  restoreJournalFile: string | null;
  /** What the check wrote, and what the restore wrote. */
  steps: SetupStep[];
  restoreSteps: SetupStep[];
  /**
   * What the free lists (/proc/buddyinfo) held just before the pool grew, read as the Pools view reads them:
   * `pagesNow` pages of this size the kernel could hand out at once, null when the size is larger than any free
   * block (it needs compaction); `freeKiB` all free memory. null when buddyinfo could not be read.
   */
  freeBefore: { pagesNow: number | null; freeKiB: number } | null;
}

/** Why the kernel gave no pages, from what the free lists held before the pool grew. */
function whyNoPages(r: HvoCheckResult): string {
  const size = sizeLabel(r.pageSizeKiB);
  const f = r.freeBefore;
  if (f === null) return 'the kernel could not allocate them (/proc/buddyinfo could not be read to say why)';
  if (f.freeKiB < r.pageSizeKiB) return `the kernel had less than ${size} of free memory`;
  if (f.pagesNow === null)
    return (
      `${size} pages are larger than any free block, so each must be assembled by compaction from a ${size}-aligned ` +
      'range, and the kernel found none it could clear (free memory is fragmented: the Pools view reads "needs ' +
      `compaction"). Reserve them at boot (hugepagesz=${pageSizeLabel(r.pageSizeKiB)} hugepages=N) or from hugetlb_cma=`
    );
  if (f.pagesNow === 0)
    return `no free block of ${size} or larger was on the free lists (free memory is fragmented into smaller blocks)`;
  return `the free lists held ${countLabel(f.pagesNow)} free ${size} blocks, yet the kernel gave none (its watermarks or a memory policy kept them)`;
}

export type HvoCheckVerdict = 'as-predicted' | 'differs' | 'nothing-measured';

/** The verdict and the sentence that explains it from the result's own figures. */
export function checkVerdict(r: HvoCheckResult): { verdict: HvoCheckVerdict; sentence: string } {
  if (r.pagesGot <= 0)
    return {
      verdict: 'nothing-measured',
      sentence: `The pool did not grow (asked ${countLabel(r.pagesAsked)}, got 0 pages): ${whyNoPages(r)}. There was nothing to measure.`,
    };
  const each = `${countLabel(r.pagesGot)} × ${countLabel(r.freedPagesPerHugePage)} = ${countLabel(r.predictedPages)}`;
  if (r.measuredPages === r.predictedPages)
    return {
      verdict: 'as-predicted',
      sentence: `As predicted: the memmap counters fell by ${countLabel(r.measuredPages)} pages, exactly ${each} (pages obtained × vmemmap pages HVO frees per page).`,
    };
  const diff = r.measuredPages - r.predictedPages;
  return {
    verdict: 'differs',
    sentence: `Differs: the memmap counters fell by ${countLabel(r.measuredPages)} pages where ${each} were predicted (${diff > 0 ? `${countLabel(diff)} more` : `${countLabel(-diff)} fewer`}); this kernel frees ${r.pagesGot > 0 ? (r.measuredPages / r.pagesGot).toFixed(2) : '?'} per page, or something else (memory hotplug) moved the counters.`,
  };
}
