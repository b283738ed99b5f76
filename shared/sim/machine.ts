/**
 * A simulated machine: a profile plus what has happened to it since boot (time, pool changes, sysctls,
 * a boot line waiting for a reboot). Kernel semantics, not just numbers: pools grow only as far as
 * contiguous free memory allows, 1 GiB pages rarely come at runtime, HVO optimizes only pages allocated
 * while it is on, THP changes apply to new allocations, and the boot line takes effect on reboot.
 *
 * Memory is counted per node, each KiB once; the system-wide lines are the sums, as the kernel's global
 * counters are sums of its per-node ones:
 * - MemTotal = installed - memblock reservations (firmware, kernel image, early allocations, and the boot
 *   memmap still held). Boot vmemmap that HVO freed has become managed memory and counts.
 * - MemFree = MemTotal - baseline use - memmap from buddy - pools of every size.
 * - HVO on a new huge page: nr_memmap_pages + nr_memmap_boot_pages fall by exactly the pages freed (7 per
 *   2 MiB page, 4,095 per 1 GiB page), MemFree and MemAvailable rise by exactly as much, and MemTotal by the
 *   boot pages that went to buddy.
 */
import { bootHvoSwitch } from '../host/read/hvo';
import { bootParams } from '../host/boot';
import { parseCmdline } from '../host/parse/cmdline';
import { hvoKeptPages } from '../kernel/hvo';
import { atLeast, parseKernelRelease } from '../kernel/version';
import { hvoFreedPages } from '../plan/vmemmap';
import { poolSizesOf, type Profile, type Scenario } from './profile';
import { hvoSupported } from './support';

export interface SimPool {
  sizeKiB: number;
  perNode: number[];
  /** Pages per node whose vmemmap HVO optimized (allocated while HVO was on). */
  optimized: number[];
}

/**
 * The memmap (struct pages, plus page_ext) of one node, in 4 KiB pages, as /proc/vmstat counts it
 * (shared/reference/kernel-interfaces.md §3.6): `boot` is what memblock allocated before the buddy allocator
 * existed (nr_memmap_boot_pages, "not part of MemTotal"), `buddy` what came from the buddy allocator later
 * (nr_memmap_pages, inside MemTotal and in use). `restoredKiB` is memory whose struct pages HVO once freed and
 * later gave back from buddy, so a new huge page there frees buddy pages rather than boot ones.
 */
export interface SimMemmap {
  boot: number;
  buddy: number;
  restoredKiB: number;
}

/** What a scenario does per second: TLB shootdowns per CPU and the vmstat counters that move with it. */
export const SCENARIO_RATES: Record<
  Scenario,
  { tlb: number; thpFault: number; migrate: number; demote: number; compactStall: number }
> = {
  idle: { tlb: 2, thpFault: 0.5, migrate: 0, demote: 0, compactStall: 0 },
  'model-load': { tlb: 40, thpFault: 200, migrate: 10, demote: 0, compactStall: 2 },
  inference: { tlb: 150, thpFault: 5, migrate: 50, demote: 0, compactStall: 0.1 },
  // Reclaim and migration between tiers: tens of millions of shootdowns per CPU over an hour.
  'reclaim-migration': { tlb: 6000, thpFault: 20, migrate: 25000, demote: 20000, compactStall: 5 },
};

/** Past this fragmentation, or this long after boot, no free 1 GiB range is left for a runtime allocation. */
const GIGANTIC_MAX_FRAGMENTATION = 0.1;
const GIGANTIC_UPTIME_S = 600;

export class SimMachine {
  /** Simulated seconds since boot. */
  seconds = 0;
  bootCmdline: string;
  pendingCmdline: string | null = null;
  thp: string;
  hvo: boolean;
  /** Runtime knobs that start as the profile says and change when written (sysctl, sysfs). */
  defrag: string;
  numaBalancing: number;
  demotion: boolean;
  pools: SimPool[] = [];
  memmap: SimMemmap[] = [];
  /** The size the HugePages_* lines of meminfo and /proc/sys/vm/nr_hugepages describe. */
  defaultSizeKiB = 2048;
  /** Boot count, so counters restart after a reboot. */
  boots = 0;

