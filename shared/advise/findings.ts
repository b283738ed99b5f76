/**
 * Findings the report raises on its own: each names what was seen (the evidence: file and value), why it
 * matters, and where the fact comes from. Pure: HostState in, findings out.
 */
import { nodeMemoryGap } from '../host/node-coverage';
import { inThpAlignmentRegression } from '../kernel/facts';
import { hvoKeptPages } from '../kernel/hvo';
import { basePageFromPmdBytes } from '../kernel/pages';
import { hvoFreedPages, hvoSavedKiB } from '../plan/vmemmap';
import { freeBlocksOf, freeKiB } from '../host/parse/buddyinfo';
import { HUGETLB_DIR, PATHS, THP_DIR } from '../host/paths';
import type { AlignmentProbe } from '../host/process/types';
import type { HostState } from '../host/state';
import { countLabel, memLabel, sizeLabel } from '../units';

export type Severity = 'info' | 'warning' | 'error';

export interface Evidence {
  readonly path: string;
  readonly value: string;
}

export interface Finding {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly detail: string;
  readonly evidence: readonly Evidence[];
  readonly reference: string;
}

export const DOC = {
  transhuge: 'https://docs.kernel.org/admin-guide/mm/transhuge.html',
  hugetlbpage: 'https://docs.kernel.org/admin-guide/mm/hugetlbpage.html',
  vmemmap: 'https://docs.kernel.org/mm/vmemmap_dedup.html',
  vmSysctl: 'https://docs.kernel.org/admin-guide/sysctl/vm.html',
  tiering: 'https://docs.kernel.org/admin-guide/mm/numaperf.html',
  hotplug: 'https://docs.kernel.org/admin-guide/mm/memory-hotplug.html',
  alignmentFix:
    'commit d4148aeab412 "mm, mmap: limit THP alignment of anonymous mappings to PMD-aligned sizes" (6.12, 6.11.7)',
};

/** What a report knows beyond the kernel's files: measurements hugetune made on the machine itself. */
export interface FindingExtras {
  /** The runtime alignment probe (live machine only); it overrides the kernel version table. */
  alignmentProbe?: AlignmentProbe | null;
}

const ALIGNMENT_REPORTED =
  'Inference slowdowns have been reported and attributed to it (OpenVINO #33169, #34015; an LLM throughput claim on linux-mm), but not proven: maintainers closed those reports for lack of proof.';

/**
 * The THP alignment regression: measured by the probe when there is one (a distribution kernel may carry the
 * regression or its fix whatever its version), else inferred from the upstream version table.
 */
function alignmentFindings(h: HostState, probe: AlignmentProbe | null): Finding[] {
  const v = h.kernel.version;
  const release = h.kernel.release ?? 'unknown';
  const byVersion = v !== null && inThpAlignmentRegression(v);
  if (probe) {
    const evidence = [
      {
        path: 'hugetune probe-alignment',
        value: `${probe.aligned} of ${probe.total} aligned; gaps ${probe.gapsKiB.join(', ')} KiB`,
      },
      { path: PATHS.osrelease, value: release },
    ];
    if (probe.affected)
      return [
        {
          id: 'thp-alignment-regression',
          severity: 'warning',
          title: 'This kernel aligns every large anonymous mapping (THP alignment regression, measured)',
          detail:
            `${probe.detail}. The holes stop neighbouring mappings merging: more VMAs, and memory between them that THP cannot use. ` +
            `${byVersion ? 'The version table agrees' : `The version table says ${release} is not affected; the probe overrides it`}. ` +
            `${ALIGNMENT_REPORTED} Fixed upstream in 6.11.7 and 6.12.`,
          evidence,
          reference: DOC.alignmentFix,
        },
      ];
    if (byVersion)
      return [
        {
          id: 'thp-alignment-probe-clear',
          severity: 'info',
          title: "In the alignment regression's version range, but the probe found the fixed behaviour",
          detail: `${probe.detail}. Upstream ${release} would be affected; this kernel carries the fix (d4148aeab412) or never had the change.`,
          evidence,
          reference: DOC.alignmentFix,
        },
      ];
    return [];
  }
  if (!byVersion) return [];
  return [
    {
      id: 'thp-alignment-regression',
      severity: 'warning',
      title: 'Kernel in the THP alignment regression range',
      detail:
        `Upstream ${v.major}.${v.minor}.${v.patch} aligns every anonymous mapping of 2 MiB or more to a 2 MiB boundary ` +
        '(mainline 6.7.0 to 6.11.6). The gaps stop mappings merging and have slowed some workloads by large factors. ' +
        'Distribution kernels may carry the fix or the regression independently of their version number, so a runtime ' +
        'probe is the reliable check (hugetune probe-alignment). Fixed in 6.11.7 and 6.12.',
      evidence: [{ path: PATHS.osrelease, value: release }],
      reference: DOC.alignmentFix,
    },
  ];
}

