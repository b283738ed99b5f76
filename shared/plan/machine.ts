/**
 * The machine a plan runs against, built from exactly one source: a report (this host, a snapshot, a
 * simulated profile, a fake root) or a planned machine described wholly by flags. A planned machine never
 * borrows a fact from the host it is planned on. Every fact carries where it came from, and the plan output
 * shows them all.
 */
import { hasHvoSysctl, hvoArchSupport, hvoKeptPages } from '../kernel/hvo';
import { archPages, basePageFromPmdBytes, pageSizeLabel } from '../kernel/pages';
import { parseKernelRelease, type KernelVersion } from '../kernel/version';
import type { Report } from '../host/report';
import { UserError } from '../errors';
import { proseMiB } from '../units';
import { nodeMemoryGap } from '../host/node-coverage';

export interface Fact<T> {
  value: T;
  /** Where the value came from: a file read, a flag, or a stated default. */
  from: string;
}

export interface PlanPool {
  pageSizeKiB: number;
  total: number;
  free: number;
}

export interface PlanNode {
  id: number;
  memTotalMiB: number;
  /** Memory outside HugeTLB pools that a runtime could get on this node. */
  availableMiB: number;
  hasCpus: boolean;
  /** On a slower memory tier (a CPU-less node, typically CXL): used only when the plan says so. */
  slow: boolean;
  pools: PlanPool[];
}

export interface PlanMachine {
  source: 'live' | 'root' | 'snapshot' | 'sim' | 'planned';
  label: string;
  arch: Fact<string | null>;
  release: Fact<string | null>;
  basePageKiB: Fact<number>;
  structPageBytes: Fact<number>;
  /** HugeTLB page sizes this machine can have pools of. */
  hugePageSizesKiB: Fact<number[]>;
  defaultHugePageKiB: Fact<number | null>;
  totalMiB: Fact<number>;
  /** Sum of the nodes' available memory. */
  availableMiB: Fact<number>;
  nodes: PlanNode[];
  nodesFrom: string;
  hvo: {
    /** Whether this kernel can optimize vmemmap at all; null when nothing tells. */
    available: Fact<boolean | null>;
    /** Whether it is on now (pages reserved from now on are optimized). */
    enabled: boolean;
    /** How it is switched on: the runtime sysctl (5.19+) or the boot parameter only. */
    switch: 'sysctl' | 'boot';
    keptPages: number;
  };
  thpEnabled: Fact<string | null>;
}

export interface MachineOverrides {
  /** Memory outside pools the runtime may use, replacing what the source says; spread over the nodes. */
  availableMiB?: number | undefined;
}

export interface PlannedMachineSpec {
  memGiB: number;
  nodes?: number | undefined;
  arch?: string | undefined;
  basePageKiB?: number | undefined;
  release?: string | undefined;
}

/** What a freshly booted machine typically leaves available of its memory. */
export const PLANNED_AVAILABLE_FRACTION = 0.95;
export const PLANNED_DEFAULTS = { arch: 'x86_64', release: '6.12', basePageKiB: 4 } as const;
export const PLANNED_ARCHES = ['x86_64', 'arm64', 'riscv64'] as const;

const KIB_PER_MIB = 1024;
const round1 = (x: number): number => Math.round(x * 10) / 10;

function hvoFacts(
  arch: string | null,
  v: KernelVersion | null,
  read: { compiled: boolean | null; enabled: boolean | null; sysctlPresent: boolean } | null,
): PlanMachine['hvo'] {
  const table = hvoArchSupport(arch, v);
  let available: Fact<boolean | null>;
  // The machine's own files beat the version table: the sysctl exists exactly when HVO is built in.
  if (read?.sysctlPresent) available = { value: true, from: 'read: vm.hugetlb_optimize_vmemmap exists' };
  // An architecture that cannot have HVO is the reason, even where the config (which then lacks it) is read too.
  else if (table.supported === false) available = { value: false, from: `kernel table: ${table.note}` };
  else if (read?.compiled === false) available = { value: false, from: 'read: the kernel config has no HVO' };
  else if (read?.compiled === true) available = { value: true, from: 'read: the kernel config builds HVO in' };
  else available = { value: table.supported, from: `kernel table: ${table.note}` };
  return {
    available,
    enabled: read?.enabled === true,
    switch: v === null || hasHvoSysctl(v) || read?.sysctlPresent ? 'sysctl' : 'boot',
    keptPages: v === null ? 1 : hvoKeptPages(v),
  };
}

