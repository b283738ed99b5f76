import { numberText } from './number-text';

/**
 * Memory as text, in every view, finding, command and plan: the one place that decides how an amount reads.
 *
 * - Page sizes are exact powers of two (`sizeLabel`).
 * - Amounts are binary (KiB, MiB, GiB, TiB) and every function takes KiB. The planner holds MiB and converts at
 *   the call site (`mib * 1024`, or `mibToKiB` for a figure that may be missing).
 * - A column picks one unit for all its rows (`unitFor`) and one number of decimals (`digitsFor`): one decimal
 *   under 100 when not whole, none from 100 up. The exact figure goes in each cell's title (`exactKiB`).
 * - Figures a verdict rests on (the planner's need, capacity and margin) keep more digits (`verdictIn`), so a
 *   margin of 0.04 GiB never reads as 0.
 * - An amount that is not zero never reads as zero: below half its last shown digit it reads "< 0.1 GiB".
 * - Missing values read "unknown", never 0.
 */

export function sizeLabel(kib: number): string {
  if (kib >= 1048576 && kib % 1048576 === 0) return `${kib / 1048576} GiB`;
  if (kib >= 1024 && kib % 1024 === 0) return `${kib / 1024} MiB`;
  return `${kib} KiB`;
}

export type MemUnit = 'KiB' | 'MiB' | 'GiB' | 'TiB';

const KIB_PER: Record<MemUnit, number> = { KiB: 1, MiB: 1024, GiB: 1024 ** 2, TiB: 1024 ** 3 };
export const UNKNOWN = 'unknown';

/** A MiB figure (the planner's unit) in KiB, the unit every function here takes; a missing one stays missing. */
export function mibToKiB(mib: number | null): number | null {
  return mib === null ? null : mib * 1024;
}

/** The unit for a value: the largest in which it is at least 1. */
export function unitOf(kib: number): MemUnit {
  const a = Math.abs(kib);
  if (a >= KIB_PER.TiB) return 'TiB';
  if (a >= KIB_PER.GiB) return 'GiB';
  if (a >= KIB_PER.MiB) return 'MiB';
  return 'KiB';
}

/** One unit for a whole column: the unit of its largest value, so no row reads "39.8 GiB" beside "2560 MiB". */
export function unitFor(values: readonly (number | null | undefined)[]): MemUnit {
  let max = 0;
  for (const v of values) if (v !== null && v !== undefined && Math.abs(v) > max) max = Math.abs(v);
  return unitOf(max);
}

function decimals(x: number, unit: MemUnit): number {
  if (unit === 'KiB') return 0;
  const a = Math.abs(x);
  return a === Math.round(a) ? 0 : a < 100 ? 1 : 0;
}

/**
 * The decimals a whole column shows in its unit, so no row reads "14 MiB" beside "32.0 MiB": one when any value
 * under 100 is fractional there, else none. The exact figure is in each cell's title.
 */
export function digitsFor(values: readonly (number | null | undefined)[], unit: MemUnit): number {
  let d = 0;
  for (const v of values)
    if (v !== null && v !== undefined && Number.isFinite(v)) d = Math.max(d, decimals(v / KIB_PER[unit], unit));
  return d;
}

/**
 * A KiB amount in a given unit: "39.8 GiB", "2,560 MiB"; `digits` fixes the decimals (a column's, from digitsFor).
 * An amount that is not zero but would round to zero says it is small instead, at the precision shown: with one
 * decimal 0.04 GiB reads "< 0.1 GiB", with three 0.0004 GiB reads "< 0.001 GiB" and 0.008 GiB "0.008 GiB".
 */
export function memIn(kib: number | null | undefined, unit: MemUnit, digits?: number): string {
  if (kib === null || kib === undefined || !Number.isFinite(kib)) return UNKNOWN;
  const x = kib / KIB_PER[unit];
  const d = digits ?? decimals(x, unit);
  const text = numberText(Math.abs(x), { min: d, max: d });
  if (x !== 0 && /^[0.,]+$/.test(text)) {
    // Below half the last shown digit: the smallest figure the column can show, as a bound.
    const step = numberText(10 ** -d, { min: d, max: d });
    return x > 0 ? `< ${step} ${unit}` : `> -${step} ${unit}`;
  }
  return `${x < 0 ? '-' : ''}${text} ${unit}`;
}

/** A KiB amount in its own best unit: "39.8 GiB", "314 GiB", "28 KiB". */
export function memLabel(kib: number | null | undefined): string {
  return kib === null || kib === undefined ? UNKNOWN : memIn(kib, unitOf(kib));
}

