/**
 * `hugetune apply`, `rollback`, `journal` and `hvo-check`: the commands that change this machine. They run
 * only on the live machine (a snapshot or a simulated machine cannot be changed), only as root (writes go
 * straight to the kernel files; the app's guided setup goes through pkexec instead), and only with consent:
 * --yes, or "yes" typed at a terminal.
 */
import { createInterface } from 'node:readline/promises';
import type { Change } from '../../shared/advise/changes';
import { pagesFlagProblem, checkVerdict } from '../../shared/advise/hvo-check';
import { UserError } from '../../shared/errors';
import type { HostFiles } from '../../shared/host/files';
import { parsePageSize, pageSizeLabel } from '../../shared/kernel/pages';
import { applyChanges, rollback, type ApplyOutcome, type RollbackOutcome } from '../host/apply';
import { hvoCheck, type HvoCheckResult } from '../host/hvo-check';
import {
  defaultJournalDir,
  listJournals,
  SYSTEM_JOURNAL_DIR,
  type JournalListing,
  type ManualStep,
  type WriteResult,
} from '../host/journal';
import { openSource } from '../host/source';
import { DirectWriter, type Writer } from '../host/writers';
import { UsageError } from './errors';
import { printable } from './format';

export const APPLY_OPTIONS = {
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
} as const;

export const HVO_CHECK_OPTIONS = {
  pages: { type: 'string' },
  size: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
} as const;

/** What the commands need from the world; tests pass a temporary tree, a writer over it and a fake prompt. */
export interface ChangeDeps {
  isRoot: boolean;
  writer: Writer;
  files: HostFiles;
  journalDir: string;
  /** Asks a question at the terminal; null when there is none to ask at. */
  ask: ((prompt: string) => Promise<string>) | null;
  /** Called just before the first write: a signal that stops the run before its next write. */
  stopSignal?: () => AbortSignal;
}

export interface Out {
  out(text: string): void;
  err(text: string): void;
}

async function askAtTerminal(prompt: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await rl.question(prompt);
  } finally {
    rl.close();
  }
}

/**
 * The live machine, root's direct writes, the default journal directory, and a prompt when standard input is
 * a terminal. Ctrl-C stops before the next write instead of killing the process in the middle of one (the
 * HVO check then puts everything back); a second Ctrl-C is the default again.
 */
export function liveDeps(): ChangeDeps {
  return {
    isRoot: process.getuid?.() === 0,
    writer: new DirectWriter(),
    files: openSource({}),
    journalDir: defaultJournalDir(),
    ask: process.stdin.isTTY ? askAtTerminal : null,
    stopSignal: () => {
      // Installed only once writing is about to start, so reading commands keep the default Ctrl-C.
      const stop = new AbortController();
      process.once('SIGINT', () => {
        process.stderr.write('\nhugetune: stopping after the current step (Ctrl-C again to force)\n');
        stop.abort();
      });
      process.once('SIGTERM', () => stop.abort());
      return stop.signal;
    },
  };
}

/** --root, --snapshot and --sim are refused by name: changing a copy of a machine means nothing. */
export function refuseSource(command: string, values: Record<string, unknown>): void {
  const named = ['root', 'snapshot', 'sim', 'set'].filter((k) => values[k] !== undefined);
  if (named.length > 0) {
    throw new UsageError(
      `${command} changes this machine only: --${named[0]} names another (a snapshot or a simulated machine cannot be changed)`,
    );
  }
}

function needRoot(deps: ChangeDeps, command: string): void {
  if (!deps.isRoot)
    throw new UserError(`run as root (sudo hugetune ${command} ...) or use the app's guided setup`, 'failed');
}

async function consent(deps: ChangeDeps, yes: boolean, what: string): Promise<void> {
  if (yes) return;
  if (deps.ask === null)
    throw new UsageError(`${what}: add --yes to confirm (standard input is not a terminal, so nobody can be asked)`);
  const answer = await deps.ask(`${what}? Type yes to go on: `);
  if (answer.trim().toLowerCase() !== 'yes') throw new UserError('nothing was changed (not confirmed)');
}

