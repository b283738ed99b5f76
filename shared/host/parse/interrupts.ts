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

export function parseInterrupts(text: string): Parsed<Interrupts> {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').trim().split(/\s+/);
  const cpus: number[] = [];
  for (const h of header) {
    if (!h.startsWith('CPU') || !isDigits(h.slice(3)))
      return malformed(`header: unexpected column ${JSON.stringify(h.slice(0, 20))}`);
    cpus.push(Number(h.slice(3)));
  }
  if (cpus.length === 0) return malformed('header has no CPU columns');
  const n = cpus.length;
  const rows = new Map<string, InterruptRow>();
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li]!;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const label = line.slice(0, colon).trim();
    if (label === '' || /\s/.test(label)) continue;
    const words = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    let k = 0;
    while (k < words.length && k < n && isDigits(words[k]!)) k++;
    if (k === 0) continue;
    const counts = new Array<number>(k);
    let total = 0;
    for (let i = 0; i < k; i++) {
      const v = Number(words[i]);
      counts[i] = v;
      total += v;
    }
    const description = words.slice(k).join(' ');
    // A row with fewer counts than columns is a single-value row (ERR/MIS) when it has exactly one.
    if (k === n) rows.set(label, { perCpu: counts, total, description });
    else if (k === 1) rows.set(label, { perCpu: null, total, description });
    else return malformed(`row ${label}: ${k} counts for ${n} CPU columns`);
  }
  return parsed({ cpus, rows });
}
