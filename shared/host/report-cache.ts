/**
 * The report of a tree that never changes, made once per tree. Every web session on one simulated machine reads
 * the same tree within a simulated second (../sim/source.ts), and so does each view of one snapshot; at 4,096
 * CPUs reading a tree is milliseconds of parsing. Files that change under the reader (a live machine, a
 * directory) have no such tree and are read anew each time, as are reports with a measurement of this machine.
 *
 * A report given out here is shared by every caller after: none may change it (tests/unit/report-cache.test.ts
 * runs what the handlers do with one on a deeply frozen report).
 */
import type { FindingExtras } from '../advise/findings';
import type { HostFiles } from './files';
import { readHost } from './read';
import { buildReport, type Report } from './report';

const made = new WeakMap<HostFiles, Report>();

export function reportOf(files: HostFiles, extra: FindingExtras = {}): Report {
  const tree = extra.alignmentProbe ? undefined : files.frozen?.();
  if (!tree) return buildReport(readHost(files), extra);
  let report = made.get(tree);
  if (!report) {
    // Read from the tree itself: a second that ends while the files are read cannot mix two trees.
    report = buildReport(readHost(tree));
    made.set(tree, report);
  }
  return report;
}
