/**
 * The boot command line for the boot loader actually in use: which loader passes the kernel its parameters
 * (read from files, as everything else is), what it will pass on the next boot, and the exact edit that
 * carries out a BootChange there.
 *
 *   detectBootLoader(files)      -> BootLoaderInfo   loader, evidence, current parameters, diagnostics
 *   planBootEdit(info, change)   -> BootEdit         file before/after, diff, commands, rollback, recovery note
 *
 * Loaders, and where their parameters live:
 *   grub          /etc/default/grub (+ /etc/default/grub.d/*.cfg on Debian/Ubuntu), then update-grub or
 *                 grub(2)-mkconfig writes them into grub.cfg.
 *   grub-bls      Fedora/RHEL: GRUB_ENABLE_BLSCFG=true; each kernel's parameters are the `options` line of its
 *                 /boot/loader/entries/*.conf, changed for all kernels with grubby.
 *   systemd-boot  /etc/kernel/cmdline, which kernel-install (or mkinitcpio, proxmox-boot-tool) copies into the
 *                 entries; without it, the entries' own `options` lines.
 *   kernelstub    Pop!_OS: /etc/kernelstub/configuration, changed with kernelstub itself.
 *   unknown       anything else: the parameters go in by hand, and hugetune says which.
 * The current parameters come from the loader's configuration, not /proc/cmdline: the two differ between an
 * edit and the reboot that applies it, and the edit must be computed against what the next boot will use.
 *
 * Pure (no node:*): everything comes through HostFiles, so the live machine, a fake root, a snapshot and the
 * simulator all work the same. What is read is listed in shared/host/capture-spec.ts too, so snapshots carry it.
 */
import type { BootChange } from './changes';
import type { Evidence } from './findings';
import {
  BootEditError,
  editWords,
  endOfParams,
  keyOf,
  readHugetlb,
  splitWords,
  texts,
  wordsOf,
  type Word,
} from './boot-params';
import type { HostFiles } from '../host/files';
import { osFamilies, parseOsRelease, type OsRelease } from '../host/parse/os-release';
import { jsonParseProblem } from '../json-scan';

export { BootEditError } from './boot-params';

export type BootLoaderKind = 'grub' | 'grub-bls' | 'systemd-boot' | 'kernelstub' | 'unknown';

/** Every file and directory detection reads (capture-spec.ts lists the same, so snapshots hold them). */
export const BOOT_PATHS = {
  osRelease: '/etc/os-release',
  osReleaseFallback: '/usr/lib/os-release',
  grub: '/etc/default/grub',
  grubDropIns: '/etc/default/grub.d',
  blsEntries: '/boot/loader/entries',
  kernelCmdline: '/etc/kernel/cmdline',
  proxmoxBootUuids: '/etc/kernel/proxmox-boot-uuids',
  kernelstub: '/etc/kernelstub/configuration',
  arch: '/proc/sys/kernel/arch',
  pmdSize: '/sys/kernel/mm/transparent_hugepage/hpage_pmd_size',
  procCmdline: '/proc/cmdline',
} as const;

export interface BootLoaderInfo {
  readonly loader: BootLoaderKind;
  /** One line for people, e.g. "GRUB (Debian/Ubuntu): /etc/default/grub, then update-grub". */
  readonly label: string;
  readonly os: OsRelease | null;
  /** The files that decided it, with what was seen in each. */
  readonly evidence: readonly Evidence[];
  /**
   * The parameters the loader will pass on the next boot, from its configuration (GRUB: the normal entry's
   * GRUB_CMDLINE_LINUX then GRUB_CMDLINE_LINUX_DEFAULT, without the root= and BOOT_IMAGE= grub-mkconfig adds);
   * null when they could not be read.
   */
  readonly current: { readonly params: readonly string[]; readonly source: string } | null;
  /** Reads that failed or things that need a person's eye (a denied file is said here, never thrown). */
  readonly diagnostics: readonly string[];
  /** The size a `hugepages=N` without a size means here when no default_hugepagesz= is given (KiB); null if unknown. */
  readonly archDefaultKiB: number | null;
  /** Commands that write the configuration into what the firmware boots, run as root after a file edit. */
  readonly regenerate: readonly string[];
  /** The text of every configuration file read, by path: planBootEdit works from these alone. */
  readonly texts: Readonly<Record<string, string>>;
  /** The BLS or systemd-boot entry the current parameters were read from (the newest kernel's), if any. */
  readonly entry: string | null;
}

export interface BootEdit {
  readonly loader: BootLoaderKind;
  /**
   * How the change is carried out:
   *   'file'      write `after` to `file`, then run `commands`;
   *   'commands'  run `commands` (grubby, kernelstub); `file`/`before`/`after` preview one entry;
   *   'manual'    hugetune cannot do it safely; `refused` says why and `note` what to do by hand.
   */
  readonly apply: 'file' | 'commands' | 'manual';
  /** False when the loader already passes exactly these parameters: nothing to write or run. */
  readonly changed: boolean;
  readonly file: string | null;
  readonly before: string | null;
  readonly after: string | null;
  /** Unified-style diff of `file` (`---`/`+++` header, `@@` hunks, `-`/`+` lines); empty when nothing changes. */
  readonly diff: readonly string[];
  /** Run as root, in order, after writing `after` (apply 'file') or instead of it (apply 'commands'). */
  readonly commands: readonly string[];
  /** Undo: for 'file', write `before` back to `file` and then run these; for 'commands', run these. */
  readonly rollbackCommands: readonly string[];
  /** The parameters the loader will pass after the edit (null when unknown). */
  readonly params: readonly string[] | null;
  /** What to know: why this place, what regenerates it, how to get back in if the next boot goes wrong. */
  readonly note: string;
  /** Why hugetune will not make this edit itself; null when it can. */
  readonly refused: string | null;
}

// ---------------------------------------------------------------------------------------------------------
// Small readers

type Read =
  { kind: 'text'; text: string } | { kind: 'missing' } | { kind: 'denied' } | { kind: 'error'; message: string };

function read(files: HostFiles, path: string): Read {
  return files.read(path);
}

function why(r: Read): string {
  return r.kind === 'denied' ? 'permission denied' : r.kind === 'error' ? r.message : r.kind;
}

