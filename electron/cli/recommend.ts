/** `hugetune recommend`: the advice as text, every recommendation with its reason, evidence and changes. */
import type { Change } from '../../shared/advise/changes';
import type { AdviceResult } from '../../shared/advise/request';
import { printable } from './format';
import { verdictLines } from './plan';

export const RECOMMEND_OPTIONS = {
  user: { type: 'string' },
  unit: { type: 'string' },
  'model-path': { type: 'string' },
} as const;

export function describeChange(c: Change): string {
  switch (c.kind) {
    case 'write':
      return `${c.path}: ${c.before ?? '?'} → ${c.value}`;
    case 'boot':
      return `boot line: ${[...c.set.map((x) => (x.value === null ? x.key : `${x.key}=${x.value}`)), ...c.remove.map((k) => `remove ${k}`)].join(' ')}`;
    case 'memlock':
      return `memlock unlimited for ${c.scope === 'service' ? `the service ${c.name}` : `the user ${c.name}`}`;
    case 'service':
      return `${c.unit}: ${[c.numactl ? `run under ${c.numactl}` : '', ...Object.entries(c.environment).map(([k, v]) => `${k}=${v}`)].filter(Boolean).join(', ')}`;
  }
}

export function formatAdvice(a: AdviceResult): string {
  const out: string[] = [];
  if (a.plan) {
    out.push(`${a.plan.model} with ${a.plan.runtime.name} on ${a.plan.machine.label}`);
    out.push(...verdictLines(a.plan), '');
  }
  if (a.recommendations.length === 0) out.push('Nothing to recommend: the machine already follows the advice.');
  for (const r of a.recommendations) {
    out.push(`[${r.severity}] ${r.title}${r.needsReboot ? ' (needs a reboot)' : ''}`);
    out.push(`    ${r.reason}`);
    for (const e of r.evidence) out.push(`    evidence: ${e.path} = ${e.value}`);
    for (const c of r.changes) out.push(`    change: ${describeChange(c)}`);
    for (const c of r.commands ?? []) out.push(`    run: ${c}`);
    out.push(`    risk: ${r.risk}`, `    reference: ${r.reference}`, '');
  }
  if (a.changes.length > 0) {
    out.push('All changes, in the order they apply:');
    for (const c of a.changes) out.push(`  ${describeChange(c)}`);
  }
  for (const m of a.merged) out.push(`Note: ${m}`);
  return printable(`${out.join('\n')}\n`);
}
