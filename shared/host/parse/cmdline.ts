/** /proc/cmdline: space-separated parameters, `key`, `key=value`, values may be double-quoted. */
import { malformed, parsed, type Parsed } from '../reading';

export interface CmdlineParam {
  readonly key: string;
  /** null for a bare flag such as `quiet`. */
  readonly value: string | null;
}

export function parseCmdline(text: string): Parsed<CmdlineParam[]> {
  const t = text.replace(/\n$/, '');
  if (t.includes('\n')) return malformed('expected one line');
  const out: CmdlineParam[] = [];
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
    const eq = word.indexOf('=');
    out.push(eq === -1 ? { key: word, value: null } : { key: word.slice(0, eq), value: word.slice(eq + 1) });
  }
  return parsed(out);
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
