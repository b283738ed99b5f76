/**
 * The hugetune command. Exit status: 0 success, 1 runtime error (a clear one-line message), 2 usage error.
 * Stack traces only with --debug.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../../shared/errors';
import { printable } from '../../shared/text';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';
import { APP_VERSION } from '../host/version';
import { openSource } from '../host/source';
import { UsageError } from './errors';
import { formatHardware, formatReport } from './format';

import type { Edits } from '../../shared/sim/edit';
import { PLAN_OPTIONS } from './plan-options';
import { HELP } from './usage';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const SOURCE_OPTIONS = {
  root: { type: 'string' },
  snapshot: { type: 'string' },
  sim: { type: 'string' },
  set: { type: 'string', multiple: true },
} as const;
const COMMON = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
} as const;

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  return parseWith(args, options, false);
}

function parseWith<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
  allowPositionals: boolean,
) {
  // A negative number after a flag ("--ctx -1") reads as another option to parseArgs; keep it the flag's value
  // so the range check can say what is wrong with it.
  const opts: Record<string, { type: string }> = { ...COMMON, ...options };
  const joined: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    const next = args[k + 1];
    if (a.startsWith('--') && opts[a.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${a}=${next}`);
      k++;
    } else joined.push(a);
  }
  try {
    return parseArgs({ args: joined, options: { ...COMMON, ...options }, allowPositionals, strict: true });
  } catch (e) {
    // node's messages are long and mention internals; keep the first sentence.
    const msg =
      e instanceof Error
        ? e.message.split(/\.(?:\s|$)/)[0]!.replace(/^(Unknown option|Option)/, (w) => w.toLowerCase())
        : String(e);
    throw new UsageError(msg);
  }
}

async function source(values: {
  root?: string | boolean | undefined;
  snapshot?: string | boolean | undefined;
  sim?: string | boolean | undefined;
  set?: (string | boolean)[] | undefined;
}) {
  const root = typeof values.root === 'string' ? values.root : undefined;
  const snapshot = typeof values.snapshot === 'string' ? values.snapshot : undefined;
  const sim = typeof values.sim === 'string' ? values.sim : undefined;
  if (root === '') throw new UsageError('--root needs a directory');
  if (snapshot === '') throw new UsageError('--snapshot needs a file');
  if ([root, snapshot, sim].filter((x) => x !== undefined).length > 1) {
    throw new UsageError('choose one source: --root DIR, --snapshot FILE or --sim PROFILE');
  }
  const sets = (values.set ?? []).map(String);
  if (sets.length > 0 && sim === undefined) throw new UsageError('--set edits a simulated machine: add --sim PROFILE');
  const edits: Edits = {};
  if (sets.length > 0) {
    const { parseEdit } = await import('../../shared/sim/edit');
    for (const e of sets) {
      const problem = parseEdit(e, edits);
      if (problem) throw new UsageError(`--set ${problem}`);
    }
  }
  if (sim !== undefined) {
    const { loadProfile, openSim, profileSpecProblem } = await import('../host/sim-source');
    const problem = profileSpecProblem(sim);
    if (problem !== null) throw new UsageError(problem);
    return openSim(await loadProfile(sim), edits);
  }
  if (snapshot !== undefined) return (await import('../host/snapshot-load')).loadSnapshotFile(snapshot);
  return openSource({ root });
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535)
    throw new UsageError(`--port ${text}: expected a port number from 0 to 65535`);
  return Number(text);
}

async function run(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    const topic = command === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !(topic in HELP)) throw new UsageError(`unknown command '${topic}'`);
    io.out(`${HELP[topic ?? 'main']}\n`);
    return 0;
  }
  if (command === '--version' || command === '-V') {
    io.out(`hugetune ${APP_VERSION}\n`);
    return 0;
  }
  switch (command) {
    case 'report': {
      const { values } = parse(rest, { ...SOURCE_OPTIONS, hardware: { type: 'boolean' } });
      if (values.help) return help(io, command);
      const files = await source(values);
      // On this machine the alignment probe's measurement replaces the kernel version table's guess.
      const alignmentProbe =
        files.source.kind === 'live' ? await (await import('../host/inspect/probe')).cachedProbe() : null;
      const report = buildReport(readHost(files), { alignmentProbe });
      const hardware = values.hardware ? await (await import('../host/hardware')).readHardware(files) : undefined;
      if (values.json) io.out(`${JSON.stringify(hardware ? { ...report, hardware } : report, null, 2)}\n`);
      else io.out(formatReport(report) + (hardware ? formatHardware(hardware) : ''));
      return 0;
    }
    case 'diff': {
      const { values, positionals } = parseWith(rest, { counters: { type: 'boolean' } }, true);
      if (values.help) return help(io, command);
      const { parseDiffArgs, openSpec, formatDiff } = await import('./diff');
      const [a, b] = parseDiffArgs(positionals);
      const { diffReports } = await import('../../shared/host/diff');
      const ra = buildReport(readHost(await openSpec(a, 'A')));
      const rb = buildReport(readHost(await openSpec(b, 'B')));
      const d = diffReports(ra, rb, { counters: values.counters === true });
      // Differing is an answer, not a failure: exit 0 either way, and the summary says which.
      io.out(values.json ? `${JSON.stringify(d, null, 2)}\n` : formatDiff(d));
      return 0;
    }
    case 'models': {
      const { values } = parse(rest, {});
      if (values.help) return help(io, command);
      const { modelsJson, formatModels } = await import('./plan');
      io.out(values.json ? `${JSON.stringify(modelsJson(), null, 2)}\n` : formatModels());
      return 0;
    }
    case 'plan': {
      const { values } = parse(rest, { ...SOURCE_OPTIONS, ...PLAN_OPTIONS });
      if (values.help) return help(io, command);
      const { formatPlan, planRequestFromFlags, runPlan, isPlanned } = await import('./plan');
      const req = planRequestFromFlags(values);
      // A planned machine (--mem-gib) is described wholly by its flags: no source is read, none may be named.
      const planned = isPlanned(req);
      if (planned && (values.root !== undefined || values.snapshot !== undefined || values.sim !== undefined))
        throw new UsageError('--mem-gib plans a machine of its own: drop --root/--snapshot/--sim, or drop --mem-gib');
      const report = planned ? null : buildReport(readHost(await source(values)));
      const spec = req.gguf !== undefined ? await (await import('../host/gguf')).readGgufModel(req.gguf) : undefined;
      const result = runPlan(req, report, spec);
      io.out(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatPlan(result));
      return 0;
    }
    case 'recommend': {
      const { RECOMMEND_OPTIONS } = await import('./recommend');
      const { values } = parse(rest, { ...SOURCE_OPTIONS, ...PLAN_OPTIONS, ...RECOMMEND_OPTIONS });
      if (values.help) return help(io, command);
      const { requestFromFlags } = await import('./plan');
      const { adviceRequestSchema, runAdvice } = await import('../../shared/advise/request');
      const { validate } = await import('../../shared/validate');
      const base = requestFromFlags(values, false);
      const extra = {
        ...(typeof values.user === 'string' ? { user: values.user } : {}),
        ...(typeof values.unit === 'string' ? { unit: values.unit } : {}),
        ...(typeof values['model-path'] === 'string' ? { modelPath: values['model-path'] } : {}),
      };
      const checked = validate(adviceRequestSchema, { ...base, ...extra });
      if (!checked.ok) throw new UsageError(checked.error);
      const req = checked.value;
      const { isPlanned } = await import('../../shared/plan/request');
      const planned = isPlanned(req);
      if (planned && (values.root !== undefined || values.snapshot !== undefined || values.sim !== undefined))
        throw new UsageError('--mem-gib plans a machine of its own: drop --root/--snapshot/--sim, or drop --mem-gib');
      const files = planned ? null : await source(values);
      // On this machine the alignment probe's measurement replaces the kernel version table's guess.
      const alignmentProbe =
        files?.source.kind === 'live' ? await (await import('../host/inspect/probe')).cachedProbe() : null;
      const report = files ? buildReport(readHost(files), { alignmentProbe }) : null;
      const spec = req.gguf !== undefined ? await (await import('../host/gguf')).readGgufModel(req.gguf) : undefined;
      const advice = runAdvice(req, report, spec, APP_VERSION, files);
      const { formatAdvice, artifactText } = await import('./recommend');
      if (typeof values.artifact === 'string') io.out(artifactText(advice, values.artifact));
      else io.out(values.json ? `${JSON.stringify(advice, null, 2)}\n` : formatAdvice(advice));
      return 0;
    }
    case 'apply': {
      const { RECOMMEND_OPTIONS } = await import('./recommend');
      const { APPLY_OPTIONS, applyCommand, changesFromFlags, liveDeps, refuseSource } = await import('./apply');
      const { values } = parse(rest, { ...SOURCE_OPTIONS, ...PLAN_OPTIONS, ...RECOMMEND_OPTIONS, ...APPLY_OPTIONS });
      if (values.help) return help(io, command);
      refuseSource('apply', values);
      const deps = liveDeps();
      const opts = { dryRun: values['dry-run'] === true, yes: values.yes === true, json: values.json === true };
      return applyCommand(() => changesFromFlags(values, deps.files), opts, deps, io);
    }
    case 'rollback': {
      const { values, positionals } = parseWith(rest, { 'dry-run': { type: 'boolean' } }, true);
      if (values.help) return help(io, command);
      if (positionals.length !== 1) throw new UsageError('rollback needs one journal file (see hugetune journal)');
      const { liveDeps, rollbackCommand } = await import('./apply');
      const opts = { dryRun: values['dry-run'] === true, json: values.json === true };
      return rollbackCommand(positionals[0]!, opts, liveDeps(), io);
    }
    case 'journal': {
      const { values } = parse(rest, {});
      if (values.help) return help(io, command);
      const { journalCommand, journalDirs } = await import('./apply');
      const { defaultJournalDir } = await import('../host/journal');
      return journalCommand(journalDirs({ journalDir: defaultJournalDir() }), values.json === true, io);
    }
    case 'hvo-check': {
      const { HVO_CHECK_OPTIONS, hvoCheckCommand, liveDeps, parseCheckFlags, refuseSource } = await import('./apply');
      const { values } = parse(rest, { ...SOURCE_OPTIONS, ...HVO_CHECK_OPTIONS });
      if (values.help) return help(io, command);
      refuseSource('hvo-check', values);
      const flags = { ...parseCheckFlags(values), yes: values.yes === true, json: values.json === true };
      return hvoCheckCommand(flags, liveDeps(), io);
    }
    case 'sim': {
      const [sub, ...args] = rest;
      if (sub === undefined || sub === '--help' || sub === '-h') return help(io, 'sim');
      const { values, positionals } = parseWith(args, {}, true);
      if (values.help) return help(io, 'sim');
      const { PROFILES } = await import('../../shared/sim/profiles');
      if (sub === 'list') {
        if (positionals.length > 0) throw new UsageError('sim list takes no arguments');
        io.out(
          values.json
            ? `${JSON.stringify(
                PROFILES.map((p) => ({ id: p.id, description: p.description })),
                null,
                2,
              )}\n`
            : PROFILES.map((p) => `  ${p.id.padEnd(26)}${p.description}\n`).join(''),
        );
        return 0;
      }
      if (sub === 'show') {
        if (positionals.length !== 1) throw new UsageError('sim show needs one profile id or file');
        const { loadProfile, profileSpecProblem } = await import('../host/sim-source');
        const problem = profileSpecProblem(positionals[0]!, 'sim show');
        if (problem !== null) throw new UsageError(problem);
        io.out(`${JSON.stringify(await loadProfile(positionals[0]!, 'sim show'), null, 2)}\n`);
        return 0;
      }
      throw new UsageError(`unknown sim command '${sub}' (list or show)`);
    }
    case 'snapshot': {
      const { values } = parse(rest, {
        ...SOURCE_OPTIONS,
        output: { type: 'string', short: 'o' },
        redact: { type: 'boolean' },
        pid: { type: 'string', multiple: true },
      });
      if (values.help) return help(io, command);
      if (values.output === undefined) throw new UsageError('snapshot needs -o FILE (or -o - for standard output)');
      const { pidFlag } = await import('./inspect');
      const pids = (values.pid ?? []).map((p) => pidFlag(p)!);
      const { captureSnapshot, writeSnapshot } = await import('../host/snapshot-io');
      const files = await source(values);
      if (pids.length > 0) {
        const { requireProcess } = await import('../host/inspect/inspect');
        for (const pid of pids) requireProcess(files, pid);
      }
      const snap = captureSnapshot(files, values.redact === true, new Date(), pids);
      if (values.output === '-') io.out(`${JSON.stringify(snap)}\n`);
      else {
        writeSnapshot(values.output, snap);
        const n = Object.keys(snap.files).length;
        io.out(
          values.json
            ? `${JSON.stringify({ file: values.output, files: n })}\n`
            : `wrote ${values.output}: ${n} kernel files\n`,
        );
      }
      return 0;
    }
    case 'inspect': {
      const { INSPECT_OPTIONS, pidFlag, formatList, formatProcess, formatComparison } = await import('./inspect');
      const { values } = parse(rest, { ...SOURCE_OPTIONS, ...INSPECT_OPTIONS, ...PLAN_OPTIONS });
      if (values.help) return help(io, command);
      const pid = pidFlag(values.pid);
      const files = await source(values);
      const { inspectProcess, listProcesses } = await import('../host/inspect/inspect');
      const uid = files.source.kind === 'live' ? (process.getuid?.() ?? null) : null;
      const { requestFromFlags } = await import('./plan');
      const req = requestFromFlags(values, false);
      const wantsPlan = req.model !== undefined || req.gguf !== undefined || req.footprintMiB !== undefined;
      if (pid === undefined) {
        if (values.smaps) throw new UsageError('--smaps reads one process: add --pid PID');
        if (wantsPlan) throw new UsageError('a plan is compared with one process: add --pid PID');
        const list = listProcesses(files, { uid });
        io.out(values.json ? `${JSON.stringify(list, null, 2)}\n` : formatList(list, files));
        return 0;
      }
      const state = readHost(files);
      const detail = inspectProcess(files, pid, { smaps: values.smaps === true, uid }, state);
      let comparison = null;
      if (wantsPlan) {
        const { runPlan, isPlanned } = await import('./plan');
        const { checkFitsMachine, compareWithPlan, requestFor } = await import('../../shared/host/process/compare');
        const spec = req.gguf !== undefined ? await (await import('../host/gguf')).readGgufModel(req.gguf) : undefined;
        const planned = isPlanned(req);
        const result = runPlan(requestFor(req, detail), planned ? null : buildReport(state), spec);
        if (!planned) checkFitsMachine(result, state.memory.totalKiB);
        comparison = compareWithPlan(detail, result);
      }
      if (values.json)
        io.out(`${JSON.stringify({ processes: [detail], ...(comparison ? { plan: comparison } : {}) }, null, 2)}\n`);
      else io.out(`${formatProcess(detail, true)}\n${comparison ? formatComparison(comparison) : ''}`);
      return 0;
    }
    case 'probe-alignment': {
      const { values } = parse(rest, {});
      if (values.help) return help(io, command);
      const { probeAlignment } = await import('../host/inspect/probe');
      const { formatProbe } = await import('./inspect');
      const probe = await probeAlignment();
      io.out(values.json ? `${JSON.stringify(probe, null, 2)}\n` : formatProbe(probe));
      return 0;
    }
    case 'serve':
    case 'open': {
      const { values } = parse(rest, {
        ...SOURCE_OPTIONS,
        port: { type: 'string' },
        'models-dir': { type: 'string', multiple: true },
      });
      if (values.help) return help(io, command);
      const port = parsePort(values.port);
      const modelsDirs = (values['models-dir'] ?? []).map(String);
      const files = await source(values);
      const { serve, openWindow } = await import('./serve');
      if (command === 'open') return openWindow({ files, port, rest, io, modelsDirs });
      return serve({ files, port, json: values.json === true, io, modelsDirs });
    }
    default:
      if (command.startsWith('-')) throw new UsageError(`expected a command before ${command} (see hugetune --help)`);
      throw new UsageError(`unknown command '${command}' (see hugetune --help)`);
  }
}

function help(io: Io, command: string): number {
  io.out(`${HELP[command]}\n`);
  return 0;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    return await run(argv, io);
  } catch (e) {
    // Messages quote what the user gave and what files hold: one line, and nothing a terminal would act on.
    const line = (text: string): string => printable(text.split('\n')[0]!, { max: 2000 });
    if (e instanceof UsageError) {
      io.err(`hugetune: ${line(e.message)}\n`);
      return 2;
    }
    if (e instanceof UserError) {
      io.err(`hugetune: ${line(e.message)}\n`);
      return 1;
    }
    io.err(
      `hugetune: unexpected error: ${line(e instanceof Error ? e.message : String(e))}${debug ? '' : ' (run with --debug for details)'}\n`,
    );
    if (debug && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
    return 1;
  }
}
