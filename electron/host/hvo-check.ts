/**
 * The live HVO check: measures what HVO gives back on this kernel and compares it with the planner's figure.
 *
 * With HVO on, it grows one HugeTLB pool by N pages and reads how far `nr_memmap_pages + nr_memmap_boot_pages`
 * (/proc/vmstat, Linux 6.11+) fell; the prediction is pages obtained × vmemmap pages freed per huge page
 * (shared/plan/vmemmap.ts with the kernel table's pages kept). Then it shrinks the pool back and puts HVO back
 * as it was. Every write goes through the journal and the restore runs in `finally`, so a failure, an
 * exception or Ctrl-C still leaves every value as it was; if the process is killed outright, `hugetune
 * rollback` on its journal does the same.
 */
import { hvoKeptPages } from '../../shared/kernel/hvo';
import { hasMemmapCounters } from '../../shared/kernel/facts';
import { pageSizeLabel } from '../../shared/kernel/pages';
import { refuseWrite } from '../../shared/advise/helper-script';
import { pagesFlagProblem, type HvoCheckResult } from '../../shared/advise/hvo-check';
import { UserError } from '../../shared/errors';
import type { HostFiles } from '../../shared/host/files';
import { parseVmstat } from '../../shared/host/parse/vmstat';
import { HUGETLB_DIR, PATHS } from '../../shared/host/paths';
import { freePagesNow, nodeFreeKiB } from '../../shared/host/pool-growth';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';
import { machineFromReport } from '../../shared/plan/machine';
import { hvoFreedPages } from '../../shared/plan/vmemmap';
import { restore, WriteSession } from './apply';
import type { WriteResult } from './journal';
import type { Writer } from './writers';

export interface HvoCheckOptions {
  pages: number;
  pageSizeKiB: number;
  writer: Writer;
  /** The machine's files, for the kernel facts and /proc/vmstat (the live tree, or a test's). */
  files: HostFiles;
  /** Where the check and its restore are journaled; null journals nothing (a simulated machine). */
  journalDir: string | null;
  source?: string;
  signal?: AbortSignal;
  onResult?: (r: WriteResult) => void;
}

export type { HvoCheckResult } from '../../shared/advise/hvo-check';

export const poolPath = (kib: number): string => `${HUGETLB_DIR}/hugepages-${kib}kB/nr_hugepages`;

function memmapPages(files: HostFiles): number {
  const f = files.read(PATHS.vmstat);
  if (f.kind !== 'text')
    throw new UserError(`cannot measure: ${PATHS.vmstat} is ${f.kind === 'error' ? f.message : f.kind}`);
  const v = parseVmstat(f.text);
  const a = v.ok ? v.value.get('nr_memmap_pages') : undefined;
  const b = v.ok ? v.value.get('nr_memmap_boot_pages') : undefined;
  if (a === undefined || b === undefined)
    throw new UserError(`cannot measure: ${PATHS.vmstat} lost its memmap counters`);
  return a + b;
}

/** Why the check cannot run here, in one line, or null; with what it needs to know. */
function preflight(files: HostFiles, pageSizeKiB: number) {
  const r = buildReport(readHost(files));
  const release = r.kernel.release ?? 'unknown';
  const v = r.kernel.version;
  if (v === null) throw new UserError(`cannot measure: the kernel version is unknown (${release})`);
  const vm = r.memory.vmstat;
  if (!vm || vm['nr_memmap_pages'] === undefined || vm['nr_memmap_boot_pages'] === undefined) {
    throw new UserError(
      `cannot measure: /proc/vmstat has no nr_memmap_pages and nr_memmap_boot_pages (added in Linux 6.11; this kernel is ${release}${hasMemmapCounters(v) ? ', which should have them' : ''})`,
    );
  }
  if (r.hvo.compiled === false)
    throw new UserError(
      `cannot measure: kernel ${release} is built without HVO (CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP)`,
    );
  if (r.hvo.sysctl === null && r.hvo.enabled !== true) {
    throw new UserError(
      `cannot measure: HVO is off and kernel ${release} has no runtime switch (${PATHS.hvoSysctl}); boot with hugetlb_free_vmemmap=on`,
    );
  }
  const pool = r.hugetlb.pools.find((p) => p.pageSizeKiB === pageSizeKiB);
  if (!pool) {
    const have = r.hugetlb.pools.map((p) => pageSizeLabel(p.pageSizeKiB)).join(', ') || 'none';
    throw new UserError(
      `cannot measure: this machine has no ${pageSizeLabel(pageSizeKiB)} HugeTLB pool (it has: ${have})`,
    );
  }
  const m = machineFromReport(r);
  const keptPages = hvoKeptPages(v);
  const geometry = { basePageKiB: m.basePageKiB.value, structPageBytes: m.structPageBytes.value };
  // What the free lists hold for this size now, read as the Pools view reads them, to say why a pool did not grow.
  const zones = r.memory.buddy;
  const freeBefore = zones
    ? {
        pagesNow: freePagesNow(zones, pageSizeKiB, geometry.basePageKiB),
        freeKiB: nodeFreeKiB(zones, geometry.basePageKiB),
      }
    : null;
  return {
    freeBefore,
    release,
    keptPages,
    basePageKiB: geometry.basePageKiB,
    freed: hvoFreedPages(pageSizeKiB, keptPages, geometry),
    sysctl: r.hvo.sysctl !== null,
  };
}

