/**
 * Random simulated machines for property tests: one to four NUMA nodes (at least one with CPUs), a kernel
 * command line, HVO on or off, fragmented free memory, and 2 MiB pools on every node plus 1 GiB pools where the
 * CPU has 1 GiB pages (arm64, or x86-64 with pdpe1gb). What a test varies is named in `MachineRanges`.
 */
import fc from 'fast-check';
import type { Profile } from '../../shared/sim/profile';

export interface MachineRanges {
  arches: readonly Profile['arch'][];
  releases: readonly string[];
  cmdlines: readonly string[];
  /** The most NUMA nodes a machine has. */
  maxNodes: number;
  /** A node's memory in GiB. */
  memGiB: fc.Arbitrary<number>;
  /** The top-level THP setting. */
  thp: fc.Arbitrary<Profile['thp']>;
  /** The most pages a node's 2 MiB and 1 GiB pools hold. */
  max2MiBPages: number;
  max1GiBPages: number;
}

export function arbProfile(r: MachineRanges): fc.Arbitrary<Profile> {
  const perNode = (max: number) =>
    fc.array(fc.integer({ min: 0, max }), { minLength: r.maxNodes, maxLength: r.maxNodes });
  return fc
    .record({
      arch: fc.constantFrom(...r.arches),
      release: fc.constantFrom(...r.releases),
      nodes: fc.array(fc.record({ memGiB: r.memGiB, cpus: fc.integer({ min: 0, max: 64 }) }), {
        minLength: 1,
        maxLength: r.maxNodes,
      }),
      cmdline: fc.constantFrom(...r.cmdlines),
      hvo: fc.boolean(),
      thp: r.thp,
      pdpe1gb: fc.boolean(),
      fragmentation: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
      pool2m: perNode(r.max2MiBPages),
      pool1g: perNode(r.max1GiBPages),
    })
    .map((m) => {
      const nodes = m.nodes.some((n) => n.cpus > 0) ? m.nodes : [{ ...m.nodes[0]!, cpus: 4 }, ...m.nodes.slice(1)];
      const has1g = m.arch === 'aarch64' || m.pdpe1gb;
      return {
        id: 'random',
        description: 'random',
        arch: m.arch,
        release: m.release,
        hvoBuiltIn: true,
        sockets: 1,
        nodes,
        cmdline: m.cmdline,
        thp: m.thp,
        defrag: 'madvise',
        hvo: m.hvo,
        pools: [
          { sizeKiB: 2048, perNode: nodes.map((_, i) => m.pool2m[i]!) },
          ...(has1g ? [{ sizeKiB: 1048576, perNode: nodes.map((_, i) => m.pool1g[i]!) }] : []),
        ],
        pdpe1gb: m.pdpe1gb,
        fragmentation: m.fragmentation,
        numaBalancing: 0,
        demotion: false,
        scenario: 'inference',
        seed: 1,
      } satisfies Profile;
    });
}
