/**
 * The figures the machine views take from a host.sample: the TLB total and CPU count, the TLB rate with its
 * busiest CPU, and the THP event rates. The one place that knows the sample's shape. Samples either carry
 * rates the sampler computed (`rates`, `perCpu` as rates, `tlbTotal`) or raw per-CPU TLB counts (`tlb`), from
 * which the rate is the difference with the previous sample.
 */
import type { HostSample } from '../../../shared/api';
import type { ThpSeries } from './thp-events';

export interface TlbRate {
  perSecond: number;
  /** The busiest CPU's rate, which is what a user feels as stalls. */
  maxCpu: { cpu: number; perSecond: number } | null;
}

type RawTlb = { total: number; perCpu: { cpu: number; count: number }[] } | null | undefined;

/** Rates from two raw readings; none across a counter going backwards (a reboot, another source). */
function rawTlbRate(prev: RawTlb, next: RawTlb, ms: number): TlbRate | null {
  if (!prev || !next || ms <= 0 || next.total < prev.total) return null;
  const before = new Map(prev.perCpu.map((c) => [c.cpu, c.count]));
  let maxCpu: TlbRate['maxCpu'] = null;
  for (const c of next.perCpu) {
    const b = before.get(c.cpu);
    if (b === undefined || c.count < b) continue;
    const r = ((c.count - b) * 1000) / ms;
    if (maxCpu === null || r > maxCpu.perSecond) maxCpu = { cpu: c.cpu, perSecond: r };
  }
  return { perSecond: ((next.total - prev.total) * 1000) / ms, maxCpu };
}

export interface SampleFigures {
  tlbTotal: number | null;
  cpuCount: number | null;
  tlb: TlbRate | null;
  /** Per second; null where the sample has no rate for it. */
  thp: Record<ThpSeries, number | null> | null;
}

interface RatedSample {
  rates?: Record<string, number | null>;
  tlbTotal?: number | null;
  perCpu?: number[] | null;
  cpus?: number[] | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** `cpus`: the CPU list last seen (a rated sample sends it only when it changes). */
export function sampleFigures(prev: HostSample | null, s: HostSample, cpus: readonly number[] | null): SampleFigures {
  const rated = s as unknown as RatedSample;
  if (rated.rates && typeof rated.rates === 'object') {
    const r = rated.rates;
    const perCpu = Array.isArray(rated.perCpu) ? rated.perCpu : null;
    let maxCpu: TlbRate['maxCpu'] = null;
    if (perCpu && cpus && cpus.length === perCpu.length) {
      perCpu.forEach((v, i) => {
        if (v >= 0 && (maxCpu === null || v > maxCpu.perSecond)) maxCpu = { cpu: cpus[i]!, perSecond: v };
      });
    }
    const tlb = num(r['tlb']);
    return {
      tlbTotal: num(rated.tlbTotal),
      cpuCount: perCpu?.length ?? cpus?.length ?? null,
      tlb: tlb === null ? null : { perSecond: tlb, maxCpu },
      thp: {
        thpFault: num(r['thpFault']),
        thpFallback: num(r['thpFallback']),
        thpCollapse: num(r['thpCollapse']),
        thpSplit: num(r['thpSplit']),
      },
    };
  }
  const raw = (x: HostSample): RawTlb => (x as unknown as { tlb?: RawTlb }).tlb;
  const now = raw(s);
  return {
    tlbTotal: now?.total ?? null,
    cpuCount: now?.perCpu.length ?? null,
    tlb: prev ? rawTlbRate(raw(prev), now, s.at - prev.at) : null,
    thp: null,
  };
}

/** The CPU list a sample carries, if it carries one. */
export function sampleCpus(s: HostSample): number[] | null {
  const c = (s as unknown as RatedSample).cpus;
  return Array.isArray(c) ? c : null;
}
