/** The one handler table behind every front end. */
import { realpath } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import {
  dispatch,
  type AppInfo,
  type FrontEnd,
  type Handlers,
  type SourceSpec,
  type SourceState,
} from '../../shared/api';
import type { Envelope } from '../../shared/envelope';
import { WINDOW_REPORT } from '../../shared/window-report';
import { diffReports } from '../../shared/host/diff';
import type { HostFiles } from '../../shared/host/files';
import { readHost } from '../../shared/host/read/index';
import { buildReport, withoutPerCpu, type Report } from '../../shared/host/report';
import { reportOf } from '../../shared/host/report-cache';
import type { ActiveSource } from './active-source';
import { readGgufModel } from './gguf';
import { refusal } from './open-input';
import { printable } from '../../shared/text';
import { readHardware } from './hardware';
import { MODELS, QUANTS } from '../../shared/plan/catalog';
import { isPlanned, modelChoice, runPlan } from '../../shared/plan/request';
import { runAdvice, wantsPlan } from '../../shared/advise/request';
import type { WriteChange } from '../../shared/advise/changes';
import { applyChanges, WriteSession } from './apply';
import { defaultJournalDir } from './journal';
import { SimWriter } from './sim-writer';
import { DirectWriter, onPath, PkexecWriter, type Writer } from './writers';
import { hvoCheck } from './hvo-check';
import { pageSizeLabel } from '../../shared/kernel/pages';
import { loadSnapshot } from './snapshot-load';
import { checkProfile, SIM_START_HOURS } from './sim-source';
import { UserError } from '../../shared/errors';
import { runWhatIf, type WhatIfRun } from '../../shared/sim/what-if';
import type { Profile } from '../../shared/sim/profile';
import { findProfile } from '../../shared/sim/profiles';
import { SimFiles } from '../../shared/sim/source';
import { stillReason } from './monitor/reader';
import type { Sampler } from './sampler';
import { liveUnavailable, openSource } from './source';
import { APP_VERSION } from './version';

export const SAMPLE_INTERVAL_MS = 2000;

/** How each simulated source was started, for the Simulator to show the same settings when it comes back. */
const simRuns = new WeakMap<SimFiles, WhatIfRun>();

function simulated(profile: Profile, run: Partial<WhatIfRun> = {}): SimFiles {
  const r: WhatIfRun = {
    hours: run.hours ?? SIM_START_HOURS,
    recommended: run.recommended ?? false,
    speed: run.speed ?? 1,
  };
  const files = new SimFiles(runWhatIf(profile, r).machine, { speed: r.speed });
  simRuns.set(files, r);
  return files;
}

/**
 * Web mode's answer for a GGUF path outside every --models-dir (whether it exists or not, so the answer says
 * nothing about the server's other files): the directories it may name, or how to allow some.
 */
export function ggufOutsideModelsDirs(modelsDirs: readonly string[]): string {
  const rule = 'GGUF paths are accepted only inside --models-dir directories in web mode';
  if (modelsDirs.length === 0)
    return `${rule}, and this server was started without one (hugetune serve --models-dir DIR)`;
  return `${rule}: ${modelsDirs.map((d) => printable(d, { max: 200 })).join(', ')}`;
}

const within = (real: string, roots: readonly (string | null)[]): boolean =>
  roots.some((r) => r !== null && (real === r || real.startsWith(r.endsWith(sep) ? r : r + sep)));

/**
 * In web mode the caller is a browser, not the user at a shell: a GGUF path is opened only when, with every
 * link resolved, it lies inside a directory named with --models-dir. A path that cannot be opened is named
 * as such ("no such file") only when the directory it would be in lies inside one of them; anything else gets
 * the one line that names the allowed directories.
 */
async function ggufPathFor(path: string, frontEnd: FrontEnd, modelsDirs: readonly string[]): Promise<string> {
  if (frontEnd !== 'web') return path;
  const roots = await Promise.all(modelsDirs.map((d) => realpath(d).catch(() => null)));
  const wanted = resolve(path);
  let real: string;
  try {
    real = await realpath(wanted);
  } catch (e) {
    // The nearest directory above it that is there, links resolved: inside an allowed directory, the
    // failure is the user's to know; outside, it is refused like any other path.
    let dir = dirname(wanted);
    for (;;) {
      const found = await realpath(dir).catch(() => null);
      if (found !== null) {
        if (within(found, roots)) throw refusal(printable(path, { max: 200 }), e);
        break;
      }
      if (dirname(dir) === dir) break;
      dir = dirname(dir);
    }
    throw new UserError(ggufOutsideModelsDirs(modelsDirs), 'bad-request');
  }
  if (!within(real, roots) || roots.includes(real))
    throw new UserError(ggufOutsideModelsDirs(modelsDirs), 'bad-request');
  return real;
}

/** The report, with the alignment probe's measurement replacing the kernel version table's guess on this machine. */
async function measuredReport(files: HostFiles): Promise<Report> {
  const alignmentProbe = files.source.kind === 'live' ? await (await import('./inspect/probe')).cachedProbe() : null;
  return reportOf(files, { alignmentProbe });
}

