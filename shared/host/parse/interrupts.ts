/**
 * /proc/interrupts. The header names one column per *online* CPU (so column index is not CPU number once a
 * CPU is offline); each row is `LABEL:` then one count per column then a description. A few x86 rows (ERR,
 * MIS) carry one system-wide value instead of per-CPU columns.
 */
import { malformed, parsed, type Parsed } from '../reading';

export interface InterruptRow {
  /** Per-column counts, aligned with `Interrupts.cpus`; null for single-value rows such as ERR and MIS. */
  readonly perCpu: readonly number[] | null;
  readonly total: number;
  readonly description: string;
}

export interface Interrupts {
  /** CPU number of each column, in header order. */
  readonly cpus: readonly number[];
  readonly rows: ReadonlyMap<string, InterruptRow>;
}

function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 20) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const SPACE = 32;
const TAB = 9;

/**
 * Scans up to `max` decimal counts starting at `pos` in `line`, into `out`. Returns how many were read and
 * where the text after them starts. Hand-rolled because a 1,024-CPU file has ~70,000 numbers.
 */
function scanCounts(line: string, pos: number, max: number, out: number[]): { count: number; rest: number } {
  const len = line.length;
  let count = 0;
  let i = pos;
  while (count < max) {
    while (i < len && (line.charCodeAt(i) === SPACE || line.charCodeAt(i) === TAB)) i++;
    const start = i;
    let v = 0;
    while (i < len) {
      const c = line.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
    }
    // A token that is not purely digits ends the counts (it is the description).
    if (i === start || (i < len && line.charCodeAt(i) !== SPACE && line.charCodeAt(i) !== TAB)) {
      return { count, rest: start };
    }
    // Each count is a 32-bit counter per CPU; a number past 2^53 cannot even be held exactly, let alone summed.
    if (v > Number.MAX_SAFE_INTEGER) return { count: -1, rest: start };
    out.push(v);
    count++;
  }
  return { count, rest: i };
}

export function parseInterrupts(text: string): Parsed<Interrupts> {
  const firstNl = text.indexOf('\n');
  const header = (firstNl === -1 ? text : text.slice(0, firstNl)).trim().split(/\s+/);
  const cpus: number[] = [];
  for (const h of header) {
    if (!h.startsWith('CPU') || !isDigits(h.slice(3)))
      return malformed(`header: unexpected column ${JSON.stringify(h.slice(0, 20))}`);
    cpus.push(Number(h.slice(3)));
  }
  if (cpus.length === 0) return malformed('header has no CPU columns');
  if (new Set(cpus).size !== cpus.length) return malformed('header names a CPU twice');
  const n = cpus.length;
  const rows = new Map<string, InterruptRow>();
  let start = firstNl === -1 ? text.length : firstNl + 1;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const label = line.slice(0, colon).trim();
    if (label === '' || /\s/.test(label)) continue;
    const counts: number[] = [];
    const { count: k, rest } = scanCounts(line, colon + 1, n, counts);
    if (k === -1)
      return malformed(
        `row ${JSON.stringify(label.slice(0, 20))}: a count beyond 2^53, which no kernel counter reaches`,
      );
    if (k === 0) continue;
    let total = 0;
    for (let i = 0; i < k; i++) total += counts[i]!;
    if (!Number.isSafeInteger(total))
      return malformed(
        `row ${JSON.stringify(label.slice(0, 20))}: counts that add up beyond 2^53, which no kernel counter reaches`,
      );
    const description = line.slice(rest).trim().replace(/\s+/g, ' ');
    // A row with fewer counts than columns is a single-value row (ERR/MIS) when it has exactly one.
    if (k === n) rows.set(label, { perCpu: counts, total, description });
    else if (k === 1) rows.set(label, { perCpu: null, total, description });
    else return malformed(`row ${JSON.stringify(label.slice(0, 20))}: ${k} counts for ${n} CPU columns`);
  }
  return parsed({ cpus, rows });
}
