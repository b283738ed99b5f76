/**
 * Reading the monitor's samples: rates arrive computed by the sampler (which handles resets and wraps), so the
 * renderer only picks figures out of them and formats them, one way everywhere.
 */
import type { HostSample } from '../../../shared/api';

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

/**
 * One formatter for every figure: `toLocaleString('en-US')` builds a new formatter per call, which chart tick
 * labels would pay several times per sample.
 */
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count with thousands separators. */
export function countText(n: number): string {
  return whole.format(n);
}

const tick = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** An axis label: small scales keep their fractions (0.25, 0.5), large ones get separators. */
export function tickText(n: number): string {
  return tick.format(n);
}

/** A rate as people read it: whole numbers with separators, one decimal below 10, "—" for none. */
export function rateLabel(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond) || perSecond < 0) return '—';
  if (perSecond < 10 && perSecond !== Math.round(perSecond)) return `${perSecond.toFixed(1)}/s`;
  return `${whole.format(Math.round(perSecond))}/s`;
}
