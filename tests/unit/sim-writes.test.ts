/** The guided setup against the simulator: the advice's writes, applied as a kernel would take them, then undone. */
import { describe, expect, it } from 'vitest';
import { runAdvice } from '../../shared/advise/request';
import { currentValue } from '../../shared/advise/settings';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';
import { SimMachine } from '../../shared/sim/machine';
import { findProfile } from '../../shared/sim/profiles';
import { SimFiles } from '../../shared/sim/source';
import { writeSim } from '../../shared/sim/writes';

function machine(id: string) {
  const m = new SimMachine(findProfile(id)!);
  m.advance(3600);
  const fresh = () => new SimFiles(m, { clock: () => 0 });
  return { m, report: () => buildReport(readHost(fresh())), read: (p: string) => fresh().read(p) };
}

describe('writes to a simulated machine', () => {
  it('applies the Strix Halo advice: HVO on, then the pool, read back as the kernel shows it; rollback restores', () => {
    const { m, report, read } = machine('strix-halo-128g');
    const advice = runAdvice({ footprintMiB: 60000, pageSize: '2M' }, report());
    const writes = advice.changes.flatMap((c) => (c.kind === 'write' ? [c] : []));
    expect(writes.map((w) => w.path)).toEqual([
      '/proc/sys/vm/hugetlb_optimize_vmemmap',
      '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages',
    ]);
    const memmapBefore = report().hvo.memmapPages!;
    for (const w of writes) expect(writeSim(m, w.path, w.value)).toBeNull();
    const after = report();
    expect(after.hvo.enabled).toBe(true);
    const got = after.hugetlb.pools.find((p) => p.pageSizeKiB === 2048)!.total!;
    expect(got).toBeGreaterThan(0);
    // Only what the kernel gave is optimized: 7 vmemmap pages per page obtained.
    expect(memmapBefore - after.hvo.memmapPages!).toBe(7 * got);
    for (const w of [...writes].reverse()) expect(writeSim(m, w.path, w.before!)).toBeNull();
    for (const w of writes) {
      const f = read(w.path);
      expect(f.kind === 'text' ? currentValue(f.text) : null).toBe(w.before);
    }
  });
  it('refuses what the allow-list refuses, and what the kernel would refuse', () => {
    const { m } = machine('small-laptop');
    expect(writeSim(m, '/proc/sys/vm/overcommit_memory', '1')).toMatch(/not a setting hugetune changes/);
    expect(writeSim(m, '/sys/kernel/mm/transparent_hugepage/enabled', 'sometimes')).toMatch(/not one of/);
    expect(writeSim(m, '/sys/devices/system/node/node7/hugepages/hugepages-2048kB/nr_hugepages', '1')).toMatch(
      /no such file/,
    );
  });
  it('tiering knobs change what the simulated kernel shows', () => {
    const { m, report } = machine('xeon-cxl-tiered');
    expect(writeSim(m, '/sys/kernel/mm/numa/demotion_enabled', 'false')).toBeNull();
    expect(writeSim(m, '/proc/sys/kernel/numa_balancing', '0')).toBeNull();
    expect(report().numa).toMatchObject({ demotionEnabled: false, balancing: 0 });
  });
});
