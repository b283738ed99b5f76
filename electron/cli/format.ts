/** Text output for people. JSON output is the report object itself. */
import { hvoStatus } from '../../shared/host/hvo-status';
import type { Hardware } from '../../shared/api';
import { printable as clean } from '../../shared/text';

/**
 * Text from a snapshot or a fake root is not trusted: drop terminal control characters (escape sequences
 * could retitle or rewrite the user's terminal), keeping newlines.
 */
export function printable(text: string): string {
  return clean(text, { keepLines: true });
}
import type { Report } from '../../shared/host/report';
import { tierLabel } from '../../shared/host/tier-name';
import { memmapKiB } from '../../shared/kernel/pages';
import { countLabel, memLabel, sizeLabel } from '../../shared/units';

const orUnknown = (v: string | number | null): string => (v === null ? 'unknown' : String(v));

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const w of text.split(' ')) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
}

export function formatReport(r: Report): string {
  const out: string[] = [];
  const line = (label: string, value: string): void => {
    out.push(`${label.padEnd(22)}${value}`);
  };
  out.push(`hugetune report — ${r.source.label}`, '');
  line('Kernel', `${orUnknown(r.kernel.release)} (${orUnknown(r.kernel.arch)})`);
  line('Memory', `${memLabel(r.memory.totalKiB)} total, ${memLabel(r.memory.availableKiB)} available`);
  if (r.thp.present === false) line('THP', 'not built into this kernel');
  else if (r.thp.present === null) line('THP', 'unknown: /sys/kernel/mm is not visible here');
  else {
    line('THP enabled', orUnknown(r.thp.enabled));
    line('THP defrag', orUnknown(r.thp.defrag));
    const on = r.thp.sizes
      .filter((x) => x.effective && x.effective !== 'never')
      .map((x) => `${sizeLabel(x.sizeKiB)}:${x.effective}`);
    if (r.thp.sizes.length > 0) line('THP sizes in use', on.length ? on.join(', ') : 'none');
  }
  if (r.hugetlb.pools.length === 0) line('HugeTLB pools', 'none (kernel without HugeTLB, or none readable)');
  for (const p of r.hugetlb.pools) {
    const isDefault = p.pageSizeKiB === r.hugetlb.defaultPageSizeKiB ? ' (default size)' : '';
    const nodes =
      p.nodes.length > 1 ? `; per node ${p.nodes.map((n) => `${n.node}:${countLabel(n.total)}`).join(' ')}` : '';
    line(
      `Pool ${sizeLabel(p.pageSizeKiB)}`,
      `${countLabel(p.total)} total, ${countLabel(p.free)} free${isDefault}${nodes}`,
    );
  }
  const hvo = hvoStatus(r.hvo);
  line('HVO', `${hvo.word} (${hvo.why})`);
  if (r.hvo.memmapPages !== null)
    line(
      'vmemmap (measured)',
      `${countLabel(r.hvo.memmapPages)} pages = ${memLabel(memmapKiB(r.hvo.memmapPages, r.thp.pmdSizeBytes))}`,
    );
  if (r.tlb.available) {
    line('TLB shootdowns', `${countLabel(r.tlb.total)} since boot over ${countLabel(r.tlb.cpus)} CPUs`);
  } else line('TLB shootdowns', `not counted here: ${orUnknown(r.tlb.reason)}`);
  if (r.kernel.boot && r.kernel.boot.hugepages.length > 0) {
    line('Reserved at boot', r.kernel.boot.hugepages.map((b) => `${b.count} × ${sizeLabel(b.pageSizeKiB)}`).join(', '));
  }
  if (r.hugetlb.growth) {
    line(
      'Free in 2 MiB blocks',
      `${countLabel(r.hugetlb.growth.free2MiBBlocks)} (of ${memLabel(r.hugetlb.growth.freeKiB)} free)`,
    );
  }
  for (const n of r.numa.nodes) {
    const tier = r.numa.tiers.find((t) => t.nodes.includes(n.id));
    const cpus = n.cpus === null ? 'CPUs unknown' : n.cpus.length === 0 ? 'no CPUs' : `${n.cpus.length} CPUs`;
    const tierText = tier
      ? `, in the ${tierLabel(
          tier.id,
          r.numa.tiers.map((t) => t.id),
        )} tier`
      : '';
    line(`NUMA node ${n.id}`, `${cpus}, ${memLabel(n.memTotalKiB)}${tierText}`);
  }
  if (r.numa.balancingMeaning) line('NUMA balancing', r.numa.balancingMeaning);
  if (r.findings.length > 0) {
    out.push('', 'Findings:');
    for (const f of r.findings) {
      out.push(`  [${f.severity}] ${f.title}`);
      out.push(...wrap(f.detail, 96).map((l) => `      ${l}`));
      for (const e of f.evidence) out.push(`      evidence: ${e.path} = ${e.value}`);
    }
  } else out.push('', 'Findings: none');
  const problems = r.diagnostics.filter((d) => d.problem !== 'missing');
  if (problems.length > 0) {
    out.push('', 'Could not read:');
    for (const d of problems) out.push(`  ${d.path}: ${d.problem} (${d.detail})`);
  }
  return printable(out.join('\n') + '\n');
}

export function formatHardware(h: Hardware): string {
  const cpu = [h.cpu.manufacturer, h.cpu.brand].filter(Boolean).join(' ') || 'unknown CPU';
  const lines = [
    '',
    `${'CPU'.padEnd(22)}${cpu}: ${h.cpu.sockets ?? '?'} socket(s), ${h.cpu.physicalCores ?? '?'} cores, ${h.cpu.logicalCores ?? '?'} threads`,
  ];
  if (h.dimms.length === 0) lines.push(`${'Memory modules'.padEnd(22)}not reported (needs dmidecode and root)`);
  for (const d of h.dimms) {
    const what = [d.type, d.formFactor, d.clockMHz ? `${d.clockMHz} MHz` : null].filter(Boolean).join(' ');
    lines.push(
      `${`Module ${d.bank ?? ''}`.trim().padEnd(22)}${(d.sizeBytes / 1073741824).toFixed(1)} GiB${what ? ` ${what}` : ''}`,
    );
  }
  return printable(`${lines.join('\n')}\n`);
}