/** A node's available memory when only MemFree is known per node: MemFree plus its share of reclaimable memory. */
function nodeAvailableMiB(nodeFreeKiB: number, nodeTotalKiB: number, r: Report, sumTotalKiB: number): number {
  const sysFree = r.memory.meminfo?.['MemFree'] ?? null;
  const sysAvail = r.memory.availableKiB;
  const reclaimable = sysFree !== null && sysAvail !== null ? Math.max(0, sysAvail - sysFree) : 0;
  const share = sumTotalKiB > 0 ? nodeTotalKiB / sumTotalKiB : 0;
  return (nodeFreeKiB + reclaimable * share) / KIB_PER_MIB;
}

/** Spreads a new available figure over the nodes in proportion to what each had (else to their size). */
function spreadAvailable(nodes: PlanNode[], availableMiB: number): PlanNode[] {
  const had = nodes.reduce((s, n) => s + n.availableMiB, 0);
  const size = nodes.reduce((s, n) => s + n.memTotalMiB, 0);
  return nodes.map((n) => ({
    ...n,
    availableMiB:
      had > 0
        ? (availableMiB * n.availableMiB) / had
        : size > 0
          ? (availableMiB * n.memTotalMiB) / size
          : availableMiB / nodes.length,
  }));
}

export function machineFromReport(r: Report, o: MachineOverrides = {}): PlanMachine {
  const where = r.source.kind === 'live' ? 'read' : `read (${r.source.kind})`;
  const arch = r.kernel.arch;
  const v = r.kernel.version;
  const fromPmd = basePageFromPmdBytes(r.thp.pmdSizeBytes);
  const basePageKiB: Fact<number> = fromPmd
    ? { value: fromPmd, from: `${where}: THP hpage_pmd_size ${r.thp.pmdSizeBytes} bytes` }
    : { value: 4, from: 'assumed: 4 KiB base pages (no hpage_pmd_size to tell)' };
  const poolSizes = r.hugetlb.pools.map((p) => p.pageSizeKiB).sort((a, b) => a - b);
  const hugePageSizesKiB: Fact<number[]> =
    poolSizes.length > 0
      ? { value: poolSizes, from: `${where}: /sys/kernel/mm/hugepages directories` }
      : {
          value: archPages(arch, basePageKiB.value)
            .hugePages.filter((k) => !(k.sizeKiB === 1048576 && r.cpu.gigantic1G === false))
            .map((k) => k.sizeKiB),
          from: `architecture table for ${arch ?? 'an unknown architecture'} (no pool directories read)`,
        };

  const totalKiB = r.memory.totalKiB ?? 0;
  const memNodes = r.numa.nodes.filter((n) => (n.memTotalKiB ?? 0) > 0);
  const fastestTier = Math.min(
    ...r.numa.tiers
      .filter((t) => t.nodes.some((id) => memNodes.find((n) => n.id === id)?.cpus?.length))
      .map((t) => t.id),
  );
  const poolsOn = (node: number): PlanPool[] =>
    r.hugetlb.pools.map((p) => {
      // On one node the system-wide counts are the node's; on several, a node without its files holds none.
      if (memNodes.length <= 1) return { pageSizeKiB: p.pageSizeKiB, total: p.total ?? 0, free: p.free ?? 0 };
      const pn = p.nodes.find((x) => x.node === node);
      return { pageSizeKiB: p.pageSizeKiB, total: pn?.total ?? 0, free: pn?.free ?? 0 };
    });
  let nodes: PlanNode[];
  let nodesFrom: string;
  if (memNodes.length > 0 && memNodes.every((n) => n.memFreeKiB !== null)) {
    const sum = memNodes.reduce((s, n) => s + (n.memTotalKiB ?? 0), 0);
    const raw = memNodes.map((n) => {
      const tier = r.numa.tiers.find((t) => t.nodes.includes(n.id));
      return {
        id: n.id,
        memTotalMiB: (n.memTotalKiB ?? 0) / KIB_PER_MIB,
        availableMiB: nodeAvailableMiB(n.memFreeKiB ?? 0, n.memTotalKiB ?? 0, r, sum),
        hasCpus: n.cpus === null || n.cpus.length > 0,
        slow: n.cpuless || (tier !== undefined && Number.isFinite(fastestTier) && tier.id > fastestTier),
        pools: poolsOn(n.id),
      };
    });
    // MemAvailable is the system's own figure; node meminfo only says how it splits (and on some machines,
    // e.g. VMs with hot-added memory, the nodes do not add up to MemTotal at all).
    const sysAvail = r.memory.availableKiB;
    const rawSum = raw.reduce((s, n) => s + n.availableMiB, 0);
    const scale = sysAvail !== null && rawSum > 0 ? sysAvail / KIB_PER_MIB / rawSum : 1;
    nodes = raw.map((n) => ({
      ...n,
      availableMiB: n.availableMiB * scale,
      // One node holds all the memory there is, whatever its meminfo says.
      memTotalMiB: raw.length === 1 && totalKiB > 0 ? totalKiB / KIB_PER_MIB : n.memTotalMiB,
    }));
    nodesFrom =
      `${where}: MemAvailable, split over the nodes by their MemFree and size` +
      (nodeMemoryGap(
        memNodes.map((n) => n.memTotalKiB),
        totalKiB,
      )
        ? ` (the nodes' MemTotal adds up to ${Math.round(sum / 1048576)} GiB of ${Math.round(totalKiB / 1048576)} GiB)`
        : '');
  } else {
    nodes = [
      {
        id: 0,
        memTotalMiB: totalKiB / KIB_PER_MIB,
        availableMiB: (r.memory.availableKiB ?? 0) / KIB_PER_MIB,
        hasCpus: true,
        slow: false,
        pools: poolsOn(0),
      },
    ];
    nodesFrom = `${where}: no NUMA nodes visible, one node assumed (/proc/meminfo)`;
  }
  if (o.availableMiB !== undefined) {
    nodes = spreadAvailable(nodes, o.availableMiB);
    nodesFrom = `--available-mib ${o.availableMiB}, spread over the nodes in proportion to what each had`;
  }
  const availableMiB = nodes.reduce((s, n) => s + n.availableMiB, 0);
  return {
    source: r.source.kind === 'live' ? 'live' : r.source.kind,
    label: r.source.label,
    arch: { value: arch, from: `${where}: kernel` },
    release: { value: r.kernel.release, from: `${where}: kernel` },
    basePageKiB,
    structPageBytes: { value: 64, from: 'assumed: 64-byte struct page (every 64-bit kernel HVO supports)' },
    hugePageSizesKiB,
    defaultHugePageKiB: { value: r.hugetlb.defaultPageSizeKiB, from: `${where}: /proc/meminfo Hugepagesize` },
    totalMiB: { value: round1(totalKiB / KIB_PER_MIB), from: `${where}: /proc/meminfo MemTotal` },
    availableMiB: {
      value: round1(availableMiB),
      from:
        o.availableMiB !== undefined
          ? '--available-mib'
          : `${where}: /proc/meminfo MemAvailable (free HugeTLB pages of the plan's size are added per node)`,
    },
    nodes,
    nodesFrom,
    hvo: hvoFacts(arch, v, {
      compiled: r.hvo.compiled,
      enabled: r.hvo.enabled,
      sysctlPresent: r.hvo.sysctl !== null,
    }),
    thpEnabled: { value: r.thp.enabled, from: `${where}: transparent_hugepage/enabled` },
  };
}

