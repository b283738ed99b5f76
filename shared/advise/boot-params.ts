/**
 * The kernel command line as words, and the one edit every boot loader shares: apply a BootChange so that
 * the result is idempotent (a second application changes nothing), never duplicates a parameter (one word
 * per key set), never contradicts one already there (`transparent_hugepage=madvise` replaces `=never`), and
 * keeps HugeTLB reservations meaning what they meant.
 *
 * HugeTLB words are not key=value settings but a little language the kernel reads left to right
 * (mm/hugetlb.c, Documentation/admin-guide/mm/hugetlbpage.rst):
 *   - `hugepagesz=S` starts a reservation of size S; the next `hugepages=N` is its count. Pairs repeat, one
 *     per size: `hugepagesz=1G hugepages=16 hugepagesz=2M hugepages=1024`.
 *   - `default_hugepagesz=D` sets the default size and, like hugepagesz, takes a following `hugepages=N`.
 *   - `hugepages=N` before any of them is the count of the default size (D, else the architecture's: 2 MiB on
 *     x86-64 and on arm64 with 4 KiB pages).
 *   - A size given twice, or a second count for one size, is ignored with a warning, and a count after an
 *     ignored size is ignored too.
 * So a count is never edited as a key: replacing the 1 GiB count must not touch the 2 MiB pair, removing a
 * `hugepagesz=` must remove its count (left alone, the count would silently move to the default size), and
 * changing the default size must not re-size a count that followed it. Every HugeTLB edit is checked at the
 * end by reading the result the way the kernel does; an edit whose result means anything other than what
 * was asked is refused rather than written.
 *
 * Pure: no file system, no shell. Loaders (bootloader.ts) turn files into words and words back into files.
 */
import type { BootChange } from './changes';
import { parseMemSizeKiB } from '../host/parse/memsize';

/** Refused edits: the message says what and why, in words a person can act on. */
export class BootEditError extends Error {
  override name = 'BootEditError';
}

export interface Word {
  /** The parameter as the kernel reads it: `hugepages=16`, `quiet`, `foo="a b"`. */
  readonly text: string;
  /**
   * How the word is spelled in its file where that differs (a `\"` inside a shell double-quoted string);
   * null for words hugetune writes, which are spelled as `text` (their characters need no quoting anywhere).
   */
  readonly raw: string | null;
  /** Which part of the configuration holds the word (GRUB: which variable); new words go to the target part. */
  readonly part: number;
}

/**
 * Keys as the kernel allows them, lower case (every HugeTLB and THP parameter is); a leading letter or digit
 * so a key can never be read as a command option (`--`).
 */
const KEY = /^[a-z0-9][a-z0-9_.-]*$/;
/**
 * Values hugetune writes: no whitespace, quotes, `=` or shell metacharacters, so a value is the same text in
 * a shell double-quoted string, a single-quoted one, a BLS entry, a JSON string and a grubby argument, and
 * nothing needs escaping anywhere. `,` and `:` stay allowed for per-node counts (`hugepages=0:8,1:8`).
 */
const VALUE = /^[A-Za-z0-9_.,:/+@%-]+$/;
/** A count: a number, or the per-node form node:count,... */
const COUNT = /^(\d{1,10}|\d{1,4}:\d{1,10}(,\d{1,4}:\d{1,10})*)$/;

const HUGEPAGESZ = 'hugepagesz';
const HUGEPAGES = 'hugepages';
const DEFAULT_SZ = 'default_hugepagesz';

/** Splits a kernel command line into words the way the kernel does: spaces separate, double quotes group. */
export function splitWords(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    let quoted = false;
    const start = i;
    while (i < line.length && (quoted || !/\s/.test(line[i]!))) {
      if (line[i] === '"') quoted = !quoted;
      i++;
    }
    if (quoted)
      throw new BootEditError(`unterminated double quote in ${JSON.stringify(line.slice(start, start + 60))}`);
    out.push(line.slice(start, i));
  }
  return out;
}

/**
 * A word's key for comparison: without a leading quote (the kernel accepts `"key=value with spaces"`), up to
 * the first `=`, with `-` read as `_` (the kernel's parameq() treats them as the same character in names).
 */
