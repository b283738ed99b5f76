/**
 * The Advisor's own fields (who runs the server, and where its model is), each checked on its own with the
 * request schema's rules, so a bad value gets a message beside its field and the last advice stays on screen.
 */
import { WHO_SHAPE } from '../../../../shared/advise/who';
import { validate } from '../../../../shared/validate';

export const ADVISOR_FIELDS = ['user', 'unit', 'modelPath'] as const;
export type AdvisorField = (typeof ADVISOR_FIELDS)[number];

/** What each field must be, in words: the message shown when it is not. */
export const ADVISOR_RULE: Record<AdvisorField, string> = {
  user: 'User: one user name, such as llm: letters, digits, _ . @ and -, no spaces, at most 64 characters',
  unit: 'Systemd unit: one service name ending in .service, such as llama.service: no spaces or other punctuation',
  modelPath:
    'Path: one line of at most 4,096 characters (any other character is fine: it is quoted in the launch line)',
};

/** Why a field's value cannot be sent, or null when it can (an empty field is left out of the request). */
export function advisorFieldProblem(field: AdvisorField, value: string): string | null {
  if (value === '') return null;
  return validate(WHO_SHAPE[field], value).ok ? null : ADVISOR_RULE[field];
}

/**
 * The field a server message is about, when it names one the way the schema does (`user: expected ...`), after
 * the method the message may start with (`advise.run: `).
 */
export function advisorFieldOfError(message: string): AdvisorField | null {
  const m = /^(?:[\w.]+\.\w+: )?(\w+): /.exec(message);
  return m && (ADVISOR_FIELDS as readonly string[]).includes(m[1]!) ? (m[1] as AdvisorField) : null;
}
