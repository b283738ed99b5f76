/** `hugetune plan` and `hugetune models`: flags to a plan request, and the plan as text. */
import { MODELS, QUANTS } from '../../shared/plan/catalog';
import { parsePageSize } from '../../shared/kernel/pages';
import { kernelProblem, machineFacts, PLANNED_ARCHES } from '../../shared/plan/machine';
import { catalogProblem } from '../../shared/plan/model';
import { parseRelease } from '../../shared/host/parse/scalar';
import type { PlanResult } from '../../shared/plan/plan';
import { isPlanned, LIMITS, planRequestSchema, runPlan, type PlanRequest } from '../../shared/plan/request';
import { LLAMA_BUILDS, RUNTIMES } from '../../shared/plan/runtimes';
import type { PLAN_OPTIONS } from './plan-options';
import { validate } from '../../shared/validate';
import { sizeLabel, verdictLabel } from '../../shared/units';
import { UsageError } from './errors';
import { printable } from './format';
import { parseStrictNumber } from '../../shared/numbers';
import { printable as quoted } from '../../shared/text';

function number(flag: string, text: string | undefined, min: number, max: number, integer = false): number | undefined {
  if (text === undefined) return undefined;
  const r = parseStrictNumber(text, { min, max, integer });
  if (!r.ok) throw new UsageError(`--${flag} ${quoted(text, { max: 40 })}: ${r.error}`);
  return r.value;
}

function choice<T extends string>(
  flag: string,
  text: string | undefined,
  options: readonly T[],
  map: (t: string) => string = (t) => t,
): T | undefined {
  if (text === undefined) return undefined;
  const v = map(text);
  if (!(options as readonly string[]).includes(v))
    throw new UsageError(`--${flag} ${text}: expected one of ${options.join(', ')}`);
  return v as T;
}

/** `--kernel`: a release as `uname -r` prints it (6.8.0-45-generic) or as people say it (6.12). */
function kernelFlag(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const r = parseRelease(text);
  const problem =
    r.ok && r.value === text ? kernelProblem(text) : 'expected a kernel release such as 6.12 or 6.8.0-45-generic';
  if (problem !== null) throw new UsageError(`--kernel ${quoted(text, { max: 40 })}: ${problem}`);
  return text;
}

type Values = Partial<Record<keyof typeof PLAN_OPTIONS, string | boolean>>;

export { runPlan, isPlanned };

export function modelsJson() {
  return { models: MODELS, quants: QUANTS };
}

export function planRequestFromFlags(v: Values): PlanRequest {
  return requestFromFlags(v, true);
}

/** The plan flags as a request; `modelRequired` false lets advice run on the machine alone. */
export function requestFromFlags(v: Values, modelRequired: boolean): PlanRequest {
  const str = (k: keyof typeof PLAN_OPTIONS): string | undefined => (typeof v[k] === 'string' ? v[k] : undefined);
  const flag = (k: keyof typeof PLAN_OPTIONS): true | undefined => (v[k] === true ? true : undefined);
  const page = str('page-size');
  if (page !== undefined && parsePageSize(page) === null && page.toLowerCase() !== 'base')
    throw new UsageError(`--page-size ${page}: expected base or a size such as 2M or 1G`);
  const req: Record<string, unknown> = {
    model: str('model'),
    quant: str('quant'),
    gguf: str('gguf'),
    footprintMiB: number('footprint-mib', str('footprint-mib'), 1, LIMITS.mib.max),
    ctx: number('ctx', str('ctx'), LIMITS.ctx.min, LIMITS.ctx.max, true),
    kvType: choice('kv-type', str('kv-type'), ['f16', 'q8_0', 'q4_0'] as const, (t) => t.toLowerCase()),
    runtime: choice('runtime', str('runtime'), RUNTIMES, (t) => t.toLowerCase()),
    llamaBuild: choice('llama-build', str('llama-build'), LLAMA_BUILDS, (t) => t.toLowerCase()),
    cacheRamMiB: number('cache-ram-mib', str('cache-ram-mib'), 0, LIMITS.mib.max, true),
    kvSpaceGiB: number('kv-space-gib', str('kv-space-gib'), 0.125, LIMITS.memGiB.max),
    pageSize: page === undefined ? undefined : page.toLowerCase() === 'base' ? 'base' : page.toUpperCase(),
    hvo: choice('hvo', str('hvo'), ['on', 'off'] as const) === undefined ? undefined : str('hvo') === 'on',
    noMmap: flag('no-mmap'),
    mlock: flag('mlock'),
    numa: choice('numa', str('numa'), ['interleave', 'bind'] as const),
    slowTier: flag('slow-tier'),
    releasePools: flag('release-pools'),
    availableMiB: number('available-mib', str('available-mib'), LIMITS.mib.min, LIMITS.mib.max),
    reserveMiB: number('reserve-mib', str('reserve-mib'), LIMITS.mib.min, LIMITS.mib.max),
    memGiB: number('mem-gib', str('mem-gib'), LIMITS.memGiB.min, LIMITS.memGiB.max),
    nodes: number('nodes', str('nodes'), LIMITS.nodes.min, LIMITS.nodes.max, true),
    arch: choice('arch', str('arch'), PLANNED_ARCHES, (t) => (t === 'aarch64' ? 'arm64' : t.toLowerCase())),
    basePage: choice('base-page', str('base-page'), ['4K', '16K', '64K'] as const, (t) => t.toUpperCase()),
    kernel: kernelFlag(str('kernel')),
  };
  for (const k of Object.keys(req)) if (req[k] === undefined) delete req[k];
  const given = ['model', 'gguf', 'footprintMiB'].filter((k) => k in req);
  if (given.length > 1 || (modelRequired && given.length === 0))
    throw new UsageError('plan needs exactly one of --model ID, --gguf PATH or --footprint-mib N');
  if ('quant' in req && !('model' in req)) throw new UsageError('--quant goes with --model');
  if (typeof req.model === 'string') {
    const problem = catalogProblem(req.model, req.quant as string | undefined);
    if (problem !== null) throw new UsageError(problem);
  }
  const checked = validate(planRequestSchema, req);
  if (!checked.ok) throw new UsageError(checked.error);
  return checked.value;
}

