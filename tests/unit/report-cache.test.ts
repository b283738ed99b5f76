/**
 * The report of a tree that never changes is made once and shared (shared/host/report-cache.ts): the same report
 * as reading the files anew, one per simulated second and per machine, none for a source that changes under the
 * reader, and never changed by what the handlers do with it.
 */
import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch, type FirstScreen } from '../../shared/api';
import { readHost } from '../../shared/host/read';
import type { AlignmentProbe } from '../../shared/host/process/types';
import { buildReport, type Report } from '../../shared/host/report';
import { reportOf } from '../../shared/host/report-cache';
import { MODELS } from '../../shared/plan/catalog';
import { SimMachine } from '../../shared/sim/machine';
import { findProfile } from '../../shared/sim/profiles';
import { SimFiles } from '../../shared/sim/source';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers } from '../../electron/host/handlers';
import { fixtureFiles, VM } from '../helpers';

/** A simulated machine whose clock the test moves. */
function simAt(id: string): { files: SimFiles; at: (ms: number) => void } {
  let now = 0;
  const files = new SimFiles(new SimMachine(findProfile(id)!), { clock: () => now });
  return { files, at: (ms) => (now = ms) };
}

function frozenDeep<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) frozenDeep(v);
  }
  return value;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the report of a tree that never changes', () => {
  it('is the report read from the files anew, made once for each simulated second', () => {
    const { files, at } = simAt('xeon-2s-768g');
    const first = reportOf(files);
    expect(first).toEqual(buildReport(readHost(files)));
    at(400);
    expect(reportOf(files)).toBe(first);
    // The next simulated second is a new tree, with counters that moved.
    at(1000);
    const next = reportOf(files);
    expect(next).not.toBe(first);
    expect(next).toEqual(buildReport(readHost(files)));
    expect(next.tlb.total).toBeGreaterThan(first.tlb.total!);
  });

  it('is shared by copies of one simulated machine until one of them is changed', async () => {
    const { files } = simAt('strix-halo-128g');
    const one = files.fork();
    const two = files.fork();
    expect(reportOf(one)).toBe(reportOf(two));
    expect(reportOf(one).hvo.enabled).toBe(false);
    // A setting applied in one session is in its report, and not in the other's.
    const handlers = createHandlers(new ActiveSource(one), 'web');
    const hvo = '/proc/sys/vm/hugetlb_optimize_vmemmap';
    const applied = await dispatch(handlers, 'setup.apply', { writes: [{ path: hvo, value: '1' }] });
    expect(applied.ok).toBe(true);
    expect(reportOf(one)).not.toBe(reportOf(two));
    expect(reportOf(one).hvo.enabled).toBe(true);
    expect(reportOf(two).hvo.enabled).toBe(false);
  });

  it('is not kept for files that change under the reader, which are read anew each time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hugetune-report-cache-'));
    dirs.push(dir);
    cpSync(VM, dir, { recursive: true });
    const files = fixtureFiles(dir);
    const before = reportOf(files);
    expect(reportOf(files)).not.toBe(before);
    writeFileSync(join(dir, 'sys/kernel/mm/transparent_hugepage/enabled'), 'always madvise [never]\n');
    expect(reportOf(files).thp.enabled).toBe('never');
    expect(before.thp.enabled).toBe('madvise');
  });

  it('is not taken from the cache when it carries a measurement of this machine', () => {
    const { files } = simAt('xeon-2s-768g');
    const probe: AlignmentProbe = {
      affected: false,
      aligned: 8,
      total: 8,
      gapsKiB: [0, 0, 0, 0, 0, 0, 0],
      mappingKiB: 2052,
      release: '6.18.0',
      detail: 'eight probe mappings, each on a 2 MiB boundary',
    };
    const measured = reportOf(files, { alignmentProbe: probe });
    expect(measured).not.toBe(reportOf(files));
    expect(reportOf(files, { alignmentProbe: probe })).not.toBe(measured);
  });

  it('is never changed by what the handlers do with it', async () => {
    // Frozen before any handler sees it: a handler that changed the shared report would throw (modules are
    // strict), and its call would come back as an internal error.
    const { files } = simAt('xeon-2s-768g');
    const shared = frozenDeep(reportOf(files));
    const copy = structuredClone<Report>(shared);
    const handlers = createHandlers(new ActiveSource(files), 'web');
    const model = MODELS[0]!.id;
    const calls: [string, Record<string, unknown>][] = [
      ['host.report', {}],
      ['host.report', { perCpu: false }],
      ['app.firstScreen', {}],
      ['plan.run', { model }],
      ['plan.run', { model, pageSize: '1G', hvo: true }],
      ['advise.run', { model }],
      ['advise.run', {}],
    ];
    for (const [method, args] of calls) {
      const env = await dispatch(handlers, method, args);
      expect(env.ok, `${method} ${JSON.stringify(args)}: ${JSON.stringify(env).slice(0, 300)}`).toBe(true);
    }
    const screen = await dispatch(handlers, 'app.firstScreen', {});
    expect(screen.ok && (screen.value as FirstScreen).report.ok).toBe(true);
    expect(reportOf(files)).toBe(shared);
    expect(shared).toEqual(copy);
  });
});