/** Quotes one word for a POSIX shell. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_.,:/+@%=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Compares two version strings as rpm and sort -V roughly do: digit runs as numbers, the rest as text. */
function compareVersions(a: string, b: string): number {
  const pa = a.match(/\d+|[^\d]+/g) ?? [];
  const pb = b.match(/\d+|[^\d]+/g) ?? [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** A minimal line diff with no context lines: enough to show a one-line edit exactly. */
export function lineDiff(path: string, before: string, after: string): string[] {
  if (before === after) return [];
  const a = before.split('\n');
  const b = after.split('\n');
  // Longest common subsequence table; configuration files are small.
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out = [`--- ${path}`, `+++ ${path}`];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    const si = i;
    const sj = j;
    const del: string[] = [];
    const add: string[] = [];
    while ((i < n || j < m) && !(i < n && j < m && a[i] === b[j])) {
      if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) del.push(a[i++]!);
      else add.push(b[j++]!);
    }
    const range = (start: number, len: number) =>
      len === 1 ? `${start + 1}` : `${len === 0 ? start : start + 1},${len}`;
    out.push(
      `@@ -${range(si, del.length)} +${range(sj, add.length)} @@`,
      ...del.map((l) => `-${l}`),
      ...add.map((l) => `+${l}`),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// GRUB: shell variables in /etc/default/grub and /etc/default/grub.d/*.cfg

const LINUX = 'GRUB_CMDLINE_LINUX';
const LINUX_DEFAULT = 'GRUB_CMDLINE_LINUX_DEFAULT';

interface GrubAssignment {
  file: string;
  /** Line index in the file. */
  line: number;
  name: typeof LINUX | typeof LINUX_DEFAULT;
  /** Text before the value (`GRUB_CMDLINE_LINUX=`, maybe with `export `). */
  prefix: string;
  quote: '"' | "'" | '';
  words: { text: string; raw: string }[];
  /** Text after the value: spaces and a comment. */
  suffix: string;
  /** Why this assignment cannot be edited safely; null when it can. */
  error: string | null;
}

/**
 * Reads the value of one shell assignment: a double-quoted string (with \" \\ \$ \` escapes), a single-quoted
 * one, or a bare word, followed by nothing but spaces and a comment. Anything that would make the shell compute
 * the value ($VAR, `cmd`, $(cmd)), continue it on the next line, or mix quoting styles is refused: hugetune would
 * have to guess what grub-mkconfig sees.
 */
function parseShellValue(
  s: string,
):
  | { ok: true; quote: '"' | "'" | ''; chars: { c: string; raw: string }[]; suffix: string }
  | { ok: false; reason: string } {
  const chars: { c: string; raw: string }[] = [];
  let i = 0;
  let quote: '"' | "'" | '' = '';
  if (s.startsWith('"')) {
    quote = '"';
    i = 1;
    for (;;) {
      const c = s[i];
      if (c === undefined) return { ok: false, reason: 'the quoted value continues on the next line' };
      if (c === '"') break;
      if (c === '\\') {
        const n = s[i + 1];
        if (n === undefined)
          return { ok: false, reason: 'the value continues on the next line (a trailing backslash)' };
        if ('$`"\\'.includes(n)) {
          chars.push({ c: n, raw: `\\${n}` });
          i += 2;
        } else {
          chars.push({ c: '\\', raw: '\\' });
          i++;
        }
        continue;
      }
      if (c === '$' || c === '`') {
        return {
          ok: false,
          reason: `the value uses ${c === '$' ? '$ (a variable or command)' : 'a `command`'}, which only the shell can work out`,
        };
      }
      chars.push({ c, raw: c });
      i++;
    }
    i++;
  } else if (s.startsWith("'")) {
    quote = "'";
    const close = s.indexOf("'", 1);
    if (close === -1) return { ok: false, reason: 'the quoted value continues on the next line' };
    for (const c of s.slice(1, close)) chars.push({ c, raw: c });
    i = close + 1;
  } else {
    while (i < s.length && !/\s/.test(s[i]!)) {
      const c = s[i]!;
      if (!/[A-Za-z0-9_.,:=/+@%-]/.test(c)) {
        return { ok: false, reason: `unusual quoting or a shell character (${JSON.stringify(c)}) in the value` };
      }
      chars.push({ c, raw: c });
      i++;
    }
  }
  const suffix = s.slice(i);
  if (!/^(\s+#.*|\s*)$/.test(suffix)) {
    return { ok: false, reason: `more shell after the value (${JSON.stringify(suffix.trim().slice(0, 40))})` };
  }
  return { ok: true, quote, chars, suffix };
}

/** Kernel words from decoded characters, each keeping its spelling in the file. */
function wordsFromChars(chars: { c: string; raw: string }[]): { text: string; raw: string }[] {
  const out: { text: string; raw: string }[] = [];
  let text = '';
  let raw = '';
  let quoted = false;
  for (const { c, raw: r } of chars) {
    if (!quoted && /\s/.test(c)) {
      if (text) out.push({ text, raw });
      text = raw = '';
      continue;
    }
    if (c === '"') quoted = !quoted;
    text += c;
    raw += r;
  }
  if (quoted) throw new BootEditError(`unterminated double quote in the kernel parameters ${JSON.stringify(text)}`);
  if (text) out.push({ text, raw });
  return out;
}

interface GrubFile {
  assignments: GrubAssignment[];
  /** GRUB_ENABLE_BLSCFG, as written (null when not set). */
  blscfg: string | null;
}

function parseGrubFile(file: string, text: string): GrubFile {
  const lines = text.split('\n');
  const assignments: GrubAssignment[] = [];
  let blscfg: string | null = null;
  lines.forEach((line, n) => {
    const bls = /^\s*(?:export\s+)?GRUB_ENABLE_BLSCFG=(\S*)/.exec(line);
    if (bls) blscfg = bls[1]!.replace(/^["']|["']$/g, '');
    const m = /^(\s*)((?:export\s+)?(GRUB_CMDLINE_LINUX(?:_DEFAULT)?)=)(.*)$/.exec(line);
    if (!m) return;
    const name = m[3] as typeof LINUX | typeof LINUX_DEFAULT;
    const base = { file, line: n, name, prefix: m[2]!, quote: '' as const, words: [], suffix: '' };
    const prev = n > 0 ? lines[n - 1]! : '';
    if (m[1]) {
      assignments.push({
        ...base,
        error: 'the assignment is indented (inside an if or a function?), so it may not always apply',
      });
    } else if (!prev.trimStart().startsWith('#') && /(^|[^\\])(\\\\)*\\$/.test(prev)) {
      assignments.push({ ...base, error: 'the line continues the one before it (a trailing backslash)' });
    } else {
      const v = parseShellValue(m[4]!);
      if (!v.ok) assignments.push({ ...base, error: v.reason });
      else {
        try {
          assignments.push({ ...base, quote: v.quote, words: wordsFromChars(v.chars), suffix: v.suffix, error: null });
        } catch (e) {
          assignments.push({ ...base, error: (e as Error).message });
        }
      }
    }
  });
  return { assignments, blscfg };
}

function renderAssignment(a: Pick<GrubAssignment, 'prefix' | 'quote' | 'suffix'>, words: readonly Word[]): string {
  const body = words.map((w) => w.raw ?? w.text).join(' ');
  // A bare value becomes double-quoted: its words need no escaping, and several words need quotes.
  const q = a.quote === '' ? '"' : a.quote;
  return `${a.prefix}${q}${body}${q}${a.suffix}`;
}

/** The GRUB configuration as the shell would source it: /etc/default/grub, then grub.d/*.cfg in name order. */
interface GrubConfig {
  order: string[];
  files: Map<string, GrubFile>;
  /** The assignment that wins for each variable (the last one sourced). */
  last: Map<string, GrubAssignment>;
  blscfg: boolean;
}

function grubConfig(texts: Readonly<Record<string, string>>, order: string[]): GrubConfig {
  const files = new Map<string, GrubFile>();
  const last = new Map<string, GrubAssignment>();
  let blscfg = false;
  for (const path of order) {
    const text = texts[path];
    if (text === undefined) continue;
    const f = parseGrubFile(path, text);
    files.set(path, f);
    for (const a of f.assignments) last.set(a.name, a);
    if (f.blscfg !== null) blscfg = f.blscfg === 'true';
  }
  return { order, files, last, blscfg };
}

function grubOrder(texts: Readonly<Record<string, string>>): string[] {
  const dropIns = Object.keys(texts)
    .filter((p) => p.startsWith(`${BOOT_PATHS.grubDropIns}/`) && p.endsWith('.cfg'))
    .sort();
  return [BOOT_PATHS.grub, ...dropIns];
}

// ---------------------------------------------------------------------------------------------------------
// BLS entries (Fedora/RHEL GRUB, systemd-boot)

interface BlsEntry {
  path: string;
  version: string | null;
  options: string | null;
  /** Line indices of `options` lines. */
  optionLines: number[];
}

function parseBlsEntry(path: string, text: string): BlsEntry {
  let version: string | null = null;
  const options: string[] = [];
  const optionLines: number[] = [];
  text.split('\n').forEach((line, n) => {
    const m = /^\s*(\S+)(?:\s+(.*))?$/.exec(line);
    if (!m || m[1]!.startsWith('#')) return;
    if (m[1] === 'version') version = (m[2] ?? '').trim();
    if (m[1] === 'options') {
      options.push((m[2] ?? '').trim());
      optionLines.push(n);
    }
  });
  return { path, version, options: options.length > 0 ? options.join(' ') : null, optionLines };
}

/** The newest kernel's entry, rescue entries aside: the one a default boot most likely uses. */
function newestEntry(entries: BlsEntry[]): BlsEntry | null {
  const normal = entries.filter((e) => !/rescue/.test(e.path) && !/rescue/.test(e.version ?? ''));
  const pool = normal.length > 0 ? normal : entries;
  return (
    [...pool].sort(
      (a, b) => compareVersions(b.version ?? b.path, a.version ?? a.path) || (a.path < b.path ? -1 : 1),
    )[0] ?? null
  );
}

// ---------------------------------------------------------------------------------------------------------
// Detection

function archDefault(files: HostFiles): { kib: number | null; evidence: Evidence | null } {
  const pmd = read(files, BOOT_PATHS.pmdSize);
  if (pmd.kind === 'text' && /^\d+\s*$/.test(pmd.text)) {
    const kib = Number(pmd.text.trim()) / 1024;
    if (Number.isInteger(kib) && kib > 0)
      return { kib, evidence: { path: BOOT_PATHS.pmdSize, value: pmd.text.trim() } };
  }
  const arch = read(files, BOOT_PATHS.arch);
  if (arch.kind === 'text' && arch.text.trim() === 'x86_64') {
    return { kib: 2048, evidence: { path: BOOT_PATHS.arch, value: 'x86_64' } };
  }
  return { kib: null, evidence: null };
}

const isFamily = (os: OsRelease | null, ...names: string[]) => !!os && osFamilies(os).some((f) => names.includes(f));

/** How GRUB's configuration becomes grub.cfg on this distribution. */
function grubRegenerate(os: OsRelease | null): { commands: string[]; label: string } {
  if (isFamily(os, 'debian', 'ubuntu')) return { commands: ['update-grub'], label: 'GRUB (Debian/Ubuntu)' };
  if (isFamily(os, 'fedora', 'rhel', 'centos', 'suse', 'opensuse', 'sles')) {
    return { commands: ['grub2-mkconfig -o /boot/grub2/grub.cfg'], label: 'GRUB' };
  }
  return { commands: ['grub-mkconfig -o /boot/grub/grub.cfg'], label: 'GRUB' };
}

/**
 * How /etc/kernel/cmdline reaches the systemd-boot entries (or unified kernel images) on this distribution:
 * kernel-install writes an entry per installed kernel from it, Arch's mkinitcpio embeds it in its UKIs, and
 * Proxmox's proxmox-boot-tool copies it to every ESP it manages. bootctl itself installs and lists, it does not
 * write entries (`bootctl list` shows the result).
 */
function sdbootRegenerate(os: OsRelease | null, proxmox: boolean): string[] {
  if (proxmox) return ['proxmox-boot-tool refresh'];
  if (isFamily(os, 'arch')) return ['mkinitcpio -P'];
  if (isFamily(os, 'debian', 'ubuntu')) {
    return ['for v in $(linux-version list); do kernel-install add "$v" "/boot/vmlinuz-$v"; done'];
  }
  return ['for k in /usr/lib/modules/*/vmlinuz; do v=${k%/vmlinuz}; kernel-install add "${v##*/}" "$k"; done'];
}

export function detectBootLoader(files: HostFiles): BootLoaderInfo {
  const evidence: Evidence[] = [];
  const diagnostics: string[] = [];
  const texts: Record<string, string> = {};
  const take = (path: string): Read => {
    const r = read(files, path);
    if (r.kind === 'text') texts[path] = r.text;
    else if (r.kind === 'denied' || r.kind === 'error') diagnostics.push(`${path}: ${why(r)}`);
    return r;
  };

  // The distribution.
  let os: OsRelease | null = null;
  for (const p of [BOOT_PATHS.osRelease, BOOT_PATHS.osReleaseFallback]) {
    const r = take(p);
    if (r.kind === 'text') {
      os = parseOsRelease(r.text);
      evidence.push({
        path: p,
        value: [`ID=${os.id ?? '?'}`, ...(os.idLike.length ? [`ID_LIKE=${os.idLike.join(' ')}`] : [])].join(' '),
      });
      break;
    }
  }
  const arch = archDefault(files);
  if (arch.evidence) evidence.push(arch.evidence);

  const base = { os, evidence, diagnostics, archDefaultKiB: arch.kib, texts };
  const procLine = (): BootLoaderInfo['current'] => {
    const r = read(files, BOOT_PATHS.procCmdline);
    if (r.kind !== 'text') return null;
    try {
      return {
        params: splitWords(r.text.trim()),
        source: `${BOOT_PATHS.procCmdline} (the running kernel's, not a loader's)`,
      };
    } catch {
      return null;
    }
  };

  // Pop!_OS: kernelstub writes the systemd-boot entries from its own configuration.
  const stub = take(BOOT_PATHS.kernelstub);
  const grub = take(BOOT_PATHS.grub);
  if (stub.kind !== 'missing' && (grub.kind === 'missing' || os?.id === 'pop')) {
    evidence.push({ path: BOOT_PATHS.kernelstub, value: stub.kind === 'text' ? 'present' : why(stub) });
    let current: BootLoaderInfo['current'] = null;
    if (stub.kind === 'text') {
      const k = kernelstubOptions(stub.text);
      if (k.ok) current = { params: k.options, source: `${BOOT_PATHS.kernelstub} (user.kernel_options)` };
      else diagnostics.push(`${BOOT_PATHS.kernelstub}: ${k.reason}`);
    }
    return {
      ...base,
      loader: 'kernelstub',
      label: 'kernelstub (Pop!_OS): /etc/kernelstub/configuration, changed with kernelstub',
      current,
      regenerate: [],
      entry: null,
    };
  }

  // GRUB, with BLS entries on Fedora/RHEL.
  if (grub.kind !== 'missing') {
    const dropIns = files.list(BOOT_PATHS.grubDropIns);
    if (dropIns.kind === 'entries') {
      for (const name of dropIns.names.filter((n) => n.endsWith('.cfg') && !dropIns.links?.includes(n)).sort()) {
        const r = take(`${BOOT_PATHS.grubDropIns}/${name}`);
        if (r.kind === 'denied' || r.kind === 'error') {
          diagnostics.push(
            `${BOOT_PATHS.grubDropIns}/${name} could not be read; it may change the kernel command line`,
          );
        }
      }
    } else if (dropIns.kind === 'denied') diagnostics.push(`${BOOT_PATHS.grubDropIns}: permission denied`);
    const cfg = grubConfig(texts, grubOrder(texts));
    const regen = grubRegenerate(os);
    if (grub.kind === 'text')
      evidence.push({ path: BOOT_PATHS.grub, value: cfg.blscfg ? 'GRUB_ENABLE_BLSCFG=true' : 'present' });
    else evidence.push({ path: BOOT_PATHS.grub, value: why(grub) });
    for (const a of cfg.last.values()) {
      if (a.file !== BOOT_PATHS.grub) evidence.push({ path: a.file, value: `sets ${a.name}` });
    }

    if (cfg.blscfg) {
      const entries = readEntries(files, take, diagnostics, evidence);
      const newest = newestEntry(entries);
      let current: BootLoaderInfo['current'] = null;
      if (newest?.options != null && !/\$kernelopts\b/.test(newest.options)) {
        try {
          current = { params: splitWords(newest.options), source: `${newest.path} (options)` };
        } catch (e) {
          diagnostics.push(`${newest.path}: ${(e as Error).message}`);
        }
      } else if (newest?.options != null) {
        diagnostics.push(`${newest.path}: options come from $kernelopts in grubenv, which hugetune does not read`);
      } else if (entries.length === 0) {
        diagnostics.push(
          'no boot entry could be read in /boot/loader/entries (they are often readable by root only): run hugetune as root to see the current parameters',
        );
      }
      return {
        ...base,
        loader: 'grub-bls',
        label: 'GRUB with BLS entries (Fedora/RHEL): /boot/loader/entries, changed with grubby',
        current,
        regenerate: [],
        entry: newest?.path ?? null,
      };
    }

    let current: BootLoaderInfo['current'] = null;
    if (grub.kind === 'text') {
      const parts = [cfg.last.get(LINUX), cfg.last.get(LINUX_DEFAULT)];
      const bad = parts.find((a) => a?.error);
      if (bad) diagnostics.push(`${bad.file} line ${bad.line + 1} (${bad.name}): ${bad.error!}`);
      else {
        current = {
          params: parts.flatMap((a) => a?.words.map((w) => w.text) ?? []),
          source:
            parts
              .filter((a) => a !== undefined)
              .map((a) => `${a.file} ${a.name}`)
              .join(' + ') || `${BOOT_PATHS.grub} (no ${LINUX} or ${LINUX_DEFAULT})`,
        };
      }
    }
    return {
      ...base,
      loader: 'grub',
      label: `${regen.label}: ${BOOT_PATHS.grub}, then ${regen.commands.join('; ')}`,
      current,
      regenerate: regen.commands,
      entry: null,
    };
  }

  // systemd-boot through kernel-install: /etc/kernel/cmdline.
  const cmdline = take(BOOT_PATHS.kernelCmdline);
  const proxmox = read(files, BOOT_PATHS.proxmoxBootUuids).kind === 'text';
  if (proxmox) evidence.push({ path: BOOT_PATHS.proxmoxBootUuids, value: 'present (proxmox-boot-tool)' });
  if (cmdline.kind !== 'missing') {
    evidence.push({ path: BOOT_PATHS.kernelCmdline, value: cmdline.kind === 'text' ? 'present' : why(cmdline) });
    let current: BootLoaderInfo['current'] = null;
    if (cmdline.kind === 'text') {
      try {
        current = { params: splitWords(cmdline.text.replace(/\n/g, ' ')), source: BOOT_PATHS.kernelCmdline };
      } catch (e) {
        diagnostics.push(`${BOOT_PATHS.kernelCmdline}: ${(e as Error).message}`);
      }
    }
    const regen = sdbootRegenerate(os, proxmox);
    return {
      ...base,
      loader: 'systemd-boot',
      label: `systemd-boot: ${BOOT_PATHS.kernelCmdline}, then ${regen.join('; ')}`,
      current,
      regenerate: regen,
      entry: null,
    };
  }

  // systemd-boot with entries only (written by hand, as on many Arch installs).
  const entries = readEntries(files, take, diagnostics, evidence);
  if (entries.length > 0) {
    const newest = newestEntry(entries)!;
    let current: BootLoaderInfo['current'] = null;
    if (newest.options !== null) {
      try {
        current = { params: splitWords(newest.options), source: `${newest.path} (options)` };
      } catch (e) {
        diagnostics.push(`${newest.path}: ${(e as Error).message}`);
      }
    }
    return {
      ...base,
      loader: 'systemd-boot',
      label: `systemd-boot: the options line of each entry in ${BOOT_PATHS.blsEntries}`,
      current,
      regenerate: [],
      entry: newest.path,
    };
  }

  return {
    ...base,
    loader: 'unknown',
    label: 'unknown boot loader',
    current: procLine(),
    regenerate: [],
    entry: null,
  };
}

function readEntries(
  files: HostFiles,
  take: (path: string) => Read,
  diagnostics: string[],
  evidence: Evidence[],
): BlsEntry[] {
  const list = files.list(BOOT_PATHS.blsEntries);
  if (list.kind !== 'entries') {
    if (list.kind === 'denied') {
      diagnostics.push(`${BOOT_PATHS.blsEntries}: permission denied (readable by root only)`);
      evidence.push({ path: BOOT_PATHS.blsEntries, value: 'denied' });
    }
    return [];
  }
  const out: BlsEntry[] = [];
  for (const name of list.names.filter((n) => n.endsWith('.conf') && !list.links?.includes(n))) {
    const path = `${BOOT_PATHS.blsEntries}/${name}`;
    const r = take(path);
    if (r.kind === 'text') out.push(parseBlsEntry(path, r.text));
  }
  evidence.push({ path: BOOT_PATHS.blsEntries, value: `${out.length} entr${out.length === 1 ? 'y' : 'ies'} read` });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// kernelstub

function kernelstubOptions(text: string): { ok: true; options: string[] } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: jsonParseProblem(text) };
  }
  const user = (json as { user?: { kernel_options?: unknown } } | null)?.user;
  const opts = user?.kernel_options;
  // kernelstub upgrades an old string form itself (config.py); hugetune reads both.
  if (typeof opts === 'string') {
    try {
      return { ok: true, options: splitWords(opts) };
    } catch (e) {
      return { ok: false, reason: (e as Error).message };
    }
  }
  if (Array.isArray(opts) && opts.every((o) => typeof o === 'string')) return { ok: true, options: opts };
  return { ok: false, reason: 'no user.kernel_options list' };
}

// ---------------------------------------------------------------------------------------------------------
// grubby: what `grubby --update-kernel=ALL --remove-args=R --args=A` does to an entry's options

/**
 * grubby's update_args (grubby-bls): each --remove-args word that has `=` removes that exact word, a bare key
 * removes the key with any value; then every key given in --args is removed wherever it is, and the --args
 * words are appended in order. Keys are matched literally (no `-`/`_` equivalence). Word-level model of the
 * shell/sed original.
 */
export function simulateGrubby(
  options: readonly string[],
  remove: readonly string[],
  add: readonly string[],
): string[] {
  let words = [...options];
  const dropKey = (k: string) => (words = words.filter((w) => w !== k && !w.startsWith(`${k}=`)));
  for (const r of remove) {
    if (r.includes('=')) {
      const i = words.indexOf(r);
      if (i !== -1) words.splice(i, 1);
    } else dropKey(r);
  }
  // ${arg%=*}: the key is everything before the last `=`.
  for (const a of add) dropKey(a.includes('=') ? a.slice(0, a.lastIndexOf('=')) : a);
  return [...words, ...add];
}

const HUGETLB_KEYS = new Set(['hugepagesz', 'hugepages', 'default_hugepagesz']);
const literalKey = (w: string) => (w.includes('=') ? w.slice(0, w.indexOf('=')) : w);

/**
 * The grubby arguments that turn `before` into `after`. grubby appends what it adds, so a plain key moves to the
 * end (harmless: one word per key), and the hugepagesz=/hugepages= words are always given all together in their
 * order: grubby removes every word of each key it adds, so `--args="hugepagesz=1G hugepages=32"` alone would also
 * delete the 2 MiB pair. Where moving them to the end would change which size a count belongs to (a count that
 * followed default_hugepagesz=), default_hugepagesz= is restated with them. Checked by running grubby's own rules
 * over `before` and reading the result as the kernel would.
 */
export function grubbyArgs(
  before: readonly string[],
  after: readonly string[],
  archDefaultKiB: number | null = null,
): { remove: string[]; add: string[] } {
  if (before.includes('--') || after.includes('--')) {
    throw new BootEditError(
      'the options hold a bare --, after which grubby would add the parameters as init arguments',
    );
  }
  const attempt = (group: (w: string) => string) => {
    const remove: string[] = [];
    const add: string[] = [];
    for (const k of new Set([...before, ...after].map(group))) {
      const b = before.filter((w) => group(w) === k);
      const a = after.filter((w) => group(w) === k);
      if (b.length === a.length && b.every((w, i) => w === a[i])) continue;
      add.push(...a);
      const added = new Set(a.map(literalKey));
      for (const lk of new Set(b.map(literalKey))) if (!added.has(lk)) remove.push(lk);
    }
    for (const w of [...add, ...remove]) {
      if (/[\s"'\\$`]/.test(w)) throw new BootEditError(`grubby cannot pass ${JSON.stringify(w)} intact`);
    }
    return { remove, add };
  };
  const pairs = (w: string) => (keyOf(w) === 'hugepagesz' || keyOf(w) === 'hugepages' ? '#pairs' : keyOf(w));
  const all = (w: string) => (HUGETLB_KEYS.has(keyOf(w)) ? '#hugetlb' : keyOf(w));
  for (const group of [pairs, all]) {
    const args = attempt(group);
    if (sameMeaning(simulateGrubby(before, args.remove, args.add), after, archDefaultKiB)) return args;
  }
  throw new BootEditError('grubby would not produce exactly these parameters; edit the entries by hand');
}

/** The same parameters for the kernel: the same words per plain key in order, the same HugeTLB reservations. */
function sameMeaning(a: readonly string[], b: readonly string[], archDefaultKiB: number | null): boolean {
  const plain = (ws: readonly string[]) => {
    const m = new Map<string, string[]>();
    for (const w of ws.filter((x) => !HUGETLB_KEYS.has(keyOf(x)))) m.set(keyOf(w), [...(m.get(keyOf(w)) ?? []), w]);
    return JSON.stringify([...m].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  };
  const huge = (ws: readonly string[]) => {
    const r = reservationsOf(ws, archDefaultKiB);
    return JSON.stringify([r.defaultKiB, [...r.counts].sort(), [...r.conflicts].sort()]);
  };
  return plain(a) === plain(b) && huge(a) === huge(b);
}

// ---------------------------------------------------------------------------------------------------------
// Planning

function manual(info: BootLoaderInfo, refused: string, change: BootChange | null): BootEdit {
  const want = change ? describeChange(change) : '';
  return {
    loader: info.loader,
    apply: 'manual',
    changed: true,
    file: null,
    before: null,
    after: null,
    diff: [],
    commands: [],
    rollbackCommands: [],
    params: null,
    note: `${refused}${want ? `\nWhat to change by hand in the kernel command line: ${want}.` : ''}`,
    refused,
  };
}

function describeChange(change: BootChange): string {
  const parts: string[] = [];
  if (change.remove.length > 0) parts.push(`remove ${change.remove.join(' ')}`);
  if (change.set.length > 0)
    parts.push(`set ${change.set.map((s) => (s.value === null ? s.key : `${s.key}=${s.value}`)).join(' ')}`);
  return parts.join('; then ');
}

const HUGETLB_RECOVERY =
  'If the next boot fails or runs out of memory (a boot-time pool too large for this machine), boot once without ' +
  'the parameters: ';

/** What to take out at the boot menu to boot once as before: the words the edit adds. */
function deleteWhat(before: readonly string[], after: readonly string[]): string {
  const added = after.filter((w) => !before.includes(w));
  return added.length > 0 ? `delete ${added.join(' ')}` : 'undo the change';
}

/** Plans the change for the loader detectBootLoader found. Never throws: refusals come back as apply 'manual'. */
export function planBootEdit(info: BootLoaderInfo, change: BootChange): BootEdit {
  try {
    switch (info.loader) {
      case 'grub':
        return planGrub(info, change);
      case 'grub-bls':
        return planBls(info, change);
      case 'systemd-boot':
        return info.texts[BOOT_PATHS.kernelCmdline] !== undefined
          ? planKernelCmdline(info, change)
          : planSdbootEntry(info, change);
      case 'kernelstub':
        return planKernelstub(info, change);
      default:
        return planUnknown(info, change);
    }
  } catch (e) {
    if (e instanceof BootEditError) return manual(info, e.message, change);
    throw e;
  }
}

/**
 * GRUB: edit GRUB_CMDLINE_LINUX_DEFAULT where it is set, else GRUB_CMDLINE_LINUX. Why _DEFAULT: grub-mkconfig
 * puts GRUB_CMDLINE_LINUX on every entry and GRUB_CMDLINE_LINUX_DEFAULT only on the normal ones, not on the
 * "recovery mode" entries Debian and Ubuntu generate, so a reservation too large for the machine can always be
 * escaped by booting recovery mode; it is where those distributions put local options ("quiet splash"). A
 * parameter that already sits in the other variable is changed where it is, so the two never disagree.
 */
function planGrub(info: BootLoaderInfo, change: BootChange): BootEdit {
  const grubText = info.texts[BOOT_PATHS.grub];
  if (grubText === undefined) {
    return manual(
      info,
      `${BOOT_PATHS.grub} could not be read (${info.diagnostics.join('; ') || 'unreadable'})`,
      change,
    );
  }
  const cfg = grubConfig(info.texts, grubOrder(info.texts));
  const linux = cfg.last.get(LINUX);
  const def = cfg.last.get(LINUX_DEFAULT);
  for (const a of [linux, def]) {
    if (a?.error)
      throw new BootEditError(`${a.file} line ${a.line + 1} (${a.name}): ${a.error}; hugetune will not edit it`);
  }
  const parts = [linux, def];
  const target = def ? 1 : linux ? 0 : 1;
  const words: Word[] = parts.flatMap((a, part) => a?.words.map((w) => ({ text: w.text, raw: w.raw, part })) ?? []);
  if (endOfParams(words) !== words.length) {
    throw new BootEditError('a bare -- in the GRUB command line variables: hugetune will not edit around it');
  }
  const edited = editWords(words, change, { targetPart: target, archDefaultKiB: info.archDefaultKiB });
  const changedParts = [0, 1].filter((p) => {
    const a = words.filter((w) => w.part === p).map((w) => w.raw ?? w.text);
    const b = edited.filter((w) => w.part === p).map((w) => w.raw ?? w.text);
    return a.join('\u0000') !== b.join('\u0000');
  });
  const params = texts(edited);
  const targetName = target === 1 ? LINUX_DEFAULT : LINUX;
  if (changedParts.length === 0) {
    return {
      loader: 'grub',
      apply: 'file',
      changed: false,
      file: (target === 1 ? def : linux)?.file ?? BOOT_PATHS.grub,
      before: grubText,
      after: grubText,
      diff: [],
      commands: [],
      rollbackCommands: [],
      params,
      note: 'The GRUB configuration already passes these parameters; nothing to change.',
      refused: null,
    };
  }
  // Which file each changed variable lives in; a new variable goes at the end of /etc/default/grub.
  const fileOf = (p: number) => parts[p]?.file ?? BOOT_PATHS.grub;
  const touched = [...new Set(changedParts.map(fileOf))];
  if (touched.length > 1) {
    throw new BootEditError(
      `the change touches ${LINUX} and ${LINUX_DEFAULT}, which are set in different files (${touched.join(', ')})`,
    );
  }
  const file = touched[0]!;
  const original = info.texts[file]!;
  const lines = original.split('\n');
  for (const p of changedParts) {
    const a = parts[p];
    const pw = edited.filter((w) => w.part === p);
    if (a) lines[a.line] = renderAssignment(a, pw);
    else {
      // Neither variable is set: add GRUB_CMDLINE_LINUX_DEFAULT, before a final empty line if there is one.
      const at = lines.length > 0 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
      lines.splice(at, 0, renderAssignment({ prefix: `${LINUX_DEFAULT}=`, quote: '"', suffix: '' }, pw));
    }
  }
  const after = lines.join('\n');
  const regen = info.regenerate.length > 0 ? info.regenerate : ['update-grub'];
  const debian = isFamily(info.os, 'debian', 'ubuntu');
  const why =
    target === 1
      ? `hugetune edits ${LINUX_DEFAULT}: grub-mkconfig adds it to the normal boot entries but not to the recovery entries, so those still boot without these parameters.`
      : `hugetune edits ${LINUX}, the only command line variable set here; it applies to every entry, recovery included.`;
  const dropIn =
    file !== BOOT_PATHS.grub
      ? ` ${file} is edited because it is sourced after ${BOOT_PATHS.grub} and sets ${targetName} last.`
      : '';
  const menu = debian
    ? 'hold Shift (BIOS) or press Esc (UEFI) while the machine starts to show the GRUB menu'
    : 'show the GRUB menu while the machine starts (Esc or Shift if it is hidden)';
  const note =
    `${why}${dropIn} Then ${regen.join('; ')} writes it into grub.cfg; it takes effect at the next boot.\n` +
    `${HUGETLB_RECOVERY}${menu}, press e on the first entry, ${deleteWhat(texts(words), params)} in the line that starts with ` +
    `"linux", and press Ctrl-X or F10 to boot once with the edited line${target === 1 && debian ? ' (or pick "recovery mode" under Advanced options)' : ''}; ` +
    `then restore ${file} and run ${regen.join('; ')}.`;
  return {
    loader: 'grub',
    apply: 'file',
    changed: true,
    file,
    before: original,
    after,
    diff: lineDiff(file, original, after),
    commands: regen,
    rollbackCommands: regen,
    params,
    note,
    refused: null,
  };
}

/**
 * Fedora/RHEL with BLS: grubby changes the options of every entry (--update-kernel=ALL) and keeps new kernels in
 * line; hugetune previews the change on the newest kernel's entry and computes the grubby arguments from it.
 */
function planBls(info: BootLoaderInfo, change: BootChange): BootEdit {
  const entryPath = info.entry;
  const entryText = entryPath ? info.texts[entryPath] : undefined;
  const hugetlb = touchesHugetlb(change);
  if (!entryPath || entryText === undefined || !info.current) {
    // Without the current options, plain keys can still be set (grubby replaces every occurrence of a key it
    // adds), but a HugeTLB change needs every reservation already there (see grubbyArgs).
    if (hugetlb) {
      throw new BootEditError(
        `hugetune cannot read the boot entries (${info.diagnostics.join('; ') || 'none found'}), and changing a HugeTLB reservation ` +
          'with grubby means restating all of them: run hugetune as root',
      );
    }
    const add = change.set.map((s) => (s.value === null ? s.key : `${s.key}=${s.value}`));
    // Checked as for any edit, on an empty line.
    editWords([], change, { targetPart: 0, archDefaultKiB: info.archDefaultKiB });
    const cmd = grubbyCommand(change.remove, add);
    return {
      loader: 'grub-bls',
      apply: 'commands',
      changed: true,
      file: null,
      before: null,
      after: null,
      diff: [],
      commands: cmd ? [cmd] : [],
      rollbackCommands: [],
      params: null,
      note:
        `${blsNote()}\nhugetune could not read the entries, so it cannot preview the result or write an exact rollback: ` +
        'check with grubby --info=ALL.',
      refused: null,
    };
  }
  const entry = parseBlsEntry(entryPath, entryText);
  if (entry.optionLines.length !== 1)
    throw new BootEditError(`${entryPath} has ${entry.optionLines.length} options lines`);
  const before = wordsOf(entry.options ?? '');
  const edited = editWords(before, change, { targetPart: 0, archDefaultKiB: info.archDefaultKiB });
  const b = texts(before);
  const a = texts(edited);
  if (b.join(' ') === a.join(' ')) {
    return {
      loader: 'grub-bls',
      apply: 'commands',
      changed: false,
      file: entryPath,
      before: entryText,
      after: entryText,
      diff: [],
      commands: [],
      rollbackCommands: [],
      params: a,
      note: 'The newest boot entry already passes these parameters; nothing to change.',
      refused: null,
    };
  }
  const fwd = grubbyArgs(b, a, info.archDefaultKiB);
  const back = grubbyArgs(a, b, info.archDefaultKiB);
  const lines = entryText.split('\n');
  const n = entry.optionLines[0]!;
  lines[n] = lines[n]!.replace(
    /^(\s*options)(?:(\s+).*)?$/,
    (_m, k: string, sp?: string) => `${k}${sp ?? ' '}${a.join(' ')}`,
  );
  const after = lines.join('\n');
  return {
    loader: 'grub-bls',
    apply: 'commands',
    changed: true,
    file: entryPath,
    before: entryText,
    after,
    diff: lineDiff(entryPath, entryText, after),
    commands: [grubbyCommand(fwd.remove, fwd.add)!],
    rollbackCommands: [grubbyCommand(back.remove, back.add)!],
    params: a,
    note:
      `${blsNote()} The diff previews the newest kernel's entry; grubby makes the same change in every entry.\n` +
      `${HUGETLB_RECOVERY}press e on the entry in the GRUB menu (Esc while starting if it is hidden), ${deleteWhat(b, a)} ` +
      'in the line that starts with "linux", and press Ctrl-X or F10; then run the rollback command.',
    refused: null,
  };
}

function blsNote(): string {
  return (
    "This machine boots GRUB with BLS entries (GRUB_ENABLE_BLSCFG=true): each kernel's parameters are the options " +
    'line of its file in /boot/loader/entries, and grubby --update-kernel=ALL changes all of them. ' +
    'grub2-mkconfig can rewrite those lines from GRUB_CMDLINE_LINUX in /etc/default/grub, so keep that variable ' +
    'in line if you ever run it.'
  );
}

function grubbyCommand(remove: readonly string[], add: readonly string[]): string | null {
  if (remove.length === 0 && add.length === 0) return null;
  return [
    'grubby --update-kernel=ALL',
    ...(add.length > 0 ? [`--args=${shq(add.join(' '))}`] : []),
    ...(remove.length > 0 ? [`--remove-args=${shq(remove.join(' '))}`] : []),
  ].join(' ');
}

function touchesHugetlb(change: BootChange): boolean {
  return [...change.set.map((s) => s.key), ...change.remove.map((r) => literalKey(r))].some((k) =>
    HUGETLB_KEYS.has(k.replace(/-/g, '_')),
  );
}

/** systemd-boot through /etc/kernel/cmdline: each line is a part (kernel-install joins them); new words go on the last. */
function planKernelCmdline(info: BootLoaderInfo, change: BootChange): BootEdit {
  const path = BOOT_PATHS.kernelCmdline;
  const text = info.texts[path]!;
  const lines = text.split('\n');
  const contentLines = lines.map((l, i) => (l.trim() ? i : -1)).filter((i) => i >= 0);
  if (lines.some((l) => l.trim().startsWith('#'))) {
    throw new BootEditError(`${path} has a line starting with #, which kernel-install would pass to the kernel as is`);
  }
  const words: Word[] = contentLines.flatMap((li, part) => wordsOf(lines[li]!, part));
  const target = Math.max(0, contentLines.length - 1);
  const edited = editWords(words, change, { targetPart: target, archDefaultKiB: info.archDefaultKiB });
  const out = [...lines];
  if (contentLines.length === 0) out.splice(0, out.length > 1 || out[0] === '' ? 1 : 0, texts(edited).join(' '));
  contentLines.forEach((li, part) => {
    const lead = /^\s*/.exec(lines[li]!)![0];
    const now = texts(edited.filter((w) => w.part === part)).join(' ');
    if (texts(words.filter((w) => w.part === part)).join(' ') !== now) out[li] = `${lead}${now}`;
  });
  let after = out.join('\n');
  if (contentLines.length === 0 && !after.endsWith('\n')) after += '\n';
  return fileEdit(
    info,
    path,
    text,
    after,
    texts(edited),
    sdbootNote(info, path, deleteWhat(texts(words), texts(edited))),
  );
}

/** systemd-boot with hand-written entries: edit the newest kernel's entry, and say the others need the same. */
function planSdbootEntry(info: BootLoaderInfo, change: BootChange): BootEdit {
  const path = info.entry;
  const text = path ? info.texts[path] : undefined;
  if (!path || text === undefined) throw new BootEditError('no readable boot entry');
  const entry = parseBlsEntry(path, text);
  if (entry.optionLines.length !== 1) throw new BootEditError(`${path} has ${entry.optionLines.length} options lines`);
  const edited = editWords(wordsOf(entry.options ?? ''), change, {
    targetPart: 0,
    archDefaultKiB: info.archDefaultKiB,
  });
  const lines = text.split('\n');
  const n = entry.optionLines[0]!;
  const now = texts(edited).join(' ');
  if (now !== texts(wordsOf(entry.options ?? '')).join(' ')) {
    lines[n] = lines[n]!.replace(
      /^(\s*options)(?:(\s+).*)?$/,
      (_m, k: string, sp?: string) => `${k}${sp ?? ' '}${now}`,
    );
  }
  const note =
    `There is no /etc/kernel/cmdline, so the parameters live in each entry's options line: this edits the newest ` +
    `kernel's entry; change the options line of any other entry you boot the same way. systemd-boot reads the entries ` +
    `at boot, nothing needs regenerating.\n${sdbootRecovery(path, deleteWhat(texts(wordsOf(entry.options ?? '')), texts(edited)))}`;
  return fileEdit(info, path, text, lines.join('\n'), texts(edited), note);
}

function sdbootNote(info: BootLoaderInfo, path: string, del: string): string {
  return (
    `systemd-boot entries are written from ${path}; ${info.regenerate.join('; ')} writes them again for the installed ` +
    `kernels (check with bootctl list).\n${sdbootRecovery(path, del)}`
  );
}

function sdbootRecovery(path: string, del: string): string {
  const again = path === BOOT_PATHS.kernelCmdline ? ' and run the commands again' : '';
  return (
    `${HUGETLB_RECOVERY}in the systemd-boot menu (hold Space while the machine starts if it is hidden) press e on ` +
    `the entry, ${del}, and press Enter; then restore ${path}${again}.`
  );
}

function fileEdit(
  info: BootLoaderInfo,
  path: string,
  before: string,
  after: string,
  params: string[],
  note: string,
): BootEdit {
  const changed = before !== after;
  return {
    loader: info.loader,
    apply: 'file',
    changed,
    file: path,
    before,
    after,
    diff: lineDiff(path, before, after),
    commands: changed ? [...info.regenerate] : [],
    rollbackCommands: changed ? [...info.regenerate] : [],
    params,
    note: changed ? note : 'The boot configuration already passes these parameters; nothing to change.',
    refused: null,
  };
}

/**
 * kernelstub: `kernelstub -a "..."` when the change only adds words, else `kernelstub -o "<all options>"`. Why not
 * `-d`: kernelstub removes options as a set difference (list(set(options) - set(removed))), which reorders every
 * option and so separates each hugepages= from its hugepagesz=; and `-a` skips a word already present, so a
 * second `hugepages=4` for another size would be dropped. `-o` sets the whole list in order.
 */
function planKernelstub(info: BootLoaderInfo, change: BootChange): BootEdit {
  const path = BOOT_PATHS.kernelstub;
  if (!info.current || info.texts[path] === undefined) {
    throw new BootEditError(`${path} could not be read (${info.diagnostics.join('; ') || 'unreadable'})`);
  }
  const before = info.current.params.map((text) => ({ text, raw: null, part: 0 }));
  const edited = editWords(before, change, { targetPart: 0, archDefaultKiB: info.archDefaultKiB });
  const b = texts(before);
  const a = texts(edited);
  for (const w of a) {
    if (/[\s"'\\]/.test(w))
      throw new BootEditError(`kernelstub cannot pass ${JSON.stringify(w)} intact on its command line`);
  }
  const changed = b.join(' ') !== a.join(' ');
  const appended = a.slice(b.length);
  const pureAppend =
    a.length > b.length &&
    b.every((w, i) => a[i] === w) &&
    appended.every((w, i) => !b.includes(w) && appended.indexOf(w) === i);
  const commands = !changed
    ? []
    : [pureAppend ? `kernelstub -a ${shq(appended.join(' '))}` : `kernelstub -o ${shq(a.join(' '))}`];
  const canRollback = b.every((w) => !/[\s"'\\]/.test(w));
  return {
    loader: 'kernelstub',
    apply: 'commands',
    changed,
    file: path,
    before: b.join(' '),
    after: a.join(' '),
    diff: changed
      ? [`--- ${path} user.kernel_options`, `+++ ${path} user.kernel_options`, `-${b.join(' ')}`, `+${a.join(' ')}`]
      : [],
    commands,
    rollbackCommands: changed && canRollback ? [`kernelstub -o ${shq(b.join(' '))}`] : [],
    params: a,
    note: !changed
      ? 'kernelstub already passes these parameters; nothing to change.'
      : 'Pop!_OS boots through kernelstub, which keeps the kernel options in /etc/kernelstub/configuration and writes ' +
        'the boot entries itself when run; hugetune uses kernelstub rather than editing its file.' +
        (pureAppend
          ? ''
          : ' kernelstub -o sets the whole list in order (its -d would reorder the options and split hugepagesz= from hugepages=).') +
        `\n${HUGETLB_RECOVERY}hold Space while the machine starts to show the systemd-boot menu, press e on the Pop!_OS ` +
        `entry, ${deleteWhat(b, a)}, and press Enter; then run the rollback command.`,
    refused: null,
  };
}

function planUnknown(info: BootLoaderInfo, change: BootChange): BootEdit {
  const current = info.current?.params ?? [];
  let after: string[] | null = null;
  try {
    after = texts(
      editWords(wordsOf(current.join(' ')), change, { targetPart: 0, archDefaultKiB: info.archDefaultKiB }),
    );
  } catch (e) {
    if (!(e instanceof BootEditError)) throw e;
  }
  const refused =
    'hugetune could not tell which boot loader this machine uses (no /etc/default/grub, /etc/kernel/cmdline, ' +
    "/etc/kernelstub/configuration or /boot/loader/entries): edit your boot loader's kernel command line by hand";
  const edit = manual(info, refused, change);
  return after
    ? {
        ...edit,
        params: after,
        before: current.join(' '),
        after: after.join(' '),
        diff: [
          `--- ${BOOT_PATHS.procCmdline} (running kernel)`,
          `+++ wanted`,
          `-${current.join(' ')}`,
          `+${after.join(' ')}`,
        ],
      }
    : edit;
}

/** What the kernel would reserve from a parameter list (for showing the result, and for tests). */
export function reservationsOf(params: readonly string[], archDefaultKiB: number | null) {
  return readHugetlb(
    params.map((text) => ({ text, raw: null, part: 0 })),
    archDefaultKiB,
  );
}
