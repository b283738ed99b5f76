/**
 * Opt-in live checks on the real kernel (HUGETUNE_LIVE=1, as root) of the apply engine and the HVO check
 * (directly, through the command and through the API).
 * They touch only small, harmless settings (THP enabled, a 2 MiB pool grown by a few pages, the HVO sysctl)
 * and put every one back in `finally`, even when an assertion fails; each test then checks that every value
 * reads exactly as before. Journals go to a temporary directory, removed afterwards.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentValue } from '../../shared/advise/settings';
import type { Change } from '../../shared/advise/changes';
import { applyChanges, rollback } from '../../electron/host/apply';
import { hvoCheck } from '../../electron/host/hvo-check';
import { readJournal } from '../../electron/host/journal';
import { DirectWriter } from '../../electron/host/writers';
import { FsFiles } from '../../electron/host/fs-files';
import { hvoCheckCommand } from '../../electron/cli/apply';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers } from '../../electron/host/handlers';
import { checkVerdict, type HvoCheckResult } from '../../shared/advise/hvo-check';
import { dispatch, type Envelope } from '../../shared/api';

const HVO = '/proc/sys/vm/hugetlb_optimize_vmemmap';
const POOL = '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages';
const THP = '/sys/kernel/mm/transparent_hugepage/enabled';
const TOUCHED = [THP, POOL, HVO];

const isRoot = process.getuid?.() === 0;
const value = (p: string): string => currentValue(readFileSync(p, 'utf8'));
const hasAll = TOUCHED.every((p) => existsSync(p));
const vmstat = existsSync('/proc/vmstat') ? readFileSync('/proc/vmstat', 'utf8') : '';
const hasMemmap = /^nr_memmap_pages /m.test(vmstat) && /^nr_memmap_boot_pages /m.test(vmstat);

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-live-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The values now, to compare with afterwards. */
const snapshot = (): Record<string, string> => Object.fromEntries(TOUCHED.filter(existsSync).map((p) => [p, value(p)]));

/**
 * Puts back whatever still differs, in the order that frees the pool before HVO changes (the pool, then HVO,
 * then THP), with plain writes that depend on nothing under test.
 */
function putBack(was: Record<string, string>): void {
  for (const p of [POOL, HVO, THP]) {
    if (was[p] === undefined) continue;
    try {
      if (value(p) !== was[p]) writeFileSync(p, `${was[p]}\n`);
    } catch {
      // Try the others; the test's assertions report what is still different.
    }
  }
}

describe('apply and rollback on the live kernel', () => {
  it('leaves every touched value exactly as before (THP, a 2 MiB pool + 8, the HVO sysctl)', async (ctx) => {
    ctx.skip(!isRoot, 'needs root: it writes THP, the 2 MiB pool size and the HVO sysctl');
    ctx.skip(!hasAll, `needs ${TOUCHED.join(', ')}`);
    const was = snapshot();
    try {
      const thp = was[THP] === 'madvise' ? 'never' : 'madvise';
      const changes: Change[] = [
        { kind: 'write', path: HVO, value: was[HVO] === '1' ? '0' : '1', before: was[HVO]! },
        { kind: 'write', path: POOL, value: String(Number(was[POOL]) + 8), before: was[POOL]! },
        { kind: 'write', path: THP, value: thp, before: was[THP]! },
      ];
      const writer = new DirectWriter();
      const applied = await applyChanges(changes, { dryRun: false, writer, journalDir: tmp, source: 'live test' });
      expect(applied.results.map((r) => [r.path, r.before])).toEqual([HVO, POOL, THP].map((p) => [p, was[p]]));
      expect(applied.results[0]!.ok).toBe(true);
      expect(applied.results[2]!.ok).toBe(true);
      // The pool may get fewer pages than asked on a fragmented machine; it must not shrink.
      expect(Number(applied.results[1]!.after)).toBeGreaterThanOrEqual(Number(was[POOL]));
      expect(value(THP)).toBe(thp);
      const back = await rollback(applied.journalFile!, writer, { journalDir: tmp });
      expect(back.results.map((r) => r.path)).toEqual([THP, POOL, HVO]);
      expect(back.ok).toBe(true);
      expect(readJournal(back.journalFile!).rollbackOf).toBe(applied.journalFile);
      expect(snapshot()).toEqual(was);
    } finally {
      putBack(was);
    }
    expect(snapshot()).toEqual(was);
  });
});

