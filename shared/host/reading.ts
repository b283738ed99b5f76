/**
 * A value read from one kernel file, or why there is none. "Not there", "not allowed" and "not understood"
 * stay distinct from each other and from 0 all the way to the user.
 */

export type Problem = 'missing' | 'denied' | 'malformed' | 'error';

export interface Diagnostic {
  readonly path: string;
  readonly problem: Problem;
  readonly detail: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export const parsed = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const malformed = (reason: string): Parsed<never> => ({ ok: false, reason });
