/**
 * A cheap pass over JSON text before JSON.parse builds anything: how deep it nests, how many entries one
 * object or array has, and how many values there are in all. JSON.parse of a file within its size cap can
 * still make tens of millions of objects, or a structure deep enough to exhaust a recursive walk later; this
 * refuses such text after one linear scan that allocates nothing but a small counter per level.
 *
 * The function is self-contained (no imports, no module constants) because the parser worker runs its
 * source text as is; its messages therefore format numbers with Intl rather than shared/number-text.ts.
 */

export interface JsonLimits {
  /** Deepest nesting of objects and arrays (the top-level value is depth 1). */
  maxDepth: number;
  /** Most entries (keys, or elements) in any one object or array. */
  maxEntries: number;
  /** Most values in the whole text (every object, array, string, number, literal, key excluded). */
  maxValues: number;
  /** Longest string, in characters once its escapes are decoded; no limit when absent. */
  maxString?: number;
}

/** Null when the text is within the limits, else why not. Malformed JSON is left for JSON.parse to report. */
export function scanJson(text: string, limits: JsonLimits): string | null {
  const counts = new Int32Array(limits.maxDepth + 2);
  let depth = 0;
  let values = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: skip to its closing quote, counting its characters as decoded (\uXXXX is one). A key is a
      // string too; it is followed by ':' and not counted as a value.
      i++;
      let chars = 0;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92) i += text.charCodeAt(i + 1) === 117 ? 6 : 2;
        else if (d === 34) break;
        else i++;
        chars++;
      }
      if (limits.maxString !== undefined && chars > limits.maxString)
        return `a string of more than ${limits.maxString.toLocaleString('en-US')} characters`;
      let j = i + 1;
      while (
        j < n &&
        (text.charCodeAt(j) === 32 ||
          text.charCodeAt(j) === 10 ||
          text.charCodeAt(j) === 13 ||
          text.charCodeAt(j) === 9)
      )
        j++;
      if (text.charCodeAt(j) !== 58) values++;
    } else if (c === 123 || c === 91) {
      values++;
      depth++;
      if (depth > limits.maxDepth) return `nested deeper than ${limits.maxDepth} levels`;
      counts[depth] = 0;
      // An empty container has no entries; the first entry is counted when its first character appears.
      let j = i + 1;
      while (
        j < n &&
        (text.charCodeAt(j) === 32 ||
          text.charCodeAt(j) === 10 ||
          text.charCodeAt(j) === 13 ||
          text.charCodeAt(j) === 9)
      )
        j++;
      if (text.charCodeAt(j) !== 125 && text.charCodeAt(j) !== 93) counts[depth] = 1;
    } else if (c === 125 || c === 93) {
      if (depth > 0) depth--;
    } else if (c === 44) {
      if (depth === 0) continue;
      const k = (counts[depth] ?? 0) + 1;
      counts[depth] = k;
      if (k > limits.maxEntries)
        return `more than ${limits.maxEntries.toLocaleString('en-US')} entries in one object or array`;
    } else if ((c >= 48 && c <= 57) || c === 45 || c === 116 || c === 102 || c === 110) {
      // A number or a literal: count it once and skip over the rest of it.
      values++;
      while (i + 1 < n) {
        const d = text.charCodeAt(i + 1);
        if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9 || d === 58) break;
        i++;
      }
    }
    if (values > limits.maxValues) return `more than ${limits.maxValues.toLocaleString('en-US')} values`;
  }
  return null;
}

/**
 * Why JSON.parse refused the text, in words that quote none of it: a parser's own message ("Unexpected token
 * 'r', "root:x:0:0"... is not valid JSON") echoes the file, which for a file handed in by mistake may be
 * anything from a password file to compressed bytes. Called after JSON.parse has failed: binary data is named
 * as such, else one pass over the text finds where it stops being JSON and says so by line and column.
 *
 * Self-contained like scanJson (the parser worker runs its source text as is).
 */