function stopIfAsked(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new UserError('stopped');
}

export async function hvoCheck(o: HvoCheckOptions): Promise<HvoCheckResult> {
  const pagesProblem = pagesFlagProblem(String(o.pages));
  if (pagesProblem !== null) throw new UserError(pagesProblem, 'bad-request');
  const pf = preflight(o.files, o.pageSizeKiB);
  const pool = poolPath(o.pageSizeKiB);
  const start = await o.writer.read(pool);
  if (start === null || !/^\d+$/.test(start))
    throw new UserError(`cannot measure: ${pool} reads ${start ?? 'nothing'}`);
  const target = String(Number(start) + o.pages);
  const problem = refuseWrite(pool, target);
  if (problem !== null) throw new UserError(`cannot measure: ${problem}`, 'bad-request');
  const hvoNow = pf.sysctl ? await o.writer.read(PATHS.hvoSysctl) : '1';

  const session = new WriteSession(
    o.writer,
    'hvo-check',
    o.journalDir === null ? null : { journalDir: o.journalDir, source: o.source },
    o.onResult,
  );
  let memmapBefore = 0;
  let memmapAfter = 0;
  let got = 0;
  // Whatever happens in the try (a failed step, an exception, Ctrl-C), it is caught and the restore below runs.
  let failure: unknown = null;
  try {
    if (pf.sysctl && hvoNow !== '1') {
      const r = await session.write(PATHS.hvoSysctl, '1');
      if (!r.ok) throw new UserError(`cannot measure: HVO could not be turned on (${r.error ?? `reads ${r.after}`})`);
    }
    stopIfAsked(o.signal);
    // Only pages allocated while HVO is on are optimized, and nothing else moves these counters but memory
    // hotplug: the difference across the pool's growth is what HVO freed for the new pages.
    memmapBefore = memmapPages(o.files);
    const grow = await session.write(pool, target);
    if (grow.status === 'failed') throw new UserError(`cannot measure: ${grow.error ?? 'the pool did not grow'}`);
    got = grow.after !== null && /^\d+$/.test(grow.after) ? Number(grow.after) - Number(start) : 0;
    memmapAfter = memmapPages(o.files);
  } catch (e) {
    failure = e;
  }
  // The pool shrinks first, while HVO is still on (so freeing rebuilds the vmemmap it freed), then HVO goes
  // back: restore() walks the writes newest first, and goes on even if its journal cannot be written.
  const restored = await restore(session.results, o.writer, {
    journalDir: o.journalDir,
    source: `${o.source ?? 'hugetune hvo-check'} (restore)`,
    rollbackOf: session.journalFile,
  });
  try {
    session.finish();
  } catch {
    // The check's journal keeps its last state; the restore has its own.
  }
  const finalValues = await Promise.all(
    [pool, ...(pf.sysctl ? [PATHS.hvoSysctl] : [])].map((p) => o.writer.read(p).catch(() => null)),
  );
  const asBefore = finalValues[0] === start && (!pf.sysctl || finalValues[1] === hvoNow);
  if (failure !== null) {
    // The failure, and whether the machine is as it was: the one thing the user must know next.
    const why = failure instanceof Error ? failure.message : 'unexpected failure';
    const state =
      restored.ok && asBefore
        ? 'every value was put back'
        : `NOT every value could be put back: see ${restored.journalFile ?? session.journalFile ?? 'the output above'} and run hugetune rollback on ${session.journalFile ?? 'its journal'}`;
    throw new UserError(`${why}; ${state}`);
  }
  return {
    pageSizeKiB: o.pageSizeKiB,
    pagesAsked: o.pages,
    pagesGot: got,
    predictedPages: got * pf.freed,
    measuredPages: memmapBefore - memmapAfter,
    restored: restored.ok && asBefore,
    kernel: pf.release,
    keptPages: pf.keptPages,
    freedPagesPerHugePage: pf.freed,
    basePageKiB: pf.basePageKiB,
    hvoWasOn: hvoNow === '1',
    memmapBefore,
    memmapAfter,
    journalFile: session.journalFile,
    restoreJournalFile: restored.journalFile,
    steps: session.results,
    restoreSteps: restored.results,
    freeBefore: pf.freeBefore,
  };
}
