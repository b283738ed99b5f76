/**
 * Writes the file tree a real kernel of the simulated machine's shape would show, at its current moment:
 * the same paths and formats the readers parse. Which files exist follows the kernel version (mTHP dirs
 * from 6.8, per-size stats from 6.10, memmap counters from 6.11, shrink_underused from 6.12, the HVO
 * sysctl from 5.19).
 */
import { atLeast } from '../kernel/version';
import { MemoryFiles, type HostFiles } from '../host/files';
import { simBootFiles } from './bootfiles';
import type { SimMachine } from './machine';
import { SCENARIO_RATES } from './machine';
import type { Profile } from './profile';
import { rng } from './random';

const choices = (all: readonly string[], sel: string): string => all.map((o) => (o === sel ? `[${o}]` : o)).join(' ');
const THP_MODES = ['always', 'madvise', 'never'] as const;
const DEFRAG_MODES = ['always', 'defer', 'defer+madvise', 'madvise', 'never'] as const;

/** CPU numbers of each node: CPUs are numbered node by node. */
export function cpusByNode(m: SimMachine): number[][] {
  let next = 0;
  return m.profile.nodes.map((n) => Array.from({ length: n.cpus }, () => next++));
}

function ranges(ids: number[]): string {
  if (ids.length === 0) return '';
  const out: string[] = [];
  let start = ids[0]!;
  let prev = start;
  for (const id of [...ids.slice(1), -1]) {
    if (id === prev + 1) {
      prev = id;
      continue;
    }
    out.push(start === prev ? `${start}` : `${start}-${prev}`);
    start = prev = id;
  }
  return out.join(',');
}

/**
 * What depends on the profile alone (the CPU list, cpuinfo, the interrupts header) or on it and the boot (each
 * CPU's share of the interrupts), made once: on a 4,096-CPU machine cpuinfo alone is 850 KB, and the tree is
 * written again every simulated second.
 */
const made = new WeakMap<Profile, Map<string, unknown>>();
function once<T>(p: Profile, key: string, make: () => T): T {
  let m = made.get(p);
  if (!m) made.set(p, (m = new Map<string, unknown>()));
  if (!m.has(key)) m.set(key, make());
  return m.get(key) as T;
}

/** Runs of spaces, indexed by length: the padding of one /proc/interrupts count. */
const SPACES = Array.from({ length: 11 }, (_, n) => ' '.repeat(n));

/**
 * One /proc/interrupts row as the kernel prints it: each count right-aligned in 10 columns and followed by a
 * space (`%10u `), then the description. A loop rather than map and join: at 4,096 CPUs a row is 45 KB,
 * four are written every simulated second, and this is a third of what that costs.
 */
function irqRow(label: string, counts: readonly number[], desc: string): string {
  let line = `${label.padStart(4)}:`;
  for (const c of counts) {
    const text = String(c);
    line += text.length < 10 ? SPACES[10 - text.length]! + text + ' ' : text + ' ';
  }
  return `${line}  ${desc}\n`;
}

