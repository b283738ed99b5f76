/**
 * A simulated machine, described compactly: what a person would say about a box (CPUs, NUMA nodes and their
 * memory, kernel, boot line, THP, pools, HVO), validated like any input so a profile file can be shared.
 */
import { parseCmdline } from '../host/parse/cmdline';
import * as v from 'valibot';
import { KERNEL_RELEASE } from '../kernel/version';
import { decimal, integer, matching, text, validate } from '../validate';
import { otherKind } from '../file-kind';

export const SCENARIOS = ['idle', 'model-load', 'inference', 'reclaim-migration'] as const;

/** GiB of memory a node may have, and pages a pool may hold: the limits of every way a profile is edited. */
export const NODE_GIB = { min: 0.25, max: 65536 } as const;
export const POOL_PAGES_MAX = 1 << 24;
export type Scenario = (typeof SCENARIOS)[number];

export const profileSchema = v.strictObject({
  id: matching(60, /^[a-z0-9][a-z0-9-]*$/, 'a lowercase id with hyphens'),
  description: text(200),
  arch: v.picklist(['x86_64', 'aarch64']),
  release: matching(80, KERNEL_RELEASE, 'a kernel release such as 6.8.0-45-generic'),
  /** Whether the kernel config builds HVO in (where the architecture and version allow it). */
  hvoBuiltIn: v.boolean(),
  cpuModel: v.optional(text(120)),
  sockets: integer(1, 16),
  /** Memory in GiB per NUMA node, and whether the node has CPUs (CXL expanders do not). */
  nodes: v.pipe(
    v.array(v.strictObject({ memGiB: decimal(NODE_GIB.min, NODE_GIB.max), cpus: integer(0, 4096) })),
    v.minLength(1),
    v.maxLength(64),
  ),
  /** Memory tier of each node, by node index (DRAM is 4); absent for one-tier machines. */
  tiers: v.optional(v.pipe(v.array(integer(0, 1000)), v.maxLength(64))),
  cmdline: text(4096),
  thp: v.picklist(['always', 'madvise', 'never']),
  defrag: v.picklist(['always', 'defer', 'defer+madvise', 'madvise', 'never']),
  hvo: v.boolean(),
  /** 2 MiB and 1 GiB pages reserved at runtime, per node. */
  pools: v.pipe(
    v.array(
      v.strictObject({
        sizeKiB: integer(4, 16777216),
        perNode: v.pipe(v.array(integer(0, POOL_PAGES_MAX)), v.maxLength(64)),
      }),
    ),
    v.maxLength(8),
  ),
  pdpe1gb: v.boolean(),
  /** 0 (fresh boot) to 1 (long-running, free memory in small pieces). */
  fragmentation: decimal(0, 1),
  numaBalancing: integer(0, 3),
  demotion: v.boolean(),
  scenario: v.picklist(SCENARIOS),
  seed: integer(0, 2 ** 31),
});

export type Profile = v.InferOutput<typeof profileSchema>;

/** Page sizes this kind of machine offers HugeTLB pools for (arm64 with 4 KiB pages: contiguous-PTE 64 KiB and 32 MiB too). */
export function poolSizesOf(p: Pick<Profile, 'arch' | 'pdpe1gb'>): number[] {
  if (p.arch === 'aarch64') return [64, 2048, 32768, 1048576];
  return p.pdpe1gb ? [2048, 1048576] : [2048];
}

/** Large enough for the biggest single machines sold, small enough to simulate in a blink. */
export const MAX_SIM_CPUS = 8192;

export function parseProfile(json: unknown): { ok: true; value: Profile } | { ok: false; error: string } {
  const v = validate(profileSchema, json);
  if (!v.ok) return v;
  const p = v.value;
  if (!p.nodes.some((n) => n.cpus > 0)) return { ok: false, error: 'nodes: at least one node needs CPUs' };
  if (p.tiers && p.tiers.length !== p.nodes.length) return { ok: false, error: 'tiers: one tier per node' };
  const cpus = p.nodes.reduce((s, n) => s + n.cpus, 0);
  if (cpus > MAX_SIM_CPUS)
    return { ok: false, error: `nodes: ${cpus} CPUs, more than the ${MAX_SIM_CPUS} the simulator models` };
  if (!parseCmdline(p.cmdline).ok) return { ok: false, error: 'cmdline: an unterminated quote' };
  const sizes = poolSizesOf(p);
  for (const pool of p.pools) {
    if (!sizes.includes(pool.sizeKiB)) {
      return {
        ok: false,
        error: `pools: this machine has no ${pool.sizeKiB} kB pages (it has ${sizes.join(', ')} kB)`,
      };
    }
    if (pool.perNode.length !== p.nodes.length)
      return { ok: false, error: `pools: ${pool.sizeKiB} kB needs one count per node` };
  }
  return { ok: true, value: p };
}

/**
 * JSON handed in as a profile (a file, or a web client's call): the profile, or one line saying why not,
 * which names the file's kind when it is another hugetune file (a snapshot, a journal).
 */
export function profileFromJson(json: unknown): { ok: true; value: Profile } | { ok: false; error: string } {
  const other = otherKind(json, 'profile');
  if (other !== null) return { ok: false, error: other };
  const p = parseProfile(json);
  return p.ok ? p : { ok: false, error: `not a machine profile: ${p.error}` };
}
