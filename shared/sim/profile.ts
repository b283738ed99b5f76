/**
 * A simulated machine, described compactly: what a person would say about a box (CPUs, NUMA nodes and their
 * memory, kernel, boot line, THP, pools, HVO), validated like any input so a profile file can be shared.
 */
import { parseCmdline } from '../host/parse/cmdline';
import { s, validate, type Infer } from '../schema';

export const SCENARIOS = ['idle', 'model-load', 'inference', 'reclaim-migration'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const profileSchema = s.object(
  {
    id: s.string({ maxLength: 60, pattern: /^[a-z0-9][a-z0-9-]*$/, describe: 'a lowercase id with hyphens' }),
    description: s.string({ maxLength: 200 }),
    arch: s.oneOf(['x86_64', 'aarch64'] as const),
    release: s.string({ maxLength: 80, pattern: /^\d+\.\d+/, describe: 'a kernel release such as 6.8.0-45-generic' }),
    /** Whether the kernel config builds HVO in (where the architecture and version allow it). */
    hvoBuiltIn: s.boolean(),
    cpuModel: s.string({ maxLength: 120 }),
    sockets: s.integer({ min: 1, max: 16 }),
    /** Memory in GiB per NUMA node, and whether the node has CPUs (CXL expanders do not). */
    nodes: s.array(s.object({ memGiB: s.number({ min: 0.25, max: 65536 }), cpus: s.integer({ min: 0, max: 4096 }) }), {
      maxItems: 64,
    }),
    /** Memory tier of each node, by node index (DRAM is 4); absent for one-tier machines. */
    tiers: s.array(s.integer({ min: 0, max: 1000 }), { maxItems: 64 }),
    cmdline: s.string({ maxLength: 4096 }),
    thp: s.oneOf(['always', 'madvise', 'never'] as const),
    defrag: s.oneOf(['always', 'defer', 'defer+madvise', 'madvise', 'never'] as const),
    hvo: s.boolean(),
    /** 2 MiB and 1 GiB pages reserved at runtime, per node. */
    pools: s.array(
      s.object({
        sizeKiB: s.integer({ min: 4, max: 16777216 }),
        perNode: s.array(s.integer({ min: 0, max: 1 << 24 }), { maxItems: 64 }),
      }),
      {
        maxItems: 8,
      },
    ),
    pdpe1gb: s.boolean(),
    /** 0 (fresh boot) to 1 (long-running, free memory in small pieces). */
    fragmentation: s.number({ min: 0, max: 1 }),
    numaBalancing: s.integer({ min: 0, max: 3 }),
    demotion: s.boolean(),
    scenario: s.oneOf(SCENARIOS),
    seed: s.integer({ min: 0, max: 2 ** 31 }),
  },
  ['tiers', 'cpuModel'],
);

export type Profile = Infer<typeof profileSchema>;

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
  if (p.nodes.length === 0) return { ok: false, error: 'nodes: at least one node' };
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