/** The tree at simulated time `t` (seconds since boot; the machine's own time unless given). */
export function writeTree(m: SimMachine, t = m.seconds): Record<string, string> {
  const p = m.profile;
  const v = m.version;
  const f: Record<string, string> = {};
  const rate = SCENARIO_RATES[p.scenario];
  const nodeCpus = once(p, 'cpus-by-node', () => cpusByNode(m));
  const cpus = once(p, 'cpus', () => nodeCpus.flat());

  f['/proc/sys/kernel/osrelease'] = `${p.release}\n`;
  f['/proc/sys/kernel/arch'] = `${p.arch}\n`;
  f['/proc/version'] = `Linux version ${p.release} (sim@hugetune) #1 SMP PREEMPT_DYNAMIC\n`;
  f['/proc/cmdline'] = `${m.bootCmdline}\n`;
  const flags =
    p.arch === 'x86_64'
      ? `flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx${p.pdpe1gb ? ' pdpe1gb' : ''} rdtscp lm pcid avx2`
      : 'Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp';
  f['/proc/cpuinfo'] = once(p, 'cpuinfo', () =>
    cpus.map((c) => `processor\t: ${c}\nmodel name\t: ${p.cpuModel ?? 'simulated CPU'}\n${flags}\n`).join('\n'),
  );

  // Memory, counted once each (rules and kernel reasons in machine.ts): MemTotal is managed memory, pools of
  // every size are inside it and outside MemFree, Hugetlb sums all sizes, the HugePages_* lines and
  // Hugepagesize describe the default size only.
  const free = m.memFreeKiB();
  const def = m.pools.find((x) => x.sizeKiB === m.defaultSizeKiB);
  const defTotal = def ? def.perNode.reduce((a, b) => a + b, 0) : 0;
  const use = m.memoryUse();
  const kb = (name: string, kib: number): string => `${`${name}:`.padEnd(16)}${String(kib).padStart(8)} kB`;
  // The LRU lists: anonymous memory active, a quarter of the page cache active and the rest inactive.
  const activeFile = 4 * Math.floor(use.cachedKiB / 16);
  const inactiveFile = use.buffersKiB + use.cachedKiB - activeFile;
  f['/proc/meminfo'] = [
    kb('MemTotal', m.memTotalKiB()),
    kb('MemFree', free),
    kb('MemAvailable', m.memAvailableKiB()),
    kb('Buffers', use.buffersKiB),
    kb('Cached', use.cachedKiB),
    kb('SwapCached', 0),
    kb('Active', use.anonKiB + activeFile),
    kb('Inactive', inactiveFile),
    kb('Active(anon)', use.anonKiB),
    kb('Inactive(anon)', 0),
    kb('Active(file)', activeFile),
    kb('Inactive(file)', inactiveFile),
    kb('Unevictable', 0),
    kb('Mlocked', 0),
    kb('SwapTotal', 0),
    kb('SwapFree', 0),
    ...(atLeast(v, 6, 0) ? [kb('Zswap', 0), kb('Zswapped', 0)] : []),
    kb('Dirty', 0),
    kb('Writeback', 0),
    kb('AnonPages', use.anonKiB),
    kb('Mapped', use.shmemKiB),
    kb('Shmem', use.shmemKiB),
    kb('KReclaimable', use.slabReclaimableKiB),
    kb('Slab', use.slabReclaimableKiB + use.slabUnreclaimableKiB),
    kb('SReclaimable', use.slabReclaimableKiB),
    kb('SUnreclaim', use.slabUnreclaimableKiB),
    kb('KernelStack', use.kernelStackKiB),
    kb('PageTables', use.pageTablesKiB),
    ...(atLeast(v, 6, 0) ? [kb('SecPageTables', 0)] : []),
    kb('NFS_Unstable', 0),
    kb('Bounce', 0),
    kb('WritebackTmp', 0),
    kb('CommitLimit', Math.floor(m.memTotalKiB() / 2)),
    kb('Committed_AS', use.anonKiB + use.shmemKiB),
    // The vmalloc area of a 48-bit address space: 32 TiB on x86_64, about 124 TiB on arm64.
    kb('VmallocTotal', p.arch === 'x86_64' ? 34359738367 : 133141626880),
    kb('VmallocUsed', 0),
    kb('VmallocChunk', 0),
    kb('Percpu', use.percpuKiB),
    kb('AnonHugePages', use.anonHugeKiB),
    kb('ShmemHugePages', 0),
    kb('ShmemPmdMapped', 0),
    kb('FileHugePages', 0),
    kb('FilePmdMapped', 0),
    `HugePages_Total:   ${defTotal}`,
    // Nothing maps the simulated pools: every page is free, none reserved or surplus.
    `HugePages_Free:    ${defTotal}`,
    'HugePages_Rsvd:        0',
    'HugePages_Surp:        0',
    kb('Hugepagesize', m.defaultSizeKiB),
    kb('Hugetlb', m.hugetlbKiB()),
    ...(p.arch === 'x86_64' ? [kb('DirectMap4k', 0), kb('DirectMap2M', 0), kb('DirectMap1G', m.totalKiB)] : []),
    '',
  ].join('\n');

  const count = (perSecond: number): number => Math.floor(perSecond * t);
  // khugepaged collapses a small share of what faults in, every allocation for a collapse succeeding: so its
  // pages_collapsed and vmstat's thp_collapse_alloc move together. Splits follow partial unmaps and reclaim.
  const collapsed = m.thp === 'never' ? 0 : count(rate.thpFault * 0.05);
  const vm: [string, number][] = [
    // The same memory as meminfo's lines, in 4 KiB pages (kernel stacks in KiB, THPs in 2 MiB pages).
    ['nr_free_pages', free / 4],
    ['nr_slab_reclaimable', use.slabReclaimableKiB / 4],
    ['nr_slab_unreclaimable', use.slabUnreclaimableKiB / 4],
    ['nr_anon_pages', use.anonKiB / 4],
    ['nr_mapped', use.shmemKiB / 4],
    ['nr_file_pages', (use.buffersKiB + use.cachedKiB) / 4],
    ['nr_shmem', use.shmemKiB / 4],
    ['nr_anon_transparent_hugepages', use.anonHugeKiB / 2048],
    ['nr_kernel_stack', use.kernelStackKiB],
    ['nr_page_table_pages', m.pageTablePages()],
    ['thp_fault_alloc', count(rate.thpFault)],
    ['thp_fault_fallback', count(rate.thpFault * p.fragmentation)],
    ['thp_collapse_alloc', collapsed],
    ['thp_split_page', count(rate.thpFault * 0.02)],
    ['compact_stall', count(rate.compactStall)],
    ['pgmigrate_success', count(rate.migrate)],
    ['pgdemote_kswapd', m.demotion ? count(rate.demote) : 0],
    ['pgpromote_success', (m.numaBalancing & 2) !== 0 ? count(rate.demote * 0.8) : 0],
    ['numa_hint_faults', m.numaBalancing ? count(rate.migrate * 2) : 0],
    // Present on every kernel with NUMA balancing built in; it moves only while balancing is on.
    ['numa_pages_migrated', m.numaBalancing ? count(rate.migrate * 0.5) : 0],
  ];
  if (atLeast(v, 6, 11)) {
    const memmap = m.memmapCounters();
    vm.push(['nr_memmap_pages', memmap.pages], ['nr_memmap_boot_pages', memmap.bootPages]);
  }
  f['/proc/vmstat'] = vm.map(([k, x]) => `${k} ${x}\n`).join('');

  // Free memory split by fragmentation: the unfragmented share in 4 MiB blocks, the rest in small ones.
  f['/proc/buddyinfo'] = p.nodes
    .map((_, n) => {
      const nfree = m.freeNodeKiB(n);
      const big = Math.floor((nfree * (1 - p.fragmentation)) / 4096);
      // The fragmented share, split evenly over orders 0-3 (4 to 32 KiB blocks).
      const small = [0, 1, 2, 3].map((k) => Math.floor((nfree * p.fragmentation) / 4 / (4 * 2 ** k)));
      return `Node ${n}, zone   Normal ${[...small, 0, 0, 0, 0, 0, 0, big].map((x) => String(x).padStart(6)).join(' ')} \n`;
    })
    .join('');
  // The default hugetlbfs mount serves the default size; the kernel prints it in K or M, 1 GiB as 1024M.
  const pagesize = m.defaultSizeKiB >= 1024 ? `${m.defaultSizeKiB / 1024}M` : `${m.defaultSizeKiB}K`;
  f['/proc/mounts'] =
    `proc /proc proc rw,relatime 0 0\nsysfs /sys sysfs rw,relatime 0 0\nhugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=${pagesize} 0 0\n`;

  // /proc/interrupts: one column per online CPU; seeded per-CPU spread around the scenario's rate, drawn anew
  // at each boot.
  const spread = once(p, `irq-spread-${m.boots}`, () => {
    const rand = rng(p.seed + m.boots * 7919);
    return cpus.map(() => 0.7 + 0.6 * rand());
  });
  const header = once(p, 'irq-header', () => `${' '.repeat(11)}${cpus.map((c) => `CPU${c}`.padEnd(11)).join('')}\n`);
  const perCpu = (perSecond: number): number[] => spread.map((x) => count(perSecond * x));
  let irq =
    header +
    once(p, 'irq-timer', () =>
      irqRow(
        '0',
        cpus.map(() => 44),
        'IO-APIC   2-edge      timer',
      ),
    );
  if (p.arch === 'x86_64') {
    irq += irqRow('RES', perCpu(20), 'Rescheduling interrupts');
    irq += irqRow('CAL', perCpu(rate.tlb + 10), 'Function call interrupts');
    irq += irqRow('TLB', perCpu(rate.tlb), 'TLB shootdowns');
    irq += 'ERR:          0\nMIS:          0\n';
  } else {
    irq += irqRow('IPI0', perCpu(20), 'Rescheduling interrupts');
    irq += irqRow('IPI1', perCpu(10), 'Function call interrupts');
  }
  f['/proc/interrupts'] = irq;

  const thp = '/sys/kernel/mm/transparent_hugepage';
  f[`${thp}/enabled`] = `${choices(THP_MODES, m.thp)}\n`;
  f[`${thp}/defrag`] = `${choices(DEFRAG_MODES, m.defrag)}\n`;
  f[`${thp}/shmem_enabled`] = `${choices(['always', 'within_size', 'advise', 'never', 'deny', 'force'], 'never')}\n`;
  f[`${thp}/use_zero_page`] = '1\n';
  f[`${thp}/hpage_pmd_size`] = '2097152\n';
  if (atLeast(v, 6, 12)) f[`${thp}/shrink_underused`] = '1\n';
  for (const [k, x] of Object.entries({
    defrag: 1,
    pages_to_scan: 4096,
    scan_sleep_millisecs: 10000,
    alloc_sleep_millisecs: 60000,
    max_ptes_none: 511,
    max_ptes_swap: 64,
    max_ptes_shared: 256,
    full_scans: Math.floor(t / 10),
    pages_collapsed: collapsed,
  })) {
    f[`${thp}/khugepaged/${k}`] = `${x}\n`;
  }
  if (atLeast(v, 6, 8)) {
    for (const kib of [16, 32, 64, 128, 256, 512, 1024, 2048]) {
      const d = `${thp}/hugepages-${kib}kB`;
      f[`${d}/enabled`] = `${choices(['always', 'inherit', 'madvise', 'never'], kib === 2048 ? 'inherit' : 'never')}\n`;
      if (atLeast(v, 6, 11))
        f[`${d}/shmem_enabled`] =
          `${choices(['always', 'inherit', 'within_size', 'advise', 'never'], kib === 2048 ? 'inherit' : 'never')}\n`;
      if (atLeast(v, 6, 10)) {
        f[`${d}/stats/anon_fault_alloc`] = `${kib === 2048 ? count(rate.thpFault) : 0}\n`;
        f[`${d}/stats/anon_fault_fallback`] = `${kib === 2048 ? count(rate.thpFault * p.fragmentation) : 0}\n`;
      }
    }
  }

  for (const pool of m.pools) {
    const d = `/sys/kernel/mm/hugepages/hugepages-${pool.sizeKiB}kB`;
    const total = pool.perNode.reduce((a, b) => a + b, 0);
    f[`${d}/nr_hugepages`] = `${total}\n`;
    f[`${d}/nr_hugepages_mempolicy`] = `${total}\n`;
    f[`${d}/free_hugepages`] = `${total}\n`;
    f[`${d}/resv_hugepages`] = '0\n';
    f[`${d}/surplus_hugepages`] = '0\n';
    f[`${d}/nr_overcommit_hugepages`] = '0\n';
    pool.perNode.forEach((x, n) => {
      const nd = `/sys/devices/system/node/node${n}/hugepages/hugepages-${pool.sizeKiB}kB`;
      f[`${nd}/nr_hugepages`] = `${x}\n`;
      f[`${nd}/free_hugepages`] = `${x}\n`;
      f[`${nd}/surplus_hugepages`] = '0\n';
    });
  }

  p.nodes.forEach((_, n) => {
    const nd = `/sys/devices/system/node/node${n}`;
    f[`${nd}/cpulist`] = `${ranges(nodeCpus[n]!)}\n`;
    // As node_read_meminfo() prints them; MemUsed counts the node's pool pages, and HugePages_* (default size
    // only) sum over nodes to the system-wide lines.
    const nodeTotal = m.nodeMemTotalKiB(n);
    const nodeFree = m.freeNodeKiB(n);
    const nodeHuge = def?.perNode[n] ?? 0;
    f[`${nd}/meminfo`] = [
      `Node ${n} MemTotal:       ${nodeTotal} kB`,
      `Node ${n} MemFree:        ${nodeFree} kB`,
      `Node ${n} MemUsed:        ${nodeTotal - nodeFree} kB`,
      `Node ${n} HugePages_Total: ${String(nodeHuge).padStart(5)}`,
      `Node ${n} HugePages_Free:  ${String(nodeHuge).padStart(5)}`,
      `Node ${n} HugePages_Surp:  ${String(0).padStart(5)}`,
      '',
    ].join('\n');
    f[`${nd}/distance`] =
      `${p.nodes.map((_, j) => (j === n ? 10 : (p.tiers?.[j] ?? 4) !== (p.tiers?.[n] ?? 4) ? 30 : 21)).join(' ')}\n`;
  });
  f['/sys/devices/system/node/online'] = `${ranges(p.nodes.map((_, n) => n))}\n`;
  f['/sys/devices/system/node/has_cpu'] = `${ranges(p.nodes.flatMap((node, n) => (node.cpus > 0 ? [n] : [])))}\n`;
  f['/sys/devices/system/cpu/online'] = `${ranges(cpus)}\n`;

  f['/proc/sys/vm/hugetlb_shm_group'] = '0\n';
  f['/proc/sys/vm/nr_hugepages'] = `${defTotal}\n`;
  if (m.hvoAvailable() && m.hasHvoSysctl()) f['/proc/sys/vm/hugetlb_optimize_vmemmap'] = `${m.hvo ? 1 : 0}\n`;
  f['/proc/config.gz'] =
    `CONFIG_HUGETLB_PAGE=y\n${m.hvoAvailable() ? `CONFIG_HUGETLB_PAGE_${atLeast(v, 5, 19) ? 'OPTIMIZE' : 'FREE'}_VMEMMAP=y\n` : '# CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP is not set\n'}`;
  f['/proc/sys/kernel/numa_balancing'] = `${m.numaBalancing}\n`;
  if (atLeast(v, 5, 15)) f['/sys/kernel/mm/numa/demotion_enabled'] = `${m.demotion}\n`;
  if (atLeast(v, 6, 1)) {
    const tiers = p.tiers ?? p.nodes.map(() => 4);
    for (const id of [...new Set(tiers)]) {
      f[`/sys/devices/virtual/memory_tiering/memory_tier${id}/nodelist`] =
        `${ranges(tiers.flatMap((x, n) => (x === id ? [n] : [])))}\n`;
    }
  }
  // The boot loader's files, holding the line the next boot will use (a pending what-if edit included).
  Object.assign(f, simBootFiles(p.release, m.pendingCmdline ?? m.bootCmdline));
  return f;
}

export function simFiles(m: SimMachine, label = `simulator: ${m.profile.id}`): HostFiles {
  return MemoryFiles.fromTexts({ kind: 'sim', label }, writeTree(m));
}
