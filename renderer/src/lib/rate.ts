/** Per-second rates from two cumulative counter samples. Pure, so it is tested on its own. */
import type { HostSample } from '../../../shared/api';

export interface TlbRate {
  perSecond: number;
  /** The busiest CPU's rate, which is what a user feels as stalls. */
  maxCpu: { cpu: number; perSecond: number } | null;
}

export function tlbRate(prev: HostSample, next: HostSample): TlbRate | null {
  if (!prev.tlb || !next.tlb) return null;
  const seconds = (next.at - prev.at) / 1000;
  // A counter that went backwards means the machine rebooted or the source changed: no rate.
  if (seconds <= 0 || next.tlb.total < prev.tlb.total) return null;
  const before = new Map(prev.tlb.perCpu.map((c) => [c.cpu, c.count]));
  let maxCpu: TlbRate['maxCpu'] = null;
  for (const c of next.tlb.perCpu) {
    const b = before.get(c.cpu);
    if (b === undefined || c.count < b) continue;
    const r = (c.count - b) / seconds;
    if (maxCpu === null || r > maxCpu.perSecond) maxCpu = { cpu: c.cpu, perSecond: r };
  }
  return { perSecond: (next.tlb.total - prev.tlb.total) / seconds, maxCpu };
}
