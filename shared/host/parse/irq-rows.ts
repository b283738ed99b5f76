/**
 * The few /proc/interrupts rows the monitor samples (TLB, CAL, RES, or IPI0/IPI1 on arm64), found by scanning
 * for their row starts instead of splitting the whole file into lines: on a 4,096-CPU machine the file has
 * hundreds of device rows of 4,096 columns each, and a sample needs three of them. Counts land in typed arrays,
 * one entry per header column. The header is parsed again only when it changes (CPUs went on- or offline).
 */

const SPACE = 32;
const TAB = 9;
const NL = 10;
const ZERO = 48;
const NINE = 57;
/** A count with more digits than this is beyond 2^53 or not a count; either way it is not read as a number. */
const MAX_SAFE_DIGITS = 15;

export interface IrqRows {
  /** CPU number of each column, in header order. The same array object while the header is unchanged. */
  readonly cpus: readonly number[];
  /** Per label asked for (same order): one count per column, or null when the file has no such row. */
  readonly rows: readonly (Float64Array | null)[];
  /**
   * What could not be read exactly, one line each: a row with the wrong number of columns (null above), a
   * count beyond 2^53 (NaN in its cell, so no rate is made from a rounded value).
   */
  readonly problems: readonly string[];
}

export type IrqScan = { readonly ok: true; readonly value: IrqRows } | { readonly ok: false; readonly reason: string };

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** Parses the header line ("CPU0 CPU1 ..."), or says why it is not one. */
export function parseIrqHeader(line: string): number[] | string {
  const cpus: number[] = [];
  const seen = new Set<number>();
  const len = line.length;
  let i = 0;
  for (;;) {
    while (i < len && isSpace(line.charCodeAt(i))) i++;
    if (i >= len) break;
    const start = i;
    while (i < len && !isSpace(line.charCodeAt(i))) i++;
    const tok = line.slice(start, i);
    if (!/^CPU\d{1,7}$/.test(tok)) return `header: unexpected column ${JSON.stringify(tok.slice(0, 20))}`;
    const cpu = Number(tok.slice(3));
    if (seen.has(cpu)) return 'header names a CPU twice';
    seen.add(cpu);
    cpus.push(cpu);
  }
  if (cpus.length === 0) return 'header has no CPU columns';
  return cpus;
}

/**
 * Where the row `label:` starts its counts (just after the colon), searching from `from`; -1 when absent.
 * A match counts only at a line start, after nothing but the kernel's right-alignment padding, so a device
 * row whose description happens to contain "TLB:" is not taken for it.
 */
export function findRow(text: string, label: string, from: number): number {
  const needle = `${label}:`;
  let at = text.indexOf(needle, from);
  while (at !== -1) {
    let j = at - 1;
    while (j >= from && text.charCodeAt(j) === SPACE) j--;
    if (j < from || text.charCodeAt(j) === NL) return at + needle.length;
    at = text.indexOf(needle, at + 1);
  }
  return -1;
}

/**
 * Reads `n` counts from `pos` into `out`. Returns null when the row ends (or a non-count starts) before `n`
 * counts, else the list of columns whose count is beyond 2^53 (left NaN).
 */
function readCounts(text: string, pos: number, n: number, out: Float64Array): number[] | null {
  const len = text.length;
  let i = pos;
  let inexact: number[] | null = null;
  for (let k = 0; k < n; k++) {
    while (i < len && isSpace(text.charCodeAt(i))) i++;
    const start = i;
    let v = 0;
    while (i < len) {
      const c = text.charCodeAt(i);
      if (c < ZERO || c > NINE) break;
      v = v * 10 + (c - ZERO);
      i++;
    }
    if (i === start) return null;
    if (i < len && !isSpace(text.charCodeAt(i)) && text.charCodeAt(i) !== NL) return null;
    if (i - start > MAX_SAFE_DIGITS && v > Number.MAX_SAFE_INTEGER) {
      (inexact ??= []).push(k);
      v = NaN;
    }
    out[k] = v;
  }
  return inexact ?? [];
}

/** Scans one /proc/interrupts text at a time for a fixed set of row labels. */
export class IrqRowScanner {
  private header: string | null = null;
  private cpus: number[] = [];

  constructor(readonly labels: readonly string[]) {}

  scan(text: string): IrqScan {
    let headerEnd = text.indexOf('\n');
    if (headerEnd === -1) headerEnd = text.length;
    // Most ticks see the same header: compare it in place rather than slicing and splitting it again.
    if (this.header === null || headerEnd !== this.header.length || !text.startsWith(this.header)) {
      const line = text.slice(0, headerEnd);
      const cpus = parseIrqHeader(line);
      if (typeof cpus === 'string') {
        this.header = null;
        return { ok: false, reason: cpus };
      }
      this.header = line;
      this.cpus = cpus;
    }
    const n = this.cpus.length;
    const problems: string[] = [];
    const rows = this.labels.map((label) => {
      const pos = findRow(text, label, headerEnd + 1);
      if (pos === -1) return null;
      const out = new Float64Array(n);
      const inexact = readCounts(text, pos, n, out);
      if (inexact === null) {
        problems.push(`${label}: fewer counts than the ${n} CPU columns`);
        return null;
      }
      for (const k of inexact)
        problems.push(`${label}: CPU${this.cpus[k]} counts beyond 2^53 (not exact in a double); no rate from it`);
      return out;
    });
    return { ok: true, value: { cpus: this.cpus, rows, problems } };
  }
}
