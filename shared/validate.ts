/**
 * Runtime validation. Types vanish at every process boundary (IPC, HTTP, snapshot and profile files), so every
 * value that crosses one is checked against a Valibot schema that also yields its static type (v.InferOutput).
 * This module turns Valibot's first issue into one line a person can act on: where in the input, what was
 * expected there (read off the schema itself, so the limits stated are the limits checked), and what was found,
 * with anything the input supplied stripped of control characters.
 */
import * as v from 'valibot';
import { numberText } from './number-text';

export type Schema = v.GenericSchema;
export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Validates and returns a typed value, or one line naming the first problem. */
export function validate<S extends Schema>(schema: S, value: unknown): Checked<v.InferOutput<S>> {
  // The first problem is all a message names, and stopping there bounds the work on hostile input.
  const r = v.safeParse(schema, value, { abortEarly: true });
  return r.success ? { ok: true, value: r.output } : { ok: false, error: explain(schema, r.issues[0]) };
}

/** The schemas every format uses, with their limits always stated (so the messages and JSON Schema state them). */
export const integer = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
export const decimal = (min: number, max: number) => v.pipe(v.number(), v.minValue(min), v.maxValue(max));
export const text = (maxLength: number) => v.pipe(v.string(), v.maxLength(maxLength));
/** A string matching a pattern, described in words for messages (the pattern itself is in the JSON Schema). */
export const matching = (maxLength: number, pattern: RegExp, description: string) =>
  v.pipe(v.string(), v.maxLength(maxLength), v.regex(pattern), v.description(description));

/** C0 and C1 controls, and the invisible marks that reorder or hide text in a terminal or a page. */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text from the input made safe to show: control characters dropped, length capped. */
export function printable(text: string, max = 60): string {
  const clean = text.replace(UNPRINTABLE, '');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}

type Issue = v.BaseIssue<unknown>;
type PathItem = v.IssuePathItem;
type Node = Schema & {
  readonly pipe?: readonly { readonly kind: string; readonly type: string; [k: string]: unknown }[];
  readonly wrapped?: Node;
  readonly entries?: Record<string, Node>;
  readonly rest?: Node;
  readonly item?: Node;
  readonly key?: Node;
  readonly value?: Node;
  readonly options?: readonly unknown[];
  readonly literal?: unknown;
};

/** One line for one Valibot issue: "path: expected ..., got ...". */
export function explain(root: Schema, first: Issue): string {
  const { issue, path } = closest(first, first.path ?? []);
  const last = path.at(-1);
  const where = pathText(path) || 'value';
  const node = schemaAt(root, path);
  // A key an object does not have, or one it needs and the input lacks.
  const parent = last?.origin === 'key' ? objectOf(schemaAt(root, path.slice(0, -1)), last) : null;
  if (parent !== null && issue.expected === 'never') {
    const known = Object.keys(parent.entries ?? {});
    return `${where}: unknown key${known.length <= 8 ? ` (expected ${known.join(', ') || 'none'})` : ''}`;
  }
  const expected = node ? describe(node) : (issue.expected ?? 'something else');
  if (parent !== null) return `${where}: missing, expected ${expected}`;
  return `${where}: expected ${expected}, got ${received(issue.input)}`;
}

/**
 * A union's problem is the problem of the one option whose keys the input has, when there is exactly one
 * ({"snapshot": {"text": 5}} is about .snapshot.text, not "none of the forms"); else the union's.
 */