/** The reader's user id where it decides what /proc shows (this machine); null for records of other machines. */
const ownUid = (files: HostFiles): number | null =>
  files.source.kind === 'live' ? (process.getuid?.() ?? null) : null;

/**
 * The machines an HVO check is under way on: this machine (one kernel, whichever window asked) or a simulated
 * machine. A second check at the same time would read the first one's pages as its own.
 */
const checking = new Set<object | 'live'>();

async function oneCheckAt<T>(key: object | 'live', run: () => Promise<T>): Promise<T> {
  if (checking.has(key))
    throw new UserError('an HVO check is already running on this machine: wait for its result', 'bad-request');
  checking.add(key);
  try {
    return await run();
  } finally {
    checking.delete(key);
  }
}

/** How this machine is changed: as root directly, anyone else through pkexec and the helper. */
export interface Privilege {
  root: boolean;
  /** pkexec is there to ask for an administrator's consent (not needed as root). */
  pkexec: boolean;
  writer(): Writer;
  journalDir(): string;
}

function processPrivilege(): Privilege {
  const root = process.getuid?.() === 0;
  return {
    root,
    pkexec: onPath('pkexec'),
    writer: () => (root ? new DirectWriter() : new PkexecWriter()),
    journalDir: defaultJournalDir,
  };
}

export interface HandlerOptions {
  /** Web mode: the directories whose GGUF files web clients may plan with (`hugetune serve --models-dir`). */
  modelsDirs?: readonly string[];
  /** The front end's sampler, whose ring `monitor.history` returns. */
  sampler?: Sampler;
  /** How the HVO check changes this machine; tests pass a stand-in (the process's own by default). */
  privilege?: () => Privilege;
}

