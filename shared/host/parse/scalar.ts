/** Parsers for the one-value files under /proc/sys and /sys. Pure: text in, typed value or reason out. */
import { KERNEL_RELEASE } from '../../kernel/version';
import { malformed, parsed, type Parsed } from '../reading';
import { numberText } from '../../number-text';

export interface MultiChoice {
  readonly selected: string;
  readonly options: readonly string[];
}

const TOKEN = /^[a-z0-9_+-]+$/;

/** A sysfs multi-choice file such as `always [madvise] never`: every option, the active one in brackets. */
export function parseMultiChoice(text: string): Parsed<MultiChoice> {
  const words = text.trim().split(/\s+/);
  let selected: string | null = null;
  const options: string[] = [];
  for (const w of words) {
    const bracketed = w.length > 2 && w.startsWith('[') && w.endsWith(']');
    const word = bracketed ? w.slice(1, -1) : w;
    if (!TOKEN.test(word)) return malformed(`unexpected word ${JSON.stringify(w.slice(0, 40))}`);
    if (bracketed) {
      if (selected !== null) return malformed('more than one option is selected');
      selected = word;
    }
    options.push(word);
  }
  if (selected === null) return malformed('no option is selected (none in [brackets])');
  return parsed({ selected, options });
}

/** A file holding one non-negative decimal integer (counters, sizes, knobs). */
export function parseUnsigned(text: string): Parsed<number> {
  const t = text.trim();
  if (!/^\d{1,16}$/.test(t))
    return malformed(`expected a non-negative integer, found ${JSON.stringify(t.slice(0, 40))}`);
  const n = Number(t);
  return Number.isSafeInteger(n) ? parsed(n) : malformed('integer too large');
}

/** A file holding one decimal integer that may be negative (a few sysctls are). */
export function parseSigned(text: string): Parsed<number> {
  const t = text.trim();
  if (!/^-?\d{1,16}$/.test(t)) return malformed(`expected an integer, found ${JSON.stringify(t.slice(0, 40))}`);
  return parsed(Number(t));
}

/** `true`/`false` as written by sysfs boolean attributes such as numa/demotion_enabled. */
export function parseTrueFalse(text: string): Parsed<boolean> {
  const t = text.trim();
  if (t === 'true' || t === '1') return parsed(true);
  if (t === 'false' || t === '0') return parsed(false);
  return malformed(`expected true or false, found ${JSON.stringify(t.slice(0, 40))}`);
}

/** One line of free text (osrelease, arch). */
export function parseLine(text: string): Parsed<string> {
  const t = text.trim();
  if (t === '' || t.includes('\n')) return malformed('expected one non-empty line');
  return parsed(t);
}

/**
 * A kernel release as uname(2) gives it: at most 64 characters (__NEW_UTS_LEN), in the shape of
 * KERNEL_RELEASE. Anything else (an escape sequence, a space, a line break) did not come from a kernel and is
 * refused with the text quoted safely.
 */
export function parseRelease(text: string): Parsed<string> {
  const t = text.trim();
  if (t.length <= 64 && KERNEL_RELEASE.test(t)) return parsed(t);
  return malformed(`not a kernel release: ${JSON.stringify(t.slice(0, 64))}`);
}

/** The size in a directory name such as `hugepages-2048kB`, in KiB. */
export function pageSizeFromDirName(name: string): number | null {
  const m = /^hugepages-(\d{1,12})kB$/.exec(name);
  return m ? Number(m[1]) : null;
}

/**
 * Why a HugeTLB page size is not one a kernel could have, or null. Every architecture's huge pages are powers
 * of two, from 64 KiB (arm64 contiguous PTEs; 8 KiB on sparc64) to 16 GiB (powerpc).
 */
export function hugePageSizeProblem(kib: number): string | null {
  const power = Number.isSafeInteger(kib) && kib > 0 && (kib & (kib - 1)) === 0 && kib <= 16 * 1048576;
  if (power && kib >= 8) return null;
  return `claims pages of ${numberText(kib)} KiB; huge pages are powers of two from 8 KiB to 16 GiB`;
}

const MAX_IDS = 65536;

/** A list of CPUs or nodes such as `0-3,8,10-11` (cpulist, node online). Empty text is an empty list. */
export function parseIdList(text: string): Parsed<number[]> {
  const t = text.trim();
  if (t === '') return parsed([]);
  const out: number[] = [];
  for (const part of t.split(',')) {
    const m = /^(\d{1,6})(?:-(\d{1,6}))?$/.exec(part);
    if (!m) return malformed(`unexpected range ${JSON.stringify(part.slice(0, 40))}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi - lo > 65536) return malformed(`bad range ${part}`);
    // The kernel allows at most a few thousand CPUs or nodes; a longer list is not a kernel file.
    if (out.length + hi - lo + 1 > MAX_IDS) return malformed(`more than ${MAX_IDS} ids`);
    for (let i = lo; i <= hi; i++) out.push(i);
  }
  if (new Set(out).size !== out.length) return malformed('an id is listed twice');
  return parsed(out);
}
