/**
 * What differs between two reports: two moments of one machine (before and after a setup) or two machines.
 * Pure: two `Report`s in, a grouped list of entries out, the same for the CLI (`hugetune diff`), the API
 * (`host.diff`) and the Compare view.
 *
 * Two promises hold it together, and the tests check both:
 * - stable: the same inputs give the same entries in the same order (areas in a fixed order, keys of
 *   pools, nodes, sizes and boot parameters in sorted order, never in the order one side listed them);
 * - symmetrical: diffReports(b, a) is diffReports(a, b) with a and b swapped and every delta negated. So
 *   nothing may be taken from one side only: labels come from both or from neither.
 */
import type { SourceInfo } from './files';
import type { Report } from './report';
import { sizeLabel } from '../units';
import { numberText } from '../number-text';
import { tierLabel } from './tier-name';

export type DiffValue = string | number | boolean | null;

/** The unit of a numeric entry; `pages` are counts of the pool's or the kernel's pages, as the label says. */
export type DiffUnit = 'KiB' | 'bytes' | 'pages' | 'blocks' | 'events' | 'ms' | 'MB/s' | 'CPUs' | 'nodes' | 'count';

export const DIFF_AREAS = [
  ['kernel', 'Kernel and boot line'],
  ['thp', 'Transparent huge pages'],
  ['hugetlb', 'HugeTLB pools'],
  ['hvo', 'HVO and vmemmap'],
  ['memory', 'Memory'],
  ['numa', 'NUMA'],
  ['findings', 'Findings'],
  ['counters', 'Counters'],
] as const;

export type DiffArea = (typeof DIFF_AREAS)[number][0];

export interface DiffEntry {
  area: DiffArea;
  /** Stable and unique within a diff, e.g. `hugetlb.pool.2048.total`: scripts can pick entries by it. */
  key: string;
  label: string;
  a: DiffValue;
  b: DiffValue;
  changed: boolean;
  /**
   * b − a, when both sides are numbers that measure something (those with a unit). Numbers that are codes
   * (a sysctl's mode, a group id) have neither unit nor delta: 0 → 2 is a change of meaning, not "+2".
   */
  delta?: number;
  unit?: DiffUnit;
}

export interface DiffGroup {
  area: DiffArea;
  label: string;
  /** Every value compared in this area, changed or not, in a stable order. */
  entries: DiffEntry[];
  changed: number;
}

export interface ReportDiff {
  a: SourceInfo;
  b: SourceInfo;
  same: boolean;
  /** How many entries differ, over all areas compared. */
  changed: number;
  /** Areas in the order of DIFF_AREAS; an area with nothing to compare on either side is left out. */
  groups: DiffGroup[];
  countersIncluded: boolean;
  /** What was not compared because it moves all the time, in words; null when counters are included. */
  leftOut: string | null;
  summary: string;
}

export interface DiffOptions {
  /** Compare the counters that move on every read (TLB shootdowns, vmstat, THP statistics). */
  counters?: boolean;
}

const VMEMMAP_COUNTERS = ['nr_memmap_pages', 'nr_memmap_boot_pages'] as const;
/** khugepaged files that count work done; the rest are settings. */
const KHUGEPAGED_COUNTERS = new Set(['full_scans', 'pages_collapsed']);
/** /proc/meminfo lines about huge pages and page tables: the gauges a huge page setup moves. */
const MEMINFO_GAUGES = ['Hugetlb', 'AnonHugePages', 'ShmemHugePages', 'FileHugePages', 'PageTables'] as const;

// Plain code-unit order, not localeCompare: the order must not depend on the locale of the machine.
const byText = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
const byNumber = (x: number, y: number): number => x - y;

function union<T>(xs: Iterable<T>, ys: Iterable<T>, order: (x: T, y: T) => number): T[] {
  return [...new Set([...xs, ...ys])].sort(order);
}

/** CPU lists as the kernel writes them (0-31,64-95): short, and the same for the same set. */
export function cpuRanges(cpus: readonly number[]): string {
  if (cpus.length === 0) return 'none';
  const sorted = [...cpus].sort(byNumber);
  const parts: string[] = [];
  let start = sorted[0]!;
  let prev = start;
  for (const c of sorted.slice(1).concat(Number.NaN)) {
    if (c === prev + 1) {
      prev = c;
      continue;
    }
    parts.push(start === prev ? String(start) : `${start}-${prev}`);
    start = prev = c;
  }
  return parts.join(',');
}

