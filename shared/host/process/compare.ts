/**
 * What a running process got against what a plan says it needs: huge pages in total and per node, and page
 * tables, each row a comparison of two figures with what to change when they differ. Pure.
 */
import type { PlanResult } from '../../plan/plan';
import type { PlanComparison, PlanComparisonRow, ProcessReport } from './types';
import { sizeText } from './verdict';

/** Within this share of the planned amount counts as got (pools round to whole pages, counters move). */
const TOLERANCE = 0.95;

export function compareWithPlan(p: ProcessReport, plan: PlanResult): PlanComparison {
  const rows: PlanComparisonRow[] = [];
  const page = plan.pageSizeKiB;
  if (plan.backing === 'hugetlb') {
    const planned = plan.hugepagesNeeded * page;
    const got = p.hugetlbKiB ?? 0;
    const short = Math.max(0, Math.ceil((planned - got) / page));
    rows.push({
      what: `HugeTLB ${sizeText(page)} pages`,
      plannedKiB: planned,
      gotKiB: got,
      ok: got >= planned * TOLERANCE,
      change:
        got >= planned * TOLERANCE
          ? null
          : got === 0
            ? `none mapped: the runtime fell back to ordinary pages (ik_llama.cpp -thp prints "mmap with huge page size ... failed"); reserve ${plan.hugepagesNeeded} pages of ${sizeText(page)} before it starts, and make that size the default (default_hugepagesz) if the runtime maps the default size`
            : `${short} pages of ${sizeText(page)} short: raise nr_hugepages by ${short} before the runtime starts`,
    });
    for (const n of plan.perNode) {
      if (n.hugepages <= 0) continue;
      const plannedNode = n.hugepages * page;
      const gotNode = (p.perNode ?? [])
        .filter((r) => r.node === n.node && r.backing === 'hugetlb' && r.pageSizeKiB === page)
        .reduce((a, r) => a + r.kib, 0);
      const ok = gotNode >= plannedNode * TOLERANCE;
      rows.push({
        what: `node ${n.node}: ${sizeText(page)} pages`,
        plannedKiB: plannedNode,
        gotKiB: gotNode,
        ok,
        change: ok
          ? null
          : `node ${n.node} is short: set /sys/devices/system/node/node${n.node}/hugepages/hugepages-${page}kB/nr_hugepages to ${n.poolTarget} (or hugepages=${n.node}:${n.poolTarget} with hugepagesz at boot)`,
      });
    }
  } else if (plan.backing === 'anon') {
    const planned = plan.footprintMiB * 1024;
    const got = p.anonHugeKiB ?? 0;
    // THP is best effort: the plan counts the anonymous footprint; half of it on huge pages is a good outcome.
    const ok = got >= planned * 0.5;
    rows.push({
      what: 'anonymous memory on THP',
      plannedKiB: planned,
      gotKiB: got,
      ok,
      change: ok
        ? null
        : 'THP gave little: set transparent_hugepage/enabled to always (or madvise, if the runtime calls MADV_HUGEPAGE) and defrag to defer+madvise before the model loads',
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
    plan: { model: plan.model, backing: plan.backing, pageSizeKiB: page, fits: plan.fits },
    rows,
    ok: rows.every((r) => r.ok),
  };
}
