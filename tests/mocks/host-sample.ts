/** A host.sample as the sampler sends it, with every rate null unless given (`tlb` defaults to seq × 10). */
import { MONITOR_SERIES, type HostSample } from '../../shared/api';

export function hostSample(
  seq: number,
  o: Partial<Omit<HostSample, 'rates'>> & { tlb?: number | null; rates?: Partial<HostSample['rates']> } = {},
): HostSample {
  const { tlb, rates: given, ...rest } = o;
  const rates = Object.fromEntries(MONITOR_SERIES.map((k) => [k, null])) as HostSample['rates'];
  rates.tlb = tlb === undefined ? seq * 10 : tlb;
  Object.assign(rates, given);
  return {
    seq,
    at: seq * 2000,
    seconds: 2,
    live: true,
    reason: null,
    cpus: null,
    perCpu: null,
    tlbTotal: null,
    notes: [],
    absent: {},
    ...rest,
    rates,
  };
}
