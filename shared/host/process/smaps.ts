/**
 * /proc/PID/smaps_rollup (sums over all VMAs, one header line then `Name: N kB` lines; 4.14+) and
 * /proc/PID/smaps (the same fields per VMA, each after its maps line; costly for the kernel to produce, so it
 * is read only on request). A field the kernel does not print is null, never 0.
 */
import { malformed, parsed, type Parsed } from '../reading';
import { parseMapsLine, type Vma } from './maps';

export interface MemoryTotals {
  /** Every `Name: N kB` field as printed. */
  readonly fields: Readonly<Record<string, number>>;
  readonly rssKiB: number | null;
  readonly anonymousKiB: number | null;
  /** PMD-mapped anonymous THP. */
  readonly anonHugeKiB: number | null;
  readonly shmemPmdKiB: number | null;
  /** PMD-mapped file THP (a GGUF mmap'd from a file system with large folios). */
  readonly filePmdKiB: number | null;
  /** HugeTLB memory: Shared_Hugetlb + Private_Hugetlb (not part of Rss). */
  readonly hugetlbKiB: number | null;
  readonly lockedKiB: number | null;
  readonly swapKiB: number | null;
}

const FIELD = /^([A-Za-z_][A-Za-z0-9_]*):\s+(\d+)(?: kB)?$/;

function totalsOf(fields: Record<string, number>): MemoryTotals {
  const f = (k: string): number | null => (k in fields ? fields[k]! : null);
  const shared = f('Shared_Hugetlb');
  const priv = f('Private_Hugetlb');
  return {
    fields,
    rssKiB: f('Rss'),
    anonymousKiB: f('Anonymous'),
    anonHugeKiB: f('AnonHugePages'),
    shmemPmdKiB: f('ShmemPmdMapped'),
    filePmdKiB: f('FilePmdMapped'),
    hugetlbKiB: shared === null && priv === null ? null : (shared ?? 0) + (priv ?? 0),
    lockedKiB: f('Locked'),
    swapKiB: f('Swap'),
  };
}

export function parseSmapsRollup(text: string): Parsed<MemoryTotals> {
  const fields: Record<string, number> = Object.create(null) as Record<string, number>;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '' || (i === 0 && line.endsWith('[rollup]'))) continue;
    const m = FIELD.exec(line);
    if (!m) return malformed(`unexpected line ${JSON.stringify(line.slice(0, 80))}`);
    const n = Number(m[2]);
    if (!Number.isSafeInteger(n)) return malformed(`${m[1]}: not a count`);
    fields[m[1]!] = n;
  }
  if (!('Rss' in fields)) return malformed('no Rss line');
  return parsed(totalsOf(fields));
}

export interface SmapsVma {
  readonly vma: Vma;
  readonly fields: Readonly<Record<string, number>>;
  readonly kernelPageSizeKiB: number | null;
  readonly thpEligible: boolean | null;
  readonly vmFlags: readonly string[];
}

/**
 * Parsed by hand rather than with a regex per line: smaps of a large process has hundreds of thousands of
 * lines. A field line has its colon before its first space; a maps line (which opens each VMA's block) has
 * its first colon in the device field, after spaces.
 */
export function parseSmaps(text: string): Parsed<SmapsVma[]> {
  const out: SmapsVma[] = [];
  let cur: { vma: Vma; fields: Record<string, number>; vmFlags: string[] } | null = null;
  const flush = (): void => {
    if (!cur) return;
    const kps = cur.fields.KernelPageSize;
    const elig = cur.fields.THPeligible;
    out.push({
      vma: cur.vma,
      fields: cur.fields,
      kernelPageSizeKiB: kps ?? null,
      thpEligible: elig === undefined ? null : elig === 1,
      vmFlags: cur.vmFlags,
    });
  };
  let at = 0;
  while (at < text.length) {
    let nl = text.indexOf('\n', at);
    if (nl === -1) nl = text.length;
    const line = text.slice(at, nl);
    at = nl + 1;
    if (line === '') continue;
    const colon = line.indexOf(':');
    const space = line.indexOf(' ');
    if (colon === -1 || (space !== -1 && space < colon)) {
      const v = parseMapsLine(line);
      if (!v) return malformed(`unexpected line ${JSON.stringify(line.slice(0, 80))}`);
      flush();
      cur = { vma: v, fields: {}, vmFlags: [] };
      continue;
    }
    if (!cur) return malformed('a field before the first mapping');
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1);
    if (key === 'VmFlags') {
      cur.vmFlags = value.trim().split(/\s+/).filter(Boolean);
      continue;
    }
    const n = parseInt(value, 10);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || !Number.isSafeInteger(n) || n < 0)
      return malformed(`unexpected line ${JSON.stringify(line.slice(0, 80))}`);
    cur.fields[key] = n;
  }
  flush();
  return parsed(out);
}

/** smaps summed over its VMAs: what smaps_rollup would say (for kernels before 4.14, which lack it). */
export function sumSmaps(vmas: readonly SmapsVma[]): MemoryTotals {
  const fields: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const v of vmas) {
    for (const [k, n] of Object.entries(v.fields)) {
      // Per-VMA properties, not amounts.
      if (k === 'KernelPageSize' || k === 'MMUPageSize' || k === 'THPeligible' || k === 'ProtectionKey') continue;
      fields[k] = (fields[k] ?? 0) + n;
    }
  }
  return totalsOf(fields);
}
