/**
 * The apply engine: carries out the advisor's runtime writes in the order given, reads every file back, and
 * journals each step so it can be rolled back. Boot parameters, memlock limits and service settings are not
 * runtime writes: they come back as steps to do by hand (or through the artifacts), some needing a reboot.
 *
 * Rules it keeps:
 * - every write is checked against the allow-list before the first one is made: a list with one bad entry
 *   changes nothing;
 * - the value before each write is read just before it (the journal holds what was really there, not the
 *   advice's `before`, which may be stale);
 * - a write the kernel honours only in part (a pool that grew by fewer pages than asked) is recorded with the
 *   numbers as not ok, and the run goes on: later steps do not depend on a pool reaching its size;
 * - a dry run reads but writes nothing, not even the journal.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { dropInPath, LIMITS_PATH } from '../../shared/advise/artifacts/files';
import type { Change, WriteChange } from '../../shared/advise/changes';
import { refuseWrite } from '../../shared/advise/helper-script';
import { UserError } from '../../shared/errors';
import { Journal, readJournal, type JournalEntry, type ManualStep, type WriteResult } from './journal';
import type { Writer } from './writers';

export interface ApplyOptions {
  dryRun: boolean;
  writer: Writer;
  journalDir: string;
  /** Who asked, for the journal: "hugetune apply", "guided setup"... */
  source?: string;
  /** Stops before the next write once aborted (Ctrl-C in the CLI); what was done stays journaled. */
  signal?: AbortSignal;
  /** Called after each step, for progress. */
  onResult?: (r: WriteResult) => void;
}

export interface ApplyOutcome {
  dryRun: boolean;
  results: WriteResult[];
  manual: ManualStep[];
  /** null for a dry run, or when there was nothing to write. */
  journalFile: string | null;
  /** Every write read back as asked (for a dry run: nothing stands in the way). */
  ok: boolean;
  /** Stopped by the signal before the end. */
  stopped: boolean;
}

export function isWrite(c: Change): c is WriteChange {
  return c.kind === 'write';
}

/** What a change that is not a runtime write asks of the user, and which artifact carries it. */
export function manualStep(c: Exclude<Change, WriteChange>): ManualStep {
  switch (c.kind) {
    case 'boot': {
      const set = c.set.map((p) => (p.value === null ? p.key : `${p.key}=${p.value}`));
      const words = [
        ...(set.length > 0 ? [`add ${set.join(' ')}`] : []),
        ...(c.remove.length > 0 ? [`remove ${c.remove.join(' ')}`] : []),
      ];
      return {
        kind: 'boot',
        summary: `kernel command line: ${words.join('; ')} (in the boot loader's configuration, then reboot)`,
        artifact: null,
        needsReboot: true,
      };
    }
    case 'memlock':
      return c.scope === 'user'
        ? {
            kind: 'memlock',
            summary: `memlock limit ${c.limit} for user ${c.name} (takes effect at the next login)`,
            artifact: LIMITS_PATH,
            needsReboot: false,
          }
        : {
            kind: 'memlock',
            summary: `LimitMEMLOCK=${c.limit} for ${c.name} (systemctl daemon-reload, then restart the service)`,
            artifact: dropInPath(c.name),
            needsReboot: false,
          };
    case 'service': {
      const env = Object.entries(c.environment).map(([k, v]) => `${k}=${v}`);
      const parts = [...(env.length > 0 ? [`environment ${env.join(' ')}`] : []), ...(c.numactl ? [c.numactl] : [])];
      return {
        kind: 'service',
        summary: `${c.unit}: ${parts.join('; ') || 'settings'} (systemctl daemon-reload, then restart the service)`,
        artifact: dropInPath(c.unit),
        needsReboot: false,
      };
    }
  }
}

