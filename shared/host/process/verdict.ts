/**
 * Did a process get huge pages, and if not, the likely cause: a verdict built only from the figures the
 * inspector shows (the process's own counters and the machine's pool and THP state), as named conditions.
 * Pure, so the same function serves the CLI, the API and a property test over random figures.
 */
import { numberText } from '../../number-text';
import type { ProcessRuntime, LoadFlags } from './runtime';
import type { NodeUsage } from './numa-maps';
import type { MachineFigures } from './types';

/** The process's figures, KiB (null: not readable). */
export interface ProcessFigures {
  rssKiB: number | null;
  anonymousKiB: number | null;
  anonHugeKiB: number | null;
  filePmdKiB: number | null;
  shmemPmdKiB: number | null;
  hugetlbKiB: number | null;
  perNode: readonly NodeUsage[] | null;
}

/** What the machine holds now, from the existing readers. */
export interface MachineContext {
  /** THP `enabled` (always, madvise, never), null when unknown. */
  thpEnabled: string | null;
  defaultHugePageKiB: number | null;
  pools: readonly { pageSizeKiB: number; total: number | null; free: number | null }[];
  /** Free 2 MiB blocks per node from /proc/buddyinfo (null: not readable). */
  free2MiBByNode: ReadonlyMap<number, number> | null;
}

export type ConditionId =
  | 'on-hugetlb'
  | 'on-thp'
  | 'page-cache'
  | 'thp-fallback'
  | 'thp-never'
  | 'thp-madvise'
  | 'node-no-free-2m'
  | 'nothing-resident';

export interface Condition {
  id: ConditionId;
  text: string;
}

export interface Verdict {
  /** KiB on huge pages: PMD-mapped THP (anon, shmem, file) plus HugeTLB. */
  hugeKiB: number;
  /** Resident memory plus HugeTLB (which Rss does not count). */
  totalKiB: number;
  /** hugeKiB / totalKiB, 0..1 (0 when nothing is resident). */
  hugeShare: number;
  conditions: Condition[];
  text: string;
}

/** A size in its own unit, with the app's number formatting ("976,562.5 GiB", "4,632 KiB"). */
export function sizeText(kib: number): string {
  const [unit, per] = kib >= 1048576 ? ['GiB', 1048576] : kib >= 1024 ? ['MiB', 1024] : ['KiB', 1];
  const d = kib % per === 0 ? 0 : 1;
  return `${numberText(kib / per, { min: d, max: d })} ${unit}`;
}

/** Where most of a process's base-page memory sits (the node its missing huge pages would have come from). */
function mainNode(perNode: readonly NodeUsage[]): number | null {
  const byNode = new Map<number, number>();
  for (const r of perNode) if (r.backing !== 'hugetlb') byNode.set(r.node, (byNode.get(r.node) ?? 0) + r.kib);
  let best: number | null = null;
  for (const [n, kib] of byNode) if (best === null || kib > byNode.get(best)!) best = n;
  return best;
}

/**
 * The verdict. `runtime` and `flags` come from the command line; `m` from the machine. The conditions are
 * listed in the order they explain the figures: what the process got, then why it did not get more.
 */
