/**
 * The Compare view's cells: sizes in one unit per column of a table (the values, and the changes), the exact
 * figure in the cell's title; everything else as the diff words it.
 */
import { diffDeltaText, diffValueText, type DiffEntry, type DiffValue } from '../../../shared/host/diff';
import { exactKiB, memIn, unitFor, type MemUnit } from './format';

export interface Cell {
  text: string;
  title: string | undefined;
}

export interface ColumnUnits {
  /** The A and B columns: one unit for both, so a value reads the same on either side. */
  value: MemUnit;
  delta: MemUnit;
}

const sizes = (rows: readonly DiffEntry[]) => rows.filter((e) => e.unit === 'KiB');
const num = (v: DiffValue): number | null => (typeof v === 'number' ? v : null);

export function columnUnits(rows: readonly DiffEntry[]): ColumnUnits {
  const kib = sizes(rows);
  return {
    value: unitFor(kib.flatMap((e) => [num(e.a), num(e.b)])),
    delta: unitFor(kib.map((e) => e.delta)),
  };
}

export function valueCell(e: DiffEntry, v: DiffValue, units: ColumnUnits): Cell {
  if (e.unit === 'KiB' && typeof v === 'number') return { text: memIn(v, units.value), title: exactKiB(v) };
  return { text: diffValueText(e, v), title: undefined };
}

export function deltaCell(e: DiffEntry, units: ColumnUnits): Cell {
  const d = e.delta;
  if (e.unit === 'KiB' && d !== undefined && d !== 0) {
    const sign = d > 0 ? '+' : '-';
    return { text: `${sign}${memIn(Math.abs(d), units.delta)}`, title: `${sign}${exactKiB(Math.abs(d))}` };
  }
  return { text: diffDeltaText(e) ?? '', title: undefined };
}
