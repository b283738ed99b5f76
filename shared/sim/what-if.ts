/**
 * A what-if machine as the Simulator shows it and as a simulated source then runs it: booted from its profile,
 * run for some hours, with the recommended settings applied when asked. One function for both, so the machine
 * shown in the Overview is the one in the Simulator's column.
 */
import { SimMachine } from './machine';
import type { Profile } from './profile';
import { applyRecommended } from './recommend';

/** How long and with what the machine runs; the speed is how fast its time goes once shown live. */
export interface WhatIfRun {
  hours: number;
  recommended: boolean;
  speed: number;
}

/** A year: past it nothing in the simulation changes but the counters. */
export const MAX_WHAT_IF_HOURS = 8760;

export function runWhatIf(
  p: Profile,
  run: Pick<WhatIfRun, 'hours' | 'recommended'>,
): { machine: SimMachine; steps: string[] } {
  const m = new SimMachine(p);
  const seconds = Math.max(0, run.hours) * 3600;
  m.advance(seconds);
  const steps = run.recommended ? applyRecommended(m) : [];
  // A step that rebooted the machine restarted its clock: run it as long again, so columns compare alike.
  if (m.seconds < seconds) m.advance(seconds - m.seconds);
  return { machine: m, steps };
}
