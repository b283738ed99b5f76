import { numberText } from './number-text';

/**
 * Sizes as people read them, in every view, finding and command: page sizes are exact powers of two; memory is
 * binary (KiB, MiB, GiB, TiB), one decimal under 100 when not whole, none from 100 up. A column picks one unit
 * for all its rows (`unitFor`) and one number of decimals (`digitsFor`). Missing values read "unknown", never 0.
 */

export function sizeLabel(kib: number): string {
  if (kib >= 1048576 && kib % 1048576 === 0) return `${kib / 1048576} GiB`;
  if (kib >= 1024 && kib % 1024 === 0) return `${kib / 1024} MiB`;
  return `${kib} KiB`;
}

export type MemUnit = 'KiB' | 'MiB' | 'GiB' | 'TiB';

const KIB_PER: Record<MemUnit, number> = { KiB: 1, MiB: 1024, GiB: 1024 ** 2, TiB: 1024 ** 3 };
export const UNKNOWN = 'unknown';

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

/** A KiB amount in a given unit: "39.8 GiB", "2,560 MiB"; `digits` fixes the decimals (a column's, from digitsFor). */
export function memIn(kib: number | null | undefined, unit: MemUnit, digits?: number): string {
  if (kib === null || kib === undefined || !Number.isFinite(kib)) return UNKNOWN;
  const x = kib / KIB_PER[unit];
  const d = digits ?? decimals(x, unit);
  // A small amount in a big column's unit: say it is small, rather than round it to a zero it is not.
  if (x !== 0 && Math.abs(x) < 0.05) return `< 0.1 ${unit}`;
  return `${numberText(x, { min: d, max: d })} ${unit}`;
}

/** A KiB amount in its own best unit: "39.8 GiB", "314 GiB", "28 KiB". */
export function memLabel(kib: number | null | undefined): string {
  return kib === null || kib === undefined ? UNKNOWN : memIn(kib, unitOf(kib));
}

export function gibLabel(kib: number | null): string {
  return kib === null ? 'unknown' : `${(kib / 1048576).toFixed(1)} GiB`;
}

export function countLabel(n: number | null): string {
  return n === null ? 'unknown' : numberText(n);
}

export function mibLabel(kib: number | null): string {
  return kib === null ? 'unknown' : `${numberText(kib / 1024, { max: 1 })} MiB`;
}

/** What the source switcher calls each kind of source. */
export const SOURCE_KIND_LABEL = { live: 'Live', root: 'Fake root', snapshot: 'Snapshot', sim: 'Simulator' } as const;