/** The headline: the verdict and the constraints that decide it, so no verdict stands without its reason. */
export function verdictLines(p: PlanResult): string[] {
  const failing = p.constraints.filter((c) => !c.ok);
  const head = p.fits
    ? `FITS with ${verdictLabel(p.marginMiB * 1024)} to spare (${verdictLabel(p.needMiB * 1024)} needed with the reserve, of ${verdictLabel(p.availableMiB * 1024)} available)`
    : `DOES NOT FIT: ${failing.length} of ${p.constraints.length} constraints fail${p.marginMiB < 0 ? ` (${verdictLabel(-p.marginMiB * 1024)} short)` : ''}`;
  return [head, ...p.constraints.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.id.padEnd(12)} ${c.message}`)];
}

export function formatPlan(p: PlanResult): string {
  const out: string[] = [];
  out.push(`${p.model} with ${p.runtime.name} on ${p.machine.label}`);
  out.push(...verdictLines(p));
  out.push('', 'Machine (what the plan used, and where each fact came from):');
  for (const f of machineFacts(p.machine)) out.push(`  ${f.name.padEnd(18)} ${f.value}   [${f.from}]`);
  out.push('', 'Memory needed:');
  for (const t of p.breakdown)
    out.push(`  ${t.label.padEnd(30)}${verdictLabel(t.mib * 1024).padStart(12)}   ${t.source}`);
  if (p.runtime.kvConvention) out.push(`  KV cache convention: ${p.runtime.kvConvention}`);
  out.push('');
  const backing =
    p.backing === 'hugetlb'
      ? `HugeTLB pool of ${sizeLabel(p.pageSizeKiB)} pages`
      : p.backing === 'anon'
        ? 'anonymous memory (--no-mmap; THP applies)'
        : 'mmap of the model file (page cache)';
  out.push(`Backing: ${backing}`);
  if (p.runtime.hugetlb) out.push(`${p.runtime.name} and the pool: ${p.runtime.hugetlb}`);
  if (p.backing === 'hugetlb') {
    out.push(
      `Huge pages needed: ${p.hugepagesNeeded} × ${sizeLabel(p.pageSizeKiB)} (${p.hugepagesToAdd} more than the pools hold free now)`,
    );
    if (p.vmemmap.savedKiB > 0)
      out.push(
        `HVO gives back: ${p.vmemmap.savedKiB} KiB (${p.vmemmap.savedMiB} MiB): ${p.vmemmap.freedPagesPerHugePage} vmemmap pages freed per new page, ${p.vmemmap.keptPages} kept`,
      );
  }
  const sizes = Object.keys(p.pageTablesByPageSize);
  out.push(
    `Page tables: ${p.pageTablesKiB} KiB here; ${sizes.map((k) => `${k} ${p.pageTablesByPageSize[k]} KiB`).join(', ')}`,
  );
  out.push(
    `TLB entries to map the weights: ${sizes.map((k) => `${k} ${(p.tlbEntries[k] ?? 0).toLocaleString('en-US')}`).join(', ')}`,
  );
  if (p.perNode.length > 1 || p.numactl) {
    out.push(
      `NUMA: ${p.perNode
        .map(
          (n) =>
            `node ${n.node}: ${p.backing === 'hugetlb' ? `${n.hugepages} pages, ` : ''}${verdictLabel(n.needMiB * 1024)} of ${verdictLabel(n.haveMiB * 1024)} it can give${n.fits ? '' : ' (too much)'}`,
        )
        .join('; ')}`,
    );
    if (p.numactl) out.push(`Run the server under: ${p.numactl}`);
  }
  if (p.commands.length > 0) {
    out.push('', 'To set up (as root):');
    for (const c of p.commands) out.push(`  ${c}`);
  }
  for (const n of p.notes) out.push(`Note: ${n}`);
  if (p.suggestions.length > 0) {
    out.push('', 'What would make it fit (each re-planned):');
    for (const s of p.suggestions)
      out.push(
        `  ${s.change.padEnd(40)} ${s.fits ? `fits, margin ${verdictLabel(s.marginMiB * 1024)}` : `still fails: ${s.failing.join(', ')}`}   (${s.flags})`,
      );
  }
  return printable(`${out.join('\n')}\n`);
}

export function formatModels(): string {
  const out = ['Models (use the id with --model):'];
  for (const m of MODELS) {
    const moe = m.experts ? `, MoE ${m.experts.active}/${m.experts.total} experts` : '';
    out.push(
      `  ${m.id.padEnd(24)}${m.name}: ${(m.params / 1e9).toFixed(1)}B parameters, ${m.layers} layers${moe}, ${m.contextMax} context`,
    );
  }
  out.push('', 'Quantizations (use with --quant; typical bits per weight of the file):');
  out.push(`  ${QUANTS.map((q) => `${q.name} ${q.bitsPerWeight}`).join(', ')}`);
  return `${out.join('\n')}\n`;
}
