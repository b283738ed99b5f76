/**
 * Runs the built CLI on each hostile case with a kill deadline and limited concurrency, and classifies what
 * it did: a clean answer, or a hang, a stack trace, escape bytes echoed, an overwrite, accepted nonsense, or
 * too much memory.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers';

export type Expect =
  /** Refused: exit status not 0, exactly one line on stderr. */
  | { kind: 'refuse' }
  /** Read, with the absurd value reported as a diagnostic for this path (report --json). */
  | { kind: 'diagnose'; path: string };

export interface Case {
  name: string;
  args: string[];
  expect: Expect;
  /** Standard input. */
  input?: Buffer | string;
  /** The size cap of the kind of input refused, in bytes: peak memory must stay under 2x this + 100 MiB. */
  capBytes?: number;
  /** Run after the case: why something it must not touch was changed, or null. */
  untouched?: () => string | null;
}

export type Outcome = 'clean' | 'hang' | 'stack trace' | 'escape echoed' | 'overwrite' | 'accepted nonsense' | 'memory';

export interface Result {
  name: string;
  outcome: Outcome;
  detail: string;
  ms: number;
}

/**
 * Preloaded into the CLI: writes the process's peak resident set (KiB, worker threads included) to the file
 * the suite names, however the process ends short of a kill.
 */
const MAXRSS_PRELOAD = `'use strict';
const file = process.env.HUGETUNE_TEST_MAXRSS_FILE;
if (file) process.on('exit', () => {
  try { require('node:fs').writeFileSync(file, String(process.resourceUsage().maxRSS)); } catch {}
});
`;
const MiB = 1024 * 1024;

// ESC, BEL and the other C0 controls but tab, newline and carriage return; DEL; C1; bidirectional overrides.
// eslint-disable-next-line no-control-regex
const ESCAPES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const STACK = /^\s+at .+:\d+:\d+\)?$|node:internal|^\w*Error: |Unhandled|uncaught/im;

function classify(
  c: Case,
  status: number | null,
  killed: boolean,
  out: string,
  err: string,
  rss: number,
): [Outcome, string] {
  const first = (s: string): string => JSON.stringify(s.slice(0, 300));
  if (killed) return ['hang', `still running at the deadline; stderr ${first(err)}`];
  if (STACK.test(err) || STACK.test(out)) return ['stack trace', first(err || out)];
  if (ESCAPES.test(err) || ESCAPES.test(out)) return ['escape echoed', first(err || out)];
  const touched = c.untouched?.() ?? null;
  if (touched !== null) return ['overwrite', touched];
  const limit = 2 * (c.capBytes ?? 0) + 100 * MiB;
  if (rss > limit) return ['memory', `peak ${Math.round(rss / MiB)} MiB over ${Math.round(limit / MiB)} MiB`];
  if (c.expect.kind === 'refuse') {
    if (status === 0) return ['accepted nonsense', `exit 0; stdout ${first(out)}`];
    const lines = err.trimEnd().split('\n');
    if (lines.length !== 1 || !lines[0]!.startsWith('hugetune: '))
      return ['stack trace', `not one line on stderr: ${first(err)}`];
    return ['clean', lines[0]!];
  }
  if (status !== 0) return ['accepted nonsense', `exit ${status}, expected a report with a diagnostic: ${first(err)}`];
  let diagnostics: { path: string }[];
  try {
    diagnostics = (JSON.parse(out) as { diagnostics: { path: string }[] }).diagnostics;
  } catch {
    return ['accepted nonsense', `not a JSON report: ${first(out)}`];
  }
  const path = c.expect.path;
  if (!diagnostics.some((d) => d.path === path))
    return ['accepted nonsense', `no diagnostic for ${path} (${diagnostics.map((d) => d.path).join(', ')})`];
  return ['clean', `diagnostic for ${path}`];
}

function runOne(c: Case, deadlineMs: number, scratch: string, n: number, preload: string): Promise<Result> {
  const started = Date.now();
  const rssFile = join(scratch, `rss-${n}`);
  return new Promise((done) => {
    const args = c.args.includes('--json') || c.expect.kind !== 'diagnose' ? c.args : [...c.args, '--json'];
    const child = spawn(process.execPath, ['--require', preload, CLI, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, HUGETUNE_TEST_MAXRSS_FILE: rssFile, NODE_OPTIONS: '' },
      detached: true,
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out.length < 1 << 20 ? (out += d) : undefined));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err.length < 1 << 20 ? (err += d) : undefined));
    child.stdin.on('error', () => undefined);
    if (c.input !== undefined) child.stdin.end(c.input);
    else child.stdin.end();
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, deadlineMs);
    child.once('close', (status) => {
      clearTimeout(timer);
      let rss = 0;
      try {
        rss = Number(readFileSync(rssFile, 'utf8')) * 1024;
      } catch {
        // killed before it could say
      }
      const [outcome, detail] = classify(c, status, killed, out, err, rss);
      done({ name: c.name, outcome, detail, ms: Date.now() - started });
    });
  });
}

/** Runs every case, `concurrency` at a time. */
export async function runCases(
  cases: readonly Case[],
  opts: { concurrency: number; deadlineMs: number },
): Promise<Result[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'hugetune-hostile-rss-'));
  const preload = join(scratch, 'maxrss.cjs');
  writeFileSync(preload, MAXRSS_PRELOAD);
  try {
    const results: Result[] = new Array<Result>(cases.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cases.length) {
        const i = next++;
        results[i] = await runOne(cases[i]!, opts.deadlineMs, scratch, i, preload);
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    return results;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function summary(results: readonly Result[]): string {
  const clean = results.filter((r) => r.outcome === 'clean').length;
  return `tried ${results.length}, clean ${clean}, other ${results.length - clean}`;
}
