/**
 * The figures the machine views take from a host.sample: the TLB total and CPU count, the TLB rate with its
 * busiest CPU, and the THP event rates. The sampler has already turned counters into rates (across resets and
 * wraps), so this only picks them out.
 */
import type { HostSample } from '../../../shared/api';
import { tlbRate, type TlbRate } from './rate';
import { THP_EVENTS, type ThpSeries } from './thp-events';

export interface SampleFigures {
  tlbTotal: number | null;
  cpuCount: number | null;
  tlb: TlbRate | null;
  /** Per second; null where the sample has no rate for it. */
  thp: Record<ThpSeries, number | null> | null;
}

/** `cpus`: the CPU list last seen (a sample sends it only when it changes). */
export function sampleFigures(s: HostSample, cpus: readonly number[] | null): SampleFigures {
  const thp = Object.fromEntries(THP_EVENTS.map((e) => [e.series, s.rates[e.series]])) as Record<
    ThpSeries,
    number | null
  >;
  return {
    tlbTotal: s.tlbTotal,
    cpuCount: s.perCpu?.length ?? cpus?.length ?? null,
    tlb: tlbRate(s, cpus),
    thp: s.live ? thp : null,
  };
}
