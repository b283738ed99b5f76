/**
 * Memory figures, in the app and in the plan's own words: one unit per column or row set (never "39.8 GiB"
 * beside "2560 MiB"), binary units, and the exact figure for a tooltip.
 */
import { numberText } from './number-text';

export type MemUnit = 'MiB' | 'GiB';

/** GiB when any figure of the set is 1 GiB or more, else MiB. */
export function unitFor(mibs: readonly (number | null)[]): MemUnit {
  return mibs.some((m) => m !== null && Math.abs(m) >= 1024) ? 'GiB' : 'MiB';
}

/**
 * A figure in the given unit: MiB whole; GiB with one decimal from 10 GiB, two below, three below 0.1 GiB so a
 * small term in a GiB column still shows its size (8 MiB is 0.008 GiB, not 0.01).
 */
export function inUnit(mib: number | null, unit: MemUnit): string {
  if (mib === null) return '';
  if (unit === 'MiB') return `${numberText(Math.round(mib))} MiB`;
  const gib = mib / 1024;
  const abs = Math.abs(gib);
  const digits = abs >= 10 ? 1 : abs >= 0.1 || abs === 0 ? 2 : 3;
  return `${numberText(gib, { min: digits, max: digits })} GiB`;
}

/** A figure on its own: GiB from 1 GiB up. */
export function memText(mib: number): string {
  return inUnit(mib, unitFor([mib]));
}

/** The exact figure, for hover: MiB to a tenth, and KiB. */
export function exactMiB(mib: number | null): string {
  if (mib === null) return '';
  return `${numberText(mib, { max: 1 })} MiB (${numberText(Math.round(mib * 1024))} KiB)`;
}

/** A file's size: bytes below 1 KiB (a 36-byte file is not "0 KiB"), KiB to a tenth below 1 MiB, then as memory. */
export function byteText(bytes: number): string {
  if (bytes < 1024) return `${numberText(bytes)} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (bytes < 1048576) return `${numberText(bytes / 1024, { max: 1 })} KiB`;
  return memText(bytes / 1048576);
}
