/**
 * `hugetune diff A B`: two sources named on the command line, read, reported and compared. Each side is one
 * of four kinds, written as KIND:ARGUMENT so that two of them fit on one command line (the --root/--snapshot
 * /--sim flags of other commands name only one source).
 */
import { UserError } from '../../shared/errors';
import { diffDeltaText, diffValueText, type ReportDiff } from '../../shared/host/diff';
import type { HostFiles } from '../../shared/host/files';
import { profileSpecProblem } from '../host/sim-source';
import { UsageError } from './errors';
import { printable } from './format';

export type CliSourceSpec =
  { kind: 'live'; text: string } | { kind: 'root' | 'snapshot' | 'sim'; arg: string; text: string };

const KINDS = 'live, root:DIR, snapshot:FILE (or FILE.json) or sim:PROFILE';

export function parseSourceSpec(text: string): CliSourceSpec {
  if (text === 'live') return { kind: 'live', text };
  const m = /^(root|snapshot|sim):(.*)$/s.exec(text);
  if (m) {
    const kind = m[1] as 'root' | 'snapshot' | 'sim';
    if (m[2] === '')
      throw new UsageError(
        `${text} needs ${kind === 'root' ? 'a directory' : kind === 'sim' ? 'a profile' : 'a file'} after the colon`,
      );
    if (kind === 'sim') {
      const problem = profileSpecProblem(m[2]!, 'sim', printable(text));
      if (problem !== null) throw new UsageError(problem);
    }
    return { kind, arg: m[2]!, text };
  }
  // A bare path to a JSON file is most often a snapshot someone was sent; profiles are named with sim:.
  if (/\.json$/i.test(text)) return { kind: 'snapshot', arg: text, text };
  throw new UsageError(`'${text}' is not a source: use ${KINDS}`);
}

export function parseDiffArgs(positionals: string[]): [CliSourceSpec, CliSourceSpec] {
  if (positionals.length !== 2)
    throw new UsageError(
      `diff needs two sources, A and B (${positionals.length === 0 ? 'none' : positionals.length} given): ${KINDS}`,
    );
  const a = parseSourceSpec(positionals[0]!);
  const b = parseSourceSpec(positionals[1]!);
  const stdin = (s: CliSourceSpec) => s.kind === 'snapshot' && (s.arg === '-' || s.arg === '/dev/stdin');
  if (stdin(a) && stdin(b)) throw new UsageError('only one side can read standard input');
  return [a, b];
}

/** Opens one side; an unreadable source is a UserError (exit 1) that says which side and why, in one line. */
export async function openSpec(spec: CliSourceSpec, side: 'A' | 'B'): Promise<HostFiles> {
  try {
    switch (spec.kind) {
      case 'live':
        return (await import('../host/source')).openSource({});
      case 'root':
        return (await import('../host/source')).openSource({ root: spec.arg });
      case 'snapshot':
        // Awaited here, so a refusal is caught below and names its side.
        return await (await import('../host/snapshot-load')).loadSnapshotFile(spec.arg);
      case 'sim': {
        const { loadProfile, openSim } = await import('../host/sim-source');
        return openSim(await loadProfile(spec.arg));
      }
    }
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    // The openers name their flag and argument ("--root X: no such directory"); here the side and spec say it.
    const arg = spec.kind === 'live' ? '' : spec.arg;
    let reason = e.message;
    for (const prefix of [`--root ${arg}: `, `snapshot ${arg}: `, `--sim ${arg}: `]) {
      if (reason.startsWith(prefix)) reason = reason.slice(prefix.length);
    }
    throw new UserError(`cannot read ${side} (${spec.text}): ${reason}`, e.code);
  }
}

export function formatDiff(d: ReportDiff): string {
  const out: string[] = ['hugetune diff', `  A: ${d.a.label}`, `  B: ${d.b.label}`];
  const shown = d.groups.flatMap((g) => g.entries.filter((e) => e.changed));
  const width = Math.min(44, Math.max(0, ...shown.map((e) => e.label.length)) + 2);
  for (const g of d.groups) {
    if (g.changed === 0) continue;
    out.push('', g.label);
    for (const e of g.entries) {
      if (!e.changed) continue;
      const delta = diffDeltaText(e);
      const label = e.label.length >= width ? `${e.label} ` : e.label.padEnd(width);
      out.push(`  ${label}${diffValueText(e, e.a)} → ${diffValueText(e, e.b)}${delta ? ` (${delta})` : ''}`);
    }
  }
  const same = d.groups.filter((g) => g.changed === 0).map((g) => g.label);
  if (!d.same && same.length > 0) out.push('', `Same in both: ${same.join(', ')}.`);
  out.push('', d.summary);
  if (d.leftOut) out.push(`${d.leftOut} (--counters compares them).`);
  return printable(`${out.join('\n')}\n`);
}