/** The exact amount of a kernel figure (whole KiB), for a title: "41,733,120 KiB (42,734,714,880 bytes)". */
export function exactKiB(kib: number | null | undefined): string | undefined {
  if (kib === null || kib === undefined || !Number.isFinite(kib)) return undefined;
  return `${countLabel(kib)} KiB (${countLabel(kib * 1024)} bytes)`;
}

// ---- Figures a verdict rests on ----
//
// The planner's need, capacity and margin decide "fits" or "does not fit", and they are estimates with fractions
// of a MiB: the column rule above (one decimal under 100) would show a margin of 0.04 GiB as "< 0.1 GiB" and
// 8 MiB beside 40 GiB as "< 0.1 GiB". These figures keep more digits instead, and stop at GiB: in TiB, 1.07 TiB
// needed beside 1.07 TiB available would hide a 5 GiB shortfall, and a 2 GiB term would read "0.002 TiB".

/**
 * The unit for a set of verdict figures (a table's columns, or one figure on its own): the column unit
 * (`unitFor`), but never TiB, so need and capacity on a large machine still differ where they differ.
 */
export function verdictUnitFor(values: readonly (number | null | undefined)[]): MemUnit {
  const unit = unitFor(values);
  return unit === 'TiB' ? 'GiB' : unit;
}

/**
 * The decimals of a verdict figure in its unit: KiB and MiB whole; GiB (and TiB) with one decimal from 10, two
 * below, three below 0.1, so a small term in a GiB column still shows its size (8 MiB is 0.008 GiB, not 0.01)
 * and a margin of 0.04 GiB reads 0.040.
 */
export function verdictDigits(kib: number, unit: MemUnit): number {
  if (unit === 'KiB' || unit === 'MiB') return 0;
  const a = Math.abs(kib / KIB_PER[unit]);
  return a >= 10 ? 1 : a >= 0.1 || a === 0 ? 2 : 3;
}

/** A verdict figure in its set's unit (from verdictUnitFor): "39.8 GiB", "2.50 GiB", "0.008 GiB", "443 MiB". */
export function verdictIn(kib: number | null | undefined, unit: MemUnit): string {
  if (kib === null || kib === undefined || !Number.isFinite(kib)) return UNKNOWN;
  return memIn(kib, unit, verdictDigits(kib, unit));
}

/** A verdict figure on its own: "0.040 GiB to spare", "1,100.0 GiB available", "512 MiB". */
export function verdictLabel(kib: number): string {
  return verdictIn(kib, verdictUnitFor([kib]));
}

/**
 * The exact amount of a planner figure, for a title: the planner estimates in fractions of a MiB, so MiB to a
 * tenth and whole KiB ("40,755.2 MiB (41,733,325 KiB)"), where a kernel figure gives whole KiB and bytes (exactKiB).
 */
export function exactMiB(kib: number | null | undefined): string | undefined {
  if (kib === null || kib === undefined || !Number.isFinite(kib)) return undefined;
  return `${numberText(kib / 1024, { max: 1 })} MiB (${numberText(Math.round(kib))} KiB)`;
}

/**
 * A file's size in bytes: bytes below 1 KiB (a 36-byte file is not "0 KiB"), KiB to a tenth below 1 MiB, then as
 * a verdict figure (a model's weights are a term of the plan).
 */
export function byteLabel(bytes: number): string {
  if (bytes < 1024) return `${numberText(bytes)} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (bytes < 1048576) return `${numberText(bytes / 1024, { max: 1 })} KiB`;
  return verdictLabel(bytes / 1024);
}

/**
 * A MiB amount in a sentence of advice or a machine fact, where it stands alone and rounding is harmless: whole
 * MiB below 10 GiB ("2,560 MiB", the figure people type into a pool size), GiB to a tenth from there.
 */
export function proseMiB(mib: number): string {
  return Math.abs(mib) >= 10240
    ? `${numberText(mib / 1024, { min: 1, max: 1 })} GiB`
    : `${numberText(Math.round(mib))} MiB`;
}

/** A count with grouping: "1,234,567". */
export function countLabel(n: number | null): string {
  return n === null ? UNKNOWN : numberText(n);
}

/** What the source switcher calls each kind of source. */
export const SOURCE_KIND_LABEL = { live: 'Live', root: 'Fake root', snapshot: 'Snapshot', sim: 'Simulator' } as const;