const shown = (v: string | null): string => (v === null ? '(missing)' : v === '' ? '(empty)' : v);

function resultLine(r: WriteResult): string {
  const arrow = `${shown(r.before)} → ${r.status === 'planned' ? r.asked : shown(r.after)}`;
  switch (r.status) {
    case 'planned':
      return `  change    ${r.path}   ${arrow}`;
    case 'unchanged':
      return `  as is     ${r.path}   already ${shown(r.before)}`;
    case 'done':
      return `  ok        ${r.path}   ${arrow}`;
    case 'short':
      return `  SHORT     ${r.path}   ${arrow} (asked ${r.asked}: the kernel gave less)`;
    case 'failed':
      return `  FAILED    ${r.path}   ${r.error ?? 'failed'}`;
    case 'pending':
      return `  UNKNOWN   ${r.path}   ${shown(r.before)} → ? (asked ${r.asked}; the write never reported back)`;
    case 'not-run':
      return `  not run   ${r.path}   (stopped before it)`;
  }
}

function manualLines(steps: readonly ManualStep[]): string[] {
  if (steps.length === 0) return [];
  return [
    '',
    'To do by hand (not runtime settings; see hugetune recommend for the exact files):',
    ...steps.map(
      (m) => `  - ${m.summary}${m.artifact ? ` [${m.artifact}]` : ''}${m.needsReboot ? ' (needs a reboot)' : ''}`,
    ),
  ];
}

export function formatOutcome(o: ApplyOutcome | RollbackOutcome, verb: 'apply' | 'rollback'): string {
  const lines: string[] = [];
  const writes = o.results;
  if (writes.length === 0) lines.push(verb === 'apply' ? 'No runtime changes to make.' : 'Nothing to restore.');
  else if (o.dryRun && !writes.some((r) => r.status === 'planned'))
    lines.push('Nothing to write: every value is already as asked (or its file is missing):');
  else if (o.dryRun)
    lines.push(
      `Dry run: ${verb === 'apply' ? 'these writes would be made' : 'these values would be restored'}, in this order (nothing was written):`,
    );
  else lines.push(verb === 'apply' ? 'Applied, each value read back:' : 'Restored, each value read back:');
  lines.push(...writes.map(resultLine));
  if ('manual' in o) lines.push(...manualLines(o.manual));
  if ('otherBoot' in o && o.otherBoot)
    lines.push('', 'Note: that journal is from an earlier boot; runtime settings were reset by the reboot.');
  if ('unknown' in o && o.unknown.length > 0)
    lines.push('', `Cannot restore (the value before was not readable): ${o.unknown.join(', ')}`);
  if (o.stopped) lines.push('', 'Stopped before the end: the changes not run are listed above.');
  if (o.journalFile) {
    lines.push('', `Journal: ${o.journalFile}`);
    if (verb === 'apply') lines.push(`Undo with: sudo hugetune rollback ${o.journalFile}`);
  }
  if (!o.dryRun && !o.ok && writes.length > 0) lines.push('', 'Not every change took fully (see above).');
  return printable(`${lines.join('\n')}\n`);
}

/**
 * The advisor's merged change list for this machine, with the plan flags when a model is named, exactly as
 * `hugetune recommend` computes it. A planned machine (--mem-gib) is not this one: refused.
 */