/** Why a planned machine's kernel release cannot be planned for, in plain words; null when it can. */
export function kernelProblem(release: string): string | null {
  const v = parseKernelRelease(release);
  if (!v || v.major > 9) return 'not a release like 6.12';
  if (v.major < 3) return 'hugetune plans for kernels 3.0 and later';
  return null;
}

/** A machine the user does not have: every fact from the flags or a stated default, none from this host. */
export function plannedMachine(p: PlannedMachineSpec, o: MachineOverrides = {}): PlanMachine {
  const arch = p.arch ?? PLANNED_DEFAULTS.arch;
  if (!(PLANNED_ARCHES as readonly string[]).includes(arch))
    throw new UserError(`--arch ${arch}: expected one of ${PLANNED_ARCHES.join(', ')}`, 'bad-request');
  const base = p.basePageKiB ?? PLANNED_DEFAULTS.basePageKiB;
  if (base !== 4 && arch !== 'arm64')
    throw new UserError(`--base-page ${base}K: only arm64 has 16K and 64K pages`, 'bad-request');
  const release = p.release ?? PLANNED_DEFAULTS.release;
  const problem = kernelProblem(release);
  if (problem) throw new UserError(`--kernel ${release}: ${problem}`, 'bad-request');
  const v = parseKernelRelease(release)!;
  const count = p.nodes ?? 1;
  const totalMiB = p.memGiB * 1024;
  const flag = (f: string, given: unknown, dflt: string): string =>
    given === undefined ? `default for a planned machine (${dflt}; ${f} to change)` : `planned: ${f}`;
  const available = o.availableMiB ?? totalMiB * PLANNED_AVAILABLE_FRACTION;
  const nodes: PlanNode[] = Array.from({ length: count }, (_, id) => ({
    id,
    memTotalMiB: totalMiB / count,
    availableMiB: available / count,
    hasCpus: true,
    slow: false,
    pools: [],
  }));
  const sizes = archPages(arch, base).hugePages.map((k) => k.sizeKiB);
  const pmd = archPages(arch, base).hugePages.find((k) => k.level === 'pmd')!.sizeKiB;
  return {
    source: 'planned',
    label: `planned ${p.memGiB} GiB ${arch} machine${count > 1 ? `, ${count} NUMA nodes` : ''}`,
    arch: { value: arch, from: flag('--arch', p.arch, arch) },
    release: { value: release, from: flag('--kernel', p.release, release) },
    basePageKiB: { value: base, from: flag('--base-page', p.basePageKiB, `${base}K`) },
    structPageBytes: { value: 64, from: 'assumed: 64-byte struct page' },
    hugePageSizesKiB: {
      value: sizes,
      from:
        arch === 'x86_64'
          ? 'architecture table; 1 GiB pages assumed (x86-64 CPUs with pdpe1gb, nearly all since 2010)'
          : `architecture table for ${arch} with ${base}K pages`,
    },
    defaultHugePageKiB: { value: pmd, from: `the kernel default: the PMD size, ${pageSizeLabel(pmd)}` },
    totalMiB: { value: totalMiB, from: 'planned: --mem-gib' },
    availableMiB: {
      value: round1(available),
      from:
        o.availableMiB !== undefined
          ? '--available-mib'
          : `planned: ${PLANNED_AVAILABLE_FRACTION * 100}% of --mem-gib (what a freshly booted machine leaves)`,
    },
    nodes,
    nodesFrom: count > 1 ? `planned: --nodes ${count}, memory split evenly` : 'planned: one node',
    hvo: hvoFacts(arch, v, null),
    thpEnabled: { value: 'madvise', from: 'assumed: madvise (the usual distribution default)' },
  };
}