  constructor(readonly profile: Profile) {
    this.bootCmdline = profile.cmdline;
    this.thp = profile.thp;
    this.defrag = profile.defrag;
    this.numaBalancing = profile.numaBalancing;
    this.demotion = profile.demotion;
    this.hvo = false;
    this.boot();
    // The profile states the runtime settings, as they are after whatever was done since boot.
    this.thp = profile.thp;
    if (this.hvoAvailable() && this.hasHvoSysctl()) this.hvo = profile.hvo;
    // The profile's runtime pools were reserved just after boot with HVO as the profile says.
    for (const p of profile.pools) this.setPool(p.sizeKiB, p.perNode);
  }

  /** An independent copy in the same state: lets a caller try a change and look before doing it for real. */
  clone(): SimMachine {
    const c = Object.create(SimMachine.prototype) as SimMachine;
    Object.assign(c, this);
    c.pools = this.pools.map((p) => ({ sizeKiB: p.sizeKiB, perNode: [...p.perNode], optimized: [...p.optimized] }));
    c.memmap = this.memmap.map((m) => ({ ...m }));
    return c;
  }

  get version() {
    return parseKernelRelease(this.profile.release) ?? { major: 0, minor: 0, patch: 0 };
  }

  hvoAvailable(): boolean {
    return this.profile.hvoBuiltIn && hvoSupported(this.profile.arch, this.version);
  }

  /** vm.hugetlb_optimize_vmemmap exists from 5.19; before, only the boot switch turns HVO on. */
  hasHvoSysctl(): boolean {
    const v = this.version;
    return v.major > 5 || (v.major === 5 && v.minor >= 19);
  }

  /** Installed memory, as the profile states it; the kernel never shows all of it (see memTotalKiB). */
  get totalKiB(): number {
    return this.profile.nodes.reduce((s, _, n) => s + this.installedNodeKiB(n), 0);
  }

  /** Page sizes this kernel offers HugeTLB pools for. */
  poolSizes(): number[] {
    return poolSizesOf(this.profile);
  }

  private boot(): void {
    this.seconds = 0;
    this.boots++;
    const params = parseCmdline(this.bootCmdline);
    const list = params.ok ? params.value : [];
    const b = bootParams(list);
    this.hvo = this.hvoAvailable() && (bootHvoSwitch(list) ?? false);
    this.thp = ['always', 'madvise', 'never'].includes(b.transparentHugepage ?? '')
      ? b.transparentHugepage!
      : this.profile.thp;
    const nodes = this.profile.nodes.length;
    const sizes = this.poolSizes();
    // default_hugepagesz= names the size the HugePages_* lines describe; a size the kernel does not offer is
    // refused and the architecture's default (the PMD size, 2 MiB with 4 KiB pages) stays.
    const def = b.defaultHugepageSizeKiB;
    this.defaultSizeKiB = def !== null && sizes.includes(def) ? def : sizes.includes(2048) ? 2048 : sizes[0]!;
    // At boot all struct pages come from memblock: 64 bytes per 4 KiB page, so one vmemmap page per 64 pages.
    // What buddy holds from the start stands for page_ext and other memmap allocated once buddy is up; a quarter
    // of the boot share, about the ratio a 6.18 machine shows (17,928 against 80,376 pages).
    this.memmap = this.profile.nodes.map((_, n) => ({
      boot: Math.ceil(this.basePages(n) / 64),
      buddy: Math.ceil(this.basePages(n) / 256),
      restoredKiB: 0,
    }));
    this.pools = sizes.map((sizeKiB) => ({
      sizeKiB,
      perNode: Array<number>(nodes).fill(0),
      optimized: Array<number>(nodes).fill(0),
    }));
    // Boot reservations come before fragmentation and always succeed while memory lasts.
    for (const r of b.hugepages) {
      const pool = this.pools.find((p) => p.sizeKiB === r.pageSizeKiB);
      if (!pool) continue;
      for (let n = 0; n < nodes; n++) {
        const want = r.perNode ? (r.perNode[n] ?? 0) : Math.floor(r.count / nodes) + (n < r.count % nodes ? 1 : 0);
        const fit = Math.floor(this.freeNodeKiB(n) / r.pageSizeKiB);
        const got = Math.min(want, fit);
        pool.perNode[n] = got;
        pool.optimized[n] = this.hvo ? got : 0;
        // Pages reserved at boot are optimized like later ones: their boot vmemmap goes back to buddy.
        if (this.hvo) this.optimize(n, r.pageSizeKiB, got);
      }
    }
  }

