/** Names and units: memory tiers named as the app names them, built-in profiles in binary units. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tierLabel } from '../../shared/host/tier-name';
import { PROFILES } from '../../shared/sim/profiles';
import { CLI } from '../helpers';

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('names and units', () => {
  it('tiers are named as the app names them; two of one kind also by the kernel name', () => {
    expect(tierLabel(4, [4, 22])).toBe('DRAM');
    expect(tierLabel(22, [4, 22])).toBe('slower than DRAM (CXL or PMEM)');
    expect(tierLabel(22, [4, 22, 23])).toBe('slower than DRAM (CXL or PMEM) (memory_tier22)');
    const r = run('report', '--sim', 'xeon-cxl-tiered');
    expect(r.out).toMatch(/NUMA node 0\s+64 CPUs, [\d.]+ GiB, in the DRAM tier\n/);
    expect(r.out).toMatch(/NUMA node 1\s+no CPUs, [\d.]+ GiB, in the slower than DRAM \(CXL or PMEM\) tier\n/);
    expect(r.out).not.toMatch(/tier \d/);
  });

  it('built-in profiles state memory in GiB, as their nodes have it', () => {
    for (const p of PROFILES) {
      expect(p.description, p.id).not.toMatch(/\d\s*[GT]B\b/);
      const sizes = [...p.description.matchAll(/([\d.]+) GiB/g)].map((m) => Number(m[1]));
      expect(sizes.length, p.id).toBeGreaterThan(0);
      const total = p.nodes.reduce((s, n) => s + n.memGiB, 0);
      for (const gib of sizes) expect([total, ...p.nodes.map((n) => n.memGiB)], `${p.id}: ${gib} GiB`).toContain(gib);
    }
  });
});
