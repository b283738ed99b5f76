/**
 * Text from any input (a snapshot, a fake root, a profile, a GGUF header, a command-line argument) is not
 * trusted on its way to a terminal or a page: C0 and C1 control characters could retitle or rewrite the
 * user's terminal, and the bidirectional overrides make a line read differently from what it holds. This is
 * the one place that decides which characters those are.
 */

// C0 (except tab and newline, which `keepLines` keeps), DEL, C1, and the bidirectional marks and overrides.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** True when the text holds a character `printable` would replace. */
export function hasControl(text: string): boolean {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text);
}

/**
 * The text with every control character shown as `?`, so the reader sees that something was there and the
 * terminal never acts on it. `keepLines` keeps newlines and tabs (multi-line output); `max` caps the length of
 * a value quoted inside a one-line message.
 */
export function printable(text: string, opts: { keepLines?: boolean; max?: number } = {}): string {
  const clean = text.replace(opts.keepLines ? CONTROL_BUT_LINES : CONTROL, '?');
  return opts.max !== undefined && clean.length > opts.max ? `${clean.slice(0, opts.max)}…` : clean;
}

// What JSON.stringify leaves raw inside strings and a terminal may still act on or reorder: DEL, C1, the
// bidirectional marks and overrides, and the line and paragraph separators.
const RAW_IN_JSON = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text with every such character written as its `\uXXXX` escape: the same JSON value, and nothing in
 * the bytes a terminal would act on. (JSON.stringify already escapes C0 controls.)
 */
export function jsonSafe(json: string): string {
  return json.replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
