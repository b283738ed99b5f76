/**
 * One source's counters turned into rates, tick by tick. Reads /proc/interrupts for the IPI rows only (typed
 * arrays, no per-line parse) and a few named /proc/vmstat counters; keeps the previous reading to difference
 * against. A snapshot or a fake root is a record of one moment: it is never read here and never yields a rate.
 */
import type { HostSample, MonitorSeries } from '../../../shared/api';
import type { HostFiles } from '../../../shared/host/files';
import { IrqRowScanner } from '../../../shared/host/parse/irq-rows';
import { vmstatCounter, type Counter } from '../../../shared/host/parse/vmstat-counters';
import { PATHS } from '../../../shared/host/paths';
import { noTlbRowReason } from '../../../shared/host/read/tlb';
import { counterDelta, irqDelta } from './counters';

/** The /proc/interrupts rows read: x86 names them TLB/CAL/RES; arm64 numbers its IPIs (0 reschedule, 1 call). */
const IRQ_LABELS = ['TLB', 'CAL', 'RES', 'IPI1', 'IPI0'] as const;

/** The vmstat counters behind each vmstat series; a series sums its counters (pgdemote_* by reclaimer). */
export const VMSTAT_SERIES: Readonly<Partial<Record<MonitorSeries, readonly string[]>>> = {
  thpFault: ['thp_fault_alloc'],
  thpFallback: ['thp_fault_fallback'],
  thpCollapse: ['thp_collapse_alloc'],
  thpSplit: ['thp_split_page'],
  compactStall: ['compact_stall'],
  migrate: ['pgmigrate_success'],
  numaMigrate: ['numa_pages_migrated'],
  promote: ['pgpromote_success'],
  demote: ['pgdemote_kswapd', 'pgdemote_direct', 'pgdemote_khugepaged', 'pgdemote_proactive'],
};
const VMSTAT_NAMES = [...new Set(Object.values(VMSTAT_SERIES).flat())];

/** When a kernel has a vmstat series' counters at all (vm_event_item.h, mmzone.h): why one may lack them. */
const VMSTAT_WHEN: Readonly<Partial<Record<MonitorSeries, string>>> = {
  thpFault: 'kernels built with transparent huge pages (CONFIG_TRANSPARENT_HUGEPAGE) count it',
  thpFallback: 'kernels built with transparent huge pages (CONFIG_TRANSPARENT_HUGEPAGE) count it',
  thpCollapse: 'kernels built with transparent huge pages (CONFIG_TRANSPARENT_HUGEPAGE) count it',
  thpSplit: 'kernels built with transparent huge pages (CONFIG_TRANSPARENT_HUGEPAGE) count it',
  compactStall: 'kernels built with memory compaction (CONFIG_COMPACTION) count it',
  migrate: 'kernels built with page migration (CONFIG_MIGRATION) count it',
  numaMigrate: 'kernels built with automatic NUMA balancing (CONFIG_NUMA_BALANCING) count it',
  promote: 'kernels from 5.18 built with NUMA balancing (CONFIG_NUMA_BALANCING) count promotions between memory tiers',
  demote: 'kernels from 5.15 count demotions to a slower memory tier',
};

/** Why a series with no counter in /proc/vmstat has no line: the counter named and when kernels have it. */
function vmstatAbsence(series: MonitorSeries, names: readonly string[]): string {
  const what = names.length === 1 ? names[0]! : `${names[0]!.replace(/_[a-z]+$/, '_*')} counter`;
  return `this kernel's /proc/vmstat has no ${what}; ${VMSTAT_WHEN[series] ?? 'not every kernel counts it'}`;
}

/** Why a source has no rates, or null for one whose counters move (this machine, the simulator). */
export function stillReason(files: HostFiles): string | null {
  const { kind, label } = files.source;
  if (kind === 'snapshot')
    return `${label} is a record of one moment: its counters never move, so there are no rates to show. Open this machine or a simulated machine to watch them live.`;
  if (kind === 'root')
    return `${label} is a directory of captured files, not a running kernel: there are no rates to show. Open this machine or a simulated machine to watch them live.`;
  return null;
}

export type SampleBody = Omit<HostSample, 'seq'>;

interface Reading {
  at: number;
  cpus: readonly number[] | null;
  /** Per IRQ_LABELS entry. */
  irq: (Float64Array | null)[];
  vm: Map<string, Counter>;
  /** The counters /proc/vmstat printed, readable or not; null when the file could not be read. */
  vmFound: Set<string> | null;
}

function emptyRates(): Record<MonitorSeries, number | null> {
  return {
    tlb: null,
    cal: null,
    res: null,
    thpFault: null,
    thpFallback: null,
    thpCollapse: null,
    thpSplit: null,
    compactStall: null,
    migrate: null,
    numaMigrate: null,
    promote: null,
    demote: null,
  };
}

/** Keeps a rate short on the wire: a tenth of an event per second is below anything worth charting. */
const round1 = (x: number): number => Math.round(x * 10) / 10;

export class MonitorReader {
  private readonly scanner = new IrqRowScanner(IRQ_LABELS);
  private prev: Reading | null = null;
  private arch: string | null | undefined;
  readonly reason: string | null;

  constructor(readonly files: HostFiles) {
    this.reason = stillReason(files);
  }

  private archName(): string | null {
    if (this.arch === undefined) {
      const r = this.files.read(PATHS.arch);
      this.arch = r.kind === 'text' ? r.text.trim() : null;
    }
    return this.arch;
  }

