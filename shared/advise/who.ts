/**
 * Who runs the model server and from where, as an advice request names them: the schemas every front end
 * checks against (the app checks each field on its own with these, before asking).
 */
import * as v from 'valibot';
import { matching } from '../validate';

export const WHO_SHAPE = {
  user: v.optional(matching(64, /^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$/, 'a user name')),
  unit: v.optional(matching(64, /^[A-Za-z0-9_.@-]{1,60}\.service$/, 'a unit like llama.service')),
  // Any path is quoted for the launch line; only control characters are refused, as a one-line command cannot
  // show them (and no path holds a NUL).
  modelPath: v.optional(
    matching(4096, /^[^\p{Cc}]+$/u, 'a model file path on one line (control characters cannot be shown in a command)'),
  ),
};