describe('hvo-check on the live kernel', () => {
  const skipUnlessReady = (ctx: { skip: (cond: boolean, note: string) => void }) => {
    ctx.skip(!isRoot, 'needs root: it writes the HVO sysctl and the 2 MiB pool size');
    ctx.skip(!existsSync(HVO) || !existsSync(POOL), `needs ${HVO} and ${POOL}: a kernel with HVO and 2 MiB pools`);
    ctx.skip(!hasMemmap, 'needs nr_memmap_pages and nr_memmap_boot_pages in /proc/vmstat (Linux 6.11+)');
  };

  it('64 × 2 MiB: measured = predicted, and everything restored', async (ctx) => {
    skipUnlessReady(ctx);
    const was = snapshot();
    try {
      const r = await hvoCheck({
        pages: 64,
        pageSizeKiB: 2048,
        writer: new DirectWriter(),
        files: new FsFiles({ kind: 'live', label: 'this machine' }, '/'),
        journalDir: tmp,
        source: 'live test',
      });
      expect(r.pagesGot).toBeGreaterThan(0);
      expect(r.freedPagesPerHugePage).toBe(7);
      expect(r.predictedPages).toBe(r.pagesGot * 7);
      expect(r.measuredPages).toBe(r.predictedPages);
      expect(r.restored).toBe(true);
      expect(snapshot()).toEqual(was);
    } finally {
      putBack(was);
    }
    expect(snapshot()).toEqual(was);
  });

  it('through the command: the JSON keys, exit 0, everything restored', async (ctx) => {
    skipUnlessReady(ctx);
    const was = snapshot();
    let out = '';
    try {
      const code = await hvoCheckCommand(
        { pages: 16, pageSizeKiB: 2048, yes: true, json: true },
        {
          isRoot: true,
          writer: new DirectWriter(),
          files: new FsFiles({ kind: 'live', label: 'this machine' }, '/'),
          journalDir: tmp,
          ask: null,
        },
        { out: (t) => void (out += t), err: () => {} },
      );
      const j = JSON.parse(out) as Record<string, unknown>;
      expect(j).toMatchObject({ pagesAsked: 16, restored: true });
      expect(j.measuredPages).toBe(j.predictedPages);
      expect(typeof j.pagesGot).toBe('number');
      expect(code).toBe(0);
    } finally {
      putBack(was);
    }
    expect(snapshot()).toEqual(was);
  });

  it('through the API (hvo.check, as the HVO view calls it): measured = predicted, everything restored', async (ctx) => {
    skipUnlessReady(ctx);
    const was = snapshot();
    try {
      const h = createHandlers(
        new ActiveSource(new FsFiles({ kind: 'live', label: 'this machine' }, '/')),
        'electron',
        {
          privilege: () => ({ root: true, pkexec: false, writer: () => new DirectWriter(), journalDir: () => tmp }),
        },
      );
      const env = (await dispatch(h, 'hvo.check', { pages: 32, pageSizeKiB: 2048 })) as Envelope<HvoCheckResult>;
      if (!env.ok) throw new Error(env.error.message);
      expect(env.value.pagesGot).toBeGreaterThan(0);
      expect(env.value.measuredPages).toBe(env.value.predictedPages);
      expect(checkVerdict(env.value).verdict).toBe('as-predicted');
      expect(env.value.restored).toBe(true);
      expect(snapshot()).toEqual(was);
    } finally {
      putBack(was);
    }
    expect(snapshot()).toEqual(was);
  });
});
