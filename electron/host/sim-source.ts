/** `--sim PROFILE` or `--sim FILE.json`: a built-in or saved simulated machine as a source. */
import { UserError } from '../../shared/errors';
import type { HostFiles } from '../../shared/host/files';
import { parseRelease } from '../../shared/host/parse/scalar';
import { SimMachine } from '../../shared/sim/machine';
import { applyEdits, type Edits } from '../../shared/sim/edit';
import { profileFromJson, type Profile } from '../../shared/sim/profile';
import { findProfile, PROFILES } from '../../shared/sim/profiles';
import { SimFiles } from '../../shared/sim/source';
import { hasControl, printable } from '../../shared/text';
import { inputLabel, readJsonInput } from './open-input';

/** Counters start an hour after boot, so a one-shot report shows a machine that has been running. */
export const SIM_START_HOURS = 1;
export const SIM_START_SECONDS = SIM_START_HOURS * 3600;

/**
 * A profile from anyone's hands, checked beyond its shape: the release must be one a kernel could report
 * (the simulator writes it to /proc/sys/kernel/osrelease as is). The profile, or why it is not one.
 */
export function checkProfile(json: unknown): { ok: true; value: Profile } | { ok: false; error: string } {
  const p = profileFromJson(json);
  if (!p.ok) return { ok: false, error: printable(p.error, { max: 300 }) };
  const r = parseRelease(p.value.release);
  if (!r.ok) return { ok: false, error: `not a machine profile: release: ${r.reason}` };
  // Names and the boot line are written into the simulated files and shown as they are: visible text only.
  for (const [key, value] of Object.entries(p.value)) {
    if (typeof value === 'string' && hasControl(value))
      return { ok: false, error: `not a machine profile: ${key}: holds control characters` };
  }
  return p;
}

/** Whether `--sim` names a profile file (a path, or a name ending in .json) rather than a built-in id. */
export const isProfileFile = (spec: string): boolean => spec.endsWith('.json') || spec.includes('/');

/**
 * Why `--sim SPEC` (or `sim show SPEC`, `sim:SPEC`) names no profile: it is not a file name and no built-in
 * profile has that id. Null when it names one. The CLI checks this with its flags, as a usage error.
 */
export function profileSpecProblem(
  spec: string,
  flag = '--sim',
  label = `${flag} ${printable(spec, { max: 80 })}`,
): string | null {
  if (isProfileFile(spec) || findProfile(spec)) return null;
  return `${label}: unknown profile; expected one of ${PROFILES.map((x) => x.id).join(', ')} (hugetune sim list describes them) or a profile FILE.json`;
}

function builtIn(id: string, flag = '--sim'): Profile {
  const problem = profileSpecProblem(id, flag);
  if (problem !== null) throw new UserError(problem, 'not-found');
  return findProfile(id)!;
}

/** A built-in profile by id, or a profile file read through ./open-input and checked. */
export async function loadProfile(spec: string, flag = '--sim'): Promise<Profile> {
  if (!isProfileFile(spec)) return builtIn(spec, flag);
  const label = inputLabel(`${flag} `, spec);
  const p = checkProfile(await readJsonInput(spec, 'profile', label));
  if (!p.ok) throw new UserError(`${label}: ${p.error}`, 'bad-request');
  return p.value;
}

/** A simulated machine from a built-in id or a loaded profile, with `--set` edits applied. */
export function openSim(spec: string | Profile, edits: Edits = {}): HostFiles {
  const profile = typeof spec === 'string' ? builtIn(spec) : spec;
  const edited = Object.keys(edits).length > 0 ? applyEdits(profile, edits) : { ok: true as const, value: profile };
  if (!edited.ok) throw new UserError(`--set: ${printable(edited.error, { max: 300 })}`, 'bad-request');
  const machine = new SimMachine(edited.value);
  machine.advance(SIM_START_SECONDS);
  return new SimFiles(machine);
}
