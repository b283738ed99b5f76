/**
 * The Simulator's fields, each checked on its own with the limits of a profile, so a bad value gets a message
 * beside its field in plain words and the last valid what-if stays on screen.
 */
import { numberText } from '../../../shared/number-text';
import { NODE_GIB, POOL_PAGES_MAX } from '../../../shared/sim/profile';
import { MAX_WHAT_IF_HOURS } from '../../../shared/sim/what-if';

/** A node's memory (`mem-0`, `mem-1`…) or one of the other fields. */
export type SimField = `mem-${number}` | 'release' | 'pool2m' | 'pool1g' | 'cmdline' | 'hours';

const n = (x: number): string => numberText(x, { max: 2 });

const RULES = {
  mem: `Memory: GiB from ${n(NODE_GIB.min)} to ${n(NODE_GIB.max)}`,
  pool2m: `2 MiB pages: a whole number from 0 to ${n(POOL_PAGES_MAX)}`,
  pool1g: `1 GiB pages: a whole number from 0 to ${n(POOL_PAGES_MAX)}`,
  hours: `Hours since boot: from 0 to ${n(MAX_WHAT_IF_HOURS)}`,
  release: 'Kernel release: a release such as 6.8.0-45-generic',
  cmdline: 'Boot command line: one line of visible text, every quote closed',
} as const;

/** A number field's value as Svelte binds it: a number, or null when the field is empty or not a number. */
type Bound = number | null | undefined | '';

function numberProblem(rule: string, v: Bound, ok: (x: number) => boolean): string | null {
  if (v === null || v === undefined || v === '') return `${rule} (it is empty, or not a number)`;
  return Number.isFinite(v) && ok(v) ? null : rule;
}

export const memProblem = (v: Bound): string | null =>
  numberProblem(RULES.mem, v, (x) => x >= NODE_GIB.min && x <= NODE_GIB.max);

export const pagesProblem = (field: 'pool2m' | 'pool1g', v: Bound): string | null =>
  numberProblem(RULES[field], v, (x) => Number.isInteger(x) && x >= 0 && x <= POOL_PAGES_MAX);

export const hoursProblem = (v: Bound): string | null =>
  numberProblem(RULES.hours, v, (x) => x >= 0 && x <= MAX_WHAT_IF_HOURS);

/**
 * The field a profile's own message is about (`release: …`, `cmdline: …`, `nodes[1].memGiB: …`), with the
 * field's rule in words; null when it names none of the Simulator's fields.
 */
export function fieldOfProfileError(error: string): { field: SimField; message: string } | null {
  const node = /^nodes\[(\d+)\]\.memGiB\b/.exec(error);
  if (node) return { field: `mem-${Number(node[1])}`, message: RULES.mem };
  if (/^release\b/.test(error)) return { field: 'release', message: RULES.release };
  if (/^cmdline\b/.test(error)) return { field: 'cmdline', message: RULES.cmdline };
  return null;
}
