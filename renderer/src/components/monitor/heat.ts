/**
 * The per-CPU heatmap's arithmetic, kept apart from the canvas so it is tested on its own: how CPUs fold into
 * bands when there are more CPUs than pixel rows, and how a rate becomes a colour (log scale, because one busy
 * CPU can take a thousand times the shootdowns of a quiet one).
 */

/** Rows drawn for `cpus` CPUs in `rows` pixel rows: one per CPU while they fit, else one band per row. */
export function bandsFor(cpus: number, rows: number): number {
  return Math.max(1, Math.min(cpus, rows));
}

/** The CPU columns [lo, hi) folded into band `b` of `bands`. */
export function bandOf(b: number, bands: number, cpus: number): [number, number] {
  return [Math.floor((b * cpus) / bands), Math.floor(((b + 1) * cpus) / bands)];
}

/** 256 opaque colours from `lo` to `hi`, as canvas pixels (RGBA bytes read as one little-endian word). */
export function heatPalette(lo: readonly number[], hi: readonly number[]): Uint32Array {
  const out = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    const c = [0, 1, 2].map((k) => Math.round(lo[k]! + (hi[k]! - lo[k]!) * t));
    out[i] = ((255 << 24) | (c[2]! << 16) | (c[1]! << 8) | c[0]!) >>> 0;
  }
  return out;
}

/** Palette index of a rate on a log scale up to `max`. */
export function heatIndex(v: number, max: number): number {
  if (!(v > 0)) return 0;
  return Math.min(255, Math.round((255 * Math.log1p(v)) / Math.log1p(Math.max(1, max))));
}

/**
 * Writes one time column: each band takes its busiest CPU (a hot CPU must not vanish into a band's average);
 * a band with no rate at all (CPUs reset or not yet sampled) gets `empty`.
 */
export function fillColumn(
  out: Uint32Array,
  row: Float32Array,
  bands: number,
  max: number,
  palette: Uint32Array,
  empty: number,
): void {
  const n = row.length;
  for (let b = 0; b < bands; b++) {
    const lo = Math.floor((b * n) / bands);
    const hi = Math.floor(((b + 1) * n) / bands);
    let best = -1;
    for (let k = lo; k < hi; k++) {
      const v = row[k]!;
      if (v > best) best = v;
    }
    out[b] = best < 0 ? empty : palette[heatIndex(best, max)]!;
  }
}

/** The smallest power of two at or above `x` (1 for anything up to 1). */
export function ceilPow2(x: number): number {
  return x > 1 ? 2 ** Math.ceil(Math.log2(x)) : 1;
}

/**
 * The top of the colour scale, given the current one and the peak rate in the window now. It follows the
 * window both ways in powers of two: up at once to the next power of two when the peak goes above it, and down
 * once the peak has left it more than a factor of four below (to the power of two at or above twice the peak).
 * The gap between the two rules keeps a peak near a power of two from flipping the scale, and so the colours of
 * the whole map, sample after sample.
 */
export function nextScale(current: number, peak: number): number {
  const p = Number.isFinite(peak) && peak > 0 ? peak : 0;
  const up = ceilPow2(p);
  if (up > current) return up;
  const down = ceilPow2(2 * p);
  return down < current ? down : current;
}

/** The highest rate in a per-CPU row (-1 and NaN, no rate, count as nothing). */
export function rowPeak(row: Float32Array): number {
  let m = 0;
  for (let k = 0; k < row.length; k++) if (row[k]! > m) m = row[k]!;
  return m;
}

/** One CPU's rates over the shown window, for the map's table. null where it had no rate at all. */
export interface CpuWindow {
  latest: number | null;
  mean: number | null;
  peak: number | null;
}

/**
 * Each CPU's latest, mean and peak rate over the given per-CPU rows (oldest first), so the table holds the
 * window the map draws, not only its last column. -1 and NaN (no rate) are left out of the mean and the peak.
 */
export function cpuWindowStats(rows: readonly Float32Array[], cpus: number): CpuWindow[] {
  const sum = new Float64Array(cpus);
  const count = new Uint32Array(cpus);
  const peak = new Float64Array(cpus).fill(-1);
  for (const row of rows)
    for (let k = 0; k < cpus; k++) {
      const v = row[k]!;
      if (!(v >= 0)) continue;
      sum[k]! += v;
      count[k]!++;
      if (v > peak[k]!) peak[k] = v;
    }
  const last = rows.at(-1);
  return Array.from({ length: cpus }, (_, k) => {
    const v = last?.[k];
    return {
      latest: v !== undefined && v >= 0 ? v : null,
      mean: count[k]! > 0 ? sum[k]! / count[k]! : null,
      peak: count[k]! > 0 ? peak[k]! : null,
    };
  });
}