  /** 4 KiB base pages installed on node n. */
  basePages(n: number): number {
    return Math.floor(this.profile.nodes[n]!.memGiB * 262144);
  }

  installedNodeKiB(n: number): number {
    return this.basePages(n) * 4;
  }

  /**
   * What memblock keeps at boot besides the memmap, never handed to buddy and so never in MemTotal: firmware
   * and ACPI ranges, the direct map's page tables, per-CPU areas, early hash tables (about 0.4% of RAM), and on
   * node 0 the kernel image and initrd.
   */
  reservedNodeKiB(n: number): number {
    return 4 * Math.ceil(this.basePages(n) / 256) + (n === 0 ? 32768 : 0);
  }

  /** Memory the kernel and programs use besides pools and the memmap: a baseline share of RAM. */
  usedNodeKiB(n: number): number {
    return 4 * Math.floor(this.basePages(n) * 0.08);
  }

  poolNodeKiB(n: number): number {
    return this.pools.reduce((s, p) => s + p.perNode[n]! * p.sizeKiB, 0);
  }

  /**
   * Node MemTotal is the node's managed pages: installed memory less what memblock reserved, which includes
   * the boot memmap still held. Boot vmemmap that HVO freed went to buddy through free_bootmem_page() /
   * free_reserved_page(), which adds it to the managed count, so it is in MemTotal from then on.
   */
  nodeMemTotalKiB(n: number): number {
    return this.installedNodeKiB(n) - this.reservedNodeKiB(n) - 4 * this.memmap[n]!.boot;
  }

  /**
   * Node MemFree: managed pages nobody holds. HugeTLB pool pages are in MemTotal but never free (free
   * hugepages are free only to hugetlbfs, counted in HugePages_Free), so every pool of every size comes off
   * once; memmap pages from buddy are in use; what HVO freed is back in buddy and so is free, counted once here.
   */
  freeNodeKiB(n: number): number {
    const free = this.nodeMemTotalKiB(n) - this.usedNodeKiB(n) - 4 * this.memmap[n]!.buddy - this.poolNodeKiB(n);
    // Pools grow only into free memory, so this never clips; it is a guard, not a rule.
    return Math.max(0, free);
  }

  /** System MemTotal and MemFree: the kernel's global counters are the sums of the per-node ones. */
  memTotalKiB(): number {
    return this.profile.nodes.reduce((s, _, n) => s + this.nodeMemTotalKiB(n), 0);
  }

  memFreeKiB(): number {
    return this.profile.nodes.reduce((s, _, n) => s + this.freeNodeKiB(n), 0);
  }

  /**
   * MemAvailable: MemFree, less the watermark reserves the allocator keeps, plus page cache and slab that
   * reclaim can drop. Both are fixed shares of installed RAM here, so whatever changes MemFree (pools, HVO)
   * changes MemAvailable by the same amount. The kernel clamps it at zero.
   */
  memAvailableKiB(): number {
    const u = this.memoryUse();
    const reclaimable = u.buffersKiB + u.cachedKiB + u.slabReclaimableKiB;
    const reserve = this.share(0.005);
    return Math.max(0, this.memFreeKiB() - reserve + reclaimable);
  }

  /** A share of installed RAM in KiB, counted in whole pages per node as the kernel counts. */
  private share(fraction: number): number {
    return this.profile.nodes.reduce((s, _, n) => s + 4 * Math.floor(this.basePages(n) * fraction), 0);
  }

  /** /proc/vmstat nr_page_table_pages: about one page-table page per 2,000 pages of RAM. */
  pageTablePages(): number {
    return Math.round(this.totalKiB / 4 / 2000);
  }