export function findings(h: HostState, extra: FindingExtras = {}): Finding[] {
  const out: Finding[] = [];
  const v = h.kernel.version;

  out.push(...alignmentFindings(h, extra.alignmentProbe ?? null));

  if (h.thp.present && h.thp.enabled?.selected === 'never') {
    out.push({
      id: 'thp-never',
      severity: 'warning',
      title: 'Transparent huge pages are off',
      detail:
        'With THP `never`, anonymous memory (llama.cpp --no-mmap, vLLM on CPU) is mapped with 4 KiB pages only: about ' +
        '2 MiB of page tables per GiB and 512 times more TLB entries than 2 MiB pages need. `madvise` lets runtimes that ' +
        'ask for huge pages get them without changing other programs.',
      evidence: [
        {
          path: `${THP_DIR}/enabled`,
          value: h.thp.enabled.options.map((o) => (o === 'never' ? '[never]' : o)).join(' '),
        },
      ],
      reference: DOC.transhuge,
    });
  }

  const boot = h.kernel.boot;
  const bootPools = boot?.hugepages.filter((r) => r.count > 0) ?? [];
  const livePools = h.hugetlb.pools.filter((p) => (p.total ?? 0) > 0);
  // Kernels 5.14-5.17 keep two vmemmap pages per huge page, later ones one.
  const kept = v ? hvoKeptPages(v) : 1;
  const geometry = { basePageKiB: basePageFromPmdBytes(h.thp.pmdSizeBytes) ?? 4, structPageBytes: 64 };

  if (h.hvo.compiled === true && h.hvo.enabled === false && (livePools.length > 0 || bootPools.length > 0)) {
    const pools =
      livePools.length > 0
        ? livePools.map((p) => ({ size: p.pageSizeKiB, n: p.total ?? 0 }))
        : bootPools.map((r) => ({ size: r.pageSizeKiB, n: r.count }));
    const savingKiB = pools.reduce((sum, p) => sum + hvoSavedKiB(p.size, p.n, kept, geometry), 0);
    const perPool = pools.map(
      (p) =>
        `${countLabel(hvoFreedPages(p.size, kept, geometry))} of ${countLabel(hvoFreedPages(p.size, 0, geometry))} vmemmap pages per ${sizeLabel(p.size)} page`,
    );
    out.push({
      id: 'hvo-off-with-pools',
      severity: 'warning',
      title: 'HVO is built in but off while huge page pools exist',
      detail:
        `HugeTLB Vmemmap Optimization would give back ${memLabel(savingKiB)} of struct page memory for ` +
        `${pools.map((p) => `${countLabel(p.n)} × ${sizeLabel(p.size)}`).join(' and ')} (${[...new Set(perPool)].join(', ')}). ` +
        'Only pages allocated while HVO is on are optimized: enable it before reserving the pool ' +
        (h.hvo.sysctl !== null
          ? '(vm.hugetlb_optimize_vmemmap=1, or hugetlb_free_vmemmap=on at boot).'
          : '(this kernel has no runtime sysctl for it: boot with hugetlb_free_vmemmap=on).'),
      evidence: [
        h.hvo.sysctl !== null
          ? { path: PATHS.hvoSysctl, value: String(h.hvo.sysctl) }
          : {
              path: PATHS.cmdline,
              value: `hugetlb_free_vmemmap=${h.hvo.bootParam ?? '(not set: the kernel default is off)'}`,
            },
        ...livePools.map((p) => ({
          path: `${HUGETLB_DIR}/hugepages-${p.pageSizeKiB}kB/nr_hugepages`,
          value: String(p.total),
        })),
        ...(livePools.length === 0
          ? bootPools.map((r) => ({
              path: PATHS.cmdline,
              value: `hugepagesz=${sizeLabel(r.pageSizeKiB).replace(' ', '')} hugepages=${r.count}`,
            }))
          : []),
      ],
      reference: DOC.vmemmap,
    });
  }

  // Pools reserved at boot were allocated before a runtime sysctl could turn HVO on.
  if (h.hvo.enabled === true && bootPools.length > 0 && boot?.hugetlbFreeVmemmap === null) {
    out.push({
      id: 'hvo-pool-not-optimized',
      severity: 'info',
      title: 'Boot-time pools may predate HVO',
      detail:
        'HVO is on now, but the command line reserves huge pages without hugetlb_free_vmemmap=on. If HVO was turned on ' +
        'after boot (the sysctl) and the kernel does not default it on, those pages keep their full vmemmap until the ' +
        'pool is shrunk and grown again. Add hugetlb_free_vmemmap=on to the command line to be sure.',
      evidence: [
        { path: PATHS.hvoSysctl, value: String(h.hvo.sysctl ?? 'absent') },
        {
          path: PATHS.cmdline,
          value: bootPools.map((r) => `hugepages=${r.count} (${sizeLabel(r.pageSizeKiB)})`).join(', '),
        },
      ],
      reference: DOC.vmSysctl,
    });
  }

  // bootPools holds only the reservations with pages, so any 1 GiB one in it is a real request.
  const wants1G = bootPools.some((r) => r.pageSizeKiB === 1048576);
  const x86 = h.kernel.arch === 'x86_64';
  if (x86 && wants1G && h.cpuFlags !== null && !h.cpuFlags.has('pdpe1gb')) {
    out.push({
      id: 'no-1g-pages',
      severity: 'error',
      title: '1 GiB pages asked for, but the CPU cannot map them',
      detail:
        'The command line reserves 1 GiB pages, but the CPU (or the virtual machine) does not report the pdpe1gb flag, ' +
        'so the kernel registers no 1 GiB pool and ignores the reservation. Use 2 MiB pages, or expose pdpe1gb to the guest.',
      evidence: [
        { path: PATHS.cmdline, value: 'hugepagesz=1G' },
        { path: PATHS.cpuinfo, value: 'flags: no pdpe1gb' },
      ],
      reference: DOC.hugetlbpage,
    });
  }

  const buddy = h.memory.buddy;
  if (buddy && buddy.length > 0) {
    const free = freeKiB(buddy);
    const contiguous2M = freeBlocksOf(buddy, 2048) * 2048;
    // Much free memory but little of it in 2 MiB blocks: growing a pool now will fall short until compaction runs.
    if (free >= 1048576 && contiguous2M < free / 2) {
      out.push({
        id: 'pool-growth-fragmented',
        severity: 'warning',
        title: 'Free memory is fragmented: growing a huge page pool now may fall short',
        detail:
          `${memLabel(free)} is free, but only ${memLabel(contiguous2M)} of it lies in ` +
          'free blocks of 2 MiB or larger, so a runtime pool of 2 MiB pages may get fewer pages than asked for. 1 GiB ' +
          'pages at runtime usually fail on a long-running machine: reserve them at boot (hugepagesz=1G hugepages=N) or ' +
          'set aside hugetlb_cma=.',
        evidence: [
          {
            path: PATHS.buddyinfo,
            value: `${countLabel(freeBlocksOf(buddy, 2048))} free 2 MiB blocks of ${countLabel(Math.floor(free / 2048))} possible`,
          },
        ],
        reference: DOC.hugetlbpage,
      });
    }
  }

  const gap = nodeMemoryGap(
    h.numa.nodes.map((n) => n.memTotalKiB),
    h.memory.totalKiB,
  );
  if (gap && h.numa.nodes.length > 0) {
    out.push({
      id: 'node-memory-partial',
      severity: 'info',
      title: "The NUMA nodes' memory does not add up to the machine's",
      detail:
        `The nodes' own meminfo adds up to ${memLabel(gap.sumKiB)}, /proc/meminfo says ${memLabel(gap.totalKiB)} ` +
        '(a virtual machine with hot-added memory, for one, may list only part of it per node). Per-node figures — ' +
        'pools per node, free memory per node, how far a pool could grow — cover only that part; the planner takes ' +
        "the machine's MemAvailable and splits it over the nodes by their free memory and size.",
      evidence: [
        { path: PATHS.meminfo, value: `MemTotal ${countLabel(gap.totalKiB)} kB` },
        ...h.numa.nodes.map((n) => ({
          path: `/sys/devices/system/node/node${n.id}/meminfo`,
          value: `MemTotal ${n.memTotalKiB === null ? 'unknown' : countLabel(n.memTotalKiB)} kB`,
        })),
      ],
      reference: DOC.hotplug,
    });
  }

  const tiers = h.numa.tiers;
  const cpuless = h.numa.nodes.filter((n) => n.cpus !== null && n.cpus.length === 0 && (n.memTotalKiB ?? 0) > 0);
  const demoting = h.numa.demotionEnabled === true || ((h.numa.balancing ?? 0) & 2) !== 0;
  if ((tiers.length > 1 || cpuless.length > 0) && demoting) {
    out.push({
      id: 'tiering-demotion',
      severity: 'info',
      title: 'Memory tiering moves pages between fast and slow memory',
      detail:
        'This machine has more than one memory tier' +
        (cpuless.length
          ? ` (CPU-less node${cpuless.length > 1 ? 's' : ''} ${cpuless.map((n) => n.id).join(', ')}, typical of CXL memory)`
          : '') +
        ' and demotion or tiering-mode NUMA balancing is on. Anonymous 4 KiB model memory can be demoted and promoted, ' +
        'and every migration shoots down TLB entries on the CPUs using it. HugeTLB pages are never demoted: a pool on ' +
        'the fast node keeps the model there.',
      evidence: [
        { path: PATHS.demotionEnabled, value: String(h.numa.demotionEnabled) },
        { path: PATHS.numaBalancing, value: String(h.numa.balancing) },
        ...tiers.map((t) => ({
          path: `/sys/devices/virtual/memory_tiering/memory_tier${t.id}/nodelist`,
          value: t.nodes.join(','),
        })),
      ],
      reference: DOC.tiering,
    });
  }

  return out;
}