export async function changesFromFlags(values: Record<string, unknown>, files: HostFiles): Promise<Change[]> {
  const { requestFromFlags } = await import('./plan');
  const { adviceRequestSchema, runAdvice } = await import('../../shared/advise/request');
  const { isPlanned } = await import('../../shared/plan/request');
  const { validate } = await import('../../shared/validate');
  const { readHost } = await import('../../shared/host/read/index');
  const { buildReport } = await import('../../shared/host/report');
  const str = (k: string): Record<string, string> => (typeof values[k] === 'string' ? { [k]: values[k] } : {});
  const checked = validate(adviceRequestSchema, {
    ...requestFromFlags(values, false),
    ...str('user'),
    ...str('unit'),
    ...(typeof values['model-path'] === 'string' ? { modelPath: values['model-path'] } : {}),
  });
  if (!checked.ok) throw new UsageError(checked.error);
  if (isPlanned(checked.value))
    throw new UsageError('--mem-gib plans another machine: apply changes this one (drop --mem-gib and its flags)');
  const spec =
    checked.value.gguf !== undefined
      ? await (await import('../host/gguf')).readGgufModel(checked.value.gguf)
      : undefined;
  return runAdvice(checked.value, buildReport(readHost(files)), spec).changes;
}

/** hugetune apply: the advisor's changes for this machine (and a model, with the plan flags). */
export async function applyCommand(
  changes: () => Promise<Change[]>,
  opts: { dryRun: boolean; yes: boolean; json: boolean },
  deps: ChangeDeps,
  io: Out,
): Promise<number> {
  if (!opts.dryRun) needRoot(deps, 'apply');
  const list = await changes();
  const preview = await applyChanges(list, { dryRun: true, writer: deps.writer, journalDir: deps.journalDir });
  const toWrite = preview.results.filter((r) => r.status === 'planned').length;
  if (opts.dryRun || toWrite === 0) {
    io.out(opts.json ? `${JSON.stringify(preview, null, 2)}\n` : formatOutcome(preview, 'apply'));
    return preview.ok ? 0 : 1;
  }
  if (!opts.json)
    io.out(formatOutcome(preview, 'apply').replace(/^Dry run: .*\n/, 'Changes to make, in this order:\n'));
  await consent(deps, opts.yes, `write ${toWrite} kernel setting${toWrite === 1 ? '' : 's'}`);
  const done = await applyChanges(list, {
    dryRun: false,
    writer: deps.writer,
    journalDir: deps.journalDir,
    source: 'hugetune apply',
    signal: deps.stopSignal?.(),
  });
  io.out(opts.json ? `${JSON.stringify(done, null, 2)}\n` : `\n${formatOutcome(done, 'apply')}`);
  return done.ok ? 0 : 1;
}

export async function rollbackCommand(
  file: string,
  opts: { dryRun: boolean; json: boolean },
  deps: ChangeDeps,
  io: Out,
): Promise<number> {
  if (!opts.dryRun) needRoot(deps, 'rollback');
  const out = await rollback(file, deps.writer, {
    dryRun: opts.dryRun,
    journalDir: deps.journalDir,
    source: 'hugetune rollback',
    signal: opts.dryRun ? undefined : deps.stopSignal?.(),
  });
  io.out(opts.json ? `${JSON.stringify(out, null, 2)}\n` : formatOutcome(out, 'rollback'));
  return out.ok ? 0 : 1;
}

/** The journal directories worth looking in: this user's, and the system's (root's applies) when different. */
export function journalDirs(deps: { journalDir: string }): string[] {
  return [...new Set([deps.journalDir, SYSTEM_JOURNAL_DIR])];
}