function cmdlineValue(v: string | true | (string | true)[] | undefined): DiffValue {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map((x) => (x === true ? '(flag)' : x)).join(' ');
  return v;
}

function balancing(r: Report): DiffValue {
  if (r.numa.balancing === null) return null;
  // The meaning's short name only ("memory tiering"), the part before its explanation.
  const meaning = r.numa.balancingMeaning?.split(':')[0];
  return meaning ? `${r.numa.balancing} (${meaning})` : r.numa.balancing;
}

function mounts(r: Report): DiffValue {
  if (r.hugetlb.mounts === null) return null;
  if (r.hugetlb.mounts.length === 0) return 'none';
  return r.hugetlb.mounts
    .map((m) => `${m.mountPoint} (${m.pageSizeKiB === null ? 'default size' : sizeLabel(m.pageSizeKiB)})`)
    .sort(byText)
    .join(', ');
}

function bootReservations(r: Report): DiffValue {
  if (r.kernel.boot === null) return null;
  const h = [...r.kernel.boot.hugepages].sort((x, y) => x.pageSizeKiB - y.pageSizeKiB);
  return h.length === 0 ? 'none' : h.map((x) => `${x.count} × ${sizeLabel(x.pageSizeKiB)}`).join(', ');
}

function poolMemoryKiB(r: Report): number | null {
  if (r.hugetlb.pools.length === 0) return null;
  let sum = 0;
  for (const p of r.hugetlb.pools) {
    if (p.total === null) return null;
    sum += p.total * p.pageSizeKiB;
  }
  return sum;
}

class Entries {
  readonly list: DiffEntry[] = [];
  readonly keys = new Set<string>();

  constructor(
    private readonly a: Report,
    private readonly b: Report,
  ) {}

  /** One compared value; left out when neither side has it, which is the same answer both ways round. */
  add(area: DiffArea, key: string, label: string, get: (r: Report) => DiffValue | undefined, unit?: DiffUnit): void {
    const a = get(this.a) ?? null;
    const b = get(this.b) ?? null;
    if (a === null && b === null) return;
    // A key twice would make entries unaddressable; it can only come from a bug here.
    if (this.keys.has(key)) throw new Error(`diff: duplicate key ${key}`);
    this.keys.add(key);
    const e: DiffEntry = { area, key, label, a, b, changed: a !== b };
    if (unit !== undefined) {
      e.unit = unit;
      if (typeof a === 'number' && typeof b === 'number') e.delta = b - a;
    }
    this.list.push(e);
  }
}

function kernelArea(e: Entries, a: Report, b: Report): void {
  const k = 'kernel';
  e.add(k, 'kernel.release', 'Release', (r) => r.kernel.release);
  e.add(k, 'kernel.arch', 'Architecture', (r) => r.kernel.arch);
  e.add(
    k,
    'kernel.thpAlignmentRegression',
    'In the THP alignment regression range (by version)',
    (r) => r.kernel.implies.thpAlignmentRegression,
  );
  e.add(k, 'kernel.mthp', 'Has mTHP (by version)', (r) => r.kernel.implies.mthp);
  e.add(k, 'kernel.memmapCounters', 'Counts memmap pages (by version)', (r) => r.kernel.implies.memmapCounters);
  e.add(k, 'kernel.bootReservations', 'Huge pages reserved at boot', bootReservations);
  const names = union(Object.keys(a.kernel.cmdline ?? {}), Object.keys(b.kernel.cmdline ?? {}), byText);
  for (const name of names) {
    e.add(k, `kernel.cmdline.${name}`, `Boot: ${name}`, (r) =>
      r.kernel.cmdline === null ? null : cmdlineValue(r.kernel.cmdline[name]),
    );
  }
  e.add(k, 'kernel.initArgs', 'Arguments for init (after --)', (r) =>
    r.kernel.initArgs === null || r.kernel.initArgs.length === 0 ? null : r.kernel.initArgs.join(' '),
  );
}

