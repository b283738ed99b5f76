/**
 * How far each NUMA node could still grow a HugeTLB pool right now, from /proc/buddyinfo: the free lists hold
 * naturally aligned blocks of 2^k base pages, and a huge page of order n can be taken at once from any free
 * block of order >= n (each splits into 2^(k-n) of them). Sizes above the largest order the buddy allocator
 * keeps (1 GiB on x86-64) do not come from the free lists at all: the kernel assembles them from a contiguous
 * range, migrating what is in the way, so for those only an upper bound (free memory / page size) is known.
 */
import type { BuddyZone } from './parse/buddyinfo';

export interface NodeGrowth {
  node: number;
  pageSizeKiB: number;
  /** Pages the free lists could give now, without compaction; null when the size is above the buddy orders. */
  now: number | null;
  /** At most this many: all free memory of the node, in pages of this size. */
  upperBound: number;
  freeKiB: number;
}

/** One node's free KiB in its buddy lists. */
export function nodeFreeKiB(zones: readonly BuddyZone[], basePageKiB = 4): number {
  let kib = 0;
  for (const z of zones) z.freeBlocks.forEach((n, k) => (kib += n * basePageKiB * 2 ** k));
  return kib;
}

/** Pages of `pageSizeKiB` free now in these zones, or null when the size is beyond the buddy orders. */
export function freePagesNow(zones: readonly BuddyZone[], pageSizeKiB: number, basePageKiB = 4): number | null {
  const order = Math.log2(pageSizeKiB / basePageKiB);
  if (!Number.isInteger(order) || order < 0) return null;
  const orders = Math.max(0, ...zones.map((z) => z.freeBlocks.length));
  if (order >= orders) return null;
  let pages = 0;
  for (const z of zones) for (let k = order; k < z.freeBlocks.length; k++) pages += z.freeBlocks[k]! * 2 ** (k - order);
  return pages;
}

/** Growth per node and page size, nodes in id order. */
export function poolGrowth(
  buddy: readonly BuddyZone[],
  pageSizesKiB: readonly number[],
  basePageKiB = 4,
): NodeGrowth[] {
  const nodes = [...new Set(buddy.map((z) => z.node))].sort((a, b) => a - b);
  const out: NodeGrowth[] = [];
  for (const node of nodes) {
    const zones = buddy.filter((z) => z.node === node);
    const freeKiB = nodeFreeKiB(zones, basePageKiB);
    for (const pageSizeKiB of pageSizesKiB) {
      out.push({
        node,
        pageSizeKiB,
        now: freePagesNow(zones, pageSizeKiB, basePageKiB),
        upperBound: Math.floor(freeKiB / pageSizeKiB),
        freeKiB,
      });
    }
  }
  return out;
}
