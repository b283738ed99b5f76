/**
 * The runtime settings hugetune may change, and nothing else: one allow-list shared by the advisor, the
 * artifact writers, the apply engine and the privileged helper. Each entry names a kernel file by pattern and
 * says which values it takes; anything else is refused before a file is opened.
 */

export interface SettingRule {
  /** Matches the whole path; capture groups are checked by `pathOk`. */
  readonly pattern: RegExp;
  readonly describe: string;
  /** The values it takes: a list of words, or a range of whole numbers. */
  readonly values: readonly string[] | { min: number; max: number };
  /** The sysctl name, for /proc/sys files (sysctl.d and `sysctl -w` use it). */
  readonly sysctl?: (path: string) => string;
}

const HUGE_DIR = /^hugepages-(\d{2,10})kB$/;
const sysctlName = (path: string): string => path.replace(/^\/proc\/sys\//, '').replaceAll('/', '.');
const MAX_PAGES = { min: 0, max: 1 << 30 };

export const SETTING_RULES: readonly SettingRule[] = [
  {
    pattern: /^\/proc\/sys\/vm\/hugetlb_optimize_vmemmap$/,
    describe: 'HVO on (1) or off (0)',
    values: ['0', '1'],
    sysctl: sysctlName,
  },
  {
    pattern: /^\/proc\/sys\/vm\/(?:nr_hugepages|nr_overcommit_hugepages)$/,
    describe: 'pages of the default huge page size',
    values: MAX_PAGES,
    sysctl: sysctlName,
  },
  {
    pattern: /^\/proc\/sys\/kernel\/numa_balancing$/,
    describe: 'NUMA balancing mode: 0 off, 1 normal, 2 tiering, 3 both',
    values: { min: 0, max: 3 },
    sysctl: sysctlName,
  },
  {
    pattern: /^\/sys\/kernel\/mm\/hugepages\/hugepages-\d{2,10}kB\/(?:nr_hugepages|nr_overcommit_hugepages)$/,
    describe: 'pages in a HugeTLB pool',
    values: MAX_PAGES,
  },
  {
    pattern: /^\/sys\/devices\/system\/node\/node\d{1,4}\/hugepages\/hugepages-\d{2,10}kB\/nr_hugepages$/,
    describe: 'pages in a HugeTLB pool on one NUMA node',
    values: MAX_PAGES,
  },
  {
    pattern: /^\/sys\/kernel\/mm\/transparent_hugepage\/enabled$/,
    describe: 'THP for anonymous memory',
    values: ['always', 'madvise', 'never'],
  },
  {
    pattern: /^\/sys\/kernel\/mm\/transparent_hugepage\/hugepages-\d{2,10}kB\/enabled$/,
    describe: 'THP for anonymous memory at one size (mTHP)',
    values: ['always', 'inherit', 'madvise', 'never'],
  },
  {
    pattern: /^\/sys\/kernel\/mm\/transparent_hugepage\/defrag$/,
    describe: 'how hard a THP fault compacts',
    values: ['always', 'defer', 'defer+madvise', 'madvise', 'never'],
  },
  {
    pattern: /^\/sys\/kernel\/mm\/transparent_hugepage\/khugepaged\/defrag$/,
    describe: 'whether khugepaged compacts',
    values: ['0', '1'],
  },
  {
    pattern: /^\/sys\/kernel\/mm\/numa\/demotion_enabled$/,
    describe: 'demote cold pages to slower memory during reclaim',
    values: ['true', 'false'],
  },
];

export function ruleFor(path: string): SettingRule | null {
  if (path.includes('..') || path.includes('//')) return null;
  const rule = SETTING_RULES.find((r) => r.pattern.test(path));
  if (!rule) return null;
  // A page size directory must name a power-of-two size.
  for (const part of path.split('/')) {
    const m = HUGE_DIR.exec(part);
    if (m) {
      const kib = Number(m[1]);
      if (kib < 8 || !Number.isInteger(Math.log2(kib))) return null;
    }
  }
  return rule;
}

/** Why a value cannot be written to a path, or null when both are allowed. */
export function refuse(path: string, value: string): string | null {
  const rule = ruleFor(path);
  if (!rule) return `${path}: not a setting hugetune changes`;
  if (Array.isArray(rule.values)) {
    return (rule.values as readonly string[]).includes(value)
      ? null
      : `${path}: ${JSON.stringify(value)} is not one of ${rule.values.join(', ')}`;
  }
  const range = rule.values as { min: number; max: number };
  if (!/^\d{1,10}$/.test(value)) return `${path}: ${JSON.stringify(value)} is not a whole number`;
  // sysctls under /proc/sys parse "010" as octal 8, sysfs files as decimal 10: refuse the ambiguity.
  if (/^0\d/.test(value)) return `${path}: ${JSON.stringify(value)} has a leading zero (write ${Number(value)})`;
  const n = Number(value);
  return n >= range.min && n <= range.max ? null : `${path}: ${n} is outside ${range.min} to ${range.max}`;
}

/** The sysctl name of a /proc/sys path, or null for sysfs files (which sysctl.d cannot set). */
export function sysctlOf(path: string): string | null {
  return ruleFor(path)?.sysctl?.(path) ?? null;
}

/**
 * The word a kernel file shows as its current value: multiple-choice files print every option with the
 * selected one in brackets ("always [madvise] never").
 */
export function currentValue(text: string): string {
  const t = text.trim();
  const sel = /\[([^\]]+)\]/.exec(t);
  return sel ? sel[1]! : t;
}
