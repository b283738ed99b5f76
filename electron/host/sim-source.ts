/** `--sim PROFILE` or `--sim FILE.json`: a built-in or saved simulated machine as a source. */
import { readFileSync } from 'node:fs';
import { UserError } from '../../shared/errors';
import type { HostFiles } from '../../shared/host/files';
import { SimMachine } from '../../shared/sim/machine';
import { applyEdits, type Edits } from '../../shared/sim/edit';
import { parseProfile, type Profile } from '../../shared/sim/profile';
import { findProfile, PROFILES } from '../../shared/sim/profiles';
import { SimFiles } from '../../shared/sim/source';

/** Counters start an hour after boot, so a one-shot report shows a machine that has been running. */
export const SIM_START_SECONDS = 3600;

export function loadProfile(spec: string): Profile {
  if (!spec.endsWith('.json') && !spec.includes('/')) {
    const p = findProfile(spec);
    if (!p)
      throw new UserError(
        `unknown profile '${spec}' (hugetune sim list shows them: ${PROFILES.map((x) => x.id).join(', ')})`,
        'not-found',
      );
    return p;
  }
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new UserError(`--sim ${spec}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, 'not-found');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`--sim ${spec}: not JSON (${(e as Error).message})`, 'bad-request');
  }
  const p = parseProfile(json);
  if (!p.ok) throw new UserError(`--sim ${spec}: not a machine profile: ${p.error}`, 'bad-request');
  return p.value;
}

export function openSim(spec: string, edits: Edits = {}): HostFiles {
  const edited =
    Object.keys(edits).length > 0
      ? applyEdits(loadProfile(spec), edits)
      : { ok: true as const, value: loadProfile(spec) };
  if (!edited.ok) throw new UserError(`--set: ${edited.error}`, 'bad-request');
  const machine = new SimMachine(edited.value);
  machine.advance(SIM_START_SECONDS);
  return new SimFiles(machine);
}
