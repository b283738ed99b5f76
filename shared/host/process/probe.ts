/**
 * The runtime probe of the kernel's alignment of anonymous mappings, pure part: a helper process maps N
 * anonymous regions of a length that is not a multiple of 2 MiB and hands over its /proc/self/maps from
 * before and after; this finds those regions and says where the kernel put them. Kernels with the THP
 * alignment regression (6.7 to 6.11.6 upstream) start each on a 2 MiB boundary and leave a hole below the
 * next; fixed kernels place them back to back, where they merge into one VMA.
 */
import { numberText } from '../../number-text';
import { isAnonymous, type Vma } from './maps';
import { PMD_BYTES } from './layout';
import type { AlignmentProbe } from './types';

/** 4632 KiB: 2 MiB × 2 + 536 KiB, the length kernel-interfaces.md §4.2 uses; the hole it leaves is 1512 KiB. */
export const PROBE_MAPPING_KIB = 4632;
export const PROBE_COUNT = 8;

export interface Range {
  start: number;
  end: number;
}

/** The address ranges anonymous in `after` and not mapped at all in `before`. */
export function newRanges(before: readonly Vma[], after: readonly Vma[]): Range[] {
  const old = [...before].sort((a, b) => a.start - b.start);
  const out: Range[] = [];
  for (const v of after) {
    if (!isAnonymous(v)) continue;
    let pieces: Range[] = [{ start: v.start, end: v.end }];
    for (const o of old) {
      if (o.end <= v.start || o.start >= v.end) continue;
      pieces = pieces.flatMap((p) => {
        if (o.end <= p.start || o.start >= p.end) return [p];
        const rest: Range[] = [];
        if (o.start > p.start) rest.push({ start: p.start, end: o.start });
        if (o.end < p.end) rest.push({ start: o.end, end: p.end });
        return rest;
      });
    }
    out.push(...pieces);
  }
  // Neighbouring new pieces of separate VMAs are one placed region for this purpose: join them.
  out.sort((a, b) => a.start - b.start);
  const joined: Range[] = [];
  for (const r of out) {
    const last = joined[joined.length - 1];
    if (last && last.end === r.start) last.end = r.end;
    else joined.push({ ...r });
  }
  return joined;
}

/**
 * Where the probe mappings went, or why they cannot be told apart. Only new regions whose length is a whole
 * number of probe mappings count (anything else is the helper's runtime mapping memory of its own); a region
 * of k mappings is k mappings placed back to back.
 */
export function analyzeProbe(
  ranges: readonly Range[],
  mappingKiB: number,
  count: number,
  release: string | null,
): AlignmentProbe | string {
  const len = mappingKiB * 1024;
  const chunks: Range[] = [];
  for (const r of ranges) {
    const size = r.end - r.start;
    if (size < len || size % len !== 0) continue;
    for (let at = r.start; at < r.end; at += len) chunks.push({ start: at, end: at + len });
  }
  if (chunks.length !== count)
    return `found ${chunks.length} new anonymous regions of ${numberText(mappingKiB)} KiB where the helper made ${count}: its allocator did not map them one by one, so the placement cannot be read`;
  chunks.sort((a, b) => a.start - b.start);
  const aligned = chunks.filter((c) => c.start % PMD_BYTES === 0).length;
  const gapsKiB = chunks.slice(1).map((c, i) => (c.start - chunks[i]!.end) / 1024);
  const affected = aligned === count;
  // Holes under 2 MiB are what alignment leaves; larger ones only mean the mappings went to separate places.
  const holes = gapsKiB.filter((g) => g > 0 && g < PMD_BYTES / 1024);
  const places = gapsKiB.filter((g) => g >= PMD_BYTES / 1024).length + 1;
  return {
    affected,
    aligned,
    total: count,
    gapsKiB,
    mappingKiB,
    release,
    detail:
      `${aligned} of ${count} anonymous mappings of ${numberText(mappingKiB)} KiB (not a multiple of 2 MiB) start on a 2 MiB boundary, ` +
      `${holes.length === 0 ? 'with no alignment holes between them' : `with ${holes.length} alignment holes between them (${holes.map((h) => `${numberText(h)} KiB`).join(', ')})`}` +
      `${places > 1 ? `, in ${places} separate places` : ''}: ` +
      (affected
        ? 'this kernel aligns every anonymous mapping of 2 MiB or more (the THP alignment regression)'
        : 'this kernel aligns only lengths that are multiples of 2 MiB (fixed, or never affected)'),
  };
}