function closest(issue: Issue, path: readonly PathItem[]): { issue: Issue; path: readonly PathItem[] } {
  if ((issue.type === 'union' || issue.type === 'variant') && issue.issues) {
    const inside = issue.issues.filter((i) => i.path?.[0]?.origin === 'value');
    if (inside.length === 1) return closest(inside[0]!, [...path, ...(inside[0]!.path ?? [])]);
  }
  return { issue, path };
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function pathText(path: readonly PathItem[]): string {
  let out = '';
  for (const item of path) {
    const key = item.key;
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENT.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(printable(String(key)))}]`;
  }
  return out;
}

/**
 * A limit or a number given, as the rest of the product writes numbers: a whole number grouped ("16,777,216");
 * anything else exactly as JavaScript prints it (1e+30, 0.1), never rounded.
 */
function n(x: number): string {
  return Number.isSafeInteger(x) ? numberText(x) : String(x);
}

function received(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null || typeof input === 'boolean') return String(input);
  if (typeof input === 'number') return n(input);
  if (typeof input === 'string') {
    const shown = JSON.stringify(printable(input, 40));
    return input.length > 40 ? `${shown} (${n(input.length)} characters)` : shown;
  }
  if (Array.isArray(input)) return input.length === 0 ? 'an empty array' : `an array of ${n(input.length)} items`;
  return typeof input === 'object' ? 'an object' : typeof input;
}

const WRAPPERS = new Set(['optional', 'exact_optional', 'nullable', 'nullish', 'undefinedable', 'non_optional']);
const OBJECTS = new Set(['object', 'strict_object', 'loose_object', 'object_with_rest']);

function unwrap(s: Node): Node {
  let n = s;
  while (WRAPPERS.has(n.type) && n.wrapped) n = n.wrapped;
  return n;
}

function isObject(s: Node | null): boolean {
  return s !== null && OBJECTS.has(s.type);
}

/** The schema a path leads to, following the input's keys through objects, arrays, records and unions. */
function schemaAt(root: Node, path: readonly PathItem[]): Node | null {
  let node: Node | null = root;
  for (const item of path) {
    if (node === null) return null;
    node = step(unwrap(node), item);
  }
  return node;
}

/** The object schema that has (or lacks) the key a path item names. */
function objectOf(s: Node | null, item: PathItem): Node | null {
  if (s === null) return null;
  const n = unwrap(s);
  if (isObject(n)) return n;
  if (n.type !== 'union' && n.type !== 'variant') return null;
  const objects = ((n.options ?? []) as Node[]).map((o) => objectOf(o, item)).filter((o) => o !== null);
  return objects.find((o) => step(o, item) !== null) ?? objects[0] ?? null;
}

function step(s: Node, item: PathItem): Node | null {
  const key = item.key as string | number;
  if (isObject(s)) {
    if (s.entries && Object.prototype.hasOwnProperty.call(s.entries, key)) return s.entries[key as string] ?? null;
    return s.rest ?? null;
  }
  if (s.type === 'record') return (item.origin === 'key' ? s.key : s.value) ?? null;
  if (s.type === 'array') return s.item ?? null;
  if (s.type === 'union' || s.type === 'variant') {
    // The branch that knows this key: the one Valibot reports a nested problem from.
    for (const o of (s.options ?? []) as Node[]) {
      const found = step(unwrap(o), item);
      if (found) return found;
    }
  }
  return null;
}

function action(s: Node, type: string): Record<string, unknown> | undefined {
  return s.pipe?.find((a) => a.type === type);
}

function requirement(s: Node, type: string): number | undefined {
  const r = action(s, type)?.requirement;
  return typeof r === 'number' ? r : undefined;
}

/** What a schema accepts, in words: its description if it has one, else read off its type and limits. */
export function describe(schema: Schema): string {
  const s = schema as Node;
  const said = action(s, 'description')?.description ?? action(s, 'metadata')?.metadata;
  if (typeof said === 'string') return said;
  if (typeof said === 'object' && said !== null && 'description' in said && typeof said.description === 'string')
    return said.description;
  switch (s.type) {
    case 'string': {
      const max = requirement(s, 'max_length');
      const min = requirement(s, 'min_length');
      const re = action(s, 'regex')?.requirement;
      const size =
        max === undefined ? '' : min ? ` of ${n(min)} to ${n(max)} characters` : ` of at most ${n(max)} characters`;
      return `a string${size}${re instanceof RegExp ? ` matching ${String(re)}` : ''}`;
    }
    case 'number': {
      const kind = action(s, 'integer') ? 'an integer' : 'a number';
      const min = requirement(s, 'min_value');
      const max = requirement(s, 'max_value');
      if (min !== undefined && max !== undefined) return `${kind} from ${n(min)} to ${n(max)}`;
      if (min !== undefined) return `${kind} of at least ${n(min)}`;
      return max !== undefined ? `${kind} of at most ${n(max)}` : kind;
    }
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    case 'literal':
      return JSON.stringify(s.literal);
    case 'picklist':
      return oneOf((s.options ?? []).map((o) => JSON.stringify(o)));
    case 'nullable':
    case 'nullish':
      return `${describe(s.wrapped!)} or null`;
    case 'optional':
    case 'exact_optional':
    case 'undefinedable':
      return describe(s.wrapped!);
    case 'array': {
      const max = requirement(s, 'max_length');
      const min = requirement(s, 'min_length');
      if (max === undefined) return 'an array';
      return min ? `an array of ${n(min)} to ${n(max)} items` : `an array of at most ${n(max)} items`;
    }
    case 'record':
    case 'object_with_rest': {
      const max = requirement(s, 'max_entries');
      return max === undefined ? 'an object' : `an object of at most ${n(max)} entries`;
    }
    case 'union':
    case 'variant':
      return oneOf(
        (s.options ?? []).map((o) => describe(o as Schema)),
        'or',
      );
    default:
      if (OBJECTS.has(s.type)) {
        const keys = Object.keys(s.entries ?? {});
        return keys.length === 0
          ? 'an object with no keys'
          : keys.length <= 8
            ? `an object with keys ${keys.join(', ')}`
            : 'an object';
      }
      return s.expects ?? s.type;
  }
}

function oneOf(items: string[], word = 'one of'): string {
  if (word === 'or')
    return items.length <= 1 ? (items[0] ?? 'nothing') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
  return `${word} ${items.join(', ')}`;
}
