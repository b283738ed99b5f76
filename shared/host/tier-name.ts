/**
 * A memory tier by what it is, not its kernel id. The kernel puts DRAM in tier 4 (abstract distance 576 in
 * bands of 128, mm/memory-tiers.c); faster memory (HBM) sits below it, slower (CXL, PMEM) above.
 */
export function tierName(id: number): string {
  if (id === 4) return 'DRAM';
  return id < 4 ? 'faster than DRAM (HBM)' : 'slower than DRAM (CXL or PMEM)';
}
