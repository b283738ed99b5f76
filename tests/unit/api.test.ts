import { describe, expect, it } from 'vitest';
import { dispatch, type FirstScreen, type Handlers, type SourceState } from '../../shared/api';
import type { Report } from '../../shared/host/report';
import { findProfile } from '../../shared/sim/profiles';
import { WINDOW_REPORT } from '../../shared/window-report';
import { FsFiles } from '../../electron/host/fs-files';
import { liveUnavailable } from '../../electron/host/source';
import { UserError } from '../../shared/errors';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers } from '../../electron/host/handlers';
import { captureSnapshot } from '../../electron/host/snapshot-io';
import { fixtureFiles, VM, VM_TUNED } from '../helpers';

const handlers = createHandlers(new ActiveSource(fixtureFiles(VM)), 'cli');

describe('dispatch', () => {
  it('answers a valid call with its value', async () => {
    const env = await dispatch(handlers, 'host.report', {});
    expect(env.ok).toBe(true);
    if (env.ok) expect((env.value as { kernel: { release: string } }).kernel.release).toBe('6.18.44-fc-v595');
  });
  it('refuses unknown methods and unexpected arguments with an envelope', async () => {
    expect(await dispatch(handlers, 'fs.read', {})).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    expect(await dispatch(handlers, 'constructor', {})).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    expect(await dispatch(handlers, 'host.report', { path: '/etc/shadow' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    expect(await dispatch(handlers, 'host.report', 'x')).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    // An array is not an object with no keys, even where every key is optional.
    for (const method of ['host.report', 'process.inspect', 'host.diff'])
      expect(await dispatch(handlers, method, [])).toEqual({
        ok: false,
        error: { code: 'bad-request', message: `${method}: arguments must be an object, not an array` },
      });
  });
  it('passes user errors through and marks anything else internal', async () => {
    const failing = {
      ...handlers,
      'app.info': () => {
        throw new UserError('no such snapshot', 'not-found');
      },
      'host.report': () => {
        throw new TypeError('boom');
      },
    } as Handlers;
    const seen: unknown[] = [];
    expect(await dispatch(failing, 'app.info', {})).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'no such snapshot' },
    });
    expect(await dispatch(failing, 'host.report', {}, (e) => seen.push(e))).toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
    expect(seen).toHaveLength(1);
  });
});

describe("the window's report", () => {
  it('is the whole report less the per-CPU interrupt counts, with the CPU count and totals kept', async () => {
    const h = createHandlers(new ActiveSource(fixtureFiles(VM)), 'web');
    expect(await dispatch(h, 'source.openSim', { profile: findProfile('xeon-2s-768g')! })).toMatchObject({ ok: true });
    const full = ((await dispatch(h, 'host.report', {})) as { ok: true; value: Report }).value;
    const lean = ((await dispatch(h, 'host.report', WINDOW_REPORT)) as { ok: true; value: Report }).value;
    expect(full.tlb.perCpu.length).toBeGreaterThan(100);
    expect(full.tlb.cpus).toBe(full.tlb.perCpu.length);
    expect(full.tlb.res!.perCpu).toHaveLength(full.tlb.cpus);
    expect(lean.tlb).toEqual({
      ...full.tlb,
      perCpu: [],
      res: { total: full.tlb.res!.total, perCpu: [] },
      cal: { total: full.tlb.cal!.total, perCpu: [] },
    });
    expect({ ...lean, tlb: null }).toEqual({ ...full, tlb: null });
    expect(JSON.stringify(lean).length).toBeLessThan(JSON.stringify(full).length / 2);
    // The first screen carries the window's report.
    const screen = (await dispatch(h, 'app.firstScreen', {})) as { ok: true; value: FirstScreen };
    expect(screen.value.report).toEqual({ ok: true, value: lean });
  });
  it('refuses a per-CPU switch that is not true or false', async () => {
    expect(await dispatch(handlers, 'host.report', { perCpu: 'no' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
  });
});

describe('switching source', () => {
  it('opens a snapshot the user picked, and goes back', async () => {
    const source = new ActiveSource(fixtureFiles(VM));
    const h = createHandlers(source, 'web');
    const text = JSON.stringify(captureSnapshot(fixtureFiles(VM_TUNED), true));
    const opened = await dispatch(h, 'source.openSnapshot', { name: 'box.json', text });
    expect(opened).toMatchObject({
      ok: true,
      value: { current: { kind: 'snapshot' }, initial: { kind: 'root' }, version: 1 },
    });
    const r = (await dispatch(h, 'host.report', {})) as { ok: true; value: { thp: { enabled: string } } };
    expect(r.value.thp.enabled).toBe('always');
    expect(await dispatch(h, 'source.reset', {})).toMatchObject({
      ok: true,
      value: { current: { kind: 'root' }, version: 2 },
    });
  });
  it('opens this machine from another source, or says why it cannot, changing nothing then', async () => {
    const source = new ActiveSource(fixtureFiles(VM));
    const h = createHandlers(source, 'web');
    const why = liveUnavailable();
    expect((await dispatch(h, 'source.get', {})) as { value: SourceState }).toMatchObject({
      value: { liveUnavailable: why },
    });
    const env = await dispatch(h, 'source.openLive', {});
    if (why === null) {
      expect(env).toMatchObject({ ok: true, value: { current: { kind: 'live', label: 'this machine' }, version: 1 } });
      expect(source.current.source.kind).toBe('live');
    } else {
      expect(env).toEqual({ ok: false, error: { code: 'failed', message: why } });
      expect(source.version).toBe(0);
    }
  });
  it('going to this machine when the app started there is going back', async () => {
    const live = new FsFiles({ kind: 'live', label: 'this machine' }, '/');
    const source = new ActiveSource(live);
    const h = createHandlers(source, 'web');
    await dispatch(h, 'source.openSim', { profile: findProfile('small-laptop')! });
    expect(await dispatch(h, 'source.openLive', {})).toMatchObject({ ok: true, value: { current: { kind: 'live' } } });
    expect(source.current).toBe(live);
  });
  it('a corrupt snapshot is refused and the source stays as it was', async () => {
    const source = new ActiveSource(fixtureFiles(VM));
    const h = createHandlers(source, 'web');
    const env = await dispatch(h, 'source.openSnapshot', { name: 'bad.json', text: '{"format":"hugetune-snapshot"' });
    expect(env).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringMatching(/bad.json: not JSON/) as unknown },
    });
    expect(source.current.source.kind).toBe('root');
    expect(source.version).toBe(0);
    // Binary bytes as a browser reads them into text: named as such, not echoed back.
    const binary = await dispatch(h, 'source.openSnapshot', {
      name: 'box.json.gz',
      text: '\u001f\ufffd\b\u0000\ufffd',
    });
    expect(binary).toEqual({
      ok: false,
      error: {
        code: 'bad-request',
        message: 'snapshot box.json.gz: not JSON: it holds binary data (a compressed file? unpack it first)',
      },
    });
  });
});
