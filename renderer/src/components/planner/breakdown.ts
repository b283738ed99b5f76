/**
 * The breakdown chart's bars, as spans on one memory axis. Terms that add memory are laid end to end; a term
 * that gives memory back (HVO) takes its span off the end of that run, on its own row, so the "Needed" bar
 * ends where the memory constraint's need does and a saving is never hidden.
 */
import { termsTotalMiB, type Term } from '../../../../shared/plan/plan';
import { seriesOf, type Series } from './series';

export interface BreakdownBar {
  /** The legend's name: a term's label, or the row's own for the totals. */
  label: string;
  series: Series;
  /** The chart row the bar is drawn on. */
  row: string;
  fromMiB: number;
  toMiB: number;
}

export interface BreakdownBars {
  rows: string[];
  bars: BreakdownBar[];
  /** Where the "Needed" bar ends: what the terms need together, savings taken off. */
  neededMiB: number;
}

export const NEEDED = 'Needed';
export const AVAILABLE = 'Available';
/** The row that lays out the terms that add memory, when some term gives memory back. */
export const TERMS = 'Terms';

export function breakdownBars(terms: readonly Term[], availableMiB: number): BreakdownBars {
  const neededMiB = termsTotalMiB(terms);
  const adds = terms.filter((t) => t.mib > 0);
  const gives = terms.filter((t) => t.mib < 0);
  const bars: BreakdownBar[] = [];
  let end = 0;
  const first = gives.length > 0 ? TERMS : NEEDED;
  for (const t of adds) {
    bars.push({ label: t.label, series: seriesOf(t.label), row: first, fromMiB: end, toMiB: end + t.mib });
    end += t.mib;
  }
  for (const t of gives) {
    bars.push({ label: t.label, series: seriesOf(t.label), row: t.label, fromMiB: end + t.mib, toMiB: end });
    end += t.mib;
  }
  // With a saving, the need is its own bar in the needed colour, after the steps that lead to it.
  if (gives.length > 0) bars.push({ label: NEEDED, series: 'needed', row: NEEDED, fromMiB: 0, toMiB: neededMiB });
  bars.push({ label: AVAILABLE, series: 'available', row: AVAILABLE, fromMiB: 0, toMiB: availableMiB });
  const rows = gives.length > 0 ? [TERMS, ...gives.map((t) => t.label), NEEDED, AVAILABLE] : [NEEDED, AVAILABLE];
  return { rows, bars, neededMiB };
}