  /**
   * The baseline use (usedNodeKiB) split into the lines /proc/meminfo names, system-wide, in KiB: page cache
   * (Buffers, Cached, with Shmem inside Cached), slab, kernel stacks, per-CPU areas, page tables, and anonymous
   * memory as the rest, with the scenario's THPs inside it. Page cache and reclaimable slab are what reclaim
   * can drop, so MemAvailable counts them.
   */
  memoryUse(): {
    buffersKiB: number;
    cachedKiB: number;
    shmemKiB: number;
    slabReclaimableKiB: number;
    slabUnreclaimableKiB: number;
    kernelStackKiB: number;
    percpuKiB: number;
    pageTablesKiB: number;
    anonKiB: number;
    anonHugeKiB: number;
  } {
    const used = this.profile.nodes.reduce((s, _, n) => s + this.usedNodeKiB(n), 0);
    const parts = {
      buffersKiB: this.share(0.002),
      cachedKiB: this.share(0.014),
      shmemKiB: this.share(0.001),
      slabReclaimableKiB: this.share(0.004),
      slabUnreclaimableKiB: this.share(0.003),
      kernelStackKiB: this.share(0.0005),
      percpuKiB: this.share(0.0002),
      pageTablesKiB: 4 * this.pageTablePages(),
    };
    const named =
      parts.buffersKiB +
      parts.cachedKiB +
      parts.slabReclaimableKiB +
      parts.slabUnreclaimableKiB +
      parts.kernelStackKiB +
      parts.percpuKiB +
      parts.pageTablesKiB;
    const anonKiB = Math.max(0, used - named);
    // A running model keeps 2 GiB of its heap in THPs, whole 2 MiB pages, never more than its anonymous memory.
    const busy = this.profile.scenario !== 'idle' && this.thp !== 'never';
    const anonHugeKiB = busy ? Math.min(2097152, anonKiB - (anonKiB % 2048)) : 0;
    return { ...parts, anonKiB, anonHugeKiB };
  }

  /** meminfo Hugetlb: pool pages of every size times their size. */
  hugetlbKiB(): number {
    return this.pools.reduce((s, p) => s + p.perNode.reduce((a, b) => a + b, 0) * p.sizeKiB, 0);
  }

  /**
   * Why a runtime allocation of gigantic pages gets none now, or null when it can. They need a free, movable
   * 1 GiB range: there is one only soon after boot on a barely fragmented machine, or in a hugetlb_cma= area.
   */
  giganticBlocked(): string | null {
    if (/\bhugetlb_cma=/.test(this.bootCmdline)) return null;
    const f = this.profile.fragmentation;
    if (f >= GIGANTIC_MAX_FRAGMENTATION)
      return `free memory is ${Math.round(f * 100)}% fragmented, and a free 1 GiB range needs it under ${GIGANTIC_MAX_FRAGMENTATION * 100}%`;
    if (this.seconds >= GIGANTIC_UPTIME_S)
      return `the machine has been up over ${GIGANTIC_UPTIME_S / 60} minutes, and its free memory is no longer in whole 1 GiB ranges`;
    return null;
  }

  /** How many pages of this size a runtime allocation can still get on node n. */
  growable(sizeKiB: number, n: number): number {
    const free = this.freeNodeKiB(n);
    const f = this.profile.fragmentation;
    if (sizeKiB >= 1048576) return this.giganticBlocked() === null ? Math.floor((free * 0.9) / sizeKiB) : 0;
    return Math.floor((free * (1 - f)) / sizeKiB);
  }

  /** Writes nr_hugepages per node, as the kernel would: shrinking always works, growing as far as it can. */
  setPool(sizeKiB: number, perNode: number[]): void {
    const pool = this.pools.find((p) => p.sizeKiB === sizeKiB);
    if (!pool) throw new Error(`this machine has no ${sizeKiB} kB HugeTLB pool`);
    perNode.forEach((want, n) => {
      const have = pool.perNode[n]!;
      if (want <= have) {
        // Freed pages: the unoptimized go first only by chance; keep the ratio.
        const keepOpt = have === 0 ? 0 : Math.round((pool.optimized[n]! * want) / have);
        this.restore(n, sizeKiB, pool.optimized[n]! - keepOpt);
        pool.perNode[n] = want;
        pool.optimized[n] = keepOpt;
        return;
      }
      const added = Math.min(want - have, this.growable(sizeKiB, n));
      pool.perNode[n] = have + added;
      if (this.hvo) {
        pool.optimized[n] = pool.optimized[n]! + added;
        this.optimize(n, sizeKiB, added);
      }
    });
  }

