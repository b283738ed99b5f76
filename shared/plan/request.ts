/**
 * A plan request as every front end sends it (CLI flags, API arguments, the Planner form), its runtime
 * schema with the limits that keep absurd sizes out, and how it becomes a plan against a machine report.
 */
import type { FrontEnd } from '../controls';
import { UserError } from '../errors';
import type { Report } from '../host/report';
import * as v from 'valibot';
import { decimal, integer, matching, text } from '../validate';
import { KV_TYPES, type KvType } from './ggml-types';
import { parsePageSize } from '../kernel/pages';
import { KERNEL_RELEASE } from '../kernel/version';
import { machineFromReport, plannedMachine, PLANNED_ARCHES, type PlanMachine } from './machine';
import { catalogSpec, type ModelSpec } from './model';
import { plan, type PlanModel, type PlanResult } from './plan';
import { LLAMA_BUILDS, RUNTIMES, type RuntimeId } from './runtimes';

export const LIMITS = {
  ctx: { min: 128, max: 16_777_216 },
  memGiB: { min: 1, max: 1_048_576 },
  mib: { min: 0, max: 1_073_741_824 },
  nodes: { min: 1, max: 64 },
} as const;

const PAGE_SIZE = /^(?:base|\d{1,6}[KMG])$/i;

const int = (r: { min: number; max: number }) => integer(r.min, r.max);
const num = (r: { min: number; max: number }) => decimal(r.min, r.max);

/** The fields of a plan request, every one optional; shared by requests that build on a plan (advice). */
export const PLAN_REQUEST_SHAPE = {
  model: v.optional(text(80)),
  quant: v.optional(text(20)),
  gguf: v.optional(text(4096)),
  footprintMiB: v.optional(num({ min: 1, max: LIMITS.mib.max })),
  ctx: v.optional(int(LIMITS.ctx)),
  kvType: v.optional(v.picklist(['f16', 'q8_0', 'q4_0'])),
  runtime: v.optional(v.picklist(RUNTIMES)),
  llamaBuild: v.optional(v.picklist(LLAMA_BUILDS)),
  cacheRamMiB: v.optional(int({ min: 0, max: LIMITS.mib.max })),
  kvSpaceGiB: v.optional(num({ min: 0.125, max: LIMITS.memGiB.max })),
  pageSize: v.optional(matching(8, PAGE_SIZE, 'a page size: base, 4K, 2M, 1G ...')),
  hvo: v.optional(v.boolean()),
  noMmap: v.optional(v.boolean()),
  mlock: v.optional(v.boolean()),
  numa: v.optional(v.picklist(['interleave', 'bind'])),
  slowTier: v.optional(v.boolean()),
  releasePools: v.optional(v.boolean()),
  availableMiB: v.optional(num(LIMITS.mib)),
  reserveMiB: v.optional(num(LIMITS.mib)),
  // A planned machine: --mem-gib makes one, the rest describe it.
  memGiB: v.optional(num(LIMITS.memGiB)),
  nodes: v.optional(int(LIMITS.nodes)),
  arch: v.optional(v.picklist(PLANNED_ARCHES)),
  basePage: v.optional(v.picklist(['4K', '16K', '64K'])),
  kernel: v.optional(matching(64, KERNEL_RELEASE, 'a kernel release such as 6.12 or 6.8.0-45-generic')),
};

export const planRequestSchema = v.strictObject(PLAN_REQUEST_SHAPE);

export type PlanRequest = v.InferOutput<typeof planRequestSchema>;

/** The request fields that describe a planned machine; with any of them, --mem-gib is needed. */
export const PLANNED_FIELDS = ['memGiB', 'nodes', 'arch', 'basePage', 'kernel'] as const;

/** Which one model source the request names, or why it is not exactly one. */
export function modelChoice(r: PlanRequest): 'model' | 'gguf' | 'footprint' {
  const given = [r.model !== undefined, r.gguf !== undefined, r.footprintMiB !== undefined].filter(Boolean).length;
  if (given !== 1)
    throw new UserError('give exactly one of --model ID, --gguf PATH or --footprint-mib N', 'bad-request');
  if (r.quant !== undefined && r.model === undefined) throw new UserError('--quant goes with --model', 'bad-request');
  return r.model !== undefined ? 'model' : r.gguf !== undefined ? 'gguf' : 'footprint';
}

