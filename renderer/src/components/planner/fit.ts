/**
 * The fit bar's figures: for one plan, the constraint with the least room (the one that decides the verdict
 * first), so the bar shows a need and a capacity the constraints table also shows.
 */
import type { Constraint, PlanResult } from '../../../../shared/plan/plan';

export interface FitRow {
  label: string;
  /** Whether this is the plan the form describes now. */
  current: boolean;
  fits: boolean;
  constraint: Constraint;
}

/**
 * How much of its capacity a constraint's need takes (above 1: it fails); null without figures. Needing
 * nothing takes nothing, even of nothing (pools of other sizes kept when there are none).
 */
const load = (c: Constraint): number | null =>
  c.needMiB === null || c.haveMiB === null
    ? null
    : c.needMiB <= 0
      ? 0
      : c.haveMiB <= 0
        ? Infinity
        : c.needMiB / c.haveMiB;

/**
 * The constraint whose need takes the largest share of its capacity: a failing one if any fails, else the
 * closest to failing. A capacity below zero (the reserve's "what would stay free" when memory is already short)
 * is no scale to draw against, so such a row is used only when no other has figures. Null when none has any.
 */
export function tightest(p: PlanResult): Constraint | null {
  let best: Constraint | null = null;
  let fallback: Constraint | null = null;
  for (const c of p.constraints) {
    const l = load(c);
    if (l === null) continue;
    fallback ??= c;
    if (c.haveMiB! < 0) continue;
    if (!best || l > load(best)!) best = c;
  }
  return best ?? fallback;
}

export function fitRow(label: string, p: PlanResult, current: boolean): FitRow | null {
  const c = tightest(p);
  return c ? { label, current, fits: p.fits, constraint: c } : null;
}
