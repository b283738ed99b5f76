/**
 * /proc/cmdline: space-separated parameters, `key`, `key=value`, values may be double-quoted. A bare `--`
 * ends the kernel's parameters: the kernel hands every word after it to init as its arguments.
 */
import { malformed, parsed, type Parsed } from '../reading';

export interface CmdlineParam {
  readonly key: string;
  /** null for a bare flag such as `quiet`. */
  readonly value: string | null;
}

export interface CommandLine {
  /** The kernel's parameters: the words before a bare `--`. */
  readonly params: CmdlineParam[];
  /** The words after a bare `--`, which the kernel passes to init untouched; empty without `--`. */
  readonly initArgs: string[];
}

/** The whole line: kernel parameters, then init's arguments. */
export function parseCommandLine(text: string): Parsed<CommandLine> {
  const t = text.replace(/\n$/, '');
  if (t.includes('\n')) return malformed('expected one line');
  const params: CmdlineParam[] = [];
  const initArgs: string[] = [];
  let afterDashes = false;
  let i = 0;
  while (i < t.length) {
    while (i < t.length && (t[i] === ' ' || t[i] === '\t')) i++;
    if (i >= t.length) break;
    let word = '';
    let quoted = false;
    while (i < t.length && (quoted || (t[i] !== ' ' && t[i] !== '\t'))) {
      if (t[i] === '"') quoted = !quoted;
      else word += t[i];
      i++;
    }
    if (quoted) return malformed('unterminated quote');
    if (afterDashes) {
      initArgs.push(word);
    } else if (word === '--') {
      // As the kernel's parse_args: the first bare `--` (quoted or not) stops parameter parsing.
      afterDashes = true;
    } else {
      const eq = word.indexOf('=');
      params.push(eq === -1 ? { key: word, value: null } : { key: word.slice(0, eq), value: word.slice(eq + 1) });
    }
  }
  return parsed({ params, initArgs });
}

/** The kernel's parameters only: nothing after a bare `--`. */
export function parseCmdline(text: string): Parsed<CmdlineParam[]> {
  const p = parseCommandLine(text);
  return p.ok ? parsed(p.value.params) : p;
}

/**
 * The parameters before a bare `--` flag, for a list that may hold one (built by hand rather than by
 * parseCmdline, which already stops there).
 */
export function kernelParams(params: readonly CmdlineParam[]): readonly CmdlineParam[] {
  const end = params.findIndex((p) => p.key === '--' && p.value === null);
  return end === -1 ? params : params.slice(0, end);
}
/** The parameters as one object: a bare flag is `true`, a repeated key keeps every value in order. */
export function cmdlineObject(params: readonly CmdlineParam[]): Record<string, string | true | (string | true)[]> {
  const out: Record<string, string | true | (string | true)[]> = Object.create(null) as Record<string, never>;
  for (const { key, value } of params) {
    const v = value ?? true;
    const prev = out[key];
    if (prev === undefined) out[key] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[key] = [prev, v];
  }
  return out;
}
