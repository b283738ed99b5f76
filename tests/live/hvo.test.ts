/**
 * Opt-in live check on the real kernel (HUGETUNE_LIVE=1, as root): reserve a small 2 MiB pool with HVO on
 * and compare the measured change of the memmap counters with the planner's prediction. Every value it
 * touches is restored, even when an assertion fails.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../shared/plan/request';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';
import { FsFiles } from '../../electron/host/fs-files';

const HVO = '/proc/sys/vm/hugetlb_optimize_vmemmap';
const POOL = '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages';
const read = (p: string): number => Number(readFileSync(p, 'utf8').trim());
const memmap = (): number => {
  const v = readFileSync('/proc/vmstat', 'utf8');
  const get = (k: string): number => Number(new RegExp(`^${k} (\\d+)$`, 'm').exec(v)?.[1] ?? NaN);
  return get('nr_memmap_pages') + get('nr_memmap_boot_pages');
};

const touched: [string, string][] = [];
function set(path: string, value: number): void {
  touched.push([path, readFileSync(path, 'utf8').trim()]);
  writeFileSync(path, `${value}\n`);
}

afterAll(() => {
  // Restore in reverse order: the pool first (freed while HVO is still on), then HVO.
  for (const [path, value] of touched.reverse()) writeFileSync(path, `${value}\n`);
  for (const [path, value] of touched) expect(readFileSync(path, 'utf8').trim()).toBe(value);
});

const isRoot = process.getuid?.() === 0;
const hvoBuiltIn = existsSync(HVO) && existsSync(POOL);

describe('HVO on the live kernel', () => {
  it('memmap falls by exactly what the planner predicts for a 64 × 2 MiB pool (needs root and HVO)', (ctx) => {
    // Skipped with the reason, not failed, where the check cannot run.
    ctx.skip(!isRoot, 'needs root: it writes the HVO sysctl and the 2 MiB pool size');
    ctx.skip(!hvoBuiltIn, `needs ${HVO} and ${POOL}: a kernel with HVO and 2 MiB pools`);
    const start = read(POOL);
    set(HVO, 1);
    const before = memmap();
    expect(Number.isFinite(before)).toBe(true);
    // The machine as the planner sees it before the pool grows: the pages added are the ones it plans.
    const live = buildReport(readHost(new FsFiles({ kind: 'live', label: 'this machine' }, '/')));
    const freeBefore = live.hugetlb.pools.find((p) => p.pageSizeKiB === 2048)?.free ?? 0;
    set(POOL, start + 64);
    const added = read(POOL) - start;
    expect(added).toBeGreaterThan(0);
    const measuredKiB = (before - memmap()) * 4;
    const predicted = runPlan({ footprintMiB: (freeBefore + added) * 2, pageSize: '2M', hvo: true }, live).vmemmap
      .savedKiB;
    expect(measuredKiB).toBe(predicted);
    expect(predicted).toBe(added * 28);
  });
});
