/** `hugetune plan` and `hugetune models`: flags to a plan request, and the plan as text. */
import { UserError } from '../../shared/errors';
import { MODELS, QUANTS } from '../../shared/plan/catalog';
import type { PlanResult } from '../../shared/plan/plan';
import { LIMITS, planRequestSchema, runPlan, type PlanRequest } from '../../shared/plan/request';
import type { PLAN_OPTIONS } from './plan-options';
import { validate } from '../../shared/schema';
import { sizeLabel } from '../../shared/units';
import { UsageError } from './errors';
import { printable } from './format';

function number(flag: string, text: string | undefined, min: number, max: number, integer = false): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${flag} ${text}: expected ${integer ? 'a whole number' : 'a number'}`);
  }
  if (n < min || n > max)
    throw new UsageError(`--${flag} ${text}: out of range (${min} to ${max.toLocaleString('en-US')})`);
  return n;
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

type Values = Partial<Record<keyof typeof PLAN_OPTIONS, string | boolean>>;

export { runPlan };

export function modelsJson() {
  return { models: MODELS, quants: QUANTS };
}

export function planRequestFromFlags(v: Values): PlanRequest {
  const str = (k: keyof typeof PLAN_OPTIONS): string | undefined => (typeof v[k] === 'string' ? v[k] : undefined);
  const req: Record<string, unknown> = {
    model: str('model'),
    quant: str('quant'),
    gguf: str('gguf'),
    footprintMiB: number('footprint-mib', str('footprint-mib'), 1, LIMITS.mib.max),
    ctx: number('ctx', str('ctx'), LIMITS.ctx.min, LIMITS.ctx.max, true),
    kvType: choice('kv-type', str('kv-type'), ['f16', 'q8_0', 'q4_0'] as const, (t) => t.toLowerCase()),
    pageSize: choice('page-size', str('page-size'), ['4K', '2M', '1G'] as const, (t) => t.toUpperCase()),
    hvo: choice('hvo', str('hvo'), ['on', 'off'] as const) === undefined ? undefined : str('hvo') === 'on',
    noMmap: v['no-mmap'] === true ? true : undefined,
    mlock: v.mlock === true ? true : undefined,
    numa: choice('numa', str('numa'), ['interleave', 'bind'] as const),
    memGiB: number('mem-gib', str('mem-gib'), LIMITS.memGiB.min, LIMITS.memGiB.max),
    availableMiB: number('available-mib', str('available-mib'), LIMITS.mib.min, LIMITS.mib.max),
    reserveMiB: number('reserve-mib', str('reserve-mib'), LIMITS.mib.min, LIMITS.mib.max),
  };
  for (const k of Object.keys(req)) if (req[k] === undefined) delete req[k];
  const given = ['model', 'gguf', 'footprintMiB'].filter((k) => k in req);
  if (given.length !== 1)
    throw new UsageError('plan needs exactly one of --model ID, --gguf PATH or --footprint-mib N');
  if ('quant' in req && !('model' in req)) throw new UsageError('--quant goes with --model');
  const checked = validate(planRequestSchema, req);
  if (!checked.ok) throw new UserError(checked.error, 'bad-request');
  return checked.value;
}

const mib = (x: number): string => (Math.abs(x) >= 10240 ? `${(x / 1024).toFixed(1)} GiB` : `${Math.round(x)} MiB`);

export function formatPlan(p: PlanResult): string {
  const out: string[] = [];
  out.push(`${p.model} on ${p.machine}`);
  out.push(
    p.fits
      ? `FITS with ${mib(p.marginMiB)} to spare (${mib(p.needMiB)} needed of ${mib(p.availableMiB)} available)`
      : `DOES NOT FIT: ${p.marginMiB < 0 ? `${mib(-p.marginMiB)} short` : 'the memory suffices, but see the notes'} (${mib(p.needMiB)} needed of ${mib(p.availableMiB)} available)`,
  );
  out.push('');
  for (const t of p.breakdown) out.push(`  ${t.label.padEnd(30)}${mib(t.mib).padStart(12)}   ${t.source}`);
  out.push('');
  const backing =
    p.backing === 'hugetlb'
      ? `HugeTLB pool of ${sizeLabel(p.pageSizeKiB)} pages`
      : p.backing === 'anon'
        ? 'anonymous memory (--no-mmap; THP applies)'
        : 'mmap of the model file (page cache)';
  out.push(`Backing: ${backing}`);
  if (p.backing === 'hugetlb') {
    out.push(
      `Huge pages needed: ${p.hugepagesNeeded} × ${sizeLabel(p.pageSizeKiB)} (${p.hugepagesToAdd} more than the pool holds now)`,
    );
    if (p.vmemmap.savedKiB > 0) out.push(`HVO gives back: ${p.vmemmap.savedKiB} KiB (${p.vmemmap.savedMiB} MiB)`);
  }
  out.push(
    `Page tables: ${p.pageTablesKiB} KiB here; with 4K ${p.pageTablesByPageSize['4K']} KiB, 2M ${p.pageTablesByPageSize['2M']} KiB, 1G ${p.pageTablesByPageSize['1G']} KiB`,
  );
  out.push(
    `TLB entries to map the weights: 4K ${p.tlbEntries['4K'].toLocaleString('en-US')}, 2M ${p.tlbEntries['2M'].toLocaleString('en-US')}, 1G ${p.tlbEntries['1G']}`,
  );
  if (p.perNode.length > 1 || p.numactl) {
    out.push(
      `NUMA: ${p.perNode.map((n) => `node ${n.node}: ${p.backing === 'hugetlb' ? `${n.hugepages} pages, ` : ''}${mib(n.mib)} of ${mib(n.nodeMemMiB)}${n.fits ? '' : ' (too much)'}`).join('; ')}`,
    );
    if (p.numactl) out.push(`Run the server under: ${p.numactl}`);
  }
  if (p.commands.length > 0) {
    out.push('', 'To set up (as root):');
    for (const c of p.commands) out.push(`  ${c}`);
  }
  for (const n of p.notes) out.push(`Note: ${n}`);
  if (p.suggestions.length > 0) {
    out.push('', 'What would make it fit:');
    for (const s of p.suggestions)
      out.push(
        `  ${s.change.padEnd(40)} ${s.fits ? 'fits' : 'still short'}, margin ${mib(s.marginMiB)}   (${s.flags})`,
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
