import { numberText } from './number-text';

/** Sizes as people read them. Page sizes are exact powers of two; memory totals get one decimal. */

export function sizeLabel(kib: number): string {
  if (kib >= 1048576 && kib % 1048576 === 0) return `${kib / 1048576} GiB`;
  if (kib >= 1024 && kib % 1024 === 0) return `${kib / 1024} MiB`;
  return `${kib} KiB`;
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
