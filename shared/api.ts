/**
 * The one API contract. The Electron preload, the web-mode HTTP bridge and the CLI all serve the same
 * handler table through `dispatch`, which validates arguments at runtime (types vanish at every process
 * boundary) and always answers with an envelope, never a thrown error.
 */
import { UserError } from './errors';
import type { Envelope } from './envelope';
import type { ReportDiff } from './host/diff';
import type { Report } from './host/report';
import * as v from 'valibot';
import { decimal, integer, matching, text, validate } from './validate';
import { MAX_WHAT_IF_HOURS, type WhatIfRun } from './sim/what-if';
import type { SourceKind } from './host/files';
import { PID_MAX } from './host/process/runtime';
import type { AlignmentProbe, PlanComparison, ProcessDetail, ProcessList } from './host/process/types';
import { SNAPSHOT_MAX_BYTES } from './host/snapshot';
import type { CatalogModel, Quant } from './plan/catalog';
import type { PlanResult } from './plan/plan';
import { planRequestSchema } from './plan/request';
import { adviceRequestSchema, type AdviceResult } from './advise/request';
import { HVO_CHECK_MAX_PAGES, type HvoCheckResult } from './advise/hvo-check';
import { profileSchema, type Profile } from './sim/profile';

export { ApiError, unwrap, type Envelope, type ErrorCode } from './envelope';

/**
 * A source the renderer may name for a comparison: what the app shows now, this machine, a built-in
 * simulator profile, or a snapshot's text. Never a path: in web mode the browser must not pick files on the
 * machine that serves it, so a snapshot travels as the text the user opened.
 */
const snapshotText = v.strictObject({ name: text(255), text: text(SNAPSHOT_MAX_BYTES) });

export const sourceSpecSchema = v.pipe(
  v.union([
    v.picklist(['current', 'live']),
    matching(80, /^sim:[a-z0-9][a-z0-9-]*$/, '"sim:" and a built-in profile id'),
    v.strictObject({ snapshot: snapshotText }),
  ]),
  v.description('"current", "live", "sim:" and a built-in profile id, or {"snapshot": {"name", "text"}}'),
);
export type SourceSpec = v.InferOutput<typeof sourceSpecSchema>;

const none = v.strictObject({});

/** A process id: 1 to the kernel's PID_MAX_LIMIT. */
const pidSchema = integer(1, PID_MAX);

export const API_METHODS = {
  'app.info': { args: none },
  /**
   * What the first screen shows, in one round trip: the app's facts, the source, its report (as an envelope:
   * a report that cannot be read is shown as such, not as a failed start) and that screen as HTML. The report
   * is the window's: without per-CPU counts.
   */
  'app.firstScreen': { args: none },
  /** The machine's report; `perCpu: false` leaves out the per-CPU interrupt counts (totals and CPU count stay). */
  'host.report': { args: v.strictObject({ perCpu: v.optional(v.boolean()) }) },
  /** CPU model, sockets and DIMMs of the live machine (slow: seconds on some machines). */
  'host.hardware': { args: none },
  /** What differs between two sources (A and B), grouped by area; counters that always move only if asked. */
  'host.diff': {
    args: v.strictObject({ a: sourceSpecSchema, b: sourceSpecSchema, counters: v.optional(v.boolean()) }),
  },
  'plan.run': { args: planRequestSchema },
  /**
   * The guided setup: writes allow-listed runtime settings on the current source, each read back. A simulated
   * machine takes them with no privileges; this machine through the pkexec helper (journaled); a snapshot or
   * fake root is refused.
   */
  'setup.apply': {
    args: v.strictObject({
      writes: v.pipe(v.array(v.strictObject({ path: text(256), value: text(64) })), v.maxLength(256)),
    }),
  },
  /**
   * The live HVO check on the current source: grows the pool of `pageSizeKiB` pages by `pages` with HVO on,
   * measures how far the memmap counters fall against the kernel's formula, then puts the pool and HVO back.
   * A simulated machine runs it with no privileges; this machine as root or through the pkexec helper
   * (journaled); a snapshot or fake root is refused.
   */
  'hvo.check': {
    args: v.strictObject({ pages: integer(1, HVO_CHECK_MAX_PAGES), pageSizeKiB: integer(64, 16777216) }),
  },
  /** Recommendations for the current source (or a planned machine), with a plan when a model is named. */
  'advise.run': { args: adviceRequestSchema },
  'models.list': { args: none },
  'source.get': { args: none },
  /** Switches this front end to a snapshot the user picked (its text, read in the renderer). */
  'source.openSnapshot': { args: snapshotText },
  /**
   * Switches this front end to a simulated machine (a profile, validated on the other side), its workload
   * running `speed` simulated seconds per second (1 unless given), started `hours` after boot (1 unless given)
   * with the recommended settings applied when `recommended` is true: the machine the Simulator shows.
   */
  'source.openSim': {
    args: v.strictObject({
      profile: profileSchema,
      speed: v.optional(decimal(1, 86400)),
      hours: v.optional(decimal(0, MAX_WHAT_IF_HOURS)),
      recommended: v.optional(v.boolean()),
    }),
  },
  /** This machine (its /proc and /sys), from whatever source is shown; refused where it cannot be read. */
  'source.openLive': { args: none },
  /** Back to the source the app was started with. */
  'source.reset': { args: none },
  /** The model servers among the current source's processes, each with its huge page verdict. */
  'process.list': { args: none },
  /** One process in full; `smaps` also reads /proc/PID/smaps (per-mapping page sizes; costly on large processes). */
  'process.inspect': { args: v.strictObject({ pid: pidSchema, smaps: v.optional(v.boolean()) }) },
  /** What a process got against what a plan says it needs. */
  'process.compare': { args: v.strictObject({ pid: pidSchema, plan: planRequestSchema }) },
  /** Measures this machine's kernel: does it align anonymous mappings whose length is not a 2 MiB multiple? */
  'probe.alignment': { args: none },
  /** The monitor's recent samples (the same ones host.sample streamed), so a reloaded page keeps its charts. */
  'monitor.history': { args: none },
} as const;