export function keyOf(text: string): string {
  const t = text.startsWith('"') ? text.slice(1) : text;
  const eq = t.indexOf('=');
  return (eq === -1 ? t.replace(/"$/, '') : t.slice(0, eq)).replace(/-/g, '_');
}

/** The value after the first `=`, quotes removed; null for a bare flag. */
export function valueOf(text: string): string | null {
  const t = text.startsWith('"') ? text.slice(1) : text;
  const eq = t.indexOf('=');
  if (eq === -1) return null;
  return t
    .slice(eq + 1)
    .replace(/^"/, '')
    .replace(/"$/, '');
}

const isEnd = (w: Word) => w.text === '--' || w.text === '"--"';

/** Index of a bare `--`: the kernel hands every word after it to init, so nothing is read or added there. */
export function endOfParams(words: readonly Word[]): number {
  const i = words.findIndex(isEnd);
  return i === -1 ? words.length : i;
}

/** 1048576 -> "1G", 2048 -> "2M", 64 -> "64K": how hugetune spells a size it writes. */
export function sizeText(kib: number): string {
  if (kib % 1048576 === 0) return `${kib / 1048576}G`;
  if (kib % 1024 === 0) return `${kib / 1024}M`;
  return `${kib}K`;
}

// ---------------------------------------------------------------------------------------------------------
// The change, checked

interface PairSet {
  sizeKiB: number;
  size: string;
  count: string;
}

interface Plan {
  generic: Map<string, { key: string; value: string | null }>;
  pairs: PairSet[];
  /** An unpaired `hugepages=N` in `set`: the count of the default size. */
  defaultCount: string | null;
  removeGeneric: { key: string; value: string | null }[];
  removeAllReservations: boolean;
  removeSizes: number[];
  /** remove `default_hugepagesz` (any value when null). */
  removeDefault: { value: string | null } | null;
}

function splitRemove(item: string): { key: string; value: string | null } {
  const eq = item.indexOf('=');
  return eq === -1 ? { key: item, value: null } : { key: item.slice(0, eq), value: item.slice(eq + 1) };
}

/**
 * Reads a BootChange into a plan, refusing anything unsafe or ambiguous:
 *   - keys must match [a-z0-9][a-z0-9_.-]*, values [A-Za-z0-9_.,:/+@%-]+ (see VALUE for why);
 *   - in `set`, `hugepagesz=S` must be followed by its `hugepages=N` (a size alone reserves nothing); a
 *     `hugepages=N` not after a `hugepagesz=` is the count of the default size;
 *   - in `remove`, an item is a key (every occurrence) or key=value (that value only); `hugepages` or
 *     `hugepagesz` remove every reservation, `hugepagesz=S` the reservation of size S; `hugepages=N` is refused
 *     because a count alone does not say which reservation it is.
 * Removals apply before settings, so remove + set of one key replaces it.
 */
function readChange(change: BootChange): Plan {
  const plan: Plan = {
    generic: new Map(),
    pairs: [],
    defaultCount: null,
    removeGeneric: [],
    removeAllReservations: false,
    removeSizes: [],
    removeDefault: null,
  };
  const set = change.set;
  for (let i = 0; i < set.length; i++) {
    const { key, value } = set[i]!;
    if (!KEY.test(key)) throw new BootEditError(`parameter name ${JSON.stringify(key)} is not a kernel parameter name`);
    if (value !== null && !VALUE.test(value)) {
      throw new BootEditError(
        `value ${JSON.stringify(value)} for ${key}: hugetune writes only values without spaces, quotes, = or shell characters`,
      );
    }
    const k = key.replace(/-/g, '_');
    if (k === HUGEPAGESZ) {
      const next = set[i + 1];
      const kib = value === null ? null : parseMemSizeKiB(value);
      if (kib === null || kib <= 0) throw new BootEditError(`hugepagesz=${value ?? ''}: not a page size`);
      if (!next || next.key.replace(/-/g, '_') !== HUGEPAGES) {
        throw new BootEditError(`hugepagesz=${value} must be followed by its hugepages= count`);
      }
      if (next.value === null || !COUNT.test(next.value)) {
        throw new BootEditError(`hugepages=${next.value ?? ''}: not a count or node:count list`);
      }
      if (plan.pairs.some((p) => p.sizeKiB === kib)) throw new BootEditError(`hugepagesz=${value} is set twice`);
      plan.pairs.push({ sizeKiB: kib, size: value!, count: next.value });
      i++;
    } else if (k === HUGEPAGES) {
      if (value === null || !COUNT.test(value)) throw new BootEditError(`hugepages=${value ?? ''}: not a count`);
      if (plan.defaultCount !== null) throw new BootEditError('two hugepages= counts for the default size');
      plan.defaultCount = value;
    } else {
      if (k === DEFAULT_SZ && (value === null || parseMemSizeKiB(value) === null)) {
        throw new BootEditError(`default_hugepagesz=${value ?? ''}: not a page size`);
      }
      if (plan.generic.has(k)) throw new BootEditError(`${key} is set twice`);
      plan.generic.set(k, { key, value });
    }
  }
  for (const item of change.remove) {
    const { key, value } = splitRemove(item);
    if (!KEY.test(key)) throw new BootEditError(`parameter name ${JSON.stringify(key)} is not a kernel parameter name`);
    if (value !== null && !VALUE.test(value))
      throw new BootEditError(`cannot match the value in ${JSON.stringify(item)}`);
    const k = key.replace(/-/g, '_');
    if (k === HUGEPAGES && value !== null) {
      throw new BootEditError(`remove ${item}: name the reservation by its size instead (hugepagesz=SIZE)`);
    }
    if (k === HUGEPAGES || (k === HUGEPAGESZ && value === null)) plan.removeAllReservations = true;
    else if (k === HUGEPAGESZ) {
      const kib = parseMemSizeKiB(value!);
      if (kib === null) throw new BootEditError(`remove ${item}: not a page size`);
      plan.removeSizes.push(kib);
    } else if (k === DEFAULT_SZ) {
      if (value !== null && parseMemSizeKiB(value) === null) throw new BootEditError(`remove ${item}: not a page size`);
      plan.removeDefault = { value };
    } else plan.removeGeneric.push({ key: k, value });
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------------------
// HugeTLB words as the kernel reads them

interface Reservation {
  /** Index of the `hugepagesz=`/`default_hugepagesz=` word; null for counts before any of them. */
  head: number | null;
  kind: 'sz' | 'def' | 'first';
  /** The head's size; null for 'first' (the default size, resolved at the end) or an unreadable size. */
  sizeKiB: number | null;
  /** Indices of the `hugepages=` words that follow this head (more than one is a mistake the kernel ignores). */
  counts: number[];
  /** The kernel ignores this head (a repeated size, a second default_hugepagesz, an unreadable size). */
  ignored: boolean;
}

interface Scan {
  reservations: Reservation[];
  /** Indices of every default_hugepagesz word; the kernel keeps the first. */
  defaults: number[];
  defaultKiB: number | null;
}

function scan(words: readonly Word[]): Scan {
  const end = endOfParams(words);
  const reservations: Reservation[] = [];
  const defaults: number[] = [];
  let defaultKiB: number | null = null;
  const sizes = new Set<number>();
  let current: Reservation | null = null;
  for (let i = 0; i < end; i++) {
    const k = keyOf(words[i]!.text);
    const v = valueOf(words[i]!.text);
    if (k === DEFAULT_SZ) {
      defaults.push(i);
      const kib = v === null ? null : parseMemSizeKiB(v);
      const ignored = kib === null || defaultKiB !== null;
      if (!ignored) {
        defaultKiB = kib;
        sizes.add(kib);
      }
      current = { head: i, kind: 'def', sizeKiB: kib, counts: [], ignored };
      reservations.push(current);
    } else if (k === HUGEPAGESZ) {
      const kib = v === null ? null : parseMemSizeKiB(v);
      // A size seen before is refused, except the default size named by default_hugepagesz= before any count.
      const again =
        kib !== null &&
        sizes.has(kib) &&
        !(kib === defaultKiB && !reservations.some((r) => r.sizeKiB === kib && r.counts.length > 0));
      current = { head: i, kind: 'sz', sizeKiB: kib, counts: [], ignored: kib === null || again };
      if (kib !== null) sizes.add(kib);
      reservations.push(current);
    } else if (k === HUGEPAGES) {
      if (!current) {
        current = { head: null, kind: 'first', sizeKiB: null, counts: [], ignored: false };
        reservations.push(current);
      }
      current.counts.push(i);
    }
  }
  return { reservations, defaults, defaultKiB };
}

/** The HugeTLB reservations the kernel would make: size (KiB, or 'arch' when unknown) -> count as written. */
export interface HugetlbReading {
  defaultKiB: number | null;
  counts: Map<number | 'arch', string>;
  /** What the kernel would ignore or warn about, in words (without positions, so two readings compare). */
  conflicts: string[];
}

/**
 * Reads the HugeTLB words as the kernel would. `archDefaultKiB` is the size a count before any size means when
 * no default_hugepagesz= is given; null when unknown (that count is then keyed 'arch').
 */
export function readHugetlb(words: readonly Word[], archDefaultKiB: number | null): HugetlbReading {
  const s = scan(words);
  const counts = new Map<number | 'arch', string>();
  const conflicts: string[] = [];
  const firstSize: number | 'arch' = s.defaultKiB ?? archDefaultKiB ?? 'arch';
  // Explicit counts win over a leading count for the same size (hugetlb_init: "First hugepages= ignored").
  const ordered = [
    ...s.reservations.filter((r) => r.kind !== 'first'),
    ...s.reservations.filter((r) => r.kind === 'first'),
  ];
  for (const r of ordered) {
    const head = r.head === null ? '(first)' : words[r.head]!.text;
    if (r.ignored) {
      conflicts.push(`${head} is ignored`);
      continue;
    }
    if (r.counts.length === 0) continue;
    if (r.counts.length > 1) conflicts.push(`${head} has ${r.counts.length} counts`);
    const value = valueOf(words[r.counts[0]!]!.text) ?? '';
    if (!COUNT.test(value)) conflicts.push(`hugepages=${value} is not a count`);
    const size = r.kind === 'first' ? firstSize : r.sizeKiB!;
    if (counts.has(size))
      conflicts.push(`two counts for ${typeof size === 'number' ? sizeText(size) : 'the default size'}`);
    else counts.set(size, value);
  }
  return { defaultKiB: s.defaultKiB, counts, conflicts };
}

// ---------------------------------------------------------------------------------------------------------
// The edit

const newWord = (text: string, part: number): Word => ({ text, raw: null, part });
const flag = (key: string, value: string | null) => (value === null ? key : `${key}=${value}`);

/** Deletes the words at the given indices. */
function without(words: readonly Word[], drop: Iterable<number>): Word[] {
  const d = new Set(drop);
  return words.filter((_, i) => !d.has(i));
}

/** Inserts before index i (part of the word it lands next to, or the target part at the end). */
function insertAt(words: readonly Word[], i: number, text: string, targetPart: number): Word[] {
  const part = words[i]?.part ?? words[i - 1]?.part ?? targetPart;
  return [...words.slice(0, i), newWord(text, i >= endOfParams(words) ? targetPart : part), ...words.slice(i)];
}

/** Appends before a bare `--` (or at the end), in the target part. */
function append(words: readonly Word[], text: string, targetPart: number): Word[] {
  const end = endOfParams(words);
  return [...words.slice(0, end), newWord(text, targetPart), ...words.slice(end)];
}

function replaceAt(words: readonly Word[], i: number, text: string): Word[] {
  const out = [...words];
  out[i] = newWord(text, words[i]!.part);
  return out;
}

const sameValue = (a: string | null, b: string | null) => a === b;

export interface EditOptions {
  /** The part new words go to (GRUB: GRUB_CMDLINE_LINUX_DEFAULT, see bootloader.ts). */
  targetPart: number;
  /** The architecture's default huge page size in KiB (2048 on x86-64), or null when unknown. */
  archDefaultKiB: number | null;
}

/**
 * Applies a change to a word list; returns the new list (the same words, untouched, where nothing changes).
 * Throws BootEditError when the change is unsafe or its result would mean something else.
 */
export function editWords(input: readonly Word[], change: BootChange, opt: EditOptions): Word[] {
  const plan = readChange(change);
  const arch = opt.archDefaultKiB;
  let words = [...input];
  const before = readHugetlb(words, arch);

  // The default size after the change, and every size the change sets a count for. A removal of something the
  // change then sets is skipped: the setting replaces it where it stands, so a second application finds it in
  // place instead of removing and appending it again (which would move it).
  const defaultSet = plan.generic.get(DEFAULT_SZ);
  const oldDefault = scan(words).defaultKiB;
  let newDefault = oldDefault;
  // Removing default_hugepagesz=SIZE when the default is another size removes nothing.
  const removeValue = plan.removeDefault?.value ?? null;
  const removeDefault =
    plan.removeDefault !== null && (removeValue === null || parseMemSizeKiB(removeValue) === oldDefault);
  if (removeDefault) newDefault = null;
  if (defaultSet) newDefault = parseMemSizeKiB(defaultSet.value!);
  const setSizes = new Set(plan.pairs.map((p) => p.sizeKiB));
  const defaultTarget = newDefault ?? arch;
  if (plan.defaultCount !== null && defaultTarget !== null) {
    if (setSizes.has(defaultTarget)) {
      throw new BootEditError(
        `hugepages=${plan.defaultCount} (the default size, ${sizeText(defaultTarget)}) and hugepagesz=${sizeText(defaultTarget)} name the same size`,
      );
    }
    setSizes.add(defaultTarget);
  }

  // 1. Plain removals.
  for (const r of plan.removeGeneric) {
    if (plan.generic.has(r.key)) continue;
    const end = endOfParams(words);
    words = without(
      words,
      words.flatMap((w, i) =>
        i < end && keyOf(w.text) === r.key && (r.value === null || valueOf(w.text) === r.value) ? [i] : [],
      ),
    );
  }

  // 2. Reservations removed: whole pairs, never a size without its count or a count without its size.
  if (plan.removeAllReservations || plan.removeSizes.length > 0) {
    const s = scan(words);
    const resolved = (r: Reservation) => (r.kind === 'first' ? (s.defaultKiB ?? arch) : r.sizeKiB);
    const drop: number[] = [];
    for (const r of s.reservations) {
      const size = resolved(r);
      if (size !== null && setSizes.has(size)) continue;
      // A leading count of an unknown default size, which the change sets again.
      if (r.kind === 'first' && size === null && plan.defaultCount !== null && defaultTarget === null) continue;
      if (!plan.removeAllReservations && (size === null || !plan.removeSizes.includes(size))) continue;
      drop.push(...r.counts);
      // default_hugepagesz= is a setting of its own: its count goes, the default size stays.
      if (r.head !== null && r.kind === 'sz') drop.push(r.head);
    }
    words = without(words, drop);
  }

  // 3. The default size. A count that followed default_hugepagesz=, or came before any size, means the default
  //    size: if that size changes, the count is first given its own size (hugepagesz=OLD before it) so it keeps
  //    meaning what it meant.
  if (removeDefault || defaultSet) {
    const s = scan(words);
    const oldSize = oldDefault ?? arch;
    if (newDefault !== oldDefault) {
      // Convert implicit counts, last first so indices stay valid.
      const implicit = s.reservations
        .filter((r) => (r.kind === 'first' || (r.kind === 'def' && !r.ignored)) && r.counts.length > 0)
        .reverse();
      for (const r of implicit) {
        const size = r.kind === 'def' ? r.sizeKiB : oldSize;
        if (size === null) {
          throw new BootEditError(
            `hugepages=${valueOf(words[r.counts[0]!]!.text) ?? ''} has no size of its own and this machine's default ` +
              'huge page size is unknown, so changing default_hugepagesz= would change what it reserves; ' +
              'write it as hugepagesz=SIZE hugepages=N first',
          );
        }
        words = insertAt(words, r.counts[0]!, `${HUGEPAGESZ}=${sizeText(size)}`, opt.targetPart);
      }
    }
    const defs = scan(words).defaults;
    if (!defaultSet) {
      const vk = removeValue === null ? null : parseMemSizeKiB(removeValue);
      words = without(
        words,
        defs.filter((i) => {
          const wv = valueOf(words[i]!.text);
          return vk === null || (wv !== null && parseMemSizeKiB(wv) === vk);
        }),
      );
    } else {
      const text = flag(defaultSet.key, defaultSet.value);
      const first = defs[0];
      const keep =
        first !== undefined && defs.length === 1 && parseMemSizeKiB(valueOf(words[first]!.text) ?? '') === newDefault;
      if (!keep) {
        words = without(words, defs.slice(1));
        words = first === undefined ? append(words, text, opt.targetPart) : replaceAt(words, first, text);
      }
    }
  }

  // 4. Counts, one reservation per size.
  const setCount = (sizeKiB: number | null, size: string | null, count: string) => {
    const s = scan(words);
    const countText = `${HUGEPAGES}=${count}`;
    const def = s.defaultKiB ?? arch;
    // Every expression of this size: hugepagesz=S (ignored ones too: they name this size and do nothing), a
    // count after default_hugepagesz=S, a leading count when S is the default size.
    const explicit = s.reservations.filter((r) => r.kind === 'sz' && r.sizeKiB !== null && r.sizeKiB === sizeKiB);
    const implicit = s.reservations.filter(
      (r) =>
        r.counts.length > 0 &&
        ((r.kind === 'def' && !r.ignored && r.sizeKiB === sizeKiB) || (r.kind === 'first' && def === sizeKiB)),
    );
    // The one to keep: one that already has a count (so a second application finds the same), else a size
    // waiting for its count.
    const valid = explicit.filter((r) => !r.ignored);
    const target = valid.find((r) => r.counts.length > 0) ?? implicit[0] ?? valid.find((r) => r.counts.length === 0);
    const drop: number[] = [];
    // Every other expression of this size goes: the kernel would ignore it, or worse, keep the old count.
    for (const r of [...explicit, ...implicit]) {
      if (r === target) {
        drop.push(...r.counts.slice(1));
        continue;
      }
      drop.push(...r.counts);
      if (r.kind === 'sz' && r.head !== null) drop.push(r.head);
    }
    if (target) {
      const c = target.counts[0];
      if (c === undefined) words = insertAt(words, target.head! + 1, countText, opt.targetPart);
      else if (!sameValue(valueOf(words[c]!.text), count)) words = replaceAt(words, c, countText);
      // Indices after an insertion at or before them shift by one.
      const shift = c === undefined ? target.head! + 1 : Infinity;
      words = without(
        words,
        drop.map((i) => (i >= shift ? i + 1 : i)),
      );
    } else if (sizeKiB === null) {
      // The default size, unknown here: a count before any size is the only way to say it.
      const firstHead = s.reservations.find((r) => r.head !== null)?.head ?? undefined;
      words =
        firstHead === undefined || firstHead === null
          ? append(words, countText, opt.targetPart)
          : insertAt(words, firstHead, countText, opt.targetPart);
    } else {
      words = append(words, `${HUGEPAGESZ}=${size ?? sizeText(sizeKiB)}`, opt.targetPart);
      words = append(words, countText, opt.targetPart);
    }
  };
  for (const p of plan.pairs) setCount(p.sizeKiB, p.size, p.count);
  if (plan.defaultCount !== null) setCount(newDefault ?? arch, null, plan.defaultCount);

  // 5. Plain settings: one word per key, replaced where it stands, else added at the end.
  for (const [k, { key, value }] of plan.generic) {
    if (k === DEFAULT_SZ) continue;
    const end = endOfParams(words);
    const at = words.flatMap((w, i) => (i < end && keyOf(w.text) === k ? [i] : []));
    const text = flag(key, value);
    if (at.length === 0) {
      words = append(words, text, opt.targetPart);
      continue;
    }
    const first = at[0]!;
    const w = words[first]!;
    const same = w.text.includes('=') === (value !== null) && sameValue(valueOf(w.text), value);
    words = without(words, at.slice(1));
    if (!same) words = replaceAt(words, first, text);
  }

  // 6. Check the result the way the kernel reads it.
  verify(before, words, plan, arch, newDefault);
  return words;
}

function verify(
  before: HugetlbReading,
  words: readonly Word[],
  plan: Plan,
  arch: number | null,
  newDefault: number | null,
): void {
  const after = readHugetlb(words, arch);
  const want = new Map(before.counts);
  if (plan.removeAllReservations) want.clear();
  for (const s of plan.removeSizes) want.delete(s);
  for (const p of plan.pairs) want.set(p.sizeKiB, p.count);
  if (plan.defaultCount !== null) want.set(newDefault ?? arch ?? 'arch', plan.defaultCount);
  const fresh = after.conflicts.filter((c) => !before.conflicts.includes(c));
  const same =
    after.defaultKiB === newDefault &&
    after.counts.size === want.size &&
    [...want].every(([k, v]) => after.counts.get(k) === v);
  if (!same || fresh.length > 0) {
    const show = (m: Map<number | 'arch', string>) =>
      [...m].map(([k, v]) => `${typeof k === 'number' ? sizeText(k) : 'default'}:${v}`).join(' ') || 'none';
    throw new BootEditError(
      `hugetune could not express this HugeTLB change safely on this command line (would reserve ${show(after.counts)}` +
        `${fresh.length > 0 ? `; ${fresh.join('; ')}` : ''}, wanted ${show(want)}); edit the reservations by hand`,
    );
  }
}

/** The words' texts, for comparing and showing. */
export const texts = (words: readonly Word[]): string[] => words.map((w) => w.text);

/** Kernel-level words of one line, as Word values of one part. */
export function wordsOf(line: string, part = 0): Word[] {
  return splitWords(line).map((text) => ({ text, raw: null, part }));
}
