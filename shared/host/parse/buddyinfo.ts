/** /proc/buddyinfo: free blocks per order (block = 4 KiB << order) for each node and zone. */
import { malformed, parsed, type Parsed } from '../reading';

export interface BuddyZone {
  readonly node: number;
  readonly zone: string;
  /** freeBlocks[k] = free blocks of order k. */
  readonly freeBlocks: readonly number[];
}

export function parseBuddyinfo(text: string): Parsed<BuddyZone[]> {
  const out: BuddyZone[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^Node\s+(\d+),\s+zone\s+(\S+)\s+([\d\s]+)$/.exec(line.trim());
    if (!m) return malformed(`unexpected line ${JSON.stringify(line.slice(0, 60))}`);
    const freeBlocks = m[3]!.trim().split(/\s+/).map(Number);
    // MAX_PAGE_ORDER is at most about 15 on any configuration; more columns is not a buddyinfo line.
    if (freeBlocks.length > 20 || !freeBlocks.every(Number.isSafeInteger))
      return malformed(`unexpected counts in ${m[2]!}`);
    out.push({ node: Number(m[1]), zone: m[2]!, freeBlocks });
  }
  if (out.length === 0) return malformed('no zones');
  return parsed(out);
}

/** How many naturally aligned blocks of `pageKiB` the free lists hold now (4 KiB base pages). */
export function freeBlocksOf(zones: readonly BuddyZone[], pageKiB: number): number {
  const order = Math.log2(pageKiB / 4);
  let n = 0;
  for (const z of zones) {
    for (let k = Math.ceil(order); k < z.freeBlocks.length; k++) n += z.freeBlocks[k]! * 2 ** (k - order);
  }
  return Math.floor(n);
}

/** All free memory in the lists, KiB. */
export function freeKiB(zones: readonly BuddyZone[]): number {
  let kib = 0;
  for (const z of zones) z.freeBlocks.forEach((count, k) => (kib += count * 4 * 2 ** k));
  return kib;
}
