/**
 * The hostile-input suite: several hundred generated inputs (tests/hostile/cases.ts), each given to the built
 * CLI with a kill deadline, each answer classified (tests/hostile/run.ts). Every case must get a clean
 * answer: refused in one line with no stack trace and no escape bytes, or read with the absurd value as a
 * diagnostic; no hang, no overwrite, nothing accepted that should not be, peak memory under twice the
 * input's size cap plus 100 MiB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCases, type CaseSet } from '../hostile/cases';
import { runCases, summary } from '../hostile/run';

let tmp = '';
let set: CaseSet | null = null;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-hostile-cli-'));
  set = makeCases(tmp);
});
afterAll(() => {
  set?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('hostile input to the CLI', () => {
  it('every case gets a clean answer', { timeout: 600_000 }, async () => {
    const cases = set!.cases;
    // Three at a time: the machine has two cores and other test files run beside this one. A case takes
    // well under a second; the deadline only separates a hang from a slow machine.
    const results = await runCases(cases, { concurrency: 3, deadlineMs: 20_000 });
    const others = results.filter((r) => r.outcome !== 'clean');
    console.log(summary(results));
    for (const r of others) console.log(`  ${r.outcome}: ${r.name}: ${r.detail}`);
    expect(results.length).toBeGreaterThan(400);
    expect(others.map((r) => `${r.outcome}: ${r.name}: ${r.detail}`)).toEqual([]);
  });
});
