/**
 * A memory tier by what it is, not its kernel id. The kernel puts DRAM in tier 4 (abstract distance 576 in
 * bands of 128, mm/memory-tiers.c); faster memory (HBM) sits below it, slower (CXL, PMEM) above.
 */
export function tierName(id: number): string {
  if (id === 4) return 'DRAM';
  return id < 4 ? 'faster than DRAM (HBM)' : 'slower than DRAM (CXL or PMEM)';
}

/** A tier's name among the tiers `ids`: two of one kind (two CXL tiers) are told apart by the kernel's name. */
export function tierLabel(id: number, ids: readonly number[]): string {
  return ids.filter((t) => t !== id && tierName(t) === tierName(id)).length > 0
    ? `${tierName(id)} (memory_tier${id})`
    : tierName(id);
}
