/**
 * `hvo.check`, the HVO check run from the app: on a simulated machine against the simulator (no privileges, no
 * journal, every value back as it was), refused in one sentence on a record of a machine, its arguments
 * checked before anything is read, and a verdict that is always the one its figures give.
 */
import fc from 'fast-check';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELPER_REPO_PATH } from '../../shared/advise/helper-script';
import { checkVerdict, HVO_CHECK_MAX_PAGES, type HvoCheckResult } from '../../shared/advise/hvo-check';
import { dispatch, type Envelope } from '../../shared/api';
import { findProfile } from '../../shared/sim/profiles';
import { ActiveSource } from '../../electron/host/active-source';
import { FsFiles } from '../../electron/host/fs-files';
import { createHandlers, type Privilege } from '../../electron/host/handlers';
import { captureSnapshot } from '../../electron/host/snapshot-io';
import { onPath, PkexecWriter } from '../../electron/host/writers';
import { fixtureFiles, REPO, VM, VM_TUNED } from '../helpers';

const POOL = '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages';
const HVO = '/proc/sys/vm/hugetlb_optimize_vmemmap';

async function onSim(profile: string) {
  const source = new ActiveSource(fixtureFiles(VM));
  const h = createHandlers(source, 'web');
  expect(await dispatch(h, 'source.openSim', { profile: findProfile(profile)! })).toMatchObject({ ok: true });
  const read = (p: string) => {
    const f = source.current.read(p);
    return f.kind === 'text' ? f.text.trim() : null;
  };
  return { h, read };
}

describe('hvo.check on a simulated machine', () => {
  it('measures what the kernel formula predicts and leaves the pool and HVO as they were', async () => {
    const { h, read } = await onSim('strix-halo-128g');
    const before = [read(POOL), read(HVO)];
    const env = (await dispatch(h, 'hvo.check', { pages: 64, pageSizeKiB: 2048 })) as Envelope<HvoCheckResult>;
    if (!env.ok) throw new Error(env.error.message);
    const r = env.value;
    expect(r).toMatchObject({
      pageSizeKiB: 2048,
      pagesAsked: 64,
      freedPagesPerHugePage: 7,
      basePageKiB: 4,
      restored: true,
      hvoWasOn: false,
      journalFile: null,
      restoreJournalFile: null,
    });
    expect(r.pagesGot).toBeGreaterThan(0);
    expect(r.predictedPages).toBe(r.pagesGot * 7);
    expect(r.measuredPages).toBe(r.predictedPages);
    expect(r.memmapBefore - r.memmapAfter).toBe(r.measuredPages);
    expect(r.steps.map((s) => s.path)).toEqual([HVO, POOL]);
    expect(r.restoreSteps.map((s) => s.path)).toEqual([POOL, HVO]);
    expect(checkVerdict(r).verdict).toBe('as-predicted');
    expect([read(POOL), read(HVO)]).toEqual(before);
  });

  it('1 GiB pages on a fragmented machine: the reason is the one the Pools view gives (compaction), not free memory', async () => {
    const { h } = await onSim('xeon-2s-768g');
    const env = (await dispatch(h, 'hvo.check', { pages: 4, pageSizeKiB: 1048576 })) as Envelope<HvoCheckResult>;
    if (!env.ok) throw new Error(env.error.message);
    expect(env.value.pagesGot).toBe(0);
    // Hundreds of GiB free, none of it in a block the size of the page.
    expect(env.value.freeBefore!.freeKiB).toBeGreaterThan(100 * 1048576);
    expect(env.value.freeBefore!.pagesNow).toBeNull();
    const { verdict, sentence } = checkVerdict(env.value);
    expect(verdict).toBe('nothing-measured');
    expect(sentence).toMatch(/compaction/);
    expect(sentence).not.toMatch(/no free memory/);
  });

  it('says in one line why a kernel without memmap counters cannot be measured, and changes nothing', async () => {
    const { h, read } = await onSim('ubuntu-2404-desktop-64g');
    const before = [read(POOL), read(HVO)];
    const env = await dispatch(h, 'hvo.check', { pages: 8, pageSizeKiB: 2048 });
    expect(env).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^cannot measure: .*6\.11/) as unknown },
    });
    if (!env.ok) expect(env.error.message).not.toMatch(/\n/);
    expect([read(POOL), read(HVO)]).toEqual(before);
  });

  it('refuses a page size the machine has no pool of', async () => {
    const { h } = await onSim('strix-halo-128g');
    expect(await dispatch(h, 'hvo.check', { pages: 8, pageSizeKiB: 32768 })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/no 32M HugeTLB pool/) as unknown },
    });
  });
});

