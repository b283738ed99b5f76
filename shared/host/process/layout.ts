/**
 * The layout of a process's anonymous mappings and the pattern the THP alignment regression leaves in it
 * (kernels 6.7 to 6.11.6 started every anonymous mmap of 2 MiB or more on a 2 MiB boundary, whatever its
 * length, leaving holes that stop neighbours merging). Pure: VMAs in, counts out.
 */
import { isAnonymous, type Vma } from './maps';

export const PMD_BYTES = 2 * 1024 * 1024;
const KIB = 1024;

export interface VmaRow {
  /** Hex, as in /proc/PID/maps. */
  start: string;
  end: string;
  sizeKiB: number;
  perms: string;
  name: string;
  /** Starts on a 2 MiB boundary. */
  aligned: boolean;
  /** Its length is a whole number of 2 MiB. */
  pmdMultiple: boolean;
  /** The hole below the next anonymous mapping above it, when that hole is an alignment gap (see gaps). */
  gapAfterKiB: number;
}

export interface VmaSummary {
  /** Anonymous mappings of any size. */
  anonCount: number;
  /** Anonymous mappings of 2 MiB or more: the ones the regression concerns. */
  largeCount: number;
  /** Large anonymous mappings that start on a 2 MiB boundary. */
  alignedCount: number;
  /** Of those, the ones whose length is not a multiple of 2 MiB: fixed kernels (6.11.7, 6.12+) do not align them. */
  oddAlignedCount: number;
  /** Alignment gaps: a hole of less than 2 MiB between two anonymous mappings, the upper one 2 MiB-aligned. */
  gapCount: number;
  gapKiB: number;
  /**
   * The regression's pattern: at least two large anonymous mappings of a length that is not a 2 MiB multiple
   * start on a 2 MiB boundary, with at least one alignment gap between anonymous mappings.
   */
  pattern: boolean;
  /** Every mapping in the address space, anonymous or not. */
  totalCount: number;
  anonKiB: number;
}

const isAligned = (a: number): boolean => a % PMD_BYTES === 0;

/** The alignment gap between a mapping and the next one above it, in bytes (0 when there is none). */
function alignmentGap(lower: Vma, upper: Vma): number {
  const hole = upper.start - lower.end;
  if (!isAnonymous(lower) || !isAnonymous(upper)) return 0;
  return hole > 0 && hole < PMD_BYTES && isAligned(upper.start) ? hole : 0;
}

export function summarizeVmas(vmas: readonly Vma[]): VmaSummary {
  const sorted = [...vmas].sort((a, b) => a.start - b.start);
  let anonCount = 0;
  let largeCount = 0;
  let alignedCount = 0;
  let oddAlignedCount = 0;
  let gapCount = 0;
  let gapBytes = 0;
  let anonBytes = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (!isAnonymous(v)) continue;
    anonCount++;
    const size = v.end - v.start;
    anonBytes += size;
    if (size >= PMD_BYTES) {
      largeCount++;
      if (isAligned(v.start)) {
        alignedCount++;
        if (size % PMD_BYTES !== 0) oddAlignedCount++;
      }
    }
    const next = sorted[i + 1];
    const gap = next ? alignmentGap(v, next) : 0;
    if (gap > 0) {
      gapCount++;
      gapBytes += gap;
    }
  }
  return {
    anonCount,
    largeCount,
    alignedCount,
    oddAlignedCount,
    gapCount,
    gapKiB: gapBytes / KIB,
    pattern: oddAlignedCount >= 2 && gapCount >= 1,
    totalCount: vmas.length,
    anonKiB: anonBytes / KIB,
  };
}

/** The anonymous mappings as table rows, in address order, at most `limit` of them (the largest are kept). */
export function anonRows(vmas: readonly Vma[], limit = 2000): { rows: VmaRow[]; omitted: number } {
  const sorted = [...vmas].sort((a, b) => a.start - b.start);
  const rows: (VmaRow & { at: number })[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (!isAnonymous(v)) continue;
    const next = sorted[i + 1];
    const size = v.end - v.start;
    rows.push({
      at: v.start,
      start: v.start.toString(16),
      end: v.end.toString(16),
      sizeKiB: size / KIB,
      perms: v.perms,
      name: v.path,
      aligned: isAligned(v.start),
      pmdMultiple: size % PMD_BYTES === 0,
      gapAfterKiB: next ? alignmentGap(v, next) / KIB : 0,
    });
  }
  if (rows.length <= limit) return { rows: rows.map(({ at: _at, ...r }) => r), omitted: 0 };
  const kept = [...rows]
    .sort((a, b) => b.sizeKiB - a.sizeKiB)
    .slice(0, limit)
    .sort((a, b) => a.at - b.at);
  return { rows: kept.map(({ at: _at, ...r }) => r), omitted: rows.length - limit };
}
