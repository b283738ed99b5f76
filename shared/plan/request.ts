/**
 * A plan request as every front end sends it (CLI flags, API arguments, the Planner form), its runtime
 * schema with the limits that keep absurd sizes out, and how it becomes a plan against a machine report.
 */
import { UserError } from '../errors';
import type { Report } from '../host/report';
import { s, type Infer } from '../schema';
import { KV_TYPES, type KvType } from './ggml-types';
import { machineFromReport } from './machine';
import { catalogSpec, type ModelSpec } from './model';
import { plan, type PageSize, type PlanModel, type PlanResult } from './plan';

export const LIMITS = {
  ctx: { min: 128, max: 16_777_216 },
  memGiB: { min: 1, max: 1_048_576 },
  mib: { min: 0, max: 1_073_741_824 },
} as const;

export const planRequestSchema = s.object(
  {
    model: s.string({ maxLength: 80 }),
    quant: s.string({ maxLength: 20 }),
    gguf: s.string({ maxLength: 4096 }),
    footprintMiB: s.number({ min: 1, max: LIMITS.mib.max }),
    ctx: s.integer(LIMITS.ctx),
    kvType: s.oneOf(['f16', 'q8_0', 'q4_0'] as const),
    pageSize: s.oneOf(['4K', '2M', '1G'] as const),
    hvo: s.boolean(),
    noMmap: s.boolean(),
    mlock: s.boolean(),
    numa: s.oneOf(['interleave', 'bind'] as const),
    memGiB: s.number(LIMITS.memGiB),
    availableMiB: s.number(LIMITS.mib),
    reserveMiB: s.number(LIMITS.mib),
  },
  [
    'model',
    'quant',
    'gguf',
    'footprintMiB',
    'ctx',
    'kvType',
    'pageSize',
    'hvo',
    'noMmap',
    'mlock',
    'numa',
    'memGiB',
    'availableMiB',
    'reserveMiB',
  ],
);

export type PlanRequest = Infer<typeof planRequestSchema>;

/** Which one model source the request names, or why it is not exactly one. */
export function modelChoice(r: PlanRequest): 'model' | 'gguf' | 'footprint' {
  const given = [r.model !== undefined, r.gguf !== undefined, r.footprintMiB !== undefined].filter(Boolean).length;
  if (given !== 1)
    throw new UserError('give exactly one of --model ID, --gguf PATH or --footprint-mib N', 'bad-request');
  if (r.quant !== undefined && r.model === undefined) throw new UserError('--quant goes with --model', 'bad-request');
  return r.model !== undefined ? 'model' : r.gguf !== undefined ? 'gguf' : 'footprint';
}

/** Runs a request against a machine report; `ggufSpec` is the GGUF already read (Node side) when given. */
export function runPlan(r: PlanRequest, report: Report, ggufSpec?: ModelSpec): PlanResult {
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
  const machine = machineFromReport(report, { memGiB: r.memGiB, availableMiB: r.availableMiB });
  if (machine.totalMiB <= 0) throw new UserError('the machine memory is unknown: give --mem-gib N', 'bad-request');
  const pageSize: PageSize = r.pageSize ?? '4K';
  const ctx = r.ctx ?? (model.kind === 'spec' ? Math.min(8192, model.spec.contextMax) : 8192);
  const kvType: KvType = r.kvType ?? 'f16';
  return plan({
    model,
    ctx,
    kvType: kvType in KV_TYPES ? kvType : 'f16',
    pageSize,
    backing4k: r.noMmap ? 'anon' : 'mmap',
    mlock: r.mlock ?? false,
    hvo: r.hvo ?? pageSize !== '4K',
    reserveMiB: r.reserveMiB ?? null,
    numa: r.numa ?? 'interleave',
    machine,
  });
}
