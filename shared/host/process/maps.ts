/**
 * /proc/PID/maps: one line per VMA, `start-end perms offset dev inode [path]`, addresses in hex. Addresses are
 * kept as numbers: every VMA boundary is a multiple of 4 KiB, and a multiple of 2^12 below 2^64 has at most 53
 * significant bits, so a double holds it exactly even above 2^53 (the vsyscall page, 57-bit user space).
 */
import { malformed, parsed, type Parsed } from '../reading';

export interface Vma {
  readonly start: number;
  readonly end: number;
  /** `rwxp` / `rw-s`. */
  readonly perms: string;
  /** The path, `[heap]`, `[stack]`, `[anon:name]`..., or '' for an unnamed anonymous mapping. */
  readonly path: string;
  readonly inode: number;
}

// The fixed-width part of a line: range, permissions, offset, device and inode. Checked with one anchored
// regex; the path is whatever follows the inode and its padding (it may hold spaces).
const HEAD = /^([0-9a-f]{1,16})-([0-9a-f]{1,16}) ([r-][w-][x-][ps]) [0-9a-f]+ [0-9a-f]+:[0-9a-f]+ (\d+)/;

/** A hex address of up to 16 digits, exactly: the high and low halves are each exact and their sum is. */
export function hexAddress(hex: string): number {
  if (hex.length <= 12) return parseInt(hex, 16);
  return parseInt(hex.slice(0, -8), 16) * 4294967296 + parseInt(hex.slice(-8), 16);
}

/** One maps line, or null when it is not one. */
export function parseMapsLine(line: string): Vma | null {
  const m = HEAD.exec(line);
  if (!m) return null;
  const rest = line.slice(m[0].length);
  // After the inode: nothing, or spaces then the path (the kernel pads to a column).
  if (rest !== '' && rest[0] !== ' ') return null;
  const start = hexAddress(m[1]!);
  const end = hexAddress(m[2]!);
  if (end < start) return null;
  return { start, end, perms: m[3]!, inode: Number(m[4]), path: rest.trimStart() };
}

export function parseMaps(text: string): Parsed<Vma[]> {
  const out: Vma[] = [];
  let at = 0;
  while (at < text.length) {
    let nl = text.indexOf('\n', at);
    if (nl === -1) nl = text.length;
    const line = text.slice(at, nl);
    at = nl + 1;
    if (line === '') continue;
    const v = parseMapsLine(line);
    if (!v) return malformed(`unexpected line ${JSON.stringify(line.slice(0, 80))}`);
    out.push(v);
  }
  // An empty maps file is a process with no address space (a kernel thread): valid, and empty.
  return parsed(out);
}

/** An anonymous mapping: no file behind it (unnamed, or named with PR_SET_VMA_ANON_NAME), and private. */
export function isAnonymous(v: Vma): boolean {
  return v.inode === 0 && v.perms.endsWith('p') && (v.path === '' || v.path.startsWith('[anon:'));
}

export const addressHex = (a: number): string => {
  // toString(16) is exact for these integers, but pad to the kernel's own width.
  return a.toString(16).padStart(12, '0');
};
