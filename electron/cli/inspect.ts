/** `hugetune inspect` and `hugetune probe-alignment`: text and JSON output for the process inspector. */
import type { HostFiles } from '../../shared/host/files';
import type {
  AlignmentProbe,
  PlanComparison,
  ProcessDetail,
  ProcessList,
  ProcessReport,
} from '../../shared/host/process/types';
import { parsePid, PID_EXPECTED } from '../../shared/host/process/runtime';
import { machineLine, sizeText } from '../../shared/host/process/verdict';
import { UsageError } from './errors';
import { printable } from './format';

export const INSPECT_OPTIONS = {
  pid: { type: 'string' },
  smaps: { type: 'boolean' },
} as const;

export function pidFlag(text: string | boolean | undefined): number | undefined {
  if (text === undefined) return undefined;
  const pid = typeof text === 'string' ? parsePid(text) : null;
  if (pid === null) throw new UsageError(`--pid ${String(text)}: expected ${PID_EXPECTED}`);
  return pid;
}

const kib = (v: number | null): string => (v === null ? 'unknown' : sizeText(v));
const pct = (v: number | null): string =>
  v === null ? 'unknown' : `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 0)} %`;

function figures(p: ProcessReport, out: string[]): void {
  const line = (label: string, value: string): void => void out.push(`  ${label.padEnd(20)}${value}`);
  line('Resident (Rss)', kib(p.rssKiB));
  line('Anonymous', kib(p.anonymousKiB));
  line('THP, anonymous', kib(p.anonHugeKiB));
  line('THP, file (PMD)', kib(p.filePmdKiB));
  line('THP, shmem (PMD)', kib(p.shmemPmdKiB));
  line('HugeTLB', kib(p.hugetlbKiB));
  line('On huge pages', pct(p.hugeShare));
  line('Page tables (VmPTE)', kib(p.pageTablesKiB));
  line('Locked (VmLck)', kib(p.mlockedKiB));
  if (p.perNode) {
    for (const r of p.perNode) line(`Node ${r.node}, ${sizeText(r.pageSizeKiB)} ${r.backing}`, sizeText(r.kib));
  }
  if (p.vma) {
    const v = p.vma;
    line(
      'Anonymous mappings',
      `${v.anonCount} (${v.largeCount} of 2 MiB or more, ${v.alignedCount} of them 2 MiB-aligned, ${v.oddAlignedCount} aligned with a length not a 2 MiB multiple)`,
    );
    line(
      'Alignment gaps',
      `${v.gapCount} (${sizeText(v.gapKiB)})${v.pattern ? ': the THP alignment regression pattern' : ''}`,
    );
  }
}

export function formatProcess(p: ProcessReport | ProcessDetail, detail: boolean): string {
  const out: string[] = [];
  out.push(`${p.pid}  ${p.runtime ?? p.comm ?? '?'}  ${p.command}`);
  out.push(`  ${p.verdict}`);
  figures(p, out);
  for (const u of p.unavailable) out.push(`  ! ${u}`);
  if (detail && 'vmas' in p) {
    out.push(`  Machine now: ${machineLine(p.machine)}`);
    if (p.smaps)
      out.push(
        `  smaps (costly): ${p.smaps.vmas} mappings, ${p.smaps.thpEligible} THP-eligible, ${p.smaps.hugetlbVmas} HugeTLB; page sizes ${p.smaps.pageSizesKiB.map(sizeText).join(', ')}`,
      );
    const big = p.vmas.filter((v) => v.sizeKiB >= 2048);
    if (big.length > 0) {
      out.push(
        '',
        '  Anonymous mappings of 2 MiB or more:',
        `  ${'start'.padEnd(14)}${'size'.padStart(14)}  aligned  gap after`,
      );
      for (const v of big.slice(0, 200))
        out.push(
          `  ${v.start.padEnd(14)}${`${v.sizeKiB} KiB`.padStart(14)}  ${(v.aligned ? 'yes' : 'no').padEnd(7)}  ${v.gapAfterKiB > 0 ? `${v.gapAfterKiB} KiB` : ''}`,
        );
      if (big.length > 200) out.push(`  ... ${big.length - 200} more (--json lists them)`);
    }
  }
  return printable(out.join('\n'));
}

export function formatList(l: ProcessList, source: HostFiles): string {
  const out: string[] = [`hugetune inspect — ${source.source.label}`, `Machine now: ${machineLine(l.machine)}`, ''];
  // With no processes at all to read, the note below says why, and a PID could not be inspected either.
  if (l.processes.length === 0 && l.scanned > 0)
    out.push(`No model servers among ${l.scanned} processes. Any process: hugetune inspect --pid PID`);
  else if (l.processes.length === 0) out.push('No processes to inspect.');
  for (const p of l.processes) out.push(formatProcess(p, false), '');
  for (const n of l.notes) out.push(`Note: ${n}`);
  return `${printable(out.join('\n'))}\n`;
}

export function formatComparison(c: PlanComparison): string {
  const out = [
    '',
    `Against the plan (${c.plan.model}, ${c.plan.backing}${c.plan.pageSizeKiB > 4 ? ` ${sizeText(c.plan.pageSizeKiB)}` : ''}): ${c.ok ? 'as planned' : 'differs'}`,
    ...c.notes.map((n) => `  ${n}`),
  ];
  for (const r of c.rows)
    out.push(
      `  ${r.ok ? 'ok  ' : 'DIFF'} ${r.what.padEnd(30)} planned ${sizeText(r.plannedKiB).padStart(10)}  got ${sizeText(r.gotKiB).padStart(10)}${r.change ? `  → ${r.change}` : ''}`,
    );
  return `${printable(out.join('\n'))}\n`;
}

export function formatProbe(p: AlignmentProbe): string {
  return (
    `Alignment probe (kernel ${p.release ?? 'unknown'}): ${p.affected ? 'AFFECTED' : 'not affected'}\n` +
    `  ${p.detail}\n` +
    `  gaps between neighbours: ${p.gapsKiB.map((g) => `${g} KiB`).join(', ') || 'none'}\n` +
    (p.affected
      ? '  Inference slowdowns have been reported and attributed to this (OpenVINO #33169, #34015), but not proven;\n' +
        '  the fix is d4148aeab412 (6.12, 6.11.7).\n'
      : '')
  );
}
