/**
 * HugeTLB limits of the cgroup this view of the machine runs in (cgroup v2 `hugetlb.<size>.max` and
 * `.current` at /sys/fs/cgroup). On a host the root cgroup has no such files; inside a container (a cgroup
 * namespace) they are the container's own, and a pool the container cannot charge is a pool it cannot use.
 */
import { parseUnsigned } from '../parse/scalar';
import { malformed, parsed, type Parsed } from '../reading';
import type { CgroupHugetlbLimit } from '../state';
import type { ReadContext } from './context';

/** The page sizes as cgroup v2 names them, in KiB: every HugeTLB size x86-64, arm64 and riscv offer. */
export const CGROUP_HUGETLB_SIZES: readonly [string, number][] = [
  ['64KB', 64],
  ['2MB', 2048],
  ['32MB', 32768],
  ['512MB', 524288],
  ['1GB', 1048576],
  ['16GB', 16777216],
];

export const CGROUP_DIR = '/sys/fs/cgroup';

export const cgroupHugetlbFiles = (): string[] =>
  CGROUP_HUGETLB_SIZES.flatMap(([name]) => [
    `${CGROUP_DIR}/hugetlb.${name}.max`,
    `${CGROUP_DIR}/hugetlb.${name}.current`,
  ]);

/** "max" is no limit; otherwise bytes. */
function parseLimit(text: string): Parsed<number | 'max'> {
  const t = text.trim();
  if (t === 'max') return parsed('max');
  const n = parseUnsigned(t);
  return n.ok ? n : malformed(`expected bytes or "max", got ${JSON.stringify(t.slice(0, 40))}`);
}

export function readCgroupHugetlb(ctx: ReadContext): CgroupHugetlbLimit[] {
  const out: CgroupHugetlbLimit[] = [];
  for (const [name, kib] of CGROUP_HUGETLB_SIZES) {
    const max = ctx.get(`${CGROUP_DIR}/hugetlb.${name}.max`, parseLimit, true);
    if (max === null) continue;
    const current = ctx.get(`${CGROUP_DIR}/hugetlb.${name}.current`, parseUnsigned, true);
    out.push({ pageSizeKiB: kib, maxBytes: max === 'max' ? null : max, currentBytes: current });
  }
  return out;
}
