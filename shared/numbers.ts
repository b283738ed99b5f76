/**
 * Numbers a person types (a flag, a `--set` value, a field in the Planner). Only plain decimal is accepted:
 * `0x10`, `1e3`, `-0`, ` 7`, `007` and `Infinity` all parse as numbers in JavaScript and none of them is what
 * someone means by a page count, so each gets a message saying what is expected, with the unit and range.
 */
import { numberText } from './number-text';

export interface NumberRule {
  min: number;
  max: number;
  /** Whole numbers only (counts, pages, CPUs). */
  integer?: boolean;
  /** What the number counts or measures, for the message: "pages", "GiB", "tokens". */
  unit?: string;
}

const WHOLE = /^(0|[1-9][0-9]*)$/;
const DECIMAL = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;

function range(r: NumberRule): string {
  const fmt = (n: number): string => numberText(n, { max: 6 });
  return `${fmt(r.min)} to ${fmt(r.max)}${r.unit ? ` ${r.unit}` : ''}`;
}

/** The number, or why the text is not one within the rule. Leading zeros, signs, exponents and hex are refused. */
export function parseStrictNumber(
  text: string,
  rule: NumberRule,
): { ok: true; value: number } | { ok: false; error: string } {
  const what = rule.integer ? 'a whole number' : 'a decimal number';
  if (!(rule.integer ? WHOLE : DECIMAL).test(text) || text.length > 40)
    return { ok: false, error: `expected ${what} from ${range(rule)}` };
  const value = Number(text);
  if (!Number.isFinite(value) || value < rule.min || value > rule.max || (rule.integer && !Number.isSafeInteger(value)))
    return { ok: false, error: `out of range: expected ${what} from ${range(rule)}` };
  return { ok: true, value };
}