export function verdictOf(
  f: ProcessFigures,
  runtime: ProcessRuntime | null,
  flags: LoadFlags | null,
  m: MachineContext,
): Verdict {
  const hugetlb = f.hugetlbKiB ?? 0;
  const thp = (f.anonHugeKiB ?? 0) + (f.shmemPmdKiB ?? 0) + (f.filePmdKiB ?? 0);
  const hugeKiB = hugetlb + thp;
  const totalKiB = (f.rssKiB ?? 0) + hugetlb;
  const hugeShare = totalKiB > 0 ? Math.min(1, hugeKiB / totalKiB) : 0;
  const anonymous = f.anonymousKiB ?? 0;
  const fileResident = Math.max(0, (f.rssKiB ?? 0) - anonymous);
  const c: Condition[] = [];

  if (totalKiB === 0) c.push({ id: 'nothing-resident', text: 'nothing resident' });
  if (hugetlb > 0) c.push({ id: 'on-hugetlb', text: `${sizeText(hugetlb)} on HugeTLB pages` });
  if (thp > 0) c.push({ id: 'on-thp', text: `${sizeText(thp)} on transparent huge pages (PMD-mapped)` });

  const llamaFamily = runtime === 'llama.cpp' || runtime === 'ik_llama.cpp' || runtime === 'ollama-runner';
  if (runtime === 'ik_llama.cpp' && flags?.hugetlbWeights && hugetlb === 0) {
    const def = m.defaultHugePageKiB;
    const defPool = m.pools.find((p) => p.pageSizeKiB === def);
    const other = m.pools.find((p) => p.pageSizeKiB !== def && (p.total ?? 0) > 0);
    const why =
      def !== null && (defPool?.total ?? 0) === 0 && other
        ? `the pool holds ${sizeText(other.pageSizeKiB)} pages but -thp used the default size ${sizeText(def)}`
        : def !== null && defPool
          ? `the default ${sizeText(def)} pool has ${defPool.free ?? 'an unknown number of'} free pages now`
          : 'no HugeTLB memory is mapped';
    c.push({ id: 'thp-fallback', text: `ik_llama.cpp -thp fell back to a file mapping: ${why}` });
  }
  if ((f.filePmdKiB ?? 0) === 0 && fileResident > 0 && fileResident * 2 >= (f.rssKiB ?? 0) && hugetlb === 0) {
    c.push({
      id: 'page-cache',
      text: llamaFamily
        ? `weights in the page cache: llama.cpp mmap path, ${sizeText(fileResident)} on 4 KiB pages`
        : `${sizeText(fileResident)} of file-backed memory in the page cache, on 4 KiB pages`,
    });
  }
  const anonHuge = f.anonHugeKiB ?? 0;
  // Only anonymous memory of at least one 2 MiB page could have been THP.
  if (anonHuge === 0 && anonymous >= 2048) {
    if (m.thpEnabled === 'never')
      c.push({
        id: 'thp-never',
        text: `THP is off (enabled = never): ${sizeText(anonymous)} anonymous on 4 KiB pages`,
      });
    else if (m.thpEnabled === 'madvise')
      c.push({
        id: 'thp-madvise',
        text: `THP is madvise-only and none of the ${sizeText(anonymous)} anonymous memory is on huge pages: the runtime does not ask (MADV_HUGEPAGE) or got no free 2 MiB blocks`,
      });
  }
  if (hugeKiB === 0 && totalKiB > 0 && f.perNode && m.free2MiBByNode) {
    const node = mainNode(f.perNode);
    if (node !== null && m.free2MiBByNode.get(node) === 0)
      c.push({ id: 'node-no-free-2m', text: `node ${node} had no free 2 MiB pages (none free now)` });
  }

  const head = `${sizeText(hugeKiB)} of ${sizeText(totalKiB)} on huge pages`;
  const causes = c.filter((x) => x.id !== 'on-hugetlb' && x.id !== 'on-thp' && x.id !== 'nothing-resident');
  const got = c.filter((x) => x.id === 'on-hugetlb' || x.id === 'on-thp');
  const text =
    totalKiB === 0
      ? 'nothing resident'
      : `${head}${got.length > 0 ? ` (${got.map((x) => x.text).join(', ')})` : ''}${causes.length > 0 ? `: ${causes.map((x) => x.text).join('; ')}` : ''}`;
  return { hugeKiB, totalKiB, hugeShare, conditions: c, text };
}

/** The machine figures the verdicts rest on, in one line (the CLI and the app say it the same way). */
export function machineLine(m: MachineFigures): string {
  const n = (x: number | null): string => (x === null ? '?' : numberText(x));
  const pools = m.pools.map((p) => `${sizeText(p.pageSizeKiB)} ${n(p.free)} free of ${n(p.total)}`).join(', ');
  const free = m.free2MiBByNode ? m.free2MiBByNode.map((b) => `node ${b.node} ${n(b.blocks)}`).join(', ') : 'unknown';
  const def = m.defaultHugePageKiB === null ? 'unknown' : sizeText(m.defaultHugePageKiB);
  return `THP ${m.thpEnabled ?? 'unknown'}; default huge page ${def}; pools ${pools || 'none'}; free 2 MiB blocks ${free}`;
}