  setHvo(on: boolean): void {
    if (!this.hvoAvailable() || !this.hasHvoSysctl()) throw new Error('this kernel has no vm.hugetlb_optimize_vmemmap');
    // Only future allocations change: pages already in the pool keep their state.
    this.hvo = on;
  }

  setThp(mode: 'always' | 'madvise' | 'never'): void {
    this.thp = mode;
  }

  /** A new boot line, in effect after the next reboot. */
  setCmdline(cmdline: string): void {
    this.pendingCmdline = cmdline;
  }

  reboot(): void {
    if (this.pendingCmdline !== null) this.bootCmdline = this.pendingCmdline;
    this.pendingCmdline = null;
    this.boot();
  }

  advance(seconds: number): void {
    this.seconds += Math.max(0, seconds);
  }

  /** vmemmap pages HVO kept per huge page: 1 since 5.18, 2 before (5.14-5.17 freed 6 of 8 per 2 MiB page). */
  private hvoKept(): number {
    return this.version.major > 0 ? hvoKeptPages(this.version) : 1;
  }

  /**
   * HVO on `count` new pages of node n. Since 6.2 (mm/hugetlb_vmemmap: remap head page to newly allocated page)
   * the kernel copies the head vmemmap page into a fresh buddy page (nr_memmap_pages +1) and frees all the
   * originals; before, it kept the head page(s) where they were and freed the rest. Either way the counters
   * fall by exactly `freed` per page and MemFree rises by as much. Originals from memblock leave
   * nr_memmap_boot_pages and, freed to buddy, join MemTotal; originals from buddy just leave nr_memmap_pages.
   * New pages land first where HVO earlier restored struct pages from buddy (the allocator hands out recently
   * freed memory first), then on memory whose struct pages are still the boot ones.
   */
  private optimize(n: number, sizeKiB: number, count: number): void {
    const kept = this.hvoKept();
    const freed = hvoFreedPages(sizeKiB, kept);
    if (freed === 0 || count <= 0) return;
    const mm = this.memmap[n]!;
    const replaced = atLeast(this.version, 6, 2) ? kept : 0;
    const onRestored = Math.min(count, Math.floor(mm.restoredKiB / sizeKiB));
    const onBoot = Math.min(count - onRestored, Math.floor(mm.boot / (freed + replaced)));
    mm.restoredKiB -= onRestored * sizeKiB;
    // Pages found neither way (a small node mostly optimized already) are counted as buddy memmap too.
    mm.buddy -= (count - onBoot) * freed;
    mm.boot -= onBoot * (freed + replaced);
    mm.buddy += onBoot * replaced;
  }

  /**
   * Undoing HVO when `count` optimized pages of node n go back to buddy: the freed struct pages are allocated
   * again from buddy (nr_memmap_pages +freed, MemFree -freed). Boot memory already handed to buddy stays in
   * MemTotal: memblock never gets it back.
   */
  private restore(n: number, sizeKiB: number, count: number): void {
    const freed = hvoFreedPages(sizeKiB, this.hvoKept());
    if (freed === 0 || count <= 0) return;
    const mm = this.memmap[n]!;
    mm.buddy += count * freed;
    mm.restoredKiB += count * sizeKiB;
  }

  /** /proc/vmstat nr_memmap_pages and nr_memmap_boot_pages (system-wide since 6.11). */
  memmapCounters(): { pages: number; bootPages: number } {
    return {
      pages: this.memmap.reduce((s, m) => s + m.buddy, 0),
      bootPages: this.memmap.reduce((s, m) => s + m.boot, 0),
    };
  }

  /** vmemmap pages now, both counters together: HVO lowers it by what it freed for optimized pool pages. */
  memmapPages(): number {
    const c = this.memmapCounters();
    return c.pages + c.bootPages;
  }
}