export type Method = keyof typeof API_METHODS;
export type ArgsOf<M extends Method> = v.InferOutput<(typeof API_METHODS)[M]['args']>;

export type FrontEnd = 'electron' | 'web' | 'cli';

/** One step of a setup as the kernel took it: what was asked, what the file showed before and after. */
export interface SetupStep {
  path: string;
  asked: string;
  before: string | null;
  after: string | null;
  ok: boolean;
  status: 'planned' | 'unchanged' | 'done' | 'short' | 'failed' | 'pending' | 'not-run';
  error?: string;
}

export interface SetupResult {
  /** What was changed: "the simulated machine", "this machine". */
  target: string;
  results: SetupStep[];
  /** The journal a rollback reads (this machine only). */
  journalFile: string | null;
  ok: boolean;
}

export interface AppInfo {
  name: 'hugetune';
  version: string;
  frontEnd: FrontEnd;
  source: { kind: SourceKind; label: string };
  /** How often the host.sample stream ticks, in ms. */
  sampleIntervalMs: number;
}

/**
 * The first screen's data, and the screen itself as the server renders it from that data (the same Svelte
 * components the window mounts; empty when it could not be rendered). The page shows the HTML while its
 * scripts load, then mounts the app over it with the same data.
 */
export interface FirstScreen {
  info: AppInfo;
  source: SourceState;
  report: Envelope<Report>;
  html: string;
}

export interface SourceState {
  current: { kind: SourceKind; label: string };
  /** The source the app was started with, which `source.reset` returns to. */
  initial: { kind: SourceKind; label: string };
  /** Changes on every switch. */
  version: number;
  /** The profile of the simulated machine shown, when the current source is one (else null). */
  simProfile: Profile | null;
  /** Why this machine cannot be opened (`source.openLive`), or null when it can. */
  liveUnavailable: string | null;
  /** How that machine was started and runs (null with no simulated machine). */
  simRun: WhatIfRun | null;
}

export interface Hardware {
  cpu: {
    manufacturer: string | null;
    brand: string | null;
    sockets: number | null;
    physicalCores: number | null;
    logicalCores: number | null;
  };
  dimms: {
    sizeBytes: number;
    bank: string | null;
    type: string | null;
    clockMHz: number | null;
    formFactor: string | null;
  }[];
}

export interface ApiResults {
  'app.info': AppInfo;
  'app.firstScreen': FirstScreen;
  'host.report': Report;
  'host.hardware': Hardware;
  'host.diff': ReportDiff;
  'plan.run': PlanResult;
  'advise.run': AdviceResult;
  'setup.apply': SetupResult;
  'hvo.check': HvoCheckResult;
  'models.list': { models: CatalogModel[]; quants: Quant[] };
  'source.get': SourceState;
  'source.openSnapshot': SourceState;
  'source.openSim': SourceState;
  'source.openLive': SourceState;
  'source.reset': SourceState;
  'process.list': ProcessList;
  'process.inspect': ProcessDetail;
  'process.compare': PlanComparison;
  'probe.alignment': AlignmentProbe;
  'monitor.history': MonitorHistory;
}