function thpArea(e: Entries, a: Report, b: Report): void {
  const k = 'thp';
  e.add(k, 'thp.present', 'Built into the kernel', (r) => r.thp.present);
  e.add(k, 'thp.enabled', 'enabled', (r) => r.thp.enabled);
  e.add(k, 'thp.defrag', 'defrag', (r) => r.thp.defrag);
  e.add(k, 'thp.shmemEnabled', 'shmem_enabled', (r) => r.thp.shmemEnabled);
  e.add(k, 'thp.useZeroPage', 'use_zero_page', (r) => r.thp.useZeroPage);
  e.add(k, 'thp.pmdSize', 'PMD size', (r) => r.thp.pmdSizeBytes, 'bytes');
  e.add(k, 'thp.shrinkUnderused', 'shrink_underused', (r) => r.thp.shrinkUnderused);
  const knobs = union(Object.keys(a.thp.khugepaged), Object.keys(b.thp.khugepaged), byText).filter(
    (n) => !KHUGEPAGED_COUNTERS.has(n),
  );
  for (const n of knobs) {
    e.add(
      k,
      `thp.khugepaged.${n}`,
      `khugepaged ${n}`,
      (r) => r.thp.khugepaged[n],
      // defrag is a switch; the others are amounts.
      n.endsWith('millisecs')
        ? 'ms'
        : n === 'pages_to_scan'
          ? 'pages'
          : n.startsWith('max_ptes_')
            ? 'count'
            : undefined,
    );
  }
  const sizes = union(
    a.thp.sizes.map((s) => s.sizeKiB),
    b.thp.sizes.map((s) => s.sizeKiB),
    byNumber,
  );
  for (const size of sizes) {
    const at = (r: Report) => r.thp.sizes.find((s) => s.sizeKiB === size);
    const name = `${sizeLabel(size)} mTHP`;
    e.add(k, `thp.size.${size}.enabled`, `${name}: enabled`, (r) => at(r)?.enabled);
    e.add(k, `thp.size.${size}.effective`, `${name}: in effect`, (r) => at(r)?.effective);
    e.add(k, `thp.size.${size}.shmemEnabled`, `${name}: shmem_enabled`, (r) => at(r)?.shmemEnabled);
  }
}

function hugetlbArea(e: Entries, a: Report, b: Report): void {
  const k = 'hugetlb';
  e.add(k, 'hugetlb.defaultPageSize', 'Default huge page size', (r) => r.hugetlb.defaultPageSizeKiB, 'KiB');
  e.add(k, 'hugetlb.gigantic1G', '1 GiB pages possible', (r) => r.cpu.gigantic1G);
  e.add(k, 'hugetlb.memory', 'Memory held in pools', poolMemoryKiB, 'KiB');
  const sizes = union(
    a.hugetlb.pools.map((p) => p.pageSizeKiB),
    b.hugetlb.pools.map((p) => p.pageSizeKiB),
    byNumber,
  );
  for (const size of sizes) {
    const at = (r: Report) => r.hugetlb.pools.find((p) => p.pageSizeKiB === size);
    const name = `${sizeLabel(size)} pool`;
    const key = `hugetlb.pool.${size}`;
    e.add(k, `${key}.total`, `${name}: pages`, (r) => at(r)?.total, 'pages');
    e.add(k, `${key}.free`, `${name}: free`, (r) => at(r)?.free, 'pages');
    e.add(k, `${key}.reserved`, `${name}: reserved`, (r) => at(r)?.reserved, 'pages');
    e.add(k, `${key}.surplus`, `${name}: surplus`, (r) => at(r)?.surplus, 'pages');
    e.add(k, `${key}.overcommit`, `${name}: overcommit limit`, (r) => at(r)?.overcommit, 'pages');
    e.add(
      k,
      `${key}.memory`,
      `${name}: memory held`,
      (r) => {
        const t = at(r)?.total;
        return t === undefined || t === null ? null : t * size;
      },
      'KiB',
    );
    const nodes = union(at(a)?.nodes.map((n) => n.node) ?? [], at(b)?.nodes.map((n) => n.node) ?? [], byNumber);
    for (const node of nodes) {
      const on = (r: Report) => at(r)?.nodes.find((n) => n.node === node);
      e.add(k, `${key}.node.${node}.total`, `${name}: node ${node} pages`, (r) => on(r)?.total, 'pages');
      e.add(k, `${key}.node.${node}.free`, `${name}: node ${node} free`, (r) => on(r)?.free, 'pages');
    }
  }
  e.add(k, 'hugetlb.mounts', 'hugetlbfs mounts', mounts);
  e.add(k, 'hugetlb.shmGroup', 'vm.hugetlb_shm_group', (r) => r.hugetlb.shmGroup);
  e.add(
    k,
    'hugetlb.growth.free2MiBBlocks',
    'Free 2 MiB blocks (buddyinfo)',
    (r) => r.hugetlb.growth?.free2MiBBlocks,
    'blocks',
  );
}

