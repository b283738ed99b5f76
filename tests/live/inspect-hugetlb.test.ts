/**
 * Opt-in live check (HUGETUNE_LIVE=1, as root): a process mapping memory with MAP_HUGETLB from a pool this test
 * grows by a few 2 MiB pages. The inspector must show exactly those pages as HugeTLB, on the nodes numa_maps
 * names, and the comparison with a plan must find them. The pool size is restored even when an assertion fails.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { FsFiles } from '../../electron/host/fs-files';
import { inspectProcess } from '../../electron/host/inspect/inspect';
import { compareWithPlan } from '../../shared/host/process/compare';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';
import { runPlan } from '../../shared/plan/request';
import { buildHelper, runHelper, type Running } from '../process-helper';

const PAGES = 8;
const POOL = '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages';
const isRoot = process.getuid?.() === 0;
const defaultSize = (): number =>
  Number(/^Hugepagesize:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);

let restore: string | null = null;
let proc: Running | null = null;
const built = buildHelper();

afterAll(async () => {
  // The process first (its pages go back to the pool), then the pool's size.
  await proc?.stop();
  if (typeof built !== 'string') built.remove();
  if (restore !== null) {
    writeFileSync(POOL, `${restore}\n`);
    expect(readFileSync(POOL, 'utf8').trim()).toBe(restore);
  }
});

describe('a process on HugeTLB pages (live)', () => {
  it('shows its MAP_HUGETLB pages exactly, per node, and against a plan', async (ctx) => {
    ctx.skip(!isRoot, 'needs root: it grows the 2 MiB pool');
    ctx.skip(typeof built === 'string', typeof built === 'string' ? built : '');
    ctx.skip(defaultSize() !== 2048, 'needs 2 MiB as the default huge page size (MAP_HUGETLB maps the default size)');
    const files = new FsFiles({ kind: 'live', label: 'this machine' }, '/');
    const free = (): number =>
      Number(readFileSync('/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages', 'utf8').trim());
    restore = readFileSync(POOL, 'utf8').trim();
    writeFileSync(POOL, `${Number(restore) + PAGES}\n`);
    ctx.skip(free() < PAGES, `the kernel could not give ${PAGES} free 2 MiB pages`);
    proc = await runHelper(built as Exclude<typeof built, string>, ['hugetlb', String(PAGES)], 'llama-server');
    expect(proc.failed).toBe(null);
    const d = inspectProcess(files, proc.pid, { uid: 0 });
    expect(d.hugetlbKiB).toBe(PAGES * 2048);
    const perNode = (d.perNode ?? []).filter((r) => r.backing === 'hugetlb');
    expect(perNode.every((r) => r.pageSizeKiB === 2048)).toBe(true);
    expect(perNode.reduce((a, r) => a + r.kib, 0)).toBe(PAGES * 2048);
    expect(d.conditions.map((c) => c.id)).toContain('on-hugetlb');
    expect(d.verdict.startsWith(`16 MiB of `)).toBe(true);
    expect(d.hugeShare).toBeGreaterThan(0);
    const smaps = inspectProcess(files, proc.pid, { uid: 0, smaps: true });
    expect(smaps.smaps!.hugetlbVmas).toBe(1);
    expect(smaps.smaps!.pageSizesKiB).toContain(2048);
    // Against a plan of exactly those pages: the HugeTLB row holds.
    const plan = runPlan({ footprintMiB: PAGES * 2, pageSize: '2M' }, buildReport(readHost(files)));
    const row = compareWithPlan(d, plan).rows.find((r) => r.what === 'HugeTLB 2 MiB pages')!;
    expect(row.gotKiB).toBe(PAGES * 2048);
    expect(row.ok).toBe(row.gotKiB >= row.plannedKiB * 0.95);
  });
});
