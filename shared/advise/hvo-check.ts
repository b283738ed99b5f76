/**
 * The live HVO check's result and its verdict, shared by the CLI (`hugetune hvo-check`), the API (`hvo.check`)
 * and the HVO view. The verdict is read off the figures the result carries (pages obtained × vmemmap pages
 * freed per huge page against the fall of the memmap counters), never judged beside them.
 */
import type { SetupStep } from '../api';

/** The most huge pages one check reserves (the CLI's --pages and the API's `pages`). */
export const HVO_CHECK_MAX_PAGES = 1 << 20;

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
}

export type HvoCheckVerdict = 'as-predicted' | 'differs' | 'nothing-measured';

/** The verdict and the sentence that explains it from the result's own figures. */
export function checkVerdict(r: HvoCheckResult): { verdict: HvoCheckVerdict; sentence: string } {
  if (r.pagesGot <= 0)
    return {
      verdict: 'nothing-measured',
      sentence: `The pool did not grow (asked ${r.pagesAsked}, got 0 pages): the kernel found no free memory for them, so there was nothing to measure.`,
    };
  const each = `${r.pagesGot} × ${r.freedPagesPerHugePage} = ${r.predictedPages}`;
  if (r.measuredPages === r.predictedPages)
    return {
      verdict: 'as-predicted',
      sentence: `As predicted: the memmap counters fell by ${r.measuredPages} pages, exactly ${each} (pages obtained × vmemmap pages HVO frees per page).`,
    };
  const diff = r.measuredPages - r.predictedPages;
  return {
    verdict: 'differs',
    sentence: `Differs: the memmap counters fell by ${r.measuredPages} pages where ${each} were predicted (${diff > 0 ? `${diff} more` : `${-diff} fewer`}); this kernel frees ${r.pagesGot > 0 ? (r.measuredPages / r.pagesGot).toFixed(2) : '?'} per page, or something else (memory hotplug) moved the counters.`,
  };
}
