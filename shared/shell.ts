/**
 * Text the app shows or writes as POSIX sh: one place that turns a value (a path, a unit name, anything a
 * person typed) into one shell word, so a command built from it runs as shown.
 */

/**
 * A string as one POSIX sh word. Inside single quotes every byte is literal except the quote itself, which is
 * closed, written escaped and reopened ('\''); nothing else (no $, `, \ or newline) needs care. A NUL byte
 * cannot be part of a shell word at all, so it is refused rather than silently cut.
 */
export function shQuote(s: string): string {
  if (s.includes('\0')) throw new Error('a shell word cannot hold a NUL byte');
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Characters no POSIX shell reads specially anywhere in a word (not even first, as ~ or # would be). */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** As shQuote, but a word that needs no quotes is left as it is, so common commands read as people write them. */
export function shWord(s: string): string {
  return PLAIN.test(s) ? s : shQuote(s);
}