describe('hvo.check on a record of a machine', () => {
  it('refuses a fake root in one sentence', async () => {
    const h = createHandlers(new ActiveSource(fixtureFiles(VM)), 'web');
    const env = await dispatch(h, 'hvo.check', { pages: 8, pageSizeKiB: 2048 });
    expect(env).toMatchObject({
      ok: false,
      error: {
        code: 'bad-request',
        message: expect.stringMatching(/is a record of a machine, not the machine/) as unknown,
      },
    });
  });

  it('refuses a snapshot in one sentence', async () => {
    const source = new ActiveSource(fixtureFiles(VM));
    const h = createHandlers(source, 'web');
    const text = JSON.stringify(captureSnapshot(fixtureFiles(VM_TUNED), true));
    expect(await dispatch(h, 'source.openSnapshot', { name: 'box.json', text })).toMatchObject({ ok: true });
    const env = await dispatch(h, 'hvo.check', { pages: 8, pageSizeKiB: 2048 });
    expect(env).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    if (!env.ok) {
      expect(env.error.message).toMatch(
        /^snapshot.*is a record of a machine, not the machine: .* on the machine itself$/,
      );
      expect(env.error.message).not.toMatch(/\n/);
    }
  });
});

describe('hvo.check on this machine, through pkexec', () => {
  // "This machine" here is a copy of a fixture machine: the helper writes into it (HUGETUNE_HELPER_ROOT),
  // behind a stand-in for pkexec that runs it or answers as a refusing polkit would. No real kernel file.
  let tmp = '';
  let tree = '';
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'hugetune-hvo-check-api-'));
    tree = join(tmp, 'root');
    cpSync(VM, tree, { recursive: true });
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  function standIn(code: number | null): string {
    const file = join(tmp, `pkexec-${code ?? 'run'}`);
    writeFileSync(file, `#!/bin/sh\n${code === null ? 'exec "$@"' : `exit ${code}`}\n`);
    chmodSync(file, 0o755);
    return file;
  }
  const thisMachine = (privilege: Privilege) =>
    createHandlers(new ActiveSource(new FsFiles({ kind: 'live', label: 'this machine' }, tree)), 'electron', {
      privilege: () => privilege,
    });
  const viaPkexec = (code: number | null, pkexec = true): Privilege => ({
    root: false,
    pkexec,
    writer: () =>
      new PkexecWriter(join(REPO, HELPER_REPO_PATH), { pkexec: standIn(code), env: { HUGETUNE_HELPER_ROOT: tree } }),
    journalDir: () => join(tmp, 'journal'),
  });
  const at = (p: string) => readFileSync(tree + p, 'utf8');

  it('says in one sentence that pkexec is missing, before anything is read or written', async () => {
    const env = await dispatch(thisMachine(viaPkexec(null, false)), 'hvo.check', { pages: 8, pageSizeKiB: 2048 });
    expect(env).toMatchObject({
      ok: false,
      error: {
        code: 'failed',
        message:
          "pkexec is not installed, so the app cannot ask for an administrator's consent: install polkit's pkexec, or run sudo hugetune hvo-check --pages 8 --size 2M",
      },
    });
  });

  it('says in one sentence that pkexec refused, and leaves every value as it was', async () => {
    const before = [at(HVO), at(POOL)];
    const env = await dispatch(thisMachine(viaPkexec(126)), 'hvo.check', { pages: 8, pageSizeKiB: 2048 });
    expect(env).toMatchObject({ ok: false });
    if (!env.ok) {
      expect(env.error.message).toMatch(
        /not authorized: the administrator password was not given.*; every value was put back$/,
      );
      expect(env.error.message).not.toMatch(/\n/);
    }
    expect([at(HVO), at(POOL)]).toEqual(before);
  });

  it('writes and restores through pkexec and the helper, journaled', async () => {
    const before = [at(HVO), at(POOL)];
    const env = (await dispatch(thisMachine(viaPkexec(null)), 'hvo.check', {
      pages: 8,
      pageSizeKiB: 2048,
    })) as Envelope<HvoCheckResult>;
    if (!env.ok) throw new Error(env.error.message);
    // The helper wrote the files; a fixture's /proc/vmstat does not move, so nothing is measured as freed.
    expect(env.value).toMatchObject({
      pagesAsked: 8,
      pagesGot: 8,
      predictedPages: 56,
      measuredPages: 0,
      restored: true,
    });
    expect(env.value.steps.map((s) => s.status)).toEqual(['done', 'done']);
    expect(env.value.journalFile).toMatch(new RegExp(`^${join(tmp, 'journal')}/`));
    expect(checkVerdict(env.value).verdict).toBe('differs');
    expect([at(HVO), at(POOL)]).toEqual(before);
  });
});

