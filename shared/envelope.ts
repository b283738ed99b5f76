/**
 * What every API call answers, on every front end: a value or a coded error. Kept apart from the contract
 * (shared/api.ts) because the renderer and the preload need only this, not the argument schemas and their
 * validator, which would otherwise ride along in the first script the window loads.
 */
export type ErrorCode = 'bad-request' | 'unknown-method' | 'not-found' | 'forbidden' | 'failed' | 'internal';

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: { code: ErrorCode; message: string } };

/** Turns an envelope back into a value or a thrown Error carrying the code (used by both renderer bridges). */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function unwrap<T>(env: Envelope<T>): T {
  if (env.ok) return env.value;
  throw new ApiError(env.error.code, env.error.message);
}