export function createHandlers(source: ActiveSource, frontEnd: FrontEnd, opts: HandlerOptions = {}): Handlers {
  const modelsDirs = opts.modelsDirs ?? [];
  const vet = (path: string) => ggufPathFor(path, frontEnd, modelsDirs);
  const gguf = async (path: string) => readGgufModel(await vet(path), vet);
  /** A comparison side as a file tree; specs name no paths, so nothing here opens a file the caller chose. */
  const filesOf = async (spec: SourceSpec): Promise<HostFiles> => {
    if (spec === 'current') return source.current;
    if (spec === 'live') return openSource({});
    if (typeof spec === 'string') {
      const id = spec.slice('sim:'.length);
      const p = findProfile(id);
      if (!p) throw new UserError(`unknown simulator profile '${id}'`, 'not-found');
      return simulated(p);
    }
    return loadSnapshot(spec.snapshot.text, spec.snapshot.name);
  };

  const state = (): SourceState => ({
    current: { ...source.current.source },
    initial: { ...source.initial.source },
    version: source.version,
    simProfile: source.current instanceof SimFiles ? source.current.machine.profile : null,
    liveUnavailable: liveUnavailable(),
    simRun: source.current instanceof SimFiles ? (simRuns.get(source.current) ?? null) : null,
  });
  const table: Handlers = {
    'app.info': () => ({
      name: 'hugetune',
      version: APP_VERSION,
      frontEnd,
      source: { ...source.current.source },
      sampleIntervalMs: SAMPLE_INTERVAL_MS,
    }),
    'host.report': async ({ perCpu }) => {
      const report = await measuredReport(source.current);
      return perCpu === false ? withoutPerCpu(report) : report;
    },
    'host.hardware': () => readHardware(source.current),
    'host.diff': async ({ a, b, counters }) =>
      diffReports(buildReport(readHost(await filesOf(a))), buildReport(readHost(await filesOf(b))), {
        counters: counters === true,
      }),
    'plan.run': async (req) => {
      const spec = modelChoice(req) === 'gguf' ? await gguf(req.gguf!) : undefined;
      // A planned machine (memGiB) is described wholly by the request: the current source is not read.
      return runPlan(req, isPlanned(req) ? null : reportOf(source.current), spec, 'app');
    },
    'setup.apply': async ({ writes }) => {
      const files = source.current;
      const changes: WriteChange[] = writes.map((w) => ({ kind: 'write', path: w.path, value: w.value, before: null }));
      if (files instanceof SimFiles) {
        // No journal for a simulation: the wizard keeps the steps and undoes them from what it was shown.
        const session = new WriteSession(new SimWriter(files), 'apply', null);
        for (const w of changes) await session.write(w.path, w.value);
        session.finish();
        const results = session.results;
        return { target: 'the simulated machine', results, journalFile: null, ok: results.every((r) => r.ok) };
      }
      if (files.source.kind !== 'live')
        throw new UserError(
          `${files.source.label} is a record of a machine, not the machine: run the setup on the machine itself`,
          'bad-request',
        );
      const root = process.getuid?.() === 0;
      const out = await applyChanges(changes, {
        dryRun: false,
        writer: root ? new DirectWriter() : new PkexecWriter(),
        journalDir: defaultJournalDir(),
        source: 'guided setup',
      });
      return { target: 'this machine', results: out.results, journalFile: out.journalFile, ok: out.ok };
    },
    'hvo.check': async ({ pages, pageSizeKiB }) => {
      const files = source.current;
      if (files instanceof SimFiles) {
        // No journal for a simulation: the restore runs in the same call, and nothing outlives it.
        const writer = new SimWriter(files);
        return oneCheckAt(files, () =>
          hvoCheck({ pages, pageSizeKiB, writer, files, journalDir: null, source: 'the HVO view' }),
        );
      }
      if (files.source.kind !== 'live')
        throw new UserError(
          `${files.source.label} is a record of a machine, not the machine: the HVO check measures a running kernel, so run it on the machine itself`,
          'bad-request',
        );
      const how = (opts.privilege ?? processPrivilege)();
      if (!how.root && !how.pkexec)
        throw new UserError(
          `pkexec is not installed, so the app cannot ask for an administrator's consent: install polkit's pkexec, or run sudo hugetune hvo-check --pages ${pages} --size ${pageSizeLabel(pageSizeKiB)}`,
          'failed',
        );
      return oneCheckAt('live', () =>
        hvoCheck({
          pages,
          pageSizeKiB,
          writer: how.writer(),
          files,
          journalDir: how.journalDir(),
          source: 'the HVO view',
        }),
      );
    },
    'advise.run': async (req) => {
      // A GGUF read in the window comes as its model (ggufSpec): nothing is opened on this machine for it.
      const spec =
        wantsPlan(req) && req.gguf !== undefined && req.ggufSpec === undefined ? await gguf(req.gguf) : undefined;
      // A planned machine is described by the request alone; otherwise the advice reads the current source.
      const planned = isPlanned(req);
      const files = planned ? null : source.current;
      return runAdvice(req, files ? await measuredReport(files) : null, spec, APP_VERSION, files, 'app');
    },
    'models.list': () => ({ models: [...MODELS], quants: [...QUANTS] }),
    'source.get': state,
    'source.openSnapshot': async ({ name, text }) => {
      // Parsed and validated in full before the switch: a bad file changes nothing.
      source.use(await loadSnapshot(text, name));
      return state();
    },
    'source.openSim': ({ profile, speed, hours, recommended }) => {
      const p = checkProfile(profile);
      if (!p.ok) throw new UserError(p.error, 'bad-request');
      source.use(simulated(p.value, { speed, hours, recommended }));
      return state();
    },
    'source.openLive': () => {
      if (source.initial.source.kind === 'live') source.reset();
      else {
        const why = liveUnavailable();
        if (why !== null) throw new UserError(why, 'failed');
        source.use(openSource({}));
      }
      return state();
    },
    'source.reset': () => {
      source.reset();
      return state();
    },
    'process.list': async () => {
      const { listProcesses } = await import('./inspect/inspect');
      return listProcesses(source.current, { uid: ownUid(source.current) });
    },
    'process.inspect': async ({ pid, smaps }) => {
      const { inspectProcess } = await import('./inspect/inspect');
      return inspectProcess(source.current, pid, { smaps: smaps === true, uid: ownUid(source.current) });
    },
    'process.compare': async ({ pid, plan }) => {
      const { inspectProcess } = await import('./inspect/inspect');
      const { checkFitsMachine, compareWithPlan, requestFor } = await import('../../shared/host/process/compare');
      const files = source.current;
      const state = readHost(files);
      const detail = inspectProcess(files, pid, { uid: ownUid(files) }, state);
      const spec = modelChoice(plan) === 'gguf' ? await gguf(plan.gguf!) : undefined;
      // Planned for the machine the process runs on, unless the request describes a machine of its own.
      const planned = isPlanned(plan);
      const result = runPlan(requestFor(plan, detail), planned ? null : buildReport(state), spec);
      if (!planned) checkFitsMachine(result, state.memory.totalKiB);
      return compareWithPlan(detail, result);
    },
    'probe.alignment': async () => {
      if (source.current.source.kind !== 'live')
        throw new UserError(
          `the alignment probe measures this machine's kernel, and the app shows ${source.current.source.label}: switch to this machine first`,
          'bad-request',
        );
      const { probeAlignment } = await import('./inspect/probe');
      return probeAlignment();
    },
    'monitor.history': () => {
      if (opts.sampler) return opts.sampler.history();
      const reason = stillReason(source.current);
      const src = { ...source.current.source };
      return { intervalMs: SAMPLE_INTERVAL_MS, windowMs: 0, source: src, live: reason === null, reason, samples: [] };
    },
    'app.firstScreen': async () => {
      const info = table['app.info']({}) as AppInfo;
      const now = state();
      // The report as the window would get it from host.report, failure included.
      const report = (await dispatch(table, 'host.report', WINDOW_REPORT)) as Envelope<Report>;
      let html = '';
      try {
        const { renderFirstScreen } = await import('../../renderer/src/first-screen');
        html = renderFirstScreen({ info, source: now, report });
      } catch {
        // The pre-rendered screen only saves time: without it the window renders the same screen itself.
      }
      return { info, source: now, report, html };
    },
  };
  return table;
}
