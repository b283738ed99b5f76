/** hugetlbfs mounts from /proc/mounts, with the page size each serves. */
import { parsed, type Parsed } from '../reading';
import { parseMemSizeKiB } from './memsize';

export interface HugetlbfsMount {
  readonly mountPoint: string;
  /** From `pagesize=`; null means the default huge page size. */
  readonly pageSizeKiB: number | null;
  readonly options: string;
}

/** /proc/mounts escapes spaces and tabs in paths as octal (\040, \011). */
const unescape = (s: string): string =>
  s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseHugetlbfsMounts(text: string): Parsed<HugetlbfsMount[]> {
  const out: HugetlbfsMount[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 4 || f[2] !== 'hugetlbfs') continue;
    const opt = f[3]!.split(',').find((o) => o.startsWith('pagesize='));
    out.push({ mountPoint: unescape(f[1]!), pageSizeKiB: opt ? parseMemSizeKiB(opt.slice(9)) : null, options: f[3]! });
  }
  return parsed(out);
}
