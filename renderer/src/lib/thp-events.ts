/**
 * THP events as rates: the /proc/vmstat counters that say whether huge pages are being had (faults), missed
 * (fallbacks), made later (khugepaged collapses) or broken up (splits), per second between two samples.
 */
import type { HostSample } from '../../../shared/api';

export const THP_EVENTS = [
  { key: 'thp_fault_alloc', label: 'Faults served with a huge page' },
  { key: 'thp_fault_fallback', label: 'Faults that fell back to small pages' },
  { key: 'thp_collapse_alloc', label: 'Collapses by khugepaged' },
  { key: 'thp_collapse_alloc_failed', label: 'Collapses that failed' },
  { key: 'thp_split_page', label: 'Huge pages split' },
  { key: 'thp_deferred_split_page', label: 'Huge pages queued for a split' },
] as const;

export type Counters = Readonly<Record<string, number>>;

/** The /proc/vmstat counters a sample carries, when the sampler sends them. */
export function sampleCounters(s: HostSample | null): Counters | null {
  if (!s || !('vmstat' in s)) return null;
  const v: unknown = s.vmstat;
  return typeof v === 'object' && v !== null ? (v as Counters) : null;
}

/**
 * Per-second rates of `keys` between two counter readings taken `ms` apart; null for a key missing from
 * either, or that went backwards (a reboot, or another source).
 */
export function counterRates(
  prev: Counters,
  next: Counters,
  ms: number,
  keys: readonly string[],
): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const k of keys) {
    const a = prev[k];
    const b = next[k];
    out[k] = ms > 0 && a !== undefined && b !== undefined && b >= a ? ((b - a) * 1000) / ms : null;
  }
  return out;
}
