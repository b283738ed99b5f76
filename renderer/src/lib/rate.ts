/**
 * Reading the monitor's samples: rates arrive computed by the sampler (which handles resets and wraps), so the
 * renderer only picks figures out of them and formats them, one way everywhere.
 */
import type { HostSample } from '../../../shared/api';
import { numberText } from '../../../shared/number-text';

export interface TlbRate {
  perSecond: number;
  /** The busiest CPU's rate, which is what a user feels as stalls. */
  maxCpu: { cpu: number; perSecond: number } | null;
}

/** The TLB figures of one sample, with `cpus` the CPU list last sent (samples carry it only when it changes). */
export function tlbRate(s: HostSample, cpus: readonly number[] | null): TlbRate | null {
  const perSecond = s.rates.tlb;
  if (perSecond === null) return null;
  let maxCpu: TlbRate['maxCpu'] = null;
  if (s.perCpu && cpus && cpus.length === s.perCpu.length) {
    for (let i = 0; i < s.perCpu.length; i++) {
      const r = s.perCpu[i]!;
      // -1: no rate for that CPU this tick (it was reset or just came online).
      if (r >= 0 && (maxCpu === null || r > maxCpu.perSecond)) maxCpu = { cpu: cpus[i]!, perSecond: r };
    }
  }
  return { perSecond, maxCpu };
}

/** A count with thousands separators. */
export function countText(n: number): string {
  return numberText(n, { max: 0 });
}

/** An axis label: small scales keep their fractions (0.25, 0.5), large ones get separators. */
export function tickText(n: number): string {
  return numberText(n, { max: 2 });
}

/** A rate as people read it: whole numbers with separators, one decimal below 10, "—" for none. */
export function rateLabel(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond) || perSecond < 0) return '—';
  if (perSecond < 10 && perSecond !== Math.round(perSecond)) return `${perSecond.toFixed(1)}/s`;
  return `${countText(Math.round(perSecond))}/s`;
}