export function journalCommand(dirs: string[], json: boolean, io: Out): number {
  const all: (JournalListing & { dir: string })[] = [];
  const problems: string[] = [];
  for (const dir of dirs) {
    try {
      all.push(...listJournals(dir).map((j) => ({ ...j, dir })));
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (json) {
    io.out(
      `${JSON.stringify(
        {
          dirs,
          journals: all.map((j) => ({
            file: j.file,
            kind: j.entry?.kind ?? null,
            startedAt: j.entry?.startedAt ?? null,
            finishedAt: j.entry?.finishedAt ?? null,
            source: j.entry?.source ?? null,
            writes: j.entry?.results.length ?? null,
            ok: j.entry ? j.entry.results.every((r) => r.ok) : null,
            rollbackOf: j.entry?.rollbackOf ?? null,
            problem: j.problem,
          })),
          problems,
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  const lines: string[] = [];
  if (all.length === 0) lines.push(`No journals (looked in ${dirs.join(' and ')}).`);
  for (const j of all) {
    if (!j.entry) {
      lines.push(`${j.file}\n    not a journal: ${j.problem}`);
      continue;
    }
    const e = j.entry;
    const changed = e.results.filter((r) => ['done', 'short', 'failed', 'pending'].includes(r.status)).length;
    const bad = e.results.filter((r) => !r.ok).length;
    lines.push(
      `${j.file}\n    ${e.kind} by ${e.source}, ${e.startedAt}${e.finishedAt ? '' : ' (did not finish)'}: ${changed} written, ${bad === 0 ? 'all as asked' : `${bad} not as asked`}${e.rollbackOf ? `; undid ${e.rollbackOf}` : ''}`,
    );
  }
  for (const p of problems) lines.push(`(${p})`);
  io.out(printable(`${lines.join('\n')}\n`));
  return 0;
}

export function parseCheckFlags(values: { pages?: string | boolean; size?: string | boolean }): {
  pages: number;
  pageSizeKiB: number;
} {
  const pages = typeof values.pages === 'string' ? values.pages : undefined;
  if (pages === undefined)
    throw new UsageError('hvo-check needs --pages N (how many huge pages to reserve for the check)');
  const problem = pagesFlagProblem(pages);
  if (problem !== null) throw new UsageError(problem);
  const size = typeof values.size === 'string' ? values.size : '2M';
  const kib = parsePageSize(size);
  if (kib === null || (kib !== 2048 && kib !== 1048576)) throw new UsageError(`--size ${size}: expected 2M or 1G`);
  return { pages: Number(pages), pageSizeKiB: kib };
}

export function formatCheck(r: HvoCheckResult): string {
  const size = pageSizeLabel(r.pageSizeKiB);
  const lines = [
    `HVO check on ${r.kernel}: ${r.pagesAsked} × ${size} pages${r.hvoWasOn ? '' : ' (HVO was off: turned on for the check)'}`,
    `  pages        asked ${r.pagesAsked}, got ${r.pagesGot}${r.pagesGot < r.pagesAsked ? ' (the pool grew only partly: predicted for what it got)' : ''}`,
    `  predicted    ${r.predictedPages} vmemmap pages freed (${r.freedPagesPerHugePage} per ${size} page, ${r.keptPages} kept)`,
    `  measured     ${r.measuredPages} (nr_memmap_pages + nr_memmap_boot_pages: ${r.memmapBefore} → ${r.memmapAfter})`,
    `  verdict      ${checkVerdict(r).sentence}`,
    `  restored     ${r.restored ? 'yes: the pool and HVO read as before' : 'NO: see the journal'}`,
  ];
  if (r.journalFile)
    lines.push(`Journal: ${r.journalFile}${r.restoreJournalFile ? ` (restore: ${r.restoreJournalFile})` : ''}`);
  return printable(`${lines.join('\n')}\n`);
}

export async function hvoCheckCommand(
  flags: { pages: number; pageSizeKiB: number; yes: boolean; json: boolean },
  deps: ChangeDeps,
  io: Out,
): Promise<number> {
  needRoot(deps, 'hvo-check');
  await consent(
    deps,
    flags.yes,
    `reserve ${flags.pages} × ${pageSizeLabel(flags.pageSizeKiB)} pages with HVO on, measure, and put everything back`,
  );
  const r = await hvoCheck({
    pages: flags.pages,
    pageSizeKiB: flags.pageSizeKiB,
    writer: deps.writer,
    files: deps.files,
    journalDir: deps.journalDir,
    source: 'hugetune hvo-check',
    signal: deps.stopSignal?.(),
  });
  io.out(flags.json ? `${JSON.stringify(r, null, 2)}\n` : formatCheck(r));
  return r.restored && r.measuredPages === r.predictedPages ? 0 : 1;
}
