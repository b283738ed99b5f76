/**
 * THP events: whether huge pages are being had (faults), missed (fallbacks), made later (khugepaged
 * collapses) or broken up (splits). Each is a /proc/vmstat counter; the machine views show its count since
 * boot from the report and its rate from the sample stream (`series` names it there).
 */
export const THP_EVENTS = [
  { series: 'thpFault', counter: 'thp_fault_alloc', label: 'Faults served with a huge page' },
  { series: 'thpFallback', counter: 'thp_fault_fallback', label: 'Faults that fell back to small pages' },
  { series: 'thpCollapse', counter: 'thp_collapse_alloc', label: 'Collapses by khugepaged' },
  { series: 'thpSplit', counter: 'thp_split_page', label: 'Huge pages split' },
] as const;

export type ThpSeries = (typeof THP_EVENTS)[number]['series'];