describe('hvo.check arguments', () => {
  const h = createHandlers(new ActiveSource(fixtureFiles(VM)), 'web');
  it.each([
    [{ pages: 0, pageSizeKiB: 2048 }, /^hvo\.check: pages: expected an integer from 1 to 1,048,576, got 0$/],
    [{ pages: HVO_CHECK_MAX_PAGES + 1, pageSizeKiB: 2048 }, /pages: expected an integer from 1 to 1,048,576/],
    [{ pages: 1.5, pageSizeKiB: 2048 }, /pages: expected an integer/],
    [{ pages: '8', pageSizeKiB: 2048 }, /pages: expected an integer .*got "8"/],
    [{ pageSizeKiB: 2048 }, /pages: missing/],
    [{ pages: 8 }, /pageSizeKiB: missing/],
    [{ pages: 8, pageSizeKiB: 2048, yes: true }, /yes: unknown key/],
  ])('refuses %j in one line before reading anything', async (args, message) => {
    const env = await dispatch(h, 'hvo.check', args);
    expect(env).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    if (!env.ok) expect(env.error.message).toMatch(message);
  });
});

describe('the check verdict', () => {
  const result = fc
    .record({
      pagesAsked: fc.integer({ min: 1, max: HVO_CHECK_MAX_PAGES }),
      got: fc.integer({ min: 0, max: HVO_CHECK_MAX_PAGES }),
      freed: fc.constantFrom(6, 7, 4094, 4095),
      noise: fc.oneof(fc.constant(0), fc.integer({ min: -5000, max: 5000 })),
    })
    .map(({ pagesAsked, got, freed, noise }): HvoCheckResult => {
      const pagesGot = Math.min(got, pagesAsked);
      return {
        pageSizeKiB: freed > 7 ? 1048576 : 2048,
        pagesAsked,
        pagesGot,
        predictedPages: pagesGot * freed,
        measuredPages: pagesGot * freed + noise,
        restored: true,
        kernel: '6.18.2',
        keptPages: 1,
        freedPagesPerHugePage: freed,
        basePageKiB: 4,
        hvoWasOn: false,
        memmapBefore: 100000,
        memmapAfter: 100000 - pagesGot * freed - noise,
        journalFile: null,
        restoreJournalFile: null,
        steps: [],
        restoreSteps: [],
        freeBefore: { pagesNow: 0, freeKiB: 1048576 },
      };
    });

  it('is "as predicted" exactly when pages were obtained and the measured fall equals the shown product', () => {
    fc.assert(
      fc.property(result, (r) => {
        const { verdict, sentence } = checkVerdict(r);
        const n = (x: number) => x.toLocaleString('en-US');
        if (r.pagesGot === 0) return verdict === 'nothing-measured' && sentence.includes(`asked ${n(r.pagesAsked)}`);
        // Every figure grouped as the tables beside it show it.
        const product = `${n(r.pagesGot)} × ${n(r.freedPagesPerHugePage)} = ${n(r.predictedPages)}`;
        expect(sentence).toContain(product);
        expect(sentence).toContain(n(r.measuredPages));
        expect(verdict).toBe(r.measuredPages === r.predictedPages ? 'as-predicted' : 'differs');
        return true;
      }),
    );
  });
});

describe('onPath', () => {
  it('finds an executable on PATH and nothing on an empty or relative PATH', () => {
    expect(onPath('sh', '/nonexistent:/bin:/usr/bin')).toBe(true);
    expect(onPath('no-such-program-hugetune', '/bin:/usr/bin')).toBe(false);
    expect(onPath('sh', '')).toBe(false);
    expect(onPath('sh', 'bin')).toBe(false);
  });
});
