/**
 * The context sizes the Planner's slider and arrow keys step through: powers of two, from the smallest
 * context a plan takes to the largest (shared/plan/request.ts LIMITS). Runtimes size their caches in powers
 * of two, so each step is a context people actually run; any whole number can still be typed.
 */
import { LIMITS } from '../../../../shared/plan/request';

export const CONTEXT_STEPS: readonly number[] = (() => {
  const out: number[] = [];
  for (let v = LIMITS.ctx.min; v <= LIMITS.ctx.max; v *= 2) out.push(v);
  return out;
})();

/** The next step above `value` (dir 1) or below it (dir -1); a value between steps goes to its neighbour. */
export function stepContext(value: number, dir: 1 | -1): number {
  if (!Number.isFinite(value)) return CONTEXT_STEPS[0]!;
  if (dir > 0) return CONTEXT_STEPS.find((s) => s > value) ?? CONTEXT_STEPS.at(-1)!;
  return [...CONTEXT_STEPS].reverse().find((s) => s < value) ?? CONTEXT_STEPS[0]!;
}

/** The slider position for a context: the largest step not above it. */
export function contextIndex(value: number): number {
  let k = 0;
  CONTEXT_STEPS.forEach((s, i) => {
    if (s <= value) k = i;
  });
  return k;
}

/** A context a plan takes (a whole number within LIMITS): what the slider may show. */
export function isPlannable(value: number | null): value is number {
  return value !== null && Number.isInteger(value) && value >= LIMITS.ctx.min && value <= LIMITS.ctx.max;
}
