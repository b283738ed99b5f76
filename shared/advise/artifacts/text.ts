/**
 * Quoting and the common header: the small pieces every artifact writer uses to put a value or a sentence
 * into a file another program parses.
 */

export { shQuote, shWord } from '../../shell';

/**
 * Free text (a title, a machine label) made safe for a comment line in any of the artifacts: control
 * characters and line separators become spaces (a newline would end the comment and start a line the
 * program reads), braces become parentheses (Ansible would read {{ or {# as a template), and a trailing
 * backslash is dropped (systemd and sh join a line ending in one with the next).
 */
export function plainText(s: string, max = 200): string {
  return s
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ')
    .replaceAll('{', '(')
    .replaceAll('}', ')')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max)
    .replace(/\\+$/, '')
    .trim();
}

/** A string in YAML as a double-quoted scalar: JSON's string syntax is a subset of YAML's. */
export function yamlString(s: string): string {
  return JSON.stringify(s);
}

export interface LoaderEdit {
  readonly commands: readonly string[];
  readonly rollbackCommands: readonly string[];
  /**
   * 'commands': the commands are the whole edit (grubby, kernelstub). 'file': `file` is rewritten first and
   * the commands regenerate from it (update-grub), so the commands alone are not the edit. 'manual': no safe
   * edit; `note` says what to do. Absent: as 'commands'.
   */
  readonly apply?: 'file' | 'commands' | 'manual';
  readonly file?: string | null;
  /** What to know about the edit (where, what regenerates it, how to recover). */
  readonly note?: string;
}

export interface ArtifactContext {
  /** The hugetune version that wrote the files. */
  version: string;
  /** What the advice is for, in a few words ("Llama 3.1 70B Q4_K_M with llama.cpp"). */
  title: string;
  /** The machine the advice was made for (host name or source label). */
  machine: string;
  /**
   * The boot loader edit for the machine's loader, when shared/advise/bootloader.ts could work one out (its
   * BootEdit fits here): shell command lines to run as root and the ones that undo them, and, when the edit
   * writes a file first, which file. Without it the artifacts give the parameters and say what to do.
   */
  loader?: LoaderEdit | null;
  /**
   * The model server unit's current ExecStart= (as `systemctl cat` shows it), needed to wrap it in numactl:
   * a drop-in cannot prefix a command it does not know.
   */
  execStart?: string | null;
  /** A TuneD profile to build on (`include=`), e.g. throughput-performance. */
  tunedInclude?: string | null;
}

/** The first comment lines of every file: what wrote it, for what, and how to take it away. */
export function header(ctx: ArtifactContext, path: string, what: string, remove: string[]): string[] {
  return [
    `# ${path}: ${what}`,
    `# Written by hugetune ${plainText(ctx.version, 40)}: ${plainText(ctx.title)}`,
    `# Machine: ${plainText(ctx.machine)}`,
    ...remove.map((line, i) => `# ${i === 0 ? 'To remove: ' : '  '}${line}`),
  ];
}