/**
 * What the monitor charts, each as events per second: IPIs from /proc/interrupts (TLB shootdowns, function
 * calls, rescheduling) and /proc/vmstat counters (THP, compaction, migration, tiering).
 */
export const MONITOR_SERIES = [
  'tlb',
  'cal',
  'res',
  'thpFault',
  'thpFallback',
  'thpCollapse',
  'thpSplit',
  'compactStall',
  'migrate',
  'numaMigrate',
  'promote',
  'demote',
] as const;
export type MonitorSeries = (typeof MONITOR_SERIES)[number];

/**
 * One monitor tick, pushed to every subscriber as a compact delta: rates only, never counts since boot
 * (except the TLB total for context), and the per-CPU TLB rates as a flat array of numbers in the order of
 * `cpus`. `cpus` is sent only when it differs from the previous sample the same receiver got.
 */
export interface HostSample {
  /** Increases by one per reading of the current source; history and stream share it, so a page can join them. */
  seq: number;
  /** Milliseconds since the epoch on the machine that took the sample (simulated time for the simulator). */
  at: number;
  /** Seconds since the reading the rates are against; null for the first reading of a source (no rate yet). */
  seconds: number | null;
  /** False for a snapshot or a fake root: a record of one moment has no rates, and `reason` says so. */
  live: boolean;
  reason: string | null;
  /** Per second over `seconds`; null when not counted on this machine, or no rate this interval (see notes). */
  rates: Record<MonitorSeries, number | null>;
  /** CPU number of each `perCpu` entry, when it changed since this receiver's previous sample; else null. */
  cpus: number[] | null;
  /** TLB shootdowns per second received by each CPU (NaN-free: a CPU with no rate this tick is -1). */
  perCpu: number[] | null;
  /** TLB shootdowns since boot, all CPUs. */
  tlbTotal: number | null;
  /** What this tick could not do exactly, one line each (a counter reset, a count beyond 2^53, a bad row). */
  notes: string[];
  /**
   * The series this source does not count at all (no such row or counter on this kernel or architecture),
   * each with the reason: their rates are always null, which is not 0.
   */
  absent: Partial<Record<MonitorSeries, string>>;
}

export interface MonitorHistory {
  intervalMs: number;
  /** How far back the sampler keeps samples. */
  windowMs: number;
  source: { kind: SourceKind; label: string };
  live: boolean;
  reason: string | null;
  /** Oldest first; `cpus` set on the first and wherever the CPU set changed. */
  samples: HostSample[];
}

export interface ApiEvents {
  'host.sample': HostSample;
}

export type Handlers = { [M in Method]: (args: ArgsOf<M>) => ApiResults[M] | Promise<ApiResults[M]> };

/** What the renderer talks to, whichever front end carries it. */
export interface HugetuneApi {
  call<M extends Method>(method: M, args: ArgsOf<M>): Promise<ApiResults[M]>;
  subscribe<E extends keyof ApiEvents>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

export function isMethod(name: unknown): name is Method {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(API_METHODS, name);
}

export async function dispatch(
  handlers: Handlers,
  method: unknown,
  args: unknown,
  onInternalError: (e: unknown) => void = () => {},
): Promise<Envelope<unknown>> {
  if (!isMethod(method)) {
    return {
      ok: false,
      error: { code: 'unknown-method', message: `unknown method ${JSON.stringify(String(method).slice(0, 60))}` },
    };
  }
  // Valibot reads an array as an object with no keys, so `[]` would pass wherever every key is optional.
  if (Array.isArray(args))
    return {
      ok: false,
      error: { code: 'bad-request', message: `${method}: arguments must be an object, not an array` },
    };
  const checked = validate(API_METHODS[method].args, args ?? {});
  if (!checked.ok) return { ok: false, error: { code: 'bad-request', message: `${method}: ${checked.error}` } };
  try {
    const handler = handlers[method] as (a: unknown) => unknown;
    return { ok: true, value: await handler(checked.value) };
  } catch (e) {
    if (e instanceof UserError) return { ok: false, error: { code: e.code, message: e.message } };
    onInternalError(e);
    return {
      ok: false,
      error: { code: 'internal', message: `${method} failed: ${e instanceof Error ? e.message : String(e)}` },
    };
  }
}