function hvoArea(e: Entries): void {
  const k = 'hvo';
  e.add(k, 'hvo.compiled', 'Built into the kernel', (r) => r.hvo.compiled);
  e.add(k, 'hvo.archSupported', 'Supported on this architecture', (r) => r.hvo.archSupported);
  e.add(k, 'hvo.enabled', 'On', (r) => r.hvo.enabled);
  e.add(k, 'hvo.sysctl', 'vm.hugetlb_optimize_vmemmap', (r) => r.hvo.sysctl);
  e.add(k, 'hvo.memmapPages', 'memmap pages (runtime + boot)', (r) => r.hvo.memmapPages, 'pages');
  for (const name of VMEMMAP_COUNTERS) {
    e.add(k, `hvo.${name}`, name, (r) => r.memory.vmstat?.[name], 'pages');
  }
}

function memoryArea(e: Entries): void {
  const k = 'memory';
  e.add(k, 'memory.total', 'MemTotal', (r) => r.memory.totalKiB, 'KiB');
  e.add(k, 'memory.available', 'MemAvailable', (r) => r.memory.availableKiB, 'KiB');
  for (const name of MEMINFO_GAUGES) e.add(k, `memory.${name}`, name, (r) => r.memory.meminfo?.[name], 'KiB');
}

function numaArea(e: Entries, a: Report, b: Report): void {
  const k = 'numa';
  e.add(k, 'numa.nodes', 'Nodes', (r) => (r.numa.nodes.length === 0 ? null : r.numa.nodes.length), 'nodes');
  const ids = union(
    a.numa.nodes.map((n) => n.id),
    b.numa.nodes.map((n) => n.id),
    byNumber,
  );
  for (const id of ids) {
    const at = (r: Report) => r.numa.nodes.find((n) => n.id === id);
    const key = `numa.node.${id}`;
    e.add(k, `${key}.cpus`, `Node ${id}: CPUs`, (r) => {
      const c = at(r)?.cpus;
      return c === undefined || c === null ? null : cpuRanges(c);
    });
    e.add(k, `${key}.memTotal`, `Node ${id}: memory`, (r) => at(r)?.memTotalKiB, 'KiB');
    e.add(k, `${key}.memFree`, `Node ${id}: free`, (r) => at(r)?.memFreeKiB, 'KiB');
    e.add(k, `${key}.cpuless`, `Node ${id}: memory only (no CPUs)`, (r) => at(r)?.cpuless);
    e.add(k, `${key}.distances`, `Node ${id}: distances`, (r) => at(r)?.distances?.join(' '));
  }
  const tiers = union(
    a.numa.tiers.map((t) => t.id),
    b.numa.tiers.map((t) => t.id),
    byNumber,
  );
  // Named by what they are; two tiers of one kind (two CXL tiers) also by the kernel's name for them.
  for (const id of tiers) {
    e.add(k, `numa.tier.${id}`, `Nodes in the ${tierLabel(id, tiers)} tier`, (r) => {
      const t = r.numa.tiers.find((x) => x.id === id);
      return t ? [...t.nodes].sort(byNumber).join(',') : null;
    });
  }
  e.add(k, 'numa.balancing', 'kernel.numa_balancing', balancing);
  e.add(k, 'numa.demotion', 'Demotion to slower memory', (r) => r.numa.demotionEnabled);
  e.add(k, 'numa.promoteRateLimit', 'Promotion rate limit', (r) => r.numa.promoteRateLimitMBps, 'MB/s');
}

