/**
 * The apply journal: one JSON file per apply, rollback or HVO check, in the app's state directory. It records
 * what each kernel file really held before it was written (read just before the write, not the advice's
 * possibly stale value), what was asked and what the kernel gave, so `hugetune rollback FILE` can restore it.
 *
 * The file is saved before the first write and again after every write, each time atomically (a temporary
 * file made with O_EXCL in the same directory, then renamed over; see ./safe-write): a crash or a kill at any
 * point leaves a complete journal whose last entry is marked pending, and rolling that back restores its value too.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { refuseWrite } from '../../shared/advise/helper-script';
import { UserError } from '../../shared/errors';
import * as v from 'valibot';
import { matching, text, validate } from '../../shared/validate';
import { jsonParseProblem, scanJson } from '../../shared/json-scan';
import { JOURNAL_FORMAT, otherKind } from '../../shared/file-kind';
import { printable } from '../../shared/text';
import { INPUT_KINDS, inputLabel, readRegularSync, refusal } from './open-input';
import { writeFileSafely } from './safe-write';

export { JOURNAL_FORMAT };

/**
 * What became of one write:
 * planned (dry run) · unchanged (the file already held the value; nothing written) · done (read back as asked) ·
 * short (written, but the kernel gave something else: a pool that grew only partly) · failed (the write was
 * refused by the kernel, or the file is missing) · pending (saved before the write, which never reported back) ·
 * not-run (stopped before it).
 */
export const WRITE_STATUSES = ['planned', 'unchanged', 'done', 'short', 'failed', 'pending', 'not-run'] as const;
export type WriteStatus = (typeof WRITE_STATUSES)[number];

const kernelPath = matching(256, /^\/[A-Za-z0-9_/-]+$/, 'a kernel file path');
const word = text(64);

const resultSchema = v.strictObject({
  path: kernelPath,
  asked: word,
  before: v.nullable(word),
  after: v.nullable(word),
  ok: v.boolean(),
  status: v.picklist(WRITE_STATUSES),
  error: v.optional(text(1000)),
});
export type WriteResult = v.InferOutput<typeof resultSchema>;

const manualSchema = v.strictObject({
  kind: v.picklist(['boot', 'memlock', 'service']),
  summary: text(2000),
  artifact: v.nullable(text(512)),
  needsReboot: v.boolean(),
});
/** A change that is not a runtime write: done by hand or through the artifacts, some only on reboot. */
export type ManualStep = v.InferOutput<typeof manualSchema>;

export const JOURNAL_KINDS = ['apply', 'rollback', 'hvo-check'] as const;

const journalSchema = v.strictObject({
  format: v.literal(JOURNAL_FORMAT),
  version: v.literal(1),
  kind: v.picklist(JOURNAL_KINDS),
  startedAt: text(40),
  finishedAt: v.nullable(text(40)),
  /** Who asked: "hugetune apply", "hugetune hvo-check", "guided setup"... */
  source: text(200),
  /** How the writes were made: direct (as root) or pkexec (the helper). */
  writer: text(40),
  host: v.nullable(text(255)),
  kernel: v.nullable(text(255)),
  /** /proc/sys/kernel/random/boot_id: runtime settings do not survive a reboot, so a rollback says so. */
  bootId: v.nullable(text(64)),
  /** For a rollback: the journal it undid. */
  rollbackOf: v.nullable(text(4096)),
  results: v.pipe(v.array(resultSchema), v.maxLength(10_000)),
  manual: v.pipe(v.array(manualSchema), v.maxLength(1000)),
});
export type JournalEntry = v.InferOutput<typeof journalSchema>;

/**
 * Where journals go: /var/lib/hugetune/journal for root (a system change, kept with the system), otherwise
 * $XDG_STATE_HOME/hugetune/journal or ~/.local/state/hugetune/journal (the XDG base directory rules: a
 * relative XDG_STATE_HOME is ignored).
 */
export function defaultJournalDir(
  env: NodeJS.ProcessEnv = process.env,
  uid: number | undefined = process.getuid?.(),
): string {
  if (uid === 0) return SYSTEM_JOURNAL_DIR;
  const state = env.XDG_STATE_HOME;
  const base = state && isAbsolute(state) ? state : join(homedir(), '.local/state');
  return join(base, 'hugetune/journal');
}

export const SYSTEM_JOURNAL_DIR = '/var/lib/hugetune/journal';

/** A journal being written: saved at the start and after every step. */
export class Journal {
  private constructor(
    readonly dir: string,
    readonly name: string,
    readonly entry: JournalEntry,
  ) {}

  get file(): string {
    return join(this.dir, this.name);
  }

  static start(dir: string, entry: JournalEntry): Journal {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new UserError(`cannot create the journal directory ${dir}: ${message(e)}`);
    }
    // Sorted by name is sorted by time; the random part keeps two runs in one millisecond apart.
    const stamp = entry.startedAt.replaceAll(':', '-');
    const j = new Journal(dir, `${stamp}-${entry.kind}-${randomBytes(3).toString('hex')}.json`, entry);
    j.save();
    return j;
  }

  save(): void {
    try {
      writeFileSafely(this.file, `${JSON.stringify(this.entry, null, 2)}\n`, { mode: 0o600 });
    } catch (e) {
      // The safe writer already names the file; say that it is the journal.
      throw new UserError(`the journal: ${message(e)}`);
    }
  }

  finish(): void {
    this.entry.finishedAt = new Date().toISOString();
    this.save();
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A journal read back and checked: its shape, and every path and value in it against the allow-list (a
 * journal is a file anyone may have edited; rolling it back must never write what apply could not have).
 * Anything wrong is one line naming the first problem.
 */
export function readJournal(file: string): JournalEntry {
  // Read as every user-named input is (./open-input): a regular file, at most the journal cap; a journal
  // is small enough to scan and parse here.
  const label = inputLabel('', file);
  let text: string;
  try {
    text = readRegularSync(file, INPUT_KINDS.journal).toString('utf8');
  } catch (e) {
    throw refusal(label, e);
  }
  const tooBig = scanJson(text, INPUT_KINDS.journal.json);
  if (tooBig !== null) throw new UserError(`${label}: not a hugetune journal (${tooBig})`, 'bad-request');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UserError(`${label}: not a hugetune journal (${jsonParseProblem(text)})`, 'bad-request');
  }
  const other = otherKind(json, 'journal');
  if (other !== null) throw new UserError(`${label}: ${other}`, 'bad-request');
  const checked = validate(journalSchema, json);
  if (!checked.ok)
    throw new UserError(`${label}: not a hugetune journal (${printable(checked.error, { max: 300 })})`, 'bad-request');
  for (const r of checked.value.results) {
    const problem = refuseWrite(r.path, r.asked) ?? (r.before === null ? null : refuseWrite(r.path, r.before)) ?? null;
    if (problem !== null) throw new UserError(`${label}: refused: ${printable(problem, { max: 300 })}`, 'bad-request');
  }
  return checked.value;
}

export interface JournalListing {
  file: string;
  entry: JournalEntry | null;
  /** Why the file could not be read as a journal. */
  problem: string | null;
}

/** The journals in a directory, oldest first; a directory that does not exist has none. */
export function listJournals(dir: string): JournalListing[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
    if (code === 'ENOENT') return [];
    throw new UserError(`${dir}: cannot list it (${message(e)})`);
  }
  return names.sort().map((n) => {
    const file = join(dir, n);
    try {
      return { file, entry: readJournal(file), problem: null };
    } catch (e) {
      return { file, entry: null, problem: message(e).replace(`${inputLabel('', file)}: `, '') };
    }
  });
}
