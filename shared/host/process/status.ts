/** /proc/PID/status: `Name:\tvalue` lines; the memory ones in kB. */
import { malformed, parsed, type Parsed } from '../reading';

export interface ProcessStatus {
  readonly name: string | null;
  readonly pid: number | null;
  /** The real user id (first of the four on the Uid line). */
  readonly uid: number | null;
  readonly vmRssKiB: number | null;
  /** All page-table levels since 4.15 (mm->pgtables_bytes). */
  readonly vmPteKiB: number | null;
  readonly vmLckKiB: number | null;
  readonly vmPinKiB: number | null;
  readonly vmSwapKiB: number | null;
  readonly hugetlbPagesKiB: number | null;
  readonly threads: number | null;
}

const LINE = /^([A-Za-z_][A-Za-z0-9_]*):\s*(.*)$/;

export function parseStatus(text: string): Parsed<ProcessStatus> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = LINE.exec(line);
    // Name: may hold anything a process set with prctl, but never a newline; other lines are Key: value.
    if (!m) return malformed(`unexpected line ${JSON.stringify(line.slice(0, 80))}`);
    values.set(m[1]!, m[2]!);
  }
  if (!values.has('Name') && !values.has('Pid')) return malformed('neither Name nor Pid');
  const kib = (k: string): number | null => {
    const m = /^(\d+) kB$/.exec(values.get(k)?.trim() ?? '');
    return m ? Number(m[1]) : null;
  };
  const int = (k: string): number | null => {
    const m = /^(\d+)/.exec(values.get(k)?.trim() ?? '');
    return m ? Number(m[1]) : null;
  };
  return parsed({
    name: values.get('Name') ?? null,
    pid: int('Pid'),
    uid: int('Uid'),
    vmRssKiB: kib('VmRSS'),
    vmPteKiB: kib('VmPTE'),
    vmLckKiB: kib('VmLck'),
    vmPinKiB: kib('VmPin'),
    vmSwapKiB: kib('VmSwap'),
    hugetlbPagesKiB: kib('HugetlbPages'),
    threads: int('Threads'),
  });
}