function findingsArea(e: Entries, a: Report, b: Report): void {
  const ids = union(
    a.findings.map((f) => f.id),
    b.findings.map((f) => f.id),
    byText,
  );
  for (const id of ids) {
    // The title from whichever side has it; when both do and they differ, the smaller one, so that
    // swapping the sides cannot change the label.
    const titles = [a, b].flatMap((r) => r.findings.filter((f) => f.id === id).map((f) => f.title)).sort(byText);
    e.add('findings', `findings.${id}`, titles[0] ?? id, (r) => r.findings.find((f) => f.id === id)?.severity);
  }
}

/** What the counters area holds, in both reports; counted for the "left out" note even when not compared. */
function counterKeys(a: Report, b: Report) {
  return {
    vmstat: union(Object.keys(a.memory.vmstat ?? {}), Object.keys(b.memory.vmstat ?? {}), byText).filter(
      (n) => !(VMEMMAP_COUNTERS as readonly string[]).includes(n),
    ),
    khugepaged: union(Object.keys(a.thp.khugepaged), Object.keys(b.thp.khugepaged), byText).filter((n) =>
      KHUGEPAGED_COUNTERS.has(n),
    ),
    thpStats: union(
      a.thp.sizes.flatMap((s) => Object.keys(s.stats).map((n) => `${s.sizeKiB}.${n}`)),
      b.thp.sizes.flatMap((s) => Object.keys(s.stats).map((n) => `${s.sizeKiB}.${n}`)),
      (x, y) => byNumber(parseInt(x, 10), parseInt(y, 10)) || byText(x, y),
    ),
    tlb: a.tlb.total !== null || b.tlb.total !== null,
  };
}

function countersArea(e: Entries, keys: ReturnType<typeof counterKeys>): void {
  const k = 'counters';
  e.add(k, 'counters.tlb.total', 'TLB shootdowns', (r) => r.tlb.total, 'events');
  e.add(k, 'counters.tlb.res', 'Rescheduling interrupts', (r) => r.tlb.res?.total, 'events');
  e.add(k, 'counters.tlb.cal', 'Function call interrupts', (r) => r.tlb.cal?.total, 'events');
  for (const n of keys.khugepaged)
    e.add(k, `counters.khugepaged.${n}`, `khugepaged ${n}`, (r) => r.thp.khugepaged[n], 'count');
  for (const s of keys.thpStats) {
    const dot = s.indexOf('.');
    const size = Number(s.slice(0, dot));
    const name = s.slice(dot + 1);
    e.add(
      k,
      `counters.thp.${s}`,
      `${sizeLabel(size)} mTHP ${name}`,
      (r) => r.thp.sizes.find((x) => x.sizeKiB === size)?.stats[name],
      'count',
    );
  }
  for (const n of keys.vmstat) e.add(k, `counters.vmstat.${n}`, `vmstat ${n}`, (r) => r.memory.vmstat?.[n], 'count');
}

