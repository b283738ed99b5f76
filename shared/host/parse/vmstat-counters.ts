/**
 * A handful of /proc/vmstat counters, found by name without building a map of all ~200 lines. The kernel
 * keeps these as unsigned long: a value beyond 2^53 is returned as a bigint so a difference between two
 * readings stays exact (the rate is right even when the total can only be shown rounded).
 */

export type Counter = number | bigint;

/**
 * The value of `name` in a vmstat text; null when the line is absent; a one-line reason (a string) when the
 * line is there but holds no unsigned 64-bit count.
 */
export function vmstatCounter(text: string, name: string): Counter | string | null {
  const needle = `${name} `;
  let at = text.startsWith(needle) ? 0 : -1;
  if (at === -1) {
    const hit = text.indexOf(`\n${needle}`);
    if (hit === -1) return null;
    at = hit + 1;
  }
  const start = at + needle.length;
  let end = text.indexOf('\n', start);
  if (end === -1) end = text.length;
  const raw = text.slice(start, end).trim();
  if (!/^\d{1,20}$/.test(raw)) return `${name}: ${JSON.stringify(raw.slice(0, 24))} is not a count`;
  if (raw.length <= 15) return Number(raw);
  const big = BigInt(raw);
  // Unsigned long: anything wider than 64 bits is not a counter this kernel could print.
  if (big >= 1n << 64n) return `${name}: ${raw} is wider than the kernel's 64-bit counters`;
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** Reads each of `names` (same order). */
export function vmstatCounters(text: string, names: readonly string[]): (Counter | string | null)[] {
  return names.map((n) => vmstatCounter(text, n));
}