export function jsonParseProblem(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text.slice(0, 4096)))
    return 'not JSON: it holds binary data (a compressed file? unpack it first)';
  const n = text.length;
  let i = 0;
  /** Where the fault is (an index into text; n when the text ends early) and what it is. */
  let fault = -1;
  let what = 'unexpected character';
  const isWs = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
  const isDigit = (c: number): boolean => c >= 48 && c <= 57;
  const skipWs = (): void => {
    while (i < n && isWs(text.charCodeAt(i))) i++;
  };
  const fail = (at: number, why = 'unexpected character'): false => {
    fault = at;
    what = why;
    return false;
  };
  const string = (): boolean => {
    i++; // the opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return true;
      }
      if (c < 32) return fail(i, 'a control character inside a string');
      if (c === 92) {
        if (i + 1 >= n) return fail(n);
        const e = text.charCodeAt(i + 1);
        if (e === 117) {
          for (let k = 2; k < 6; k++) {
            if (i + k >= n) return fail(n);
            if (!/[0-9a-fA-F]/.test(text.charAt(i + k))) return fail(i, 'an invalid escape in a string');
          }
          i += 6;
        } else if ('"\\/bfnrt'.includes(text.charAt(i + 1))) i += 2;
        else return fail(i, 'an invalid escape in a string');
      } else i++;
    }
    return fail(n);
  };
  const digits = (): boolean => {
    if (i >= n) return fail(n);
    if (!isDigit(text.charCodeAt(i))) return fail(i);
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    return true;
  };
  const number = (): boolean => {
    if (text.charCodeAt(i) === 45) i++;
    if (i >= n) return fail(n);
    if (text.charCodeAt(i) === 48) i++;
    else if (!digits()) return false;
    if (i < n && text.charCodeAt(i) === 46) {
      i++;
      if (!digits()) return false;
    }
    if (i < n && (text.charCodeAt(i) === 101 || text.charCodeAt(i) === 69)) {
      i++;
      if (i < n && (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45)) i++;
      if (!digits()) return false;
    }
    return true;
  };
  const literal = (word: string): boolean => {
    for (let k = 0; k < word.length; k++, i++) {
      if (i >= n) return fail(n);
      if (text.charAt(i) !== word.charAt(k)) return fail(i);
    }
    return true;
  };
  // An iterative walk (a hostile file may nest deeper than any call stack): what may come next, and the
  // containers open around it.
  const open: number[] = [];
  let state: 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'done' = 'value';
  const after = (): 'done' | 'comma-or-close' => (open.length === 0 ? 'done' : 'comma-or-close');
  skipWs();
  if (i >= n) return 'not JSON: it is empty';
  for (;;) {
    skipWs();
    if (i >= n) {
      if (state !== 'done') fail(n);
      break;
    }
    const c = text.charCodeAt(i);
    if (state === 'done') {
      fail(i, 'more text after the end of the JSON value');
      break;
    }
    if (state === 'value' || state === 'value-or-close') {
      if (state === 'value-or-close' && c === 93) {
        open.pop();
        i++;
        state = after();
      } else if (c === 123 || c === 91) {
        open.push(c);
        i++;
        state = c === 123 ? 'key-or-close' : 'value-or-close';
      } else if (c === 34) {
        if (!string()) break;
        state = after();
      } else if (c === 45 || isDigit(c)) {
        if (!number()) break;
        state = after();
      } else if (c === 116 || c === 102 || c === 110) {
        if (!literal(c === 116 ? 'true' : c === 102 ? 'false' : 'null')) break;
        state = after();
      } else {
        fail(i);
        break;
      }
    } else if (state === 'key' || state === 'key-or-close') {
      if (state === 'key-or-close' && c === 125) {
        open.pop();
        i++;
        state = after();
      } else if (c === 34) {
        if (!string()) break;
        state = 'colon';
      } else {
        fail(i, 'unexpected character where a quoted key should be');
        break;
      }
    } else if (state === 'colon') {
      if (c !== 58) {
        fail(i, "unexpected character where ':' should be");
        break;
      }
      i++;
      state = 'value';
    } else {
      const top = open[open.length - 1];
      if (c === 44) {
        i++;
        state = top === 123 ? 'key' : 'value';
      } else if (c === (top === 123 ? 125 : 93)) {
        open.pop();
        i++;
        state = after();
      } else {
        fail(i, `unexpected character where ',' or '${top === 123 ? '}' : ']'}' should be`);
        break;
      }
    }
  }
  if (fault < 0) return 'not JSON';
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < fault; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      lineStart = k + 1;
    }
  }
  const where = `line ${line.toLocaleString('en-US')}, column ${(fault - lineStart + 1).toLocaleString('en-US')}`;
  return `not JSON: ${fault >= n ? 'it ends early' : what} (${where})`;
}
