/** What every area reader shares: the file tree, and one list of what could not be read and why. */
import type { FileRead, HostFiles } from '../files';
import type { Diagnostic, Parsed } from '../reading';
import { printable } from '../../text';

export class ReadContext {
  readonly diagnostics: Diagnostic[] = [];

  constructor(readonly files: HostFiles) {}

  /**
   * Reads and parses one file. Missing, denied and malformed files become a diagnostic and null.
   * `optional` files (absent on some kernels by design) are not reported when missing.
   */
  get<T>(path: string, parse: (text: string) => Parsed<T>, optional = false): T | null {
    return this.interpret(path, this.files.read(path), parse, optional);
  }

  /** As `get`, for a file the caller has already read (when it also needs to know whether it exists). */
  interpret<T>(path: string, r: FileRead, parse: (text: string) => Parsed<T>, optional = false): T | null {
    switch (r.kind) {
      case 'text': {
        const p = parse(r.text);
        if (p.ok) return p.value;
        // Reasons quote the file's text: shown in a terminal and a page, so never with control characters.
        this.diagnostics.push({ path, problem: 'malformed', detail: printable(p.reason, { max: 400 }) });
        return null;
      }
      case 'missing':
        if (!optional) this.diagnostics.push({ path, problem: 'missing', detail: 'file does not exist' });
        return null;
      case 'denied':
        this.diagnostics.push({ path, problem: 'denied', detail: 'permission denied' });
        return null;
      case 'error':
        this.diagnostics.push({ path, problem: 'error', detail: printable(r.message, { max: 400 }) });
        return null;
    }
  }

  /** Directory entries, or [] with a diagnostic when the directory cannot be listed. */
  list(dir: string, optional = false): readonly string[] {
    const r = this.files.list(dir);
    if (r.kind === 'entries') return r.names;
    if (r.kind !== 'missing' || !optional) {
      this.diagnostics.push({
        path: dir,
        problem: r.kind,
        detail: r.kind === 'error' ? r.message : r.kind === 'denied' ? 'permission denied' : 'directory does not exist',
      });
    }
    return [];
  }
}
