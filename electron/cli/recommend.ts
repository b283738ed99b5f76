/** `hugetune recommend`: the advice as text, every recommendation with its reason, evidence and changes. */
import { describeChange } from '../../shared/advise/changes';
import type { AdviceResult } from '../../shared/advise/request';
import { UserError } from '../../shared/errors';
import { UsageError } from './errors';
import { printable } from './format';
import { verdictLines } from './plan';

export const RECOMMEND_OPTIONS = {
  user: { type: 'string' },
  unit: { type: 'string' },
  'model-path': { type: 'string' },
  artifact: { type: 'string' },
} as const;

/** The artifacts by the names the CLI takes (`--artifact NAME`). */
export const ARTIFACT_NAMES = {
  sysctl: 'sysctlConf',
  tmpfiles: 'tmpfilesConf',
  'boot-cmdline': 'bootCmdline',
  apply: 'applyScript',
  rollback: 'rollbackScript',
  tuned: 'tunedProfile',
  ansible: 'ansiblePlaybook',
  'service-dropin': 'serviceDropIn',
  limits: 'limitsConf',
} as const satisfies Record<string, keyof AdviceResult['artifacts']>;

/** One artifact's text, exactly as it is to be saved; a clear line when it has none for this advice. */
export function artifactText(a: AdviceResult, name: string): string {
  const key = (ARTIFACT_NAMES as Record<string, keyof AdviceResult['artifacts'] | undefined>)[name];
  if (!key) throw new UsageError(`--artifact ${name}: expected one of ${Object.keys(ARTIFACT_NAMES).join(', ')}`);
  const art = a.artifacts[key];
  if (!art) throw new UserError(`no ${name} for this advice: none of its changes needs one`, 'not-found');
  return art.text.endsWith('\n') ? art.text : `${art.text}\n`;
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
    const names = Object.entries(ARTIFACT_NAMES).filter(([, key]) => a.artifacts[key] !== null);
    out.push(
      '',
      `Files and scripts (hugetune recommend ... --artifact NAME prints one): ${names.map(([n, key]) => `${n} (${a.artifacts[key]!.path})`).join(', ')}`,
    );
  }
  if (a.bootEdit) {
    const e = a.bootEdit;
    out.push(
      '',
      `Boot line (${e.loader}): ${e.changed ? '' : 'already as asked. '}${e.refused ? `not edited by hugetune: ${e.refused}` : ''}`,
    );
    for (const line of e.diff) out.push(`  ${line}`);
    for (const c of e.commands) out.push(`  run: ${c}`);
    out.push(`  ${e.note}`);
  }
  for (const m of a.merged) out.push(`Note: ${m}`);
  return printable(`${out.join('\n')}\n`);
}
