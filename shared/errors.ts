/**
 * An error the user can act on (bad input, a file they named that is not there). Front ends print its message
 * as is; anything else is a bug and is reported as such.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly code: 'bad-request' | 'not-found' | 'failed' = 'failed',
  ) {
    super(message);
    this.name = 'UserError';
  }
}
