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
