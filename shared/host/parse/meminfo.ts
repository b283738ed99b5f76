/**
 * /proc/meminfo and /sys/devices/system/node/nodeN/meminfo. Values are kept in the file's own unit: kB
 * (which the kernel means as KiB) for sizes, a bare count for the HugePages_* lines.
 */
import { malformed, parsed, type Parsed } from '../reading';

export interface MemInfo {
  /** Field name -> value; sizes in KiB, HugePages_* in pages. */
  readonly fields: ReadonlyMap<string, number>;
  /** Lines that could not be read, kept so a diagnostic can name them. */
  readonly skipped: number;
}

// "MemTotal:       24615776 kB" or, per node, "Node 0 MemTotal:       24615776 kB"
const LINE = /^(?:Node\s+\d+\s+)?([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?\s*$/;

export function parseMeminfo(text: string): Parsed<MemInfo> {
  const fields = new Map<string, number>();
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m) {
      skipped++;
      continue;
    }
    const n = Number(m[2]);
    if (Number.isSafeInteger(n)) fields.set(m[1]!, n);
    else skipped++;
  }
  if (fields.size === 0) return malformed('no "Name: value" lines found');
  return parsed({ fields, skipped });
}
