/**
 * A simulated machine: a profile plus what has happened to it since boot (time, pool changes, sysctls,
 * a boot line waiting for a reboot). Kernel semantics, not just numbers: pools grow only as far as
 * contiguous free memory allows, 1 GiB pages rarely come at runtime, HVO optimizes only pages allocated
 * while it is on, THP changes apply to new allocations, and the boot line takes effect on reboot.
 */
import { bootHvoSwitch } from '../host/read/hvo';
import { bootParams } from '../host/boot';
import { parseCmdline } from '../host/parse/cmdline';
import { hvoKeptPages } from '../kernel/hvo';
import { parseKernelRelease } from '../kernel/version';
import { hvoFreedPages } from '../plan/vmemmap';
import { poolSizesOf, type Profile, type Scenario } from './profile';
import { hvoSupported } from './support';

export interface SimPool {
  sizeKiB: number;
  perNode: number[];
  /** Pages per node whose vmemmap HVO optimized (allocated while HVO was on). */
  optimized: number[];
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

export class SimMachine {
  /** Simulated seconds since boot. */
  seconds = 0;
  bootCmdline: string;
  pendingCmdline: string | null = null;
  thp: string;
  hvo: boolean;
  pools: SimPool[] = [];
  /** Boot count, so counters restart after a reboot. */
  boots = 0;

  constructor(readonly profile: Profile) {
    this.bootCmdline = profile.cmdline;
    this.thp = profile.thp;
    this.hvo = false;
    this.boot();
    // The profile states the runtime settings, as they are after whatever was done since boot.
    this.thp = profile.thp;
    if (this.hvoAvailable() && this.hasHvoSysctl()) this.hvo = profile.hvo;
    // The profile's runtime pools were reserved just after boot with HVO as the profile says.
    for (const p of profile.pools) this.setPool(p.sizeKiB, p.perNode);
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

  get totalKiB(): number {
    return this.profile.nodes.reduce((s, n) => s + n.memGiB, 0) * 1048576;
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
    this.pools = this.poolSizes().map((sizeKiB) => ({
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
        pool.perNode[n] = Math.min(want, fit);
        pool.optimized[n] = this.hvo ? pool.perNode[n]! : 0;
      }
    }
  }

  /** Memory the kernel and programs use besides pools: a baseline share of RAM. */
  usedNodeKiB(n: number): number {
    return this.profile.nodes[n]!.memGiB * 1048576 * 0.08;
  }

  poolNodeKiB(n: number): number {
    return this.pools.reduce((s, p) => s + p.perNode[n]! * p.sizeKiB, 0);
  }

  freeNodeKiB(n: number): number {
    return Math.max(0, this.profile.nodes[n]!.memGiB * 1048576 - this.usedNodeKiB(n) - this.poolNodeKiB(n));
  }

  /** How many pages of this size a runtime allocation can still get on node n. */
  growable(sizeKiB: number, n: number): number {
    const free = this.freeNodeKiB(n);
    const f = this.profile.fragmentation;
    if (sizeKiB >= 1048576) {
      // Gigantic pages need a free, movable 1 GiB range: only soon after boot, on a barely fragmented
      // machine, or from a hugetlb_cma= area.
      const cma = /\bhugetlb_cma=/.test(this.bootCmdline);
      return cma || (f < 0.1 && this.seconds < 600) ? Math.floor((free * 0.9) / sizeKiB) : 0;
    }
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
        pool.perNode[n] = want;
        pool.optimized[n] = keepOpt;
        return;
      }
      const added = Math.min(want - have, this.growable(sizeKiB, n));
      pool.perNode[n] = have + added;
      if (this.hvo) pool.optimized[n] = pool.optimized[n]! + added;
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

  /** vmemmap pages now: one per 64 pages of RAM, less what HVO freed for optimized pool pages. */
  memmapPages(): number {
    const base = this.totalKiB / 4 / 64;
    const kept = this.version.major > 0 ? hvoKeptPages(this.version) : 1;
    let freed = 0;
    for (const p of this.pools) for (const n of p.optimized) freed += n * hvoFreedPages(p.sizeKiB, kept);
    return Math.round(base - freed);
  }
}
