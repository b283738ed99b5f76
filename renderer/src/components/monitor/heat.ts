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
