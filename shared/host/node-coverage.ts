/**
 * Whether the NUMA nodes' own meminfo adds up to the machine's MemTotal. On some machines it does not (a VM
 * with hot-added memory lists only its boot memory per node), and then every per-node figure — pools per
 * node, room to grow, a plan's split over nodes — covers only part of the memory.
 */

/** Off by more than this share of MemTotal: a few percent is the kernel's own bookkeeping, not a gap. */
export const NODE_GAP_SHARE = 0.02;

/** The nodes' sum and MemTotal when they disagree by more than NODE_GAP_SHARE, else null (or unknown). */
export function nodeMemoryGap(
  nodeTotalsKiB: readonly (number | null)[],
  memTotalKiB: number | null,
): { sumKiB: number; totalKiB: number } | null {
  if (memTotalKiB === null || memTotalKiB <= 0 || nodeTotalsKiB.length === 0) return null;
  if (nodeTotalsKiB.some((n) => n === null)) return null;
  const sumKiB = nodeTotalsKiB.reduce<number>((s, n) => s + (n ?? 0), 0);
  return Math.abs(sumKiB - memTotalKiB) > memTotalKiB * NODE_GAP_SHARE ? { sumKiB, totalKiB: memTotalKiB } : null;
}
