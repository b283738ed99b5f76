/**
 * What a running process got against what a plan says it needs: huge pages in total and per node, and page
 * tables, each row a comparison of two figures with what to change when they differ. The advice follows what
 * the process's runtime can use: a HugeTLB pool only helps a runtime that maps from one. Pure.
 */
import { UserError } from '../../errors';
import type { PlanRequest } from '../../plan/request';
import type { PlanResult } from '../../plan/plan';
import { pageSizeLabel } from '../../kernel/pages';
import { planRuntimeOf } from './runtime';
import type { PlanComparison, PlanComparisonRow, ProcessDetail, ProcessReport } from './types';
import { sizeText } from './verdict';

/** Within this share of the planned amount counts as got (pools round to whole pages, counters move). */
const TOLERANCE = 0.95;
/** THP is best effort: half of the planned memory on huge pages is a good outcome. */
const THP_GOOD_SHARE = 0.5;

/** The plan request made for this process: its own runtime, unless the request names one. */
export function requestFor(req: PlanRequest, p: Pick<ProcessReport, 'runtimeId'>): PlanRequest {
  const runtime = req.runtime ?? planRuntimeOf(p.runtimeId);
  return runtime === undefined ? req : { ...req, runtime };
}

/**
 * Refuses a plan no process on this machine can have: more memory than the machine has. The comparison would
 * only tell the user to reserve pages that cannot exist.
 */
export function checkFitsMachine(plan: PlanResult, memTotalKiB: number | null): void {
  const need = plan.footprintMiB * 1024;
  if (memTotalKiB !== null && memTotalKiB > 0 && need > memTotalKiB)
    throw new UserError(
      `the plan needs ${sizeText(need)}, more than this machine's ${sizeText(memTotalKiB)} of memory: no process here can have got it`,
      'bad-request',
    );
}

/** What the process already has on huge pages of any kind (PMD-mapped THP, anonymous, shmem or file). */
const thpKiB = (p: ProcessReport): number => (p.anonHugeKiB ?? 0) + (p.shmemPmdKiB ?? 0) + (p.filePmdKiB ?? 0);

/** Why a process of a HugeTLB-capable runtime mapped none of the pool, and what to do about it. */
function noneMapped(p: ProcessReport | ProcessDetail, plan: PlanResult): string {
  const page = sizeText(plan.pageSizeKiB);
  const reserve = `reserve ${plan.hugepagesNeeded} pages of ${page} before it starts`;
  if (p.runtimeId !== 'ik_llama.cpp')
    return `none mapped: the process uses ordinary pages; ${reserve}, and start it with its HugeTLB option`;
  const flags = 'flags' in p ? p.flags : null;
  if (flags && !flags.hugetlbWeights)
    return `none mapped: ik_llama.cpp maps a pool only with -thp; add it and ${reserve}`;
  const def = 'machine' in p ? p.machine.defaultHugePageKiB : null;
  const size =
    def !== null && def !== plan.pageSizeKiB
      ? `, and make ${page} the default huge page size (default_hugepagesz=${pageSizeLabel(plan.pageSizeKiB)} at boot): -thp maps the default size (${sizeText(def)} here) only`
      : '';
  return `none mapped: ik_llama.cpp -thp fell back to a file mapping (it prints "mmap with huge page size ... failed" on stderr); ${reserve}${size}`;
}

export function compareWithPlan(p: ProcessReport | ProcessDetail, plan: PlanResult): PlanComparison {
  const rows: PlanComparisonRow[] = [];
  const notes: string[] = [];
  const page = plan.pageSizeKiB;
  // A process that maps HugeTLB pages anyway is judged on them, whatever its runtime is known for.
  const usesPool = plan.runtime.hugetlb !== null || (p.hugetlbKiB ?? 0) > 0;
  if (plan.backing === 'hugetlb' && usesPool) {
    const planned = plan.hugepagesNeeded * page;
    const got = p.hugetlbKiB ?? 0;
    const short = Math.max(0, Math.ceil((planned - got) / page));
    const ok = got >= planned * TOLERANCE;
    rows.push({
      what: `HugeTLB ${sizeText(page)} pages`,
      plannedKiB: planned,
      gotKiB: got,
      ok,
      change: ok
        ? null
        : got === 0
          ? noneMapped(p, plan)
          : `${short} pages of ${sizeText(page)} short: raise nr_hugepages by ${short} before the runtime starts`,
    });
    for (const n of plan.perNode) {
      if (n.hugepages <= 0) continue;
      const plannedNode = n.hugepages * page;
      const gotNode = (p.perNode ?? [])
        .filter((r) => r.node === n.node && r.backing === 'hugetlb' && r.pageSizeKiB === page)
        .reduce((a, r) => a + r.kib, 0);
      const nodeOk = gotNode >= plannedNode * TOLERANCE;
      rows.push({
        what: `node ${n.node}: ${sizeText(page)} pages`,
        plannedKiB: plannedNode,
        gotKiB: gotNode,
        ok: nodeOk,
        change: nodeOk
          ? null
          : `node ${n.node} is short: set /sys/devices/system/node/node${n.node}/hugepages/hugepages-${page}kB/nr_hugepages to ${n.poolTarget} (or hugepages=${n.node}:${n.poolTarget} with hugepagesz at boot)`,
      });
    }
  } else if (plan.backing === 'hugetlb' || plan.backing === 'anon') {
    if (plan.backing === 'hugetlb')
      notes.push(
        `${plan.runtime.name} has no HugeTLB path: a pool of ${sizeText(page)} pages would sit unused, so the process is compared on transparent huge pages, the huge pages it can get`,
      );
    const planned = plan.footprintMiB * 1024;
    const got = thpKiB(p);
    const ok = got >= planned * THP_GOOD_SHARE;
    rows.push({
      what: 'memory on transparent huge pages',
      plannedKiB: planned,
      gotKiB: got,
      ok,
      change: ok
        ? null
        : `THP gave little: set transparent_hugepage/enabled to always (or madvise, if ${plan.runtime.name} calls MADV_HUGEPAGE) and defrag to defer+madvise before the model loads${plan.backing === 'hugetlb' ? '; a HugeTLB pool would not help it' : ''}`,
    });
  }
  const total = (p.rssKiB ?? 0) + (p.hugetlbKiB ?? 0);
  const footprint = plan.footprintMiB * 1024;
  rows.push({
    what: 'resident memory + HugeTLB',
    plannedKiB: footprint,
    gotKiB: total,
    ok: total <= footprint / TOLERANCE,
    change:
      total <= footprint / TOLERANCE
        ? null
        : 'uses more than the plan: plan with the context, prompt cache size and KV type the process was started with',
  });
  const pt = p.pageTablesKiB;
  if (pt !== null) {
    // Page tables beyond twice the plan's mean the memory sits on smaller pages than planned.
    const ok = pt <= plan.pageTablesKiB * 2 + 4096;
    rows.push({
      what: 'page tables (VmPTE)',
      plannedKiB: plan.pageTablesKiB,
      gotKiB: pt,
      ok,
      change: ok
        ? null
        : `page tables are ${(pt / Math.max(1, plan.pageTablesKiB)).toFixed(0)}× the plan's: the memory is on smaller pages than planned (see the rows above)`,
    });
  }
  return {
    pid: p.pid,
    plan: {
      model: plan.model,
      backing: plan.backing,
      pageSizeKiB: page,
      fits: plan.fits,
      runtime: plan.runtime.id,
    },
    rows,
    notes,
    ok: rows.every((r) => r.ok),
  };
}