/** The facts of a machine as rows for text and UI: what the plan used and where each came from. */
export function machineFacts(m: PlanMachine): { name: string; value: string; from: string }[] {
  const rows = [
    { name: 'Architecture', value: m.arch.value ?? 'unknown', from: m.arch.from },
    { name: 'Kernel', value: m.release.value ?? 'unknown', from: m.release.from },
    { name: 'Base page', value: pageSizeLabel(m.basePageKiB.value), from: m.basePageKiB.from },
    {
      name: 'Huge page sizes',
      value: m.hugePageSizesKiB.value.map(pageSizeLabel).join(', ') || 'none',
      from: m.hugePageSizesKiB.from,
    },
    {
      name: 'Default huge page',
      value: m.defaultHugePageKiB.value === null ? 'unknown' : pageSizeLabel(m.defaultHugePageKiB.value),
      from: m.defaultHugePageKiB.from,
    },
    { name: 'Memory', value: proseMiB(m.totalMiB.value), from: m.totalMiB.from },
    { name: 'Available', value: proseMiB(m.availableMiB.value), from: m.availableMiB.from },
    {
      name: 'NUMA nodes',
      value: m.nodes
        .map(
          (n) =>
            `${n.id}: ${proseMiB(n.availableMiB)} of ${proseMiB(n.memTotalMiB)}${n.slow ? ' (slow tier)' : ''}${n.hasCpus ? '' : ' (no CPUs)'}`,
        )
        .join('; '),
      from: m.nodesFrom,
    },
    {
      name: 'HVO',
      value:
        m.hvo.available.value === null
          ? 'unknown'
          : m.hvo.available.value
            ? `${m.hvo.enabled ? 'on' : 'available, off'} (switched by ${m.hvo.switch === 'sysctl' ? 'sysctl' : 'boot parameter only'})`
            : 'not available',
      from: m.hvo.available.from,
    },
    { name: 'THP', value: m.thpEnabled.value ?? 'unknown', from: m.thpEnabled.from },
  ];
  const pools = m.nodes.flatMap((n) => n.pools.filter((p) => p.total > 0).map((p) => ({ n, p })));
  if (pools.length > 0)
    rows.push({
      name: 'Pools',
      value: pools
        .map(({ n, p }) => `${pageSizeLabel(p.pageSizeKiB)} × ${p.total} (${p.free} free) on node ${n.id}`)
        .join('; '),
      from: 'read: hugepages nr_hugepages and free_hugepages per node',
    });
  return rows;
}