function readOr(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

function newEntry(
  kind: JournalEntry['kind'],
  o: { source?: string; writer: Writer },
  manual: ManualStep[],
): JournalEntry {
  return {
    format: 'hugetune-journal',
    version: 1,
    kind,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    source: o.source ?? 'hugetune',
    writer: o.writer.kind,
    host: hostname() || null,
    kernel: readOr('/proc/sys/kernel/osrelease'),
    bootId: currentBootId(),
    rollbackOf: null,
    results: [],
    manual,
  };
}

export function currentBootId(): string | null {
  return readOr('/proc/sys/kernel/random/boot_id');
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Runs writes in order through the writer, journaling as it goes. Shared by apply, rollback and the HVO
 * check. The caller has validated every write.
 */
/** The step for a file this kernel does not have (a setting of another version or architecture). */
function missingFile(path: string, asked: string): WriteResult {
  return {
    path,
    asked,
    before: null,
    after: null,
    ok: false,
    status: 'failed',
    error: `${path}: no such file on this machine`,
  };
}

export class WriteSession {
  readonly results: WriteResult[] = [];
  private journal: Journal | null = null;
  journalProblem: string | null = null;

  /**
   * `opts` null: nothing is journaled (a dry run). `bestEffort`: a journal that cannot be written is noted in
   * journalProblem and the writes go on (restoring); otherwise it stops the run before the next write.
   */
  constructor(
    private readonly writer: Writer,
    kind: JournalEntry['kind'],
    opts: { journalDir: string; source?: string; rollbackOf?: string; manual?: ManualStep[] } | null,
    private readonly onResult?: (r: WriteResult) => void,
    private readonly bestEffort = false,
  ) {
    if (opts === null) return;
    const entry = newEntry(kind, { source: opts.source, writer }, opts.manual ?? []);
    entry.rollbackOf = opts.rollbackOf ?? null;
    entry.results = this.results;
    this.guard(() => (this.journal = Journal.start(opts.journalDir, entry)));
  }

  get journalFile(): string | null {
    return this.journal?.file ?? null;
  }

  private guard(f: () => unknown): void {
    try {
      f();
    } catch (e) {
      if (!this.bestEffort) throw e;
      this.journalProblem ??= message(e);
    }
  }

  private save(): void {
    this.guard(() => this.journal?.save());
  }

  private record(r: WriteResult): WriteResult {
    this.onResult?.(r);
    this.save();
    return r;
  }

  /** What a dry run reports for one write: the value now, and whether it would change. */
  async plan(path: string, asked: string): Promise<WriteResult> {
    const before = await this.writer.read(path);
    const r: WriteResult =
      before === asked
        ? { path, asked, before, after: before, ok: true, status: 'unchanged' }
        : before === null
          ? missingFile(path, asked)
          : { path, asked, before, after: null, ok: false, status: 'planned' };
    this.results.push(r);
    this.onResult?.(r);
    return r;
  }

  /** Reads, journals the value about to be replaced, writes, reads back. Never throws for the kernel's refusal. */
  async write(path: string, asked: string): Promise<WriteResult> {
    let before: string | null;
    try {
      before = await this.writer.read(path);
    } catch (e) {
      const r: WriteResult = { path, asked, before: null, after: null, ok: false, status: 'failed', error: message(e) };
      this.results.push(r);
      return this.record(r);
    }
    if (before === null) {
      const r = missingFile(path, asked);
      this.results.push(r);
      return this.record(r);
    }
    if (before === asked) {
      const r: WriteResult = { path, asked, before, after: before, ok: true, status: 'unchanged' };
      this.results.push(r);
      return this.record(r);
    }
    // Saved before the write: if this process dies during it, the journal still knows what to restore.
    const r: WriteResult = { path, asked, before, after: null, ok: false, status: 'pending' };
    this.results.push(r);
    this.save();
    try {
      const out = await this.writer.write(path, asked);
      r.after = out.after;
      r.ok = out.after === asked;
      r.status = r.ok ? 'done' : 'short';
    } catch (e) {
      r.status = 'failed';
      r.error = message(e);
      r.after = await this.writer.read(path).catch(() => null);
    }
    return this.record(r);
  }

  notRun(path: string, asked: string): void {
    this.results.push({
      path,
      asked,
      before: null,
      after: null,
      ok: false,
      status: 'not-run',
      error: 'stopped before this change',
    });
    this.save();
  }

  finish(): void {
    this.guard(() => this.journal?.finish());
  }
}

function checkAll(writes: readonly { path: string; value: string }[]): void {
  for (const w of writes) {
    const problem = refuseWrite(w.path, w.value);
    if (problem !== null) throw new UserError(`refused, nothing was changed: ${problem}`, 'bad-request');
  }
}

export async function applyChanges(changes: readonly Change[], o: ApplyOptions): Promise<ApplyOutcome> {
  const writes = changes.filter(isWrite);
  const manual = changes.filter((c): c is Exclude<Change, WriteChange> => !isWrite(c)).map(manualStep);
  checkAll(writes);
  const journaled = !o.dryRun && writes.length > 0;
  const session = new WriteSession(
    o.writer,
    'apply',
    journaled ? { journalDir: o.journalDir, source: o.source, manual } : null,
    o.onResult,
  );
  let stopped = false;
  for (const w of writes) {
    if (o.dryRun) {
      await session.plan(w.path, w.value);
      continue;
    }
    if (stopped || o.signal?.aborted) {
      stopped = true;
      session.notRun(w.path, w.value);
      continue;
    }
    await session.write(w.path, w.value);
  }
  session.finish();
  const results = session.results;
  return {
    dryRun: o.dryRun,
    results,
    manual,
    journalFile: session.journalFile,
    ok: o.dryRun ? results.every((r) => r.status !== 'failed') : results.every((r) => r.ok),
    stopped,
  };
}

const TOUCHED: readonly WriteResult['status'][] = ['done', 'short', 'failed', 'pending'];

/** The writes that changed something (or may have), newest first, with the value to put back. */
export function restorable(results: readonly WriteResult[]): WriteResult[] {
  return results.filter((r) => TOUCHED.includes(r.status) && r.before !== null).reverse();
}

export interface RestoreOptions {
  dryRun?: boolean;
  /** null: nothing is journaled (a simulated machine, which keeps no journal). */
  journalDir: string | null;
  source?: string;
  signal?: AbortSignal;
  onResult?: (r: WriteResult) => void;
}

export interface RestoreOutcome {
  dryRun: boolean;
  results: WriteResult[];
  journalFile: string | null;
  ok: boolean;
  stopped: boolean;
  /** Why the restore could not be journaled; it went on regardless. */
  journalProblem: string | null;
}

/**
 * Puts back every value the given writes replaced, newest first, reading each back, and journals it as a
 * rollback. Restoring is what must happen however the run got here: a journal that cannot be written is
 * noted and the restore goes on.
 */
export async function restore(
  results: readonly WriteResult[],
  writer: Writer,
  o: RestoreOptions & { rollbackOf: string | null },
): Promise<RestoreOutcome> {
  const todo = restorable(results);
  const dryRun = o.dryRun === true;
  const session = new WriteSession(
    writer,
    'rollback',
    !dryRun && todo.length > 0 && o.journalDir !== null
      ? { journalDir: o.journalDir, source: o.source, rollbackOf: o.rollbackOf ?? undefined }
      : null,
    o.onResult,
    true,
  );
  let stopped = false;
  for (const r of todo) {
    if (dryRun) await session.plan(r.path, r.before!);
    else if (stopped || o.signal?.aborted) {
      stopped = true;
      session.notRun(r.path, r.before!);
    } else await session.write(r.path, r.before!);
  }
  session.finish();
  return {
    dryRun,
    results: session.results,
    journalFile: session.journalFile,
    ok: dryRun ? session.results.every((r) => r.status !== 'failed') : session.results.every((r) => r.ok),
    stopped,
    journalProblem: session.journalProblem,
  };
}

export interface RollbackOutcome extends RestoreOutcome {
  /** The journal was written in another boot: the runtime values it changed were reset by the reboot. */
  otherBoot: boolean;
  /** Writes that cannot be restored because their value before was not readable. */
  unknown: string[];
}

/**
 * Restores every value a journal replaced, newest first, reads each back, and journals the rollback too.
 * A journal that does not validate (shape, paths, values) is refused with one line before anything is read.
 */
export async function rollback(journalFile: string, writer: Writer, o: RestoreOptions): Promise<RollbackOutcome> {
  const file = resolve(journalFile);
  const entry = readJournal(file);
  const out = await restore(entry.results, writer, { ...o, rollbackOf: file });
  const boot = currentBootId();
  return {
    ...out,
    otherBoot: entry.bootId !== null && boot !== null && entry.bootId !== boot,
    unknown: entry.results.filter((r) => TOUCHED.includes(r.status) && r.before === null).map((r) => r.path),
  };
}
