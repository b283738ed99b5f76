/**
 * The Monitor's samples in the page: fixed-size typed arrays, one per series plus one CPUs × time matrix for
 * the per-CPU TLB rates, allocated once for the longest window. Pushing a sample writes into them and never
 * allocates, so the page's memory after ten minutes is what it was after one.
 */
import { MONITOR_SERIES, type HostSample, type MonitorSeries } from '../../../../shared/api';

export class SeriesStore {
  readonly times: Float64Array;
  readonly series: Record<MonitorSeries, Float64Array>;
  /** capacity × cpus.length; -1 where a CPU had no rate; NaN before any sample. */
  perCpu: Float32Array;
  cpus: readonly number[] = [];
  tlbTotal: number | null = null;
  lastSeq = 0;
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.times = new Float64Array(capacity);
    this.series = Object.fromEntries(MONITOR_SERIES.map((k) => [k, new Float64Array(capacity)])) as Record<
      MonitorSeries,
      Float64Array
    >;
    this.perCpu = new Float32Array(0);
  }

  get length(): number {
    return this.size;
  }

  /** Storage slot of the i-th sample, oldest first. */
  slot(i: number): number {
    return (this.start + i) % this.capacity;
  }

  time(i: number): number {
    return this.times[this.slot(i)]!;
  }

  /** The value of `key` in the i-th sample, or null where it had none. */
  value(key: MonitorSeries, i: number): number | null {
    const v = this.series[key][this.slot(i)]!;
    return Number.isNaN(v) ? null : v;
  }

  /** The per-CPU TLB rates of the i-th sample (a view, not a copy). */
  cpuRow(i: number): Float32Array {
    const n = this.cpus.length;
    const s = this.slot(i);
    return this.perCpu.subarray(s * n, s * n + n);
  }

  /** The index of the first sample at or after `t` (ms). */
  firstFrom(t: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.time(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Adds a sample; false when it is one already held (history and stream overlap by a sample or two).
   * A changed CPU set starts the per-CPU matrix afresh: old columns no longer line up with the new CPUs.
   */
  push(s: HostSample): boolean {
    if (s.seq <= this.lastSeq) return false;
    this.lastSeq = s.seq;
    if (s.cpus !== null && !sameList(s.cpus, this.cpus)) {
      this.cpus = s.cpus;
      this.perCpu = new Float32Array(this.capacity * s.cpus.length).fill(Number.NaN);
    }
    let slot: number;
    if (this.size < this.capacity) {
      slot = (this.start + this.size) % this.capacity;
      this.size++;
    } else {
      slot = this.start;
      this.start = (this.start + 1) % this.capacity;
    }
    this.times[slot] = s.at;
    for (const k of MONITOR_SERIES) this.series[k][slot] = s.rates[k] ?? Number.NaN;
    const n = this.cpus.length;
    if (n > 0) {
      const row = this.perCpu.subarray(slot * n, slot * n + n);
      if (s.perCpu && s.perCpu.length === n) row.set(s.perCpu);
      else row.fill(Number.NaN);
    }
    if (s.tlbTotal !== null) this.tlbTotal = s.tlbTotal;
    return true;
  }

  clear(): void {
    this.start = 0;
    this.size = 0;
    this.lastSeq = 0;
  }
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The CSV a user exports: one row per sample in the window, rates per second, empty where there was none. */
export const CSV_COLUMNS: readonly [MonitorSeries, string][] = [
  ['tlb', 'tlb_shootdowns_per_s'],
  ['cal', 'function_call_ipis_per_s'],
  ['res', 'rescheduling_ipis_per_s'],
  ['thpFault', 'thp_fault_alloc_per_s'],
  ['thpFallback', 'thp_fault_fallback_per_s'],
  ['thpCollapse', 'thp_collapse_alloc_per_s'],
  ['thpSplit', 'thp_split_page_per_s'],
  ['compactStall', 'compact_stall_per_s'],
  ['migrate', 'pgmigrate_success_per_s'],
  ['numaMigrate', 'numa_pages_migrated_per_s'],
  ['promote', 'pgpromote_success_per_s'],
  ['demote', 'pgdemote_per_s'],
];

/** A per-CPU rate as a CSV cell: two decimals at most (the store keeps float32), empty where there was none. */
function cpuCell(v: number): string {
  return v >= 0 ? String(Math.round(v * 100) / 100) : '';
}

/**
 * The window as CSV: the series, then one column per CPU (`cpuN`, its TLB shootdowns per second). At 4,096 CPUs
 * a ten-minute window is over a million cells, so each row is built with one join and no intermediate arrays
 * per cell beyond the row itself.
 */
export function toCsv(store: SeriesStore, fromMs: number): string {
  const cpus = store.cpus;
  const lines = [['time_utc', ...CSV_COLUMNS.map(([, h]) => h), ...cpus.map((c) => `cpu${c}`)].join(',')];
  const row: string[] = new Array<string>(1 + CSV_COLUMNS.length + cpus.length);
  for (let i = store.firstFrom(fromMs); i < store.length; i++) {
    row[0] = new Date(store.time(i)).toISOString();
    for (let k = 0; k < CSV_COLUMNS.length; k++) {
      const v = store.value(CSV_COLUMNS[k]![0], i);
      row[k + 1] = v === null ? '' : String(v);
    }
    const perCpu = store.cpuRow(i);
    const at = 1 + CSV_COLUMNS.length;
    // NaN (no sample for this CPU set yet) fails `v >= 0` as -1 does: both are empty cells.
    for (let k = 0; k < perCpu.length; k++) row[at + k] = cpuCell(perCpu[k]!);
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}