function leftOutText(keys: ReturnType<typeof counterKeys>): string | null {
  const parts: string[] = [];
  if (keys.tlb) parts.push('TLB shootdown and IPI totals');
  if (keys.vmstat.length > 0) parts.push(`${keys.vmstat.length} vmstat counters`);
  if (keys.thpStats.length > 0) parts.push(`${keys.thpStats.length} mTHP statistics`);
  if (keys.khugepaged.length > 0) parts.push('khugepaged scan counts');
  if (parts.length === 0) return null;
  const list = parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
  return `${list} are left out: they move all the time`;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${numberText(n)} ${n === 1 ? one : many}`;

function summaryOf(groups: DiffGroup[], leftOut: string | null): string {
  const changed = groups.filter((g) => g.changed > 0);
  const tail = leftOut === null ? '' : ` (counters left out)`;
  if (changed.length === 0) return `Nothing differs${tail}.`;
  const n = changed.reduce((s, g) => s + g.changed, 0);
  const where = changed.map((g) => `${g.label} (${g.changed})`).join(', ');
  return `${plural(n, 'value')} ${n === 1 ? 'differs' : 'differ'} in ${plural(changed.length, 'area')}: ${where}${tail}.`;
}

export function diffReports(a: Report, b: Report, opts: DiffOptions = {}): ReportDiff {
  const e = new Entries(a, b);
  kernelArea(e, a, b);
  thpArea(e, a, b);
  hugetlbArea(e, a, b);
  hvoArea(e);
  memoryArea(e);
  numaArea(e, a, b);
  findingsArea(e, a, b);
  const keys = counterKeys(a, b);
  const countersIncluded = opts.counters === true;
  if (countersIncluded) countersArea(e, keys);
  const groups: DiffGroup[] = [];
  for (const [area, label] of DIFF_AREAS) {
    const entries = e.list.filter((x) => x.area === area);
    if (entries.length === 0) continue;
    groups.push({ area, label, entries, changed: entries.filter((x) => x.changed).length });
  }
  const changed = groups.reduce((s, g) => s + g.changed, 0);
  const leftOut = countersIncluded ? null : leftOutText(keys);
  return {
    a: { ...a.source },
    b: { ...b.source },
    same: changed === 0,
    changed,
    groups,
    countersIncluded,
    leftOut,
    summary: summaryOf(groups, leftOut),
  };
}

// ---- Text for people, shared by the CLI table and the Compare view ----

function sizeText(kib: number, signed: boolean): string {
  const sign = signed ? (kib > 0 ? '+' : kib < 0 ? '-' : '±') : kib < 0 ? '-' : '';
  const x = Math.abs(kib);
  const fmt = (v: number, digits: number) => numberText(v, { max: digits });
  if (x >= 1048576) return `${sign}${fmt(x / 1048576, 1)} GiB`;
  if (x >= 1024) return `${sign}${fmt(x / 1024, 1)} MiB`;
  return `${sign}${fmt(x, 0)} KiB`;
}

/** What a missing value means depends on what is compared: a finding not raised, a boot parameter not set. */
function absentText(key: string): string {
  if (key.startsWith('findings.')) return 'not raised';
  if (key.startsWith('kernel.cmdline.')) return 'not set';
  if (/^hugetlb\.pool\.\d+\.node\./.test(key) || key.startsWith('numa.node.')) return 'no such node';
  if (key.startsWith('hugetlb.pool.')) return 'no such pool';
  if (key.startsWith('numa.tier.')) return 'no such tier';
  if (key.startsWith('thp.size.')) return 'no such size';
  return 'not reported';
}

export function diffValueText(entry: Pick<DiffEntry, 'key' | 'unit'>, v: DiffValue): string {
  if (v === null) return absentText(entry.key);
  if (typeof v === 'boolean') {
    if (entry.key.startsWith('kernel.cmdline.')) return 'set';
    return v ? 'yes' : 'no';
  }
  if (typeof v === 'string') return v;
  switch (entry.unit) {
    case 'KiB':
      return sizeText(v, false);
    case 'bytes':
      return v % 1024 === 0 ? sizeLabel(v / 1024) : `${v} bytes`;
    case 'ms':
      return `${numberText(v)} ms`;
    case 'MB/s':
      return `${numberText(v)} MB/s`;
    default:
      return numberText(v);
  }
}

const SINGULAR: Partial<Record<DiffUnit, string>> = {
  pages: 'page',
  blocks: 'block',
  events: 'event',
  nodes: 'node',
  CPUs: 'CPU',
};

/** The signed change with its unit ("+512 pages", "-11,774 pages", "+1.0 GiB"); null when there is no delta. */
export function diffDeltaText(entry: Pick<DiffEntry, 'delta' | 'unit'>): string | null {
  const d = entry.delta;
  if (d === undefined || d === 0 || entry.unit === undefined) return null;
  const sign = d > 0 ? '+' : '-';
  const n = numberText(Math.abs(d), { max: 3 });
  switch (entry.unit) {
    case 'KiB':
      return sizeText(d, true);
    case 'bytes':
      return `${sign}${Math.abs(d) % 1024 === 0 ? sizeLabel(Math.abs(d) / 1024) : `${n} bytes`}`;
    case 'count':
      return `${sign}${n}`;
    default:
      // "+1 page", "+2 pages": the unit words are plural; one of them is not.
      return `${sign}${n} ${Math.abs(d) === 1 && SINGULAR[entry.unit] ? SINGULAR[entry.unit] : entry.unit}`;
  }
}
