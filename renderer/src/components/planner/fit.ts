/**
 * The fit bar's figures: for one plan, the constraint that decides its verdict, so the bar shows a need and a
 * capacity the constraints table also shows and can never draw a plan that fails as one that fits.
 */
import type { Constraint, PlanResult } from '../../../../shared/plan/plan';

export interface FitRow {
  label: string;
  /** Whether this is the plan the form describes now. */
  current: boolean;
  fits: boolean;
  /** A failing constraint when the plan does not fit, else the passing one with the least room. */
  constraint: Constraint;
}

/** What a row draws: its constraint's need against its capacity, or nothing when the constraint has no figures. */
export type FitBarFigures = { needMiB: number; haveMiB: number; fits: boolean } | null;

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
 * The constraint that decides the plan's verdict. When it does not fit: a failing constraint, one with figures
 * if any has them; when it fits: the passing one closest to failing. Among those with figures, a capacity
 * above zero is preferred: "3 GiB sits in other pools, of 0" or the reserve's "what would stay free" below zero
 * says less than the memory total that is short, and is no scale to draw against.
 */
export function decidingConstraint(p: PlanResult): Constraint | null {
  const same = p.constraints.filter((c) => c.ok === p.fits);
  let best: Constraint | null = null;
  let fallback: Constraint | null = null;
  for (const c of same) {
    const l = load(c);
    if (l === null) continue;
    fallback ??= c;
    if (c.haveMiB! <= 0) continue;
    if (!best || l > load(best)!) best = c;
  }
  return best ?? fallback ?? same[0] ?? null;
}

/** The figures a row's bar draws, judged the way its constraint is: the need fits when it is at most the capacity. */
export function barFigures(c: Constraint): FitBarFigures {
  if (c.needMiB === null || c.haveMiB === null) return null;
  return { needMiB: c.needMiB, haveMiB: c.haveMiB, fits: c.needMiB <= c.haveMiB };
}

export function fitRow(label: string, p: PlanResult, current: boolean): FitRow | null {
  const c = decidingConstraint(p);
  return c ? { label, current, fits: p.fits, constraint: c } : null;
}
