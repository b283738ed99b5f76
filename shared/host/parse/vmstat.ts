/** /proc/vmstat (and nodeN/vmstat): one `name value` pair per line. */
import { malformed, parsed, type Parsed } from '../reading';

export function parseVmstat(text: string): Parsed<ReadonlyMap<string, number>> {
  const out = new Map<string, number>();
  let start = 0;
  const len = text.length;
  while (start < len) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = len;
    const space = text.indexOf(' ', start);
    if (space > start && space < end) {
      const name = text.slice(start, space);
      const raw = text.slice(space + 1, end).trim();
      // Signed on purpose: per-cpu drift can show a gauge such as nr_zone_write_pending below zero briefly.
      if (/^-?\d{1,20}$/.test(raw) && /^[a-z0-9_]+$/.test(name)) out.set(name, Number(raw));
    }
    start = end + 1;
  }
  if (out.size === 0) return malformed('no "name value" lines found');
  return parsed(out);
}
