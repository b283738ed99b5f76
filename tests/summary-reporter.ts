/**
 * Prints one plain line `N passed, N failed` at the end of the run, which CI reads (it does not read
 * vitest's own closing lines). Unhandled errors count as failures.
 */
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const why: string[] = [];
    for (const mod of modules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') failedHere++;
        else {
          skipped++;
          // A test that cannot run here (root or not, a missing tool) says why, with ctx.skip(note) or in the
          // name of a skipIf test: list those, so a green run that skipped something is not mistaken for a
          // full one. (A -t filter skips many: the list is capped below.)
          const note = result.state === 'skipped' ? result.note : undefined;
          why.push(`skipped: ${test.fullName}${note ? `: ${note}` : ''}`);
        }
      }
      // A file that failed to load, or whose beforeAll failed, leaves its tests skipped: still a failure.
      if (mod.state() === 'failed' && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    failed += errors.length;
    const shown = why.slice(0, 20);
    if (why.length > shown.length) shown.push(`(and ${why.length - shown.length} more skipped)`);
    if (shown.length > 0) process.stdout.write(`\n${shown.join('\n')}\n`);
    // The summary line is exactly "N passed, N failed", as CI reads it; what was skipped goes on a line before.
    if (skipped) process.stdout.write(`\n${skipped} skipped\n`);
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  }
}