/** Whether the request describes a planned machine (and so needs no source read). */
export function isPlanned(r: PlanRequest): boolean {
  const given = PLANNED_FIELDS.filter((k) => r[k] !== undefined);
  if (given.length > 0 && r.memGiB === undefined)
    throw new UserError(
      '--nodes, --arch, --base-page and --kernel describe a planned machine: give --mem-gib too',
      'bad-request',
    );
  return r.memGiB !== undefined;
}

/** The machine a request plans against: a planned one from its flags, else the report's. */
export function machineFor(r: PlanRequest, report: Report | null): PlanMachine {
  const overrides = { availableMiB: r.availableMiB };
  if (isPlanned(r)) {
    return plannedMachine(
      {
        memGiB: r.memGiB!,
        nodes: r.nodes,
        arch: r.arch,
        basePageKiB: r.basePage === undefined ? undefined : parsePageSize(r.basePage)!,
        release: r.kernel,
      },
      overrides,
    );
  }
  if (!report) throw new UserError('no machine to plan for: give --mem-gib N or a source', 'bad-request');
  const m = machineFromReport(report, overrides);
  if (m.totalMiB.value <= 0)
    throw new UserError(
      `${report.source.label}: MemTotal could not be read, so there is no machine to plan for; plan a machine of your own with --mem-gib N instead`,
      'bad-request',
    );
  return m;
}

/** The HugeTLB page size a request names (null: base pages), checked against nothing yet. */
function hugePageOf(text: string | undefined, m: PlanMachine): number | null {
  if (text === undefined || text.toLowerCase() === 'base' || text.toUpperCase() === '4K') return null;
  const kib = parsePageSize(text);
  if (kib === null) throw new UserError(`--page-size ${text}: not a page size (base, 2M, 1G ...)`, 'bad-request');
  return kib === m.basePageKiB.value ? null : kib;
}

/** Runs a request against a machine report (null for a planned machine); `ggufSpec` is the GGUF already read. */
export function runPlan(
  r: PlanRequest,
  report: Report | null,
  ggufSpec?: ModelSpec,
  frontEnd: FrontEnd = 'cli',
): PlanResult {
  const choice = modelChoice(r);
  let model: PlanModel;
  if (choice === 'footprint') model = { kind: 'footprint', mib: r.footprintMiB! };
  else if (choice === 'gguf') {
    if (!ggufSpec) throw new UserError('GGUF files are read on the machine running hugetune', 'bad-request');
    model = { kind: 'spec', spec: ggufSpec };
  } else {
    const spec = catalogSpec(r.model!, r.quant);
    if (typeof spec === 'string') throw new UserError(spec, 'bad-request');
    model = { kind: 'spec', spec };
  }
  const machine = machineFor(r, report);
  const hugePageKiB = hugePageOf(r.pageSize, machine);
  const ctx = r.ctx ?? (model.kind === 'spec' ? Math.min(8192, model.spec.contextMax) : 8192);
  // Mainline llama.cpp has no HugeTLB path, so a HugeTLB plan defaults to the runtime that has one.
  const runtime: RuntimeId = r.runtime ?? (hugePageKiB !== null ? 'ik_llama.cpp' : 'llama.cpp');
  const kvType: KvType = r.kvType ?? 'f16';
  return plan({
    model,
    ctx,
    kvType: kvType in KV_TYPES ? kvType : 'f16',
    runtime,
    build: r.llamaBuild ?? 'current',
    cacheRamMiB: r.cacheRamMiB ?? null,
    kvSpaceGiB: r.kvSpaceGiB ?? null,
    hugePageKiB,
    backing4k: r.noMmap ? 'anon' : 'mmap',
    mlock: r.mlock ?? false,
    hvo: r.hvo ?? hugePageKiB !== null,
    reserveMiB: r.reserveMiB ?? null,
    numa: r.numa ?? 'interleave',
    slowTier: r.slowTier ?? false,
    releasePools: r.releasePools ?? false,
    machine,
    frontEnd,
  });
}
