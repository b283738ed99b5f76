/**
 * Differences between two readings of a kernel counter, with the ways a counter can go backwards told apart:
 * a 32-bit interrupt count wraps (the difference is still exact), anything else going backwards was reset (a
 * reboot, a CPU brought back online) and gives no difference at all rather than a negative or made-up one.
 */
import type { Counter } from '../../../shared/host/parse/vmstat-counters';

/** Per-CPU interrupt counts in /proc/interrupts are the kernel's `unsigned int`: they wrap at 2^32. */
export const IRQ_WRAP = 2 ** 32;

/** Events between two readings of one per-CPU interrupt count, or null when it was reset or is not exact. */
export function irqDelta(prev: number, next: number): number | null {
  if (!Number.isFinite(prev) || !Number.isFinite(next)) return null;
  if (next >= prev) return next - prev;
  // Backwards by more than half the range from near the top: the count wrapped once. Anything else: reset.
  if (prev < IRQ_WRAP && next < IRQ_WRAP && prev - next > IRQ_WRAP / 2) return next + IRQ_WRAP - prev;
  return null;
}

/** Events between two readings of a 64-bit vmstat counter (exact beyond 2^53), or null when it was reset. */
export function counterDelta(prev: Counter, next: Counter): number | null {
  if (typeof prev === 'number' && typeof next === 'number') return next >= prev ? next - prev : null;
  const d = BigInt(next) - BigInt(prev);
  return d >= 0n ? Number(d) : null;
}
