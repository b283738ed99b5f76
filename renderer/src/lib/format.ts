/**
 * Numbers as every view shows them: one module, built on shared/units.ts. Memory is binary (KiB, MiB, GiB,
 * TiB); a column picks one unit for all its rows (`unitFor`) so values compare at a glance, and the exact
 * figure travels in the cell's title (`exactKiB`); the planner's verdict figures keep more digits (`verdictIn`).
 * Missing values read "unknown", never 0.
 */
import { numberText } from '../../../shared/number-text';
import { countLabel, memLabel, sizeLabel, UNKNOWN } from '../../../shared/units';

export {
  byteLabel,
  digitsFor,
  exactKiB,
  exactMiB,
  memIn,
  mibToKiB,
  unitFor,
  unitOf,
  UNKNOWN,
  verdictIn,
  verdictLabel,
  verdictUnitFor,
  type MemUnit,
} from '../../../shared/units';

/** A KiB amount in its own best unit: "39.8 GiB", "314 GiB". */
export const mem = memLabel;

/** A count with grouping: "1,234,567". */
export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? UNKNOWN : countLabel(n);
}

/** A rate per second: "1,234/s"; small fractional rates keep one decimal so 0.4/s does not read as 0. */
export function rate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return UNKNOWN;
  const d = perSecond !== Math.round(perSecond) && Math.abs(perSecond) < 10 ? 1 : 0;
  return `${numberText(perSecond, { min: d, max: d })}/s`;
}

/**
 * A share, always to a tenth so a column of them lines up ("1.0 %", "12.5 %", "84.0 %"); a part too small to
 * show at that precision is "< 0.1 %", never a 0 it is not.
 */
export function percent(part: number, whole: number): string {
  if (!(whole > 0)) return UNKNOWN;
  const p = (100 * part) / whole;
  if (p > 0 && p < 0.05) return '< 0.1 %';
  return `${numberText(p, { min: 1, max: 1 })} %`;
}

/** A page size: "2 MiB", "1 GiB", "64 KiB". */
export const pageSize = (kib: number): string => sizeLabel(kib);

/** Milliseconds as people read an interval: "2 s", "500 ms", "10 s". */
export function interval(ms: number): string {
  return ms >= 1000 ? `${numberText(ms / 1000, { max: 1 })} s` : `${ms} ms`;
}

/** A moment as a 24-hour local clock time, "14:03:07" (what toLocaleTimeString('en-GB') prints, without ICU). */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Memory tiers by what they are: named in one place for the views and the diff. */
export { tierLabel, tierName } from '../../../shared/host/tier-name';