  private take(at: number, notes: string[]): Reading {
    const reading: Reading = { at, cpus: null, irq: IRQ_LABELS.map(() => null), vm: new Map(), vmFound: null };
    const irq = this.files.read(PATHS.interrupts);
    if (irq.kind !== 'text') notes.push(`${PATHS.interrupts}: ${irq.kind === 'error' ? irq.message : irq.kind}`);
    else {
      const scan = this.scanner.scan(irq.text);
      if (!scan.ok) notes.push(`${PATHS.interrupts}: ${scan.reason}`);
      else {
        reading.cpus = scan.value.cpus;
        reading.irq = [...scan.value.rows];
        notes.push(...scan.value.problems.map((p) => `${PATHS.interrupts}: ${p}`));
      }
    }
    const vm = this.files.read(PATHS.vmstat);
    if (vm.kind !== 'text') notes.push(`${PATHS.vmstat}: ${vm.kind === 'error' ? vm.message : vm.kind}`);
    else {
      reading.vmFound = new Set();
      for (const name of VMSTAT_NAMES) {
        const v = vmstatCounter(vm.text, name);
        if (v !== null) reading.vmFound.add(name);
        if (typeof v === 'string') notes.push(`${PATHS.vmstat}: ${v}`);
        else if (v !== null) {
          reading.vm.set(name, v);
          if (typeof v === 'bigint') notes.push(`${PATHS.vmstat}: ${name} is beyond 2^53; its rate is still exact`);
        }
      }
    }
    return reading;
  }

  /**
   * The series this reading shows the kernel does not count. A file that could not be read says nothing about
   * the kernel (that is a note on the tick), so only rows and counters missing from a file that was read count.
   */
  private absent(r: Reading): Partial<Record<MonitorSeries, string>> {
    const out: Partial<Record<MonitorSeries, string>> = {};
    if (r.cpus) {
      const [tlb, cal, res, ipi1, ipi0] = r.irq;
      if (!tlb) out.tlb = noTlbRowReason(this.archName());
      if (!cal && !ipi1) out.cal = `this kernel's ${PATHS.interrupts} has no CAL (or arm64 IPI1) row`;
      if (!res && !ipi0) out.res = `this kernel's ${PATHS.interrupts} has no RES (or arm64 IPI0) row`;
    }
    const found = r.vmFound;
    if (found)
      for (const [series, names] of Object.entries(VMSTAT_SERIES) as [MonitorSeries, string[]][])
        if (!names.some((n) => found.has(n))) out[series] = vmstatAbsence(series, names);
    return out;
  }

  /** Reads the source now and returns the rates since the previous call. */
  read(at: number): SampleBody {
    const rates = emptyRates();
    if (this.reason !== null) {
      return {
        at,
        seconds: null,
        live: false,
        reason: this.reason,
        rates,
        cpus: null,
        perCpu: null,
        tlbTotal: null,
        notes: [],
        absent: {},
      };
    }
    const notes: string[] = [];
    const next = this.take(at, notes);
    const prev = this.prev;
    this.prev = next;
    const tlbRow = next.irq[0] ?? null;
    let tlbTotal: number | null = null;
    if (tlbRow) {
      tlbTotal = 0;
      for (const v of tlbRow) tlbTotal += v;
      if (!Number.isFinite(tlbTotal)) tlbTotal = null;
    }
    const seconds = prev ? (next.at - prev.at) / 1000 : null;
    const body: SampleBody = {
      at,
      seconds,
      live: true,
      reason: null,
      rates,
      // The scanner's own array, the same object while the CPU set holds: receivers are sent it only on change.
      cpus: next.cpus as number[] | null,
      perCpu: null,
      tlbTotal,
      notes,
      absent: this.absent(next),
    };
    if (prev === null || seconds === null) return body;
    if (seconds <= 0) {
      notes.push('the clock did not move forward since the previous reading: no rates this tick');
      return body;
    }

    // IPIs: per CPU, matched by CPU number (columns shift when a CPU goes offline or comes online).
    const sameCpus = prev.cpus === next.cpus;
    const prevIndex = sameCpus || !prev.cpus ? null : new Map(prev.cpus.map((c, i) => [c, i]));
    const irqRate = (k: number, perCpu: number[] | null): number | null => {
      const a = prev.irq[k];
      const b = next.irq[k];
      if (!a || !b || !next.cpus) return null;
      let sum = 0;
      let counted = 0;
      let reset = 0;
      for (let i = 0; i < b.length; i++) {
        const j = prevIndex ? prevIndex.get(next.cpus[i]!) : i;
        const d = j === undefined ? null : irqDelta(a[j]!, b[i]!);
        if (d === null) {
          if (j !== undefined) reset++;
          if (perCpu) perCpu[i] = -1;
          continue;
        }
        sum += d;
        counted++;
        if (perCpu) perCpu[i] = round1(d / seconds);
      }
      if (reset > 0)
        notes.push(`${IRQ_LABELS[k]}: ${reset} CPU count(s) went backwards (reset); left out of this rate`);
      return counted > 0 ? round1(sum / seconds) : null;
    };
    const perCpu = next.irq[0] && prev.irq[0] ? new Array<number>(next.irq[0].length).fill(-1) : null;
    rates.tlb = irqRate(0, perCpu);
    body.perCpu = perCpu;
    rates.cal = irqRate(1, null) ?? irqRate(3, null);
    rates.res = irqRate(2, null) ?? irqRate(4, null);

    for (const [series, names] of Object.entries(VMSTAT_SERIES) as [MonitorSeries, string[]][]) {
      let sum: number | null = null;
      for (const name of names) {
        const a = prev.vm.get(name);
        const b = next.vm.get(name);
        if (a === undefined || b === undefined) continue;
        const d = counterDelta(a, b);
        if (d === null) notes.push(`${name} went backwards (reset): no rate this tick`);
        else sum = (sum ?? 0) + d;
      }
      rates[series] = sum === null ? null : round1(sum / seconds);
    }
    return body;
  }
}
