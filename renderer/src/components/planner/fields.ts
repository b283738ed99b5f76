/**
 * The Planner's fields, each checked on its own with the request schema's own limits, so a bad value gets a
 * message beside its field and the rest of the plan stays on screen.
 */
import { kernelProblem } from '../../../../shared/plan/machine';
import { LIMITS, PLAN_REQUEST_SHAPE } from '../../../../shared/plan/request';
import { validate } from '../../../../shared/validate';
import { numberText } from '../../../../shared/number-text';

export const FIELDS = ['ctx', 'footprintMiB', 'memGiB', 'nodes', 'kernel', 'gguf'] as const;
export type Field = (typeof FIELDS)[number];

const n = (x: number): string => numberText(x);

/** What each field must be, in words: the message shown when it is not. */
export const FIELD_RULE: Record<Field, string> = {
  ctx: `Context: a whole number of tokens from ${n(LIMITS.ctx.min)} to ${n(LIMITS.ctx.max)}`,
  footprintMiB: `Footprint: MiB from 1 to ${n(LIMITS.mib.max)}`,
  memGiB: `Memory: GiB from ${n(LIMITS.memGiB.min)} to ${n(LIMITS.memGiB.max)}`,
  nodes: `NUMA nodes: a whole number from ${LIMITS.nodes.min} to ${LIMITS.nodes.max}`,
  kernel: 'Kernel: a release like 6.12 or 6.8.0-45-generic',
  gguf: 'GGUF: a path of at most 4,096 characters',
};

/** The fields typed as text; the others are number fields. */
const TEXT_FIELDS: ReadonlySet<Field> = new Set(['kernel', 'gguf']);

/**
 * Why a field's value is not one a plan takes, or null when it is. An empty number field is `null`, and so is one holding what is not a number (the browser gives no value). A kernel
 * release is also held to the planner's own rule, so a release it refuses is marked here, not by the server.
 */
export function fieldProblem(field: Field, value: unknown): string | null {
  if (value === null || value === undefined || value === '')
    return `${FIELD_RULE[field]} (${TEXT_FIELDS.has(field) ? 'it is empty' : 'it is empty, or not a number'})`;
  if (!validate(PLAN_REQUEST_SHAPE[field], value).ok) return FIELD_RULE[field];
  if (field === 'kernel' && typeof value === 'string') {
    const problem = kernelProblem(value);
    if (problem) return `Kernel: ${problem}`;
  }
  return null;
}

/** The CLI flag each field stands for, as the planner names it in its messages ("--kernel 2.6: ..."). */
const FIELD_FLAG: Partial<Record<Field, string>> = {
  ctx: '--ctx',
  footprintMiB: '--footprint-mib',
  memGiB: '--mem-gib',
  nodes: '--nodes',
  kernel: '--kernel',
};
const FLAG_MESSAGE = /^(--[\w-]+) [^:]*: (.+)$/s;

/**
 * The field a server message is about, when it names one the way the schema does (`ctx: expected ...`) or by
 * its flag (`--kernel 2.6: ...`), or the GGUF path when it is about the file.
 */
export function fieldOfError(message: string, source: 'catalog' | 'gguf' | 'footprint'): Field | null {
  const m = /^(\w+): /.exec(message);
  if (m && (FIELDS as readonly string[]).includes(m[1]!)) return m[1] as Field;
  const flag = FLAG_MESSAGE.exec(message)?.[1];
  const byFlag = flag ? FIELDS.find((f) => FIELD_FLAG[f] === flag) : undefined;
  if (byFlag) return byFlag;
  if (source === 'gguf' && /gguf|GGUF|no such file|--models-dir|not a file/.test(message)) return 'gguf';
  return null;
}

/** A server message about a field, in the field's words rather than the CLI's: "--kernel 2.6: x" is "Kernel: x". */
export function fieldMessage(field: Field, message: string): string {
  const m = FLAG_MESSAGE.exec(message);
  return m && FIELD_FLAG[field] === m[1] ? `${FIELD_RULE[field].split(':')[0]}: ${m[2]}` : message;
}
