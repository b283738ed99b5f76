/** The inspector's API methods: argument checks, sources without processes, and the probe on this machine only. */
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../shared/api';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers } from '../../electron/host/handlers';
import { FsFiles } from '../../electron/host/fs-files';
import { openSim } from '../../electron/host/sim-source';
import { fixtureFiles, VM } from '../helpers';

const fixture = createHandlers(new ActiveSource(fixtureFiles(VM)), 'web');
const live = createHandlers(new ActiveSource(new FsFiles({ kind: 'live', label: 'this machine' }, '/')), 'web');

describe('process.* and probe.alignment', () => {
  it('refuses PIDs that are not process ids, before reading anything', async () => {
    for (const pid of [0, -1, 1.5, '12', 4194305]) {
      const env = await dispatch(live, 'process.inspect', { pid });
      expect(env.ok || env.error).toMatchObject({ code: 'bad-request' });
      expect(env.ok || env.error.message).toMatch(/^process\.inspect: pid: expected an integer from 1 to 4,194,304/);
    }
    expect(await dispatch(live, 'process.inspect', { pid: 1, path: '/etc/shadow' })).toMatchObject({ ok: false });
  });

  it('a source with no process files says how to add them', async () => {
    const env = await dispatch(fixture, 'process.list', {});
    expect(env.ok).toBe(true);
    if (!env.ok) return;
    const v = env.value as { processes: unknown[]; notes: string[] };
    expect(v.processes).toEqual([]);
    expect(v.notes[0]).toMatch(/holds no process files \(hugetune snapshot --pid PID/);
    const one = await dispatch(fixture, 'process.inspect', { pid: 1 });
    expect(one.ok || one.error).toMatchObject({ code: 'not-found' });
    expect(one.ok || one.error.message).toMatch(/^process 1: not in fake root/);
  });

  it('a simulated machine says it runs no processes, without suggesting a snapshot of itself', async () => {
    const sim = createHandlers(new ActiveSource(openSim('small-laptop')), 'web');
    const env = await dispatch(sim, 'process.list', {});
    expect(env.ok).toBe(true);
    if (!env.ok) return;
    const notes = (env.value as { notes: string[] }).notes.join(' ');
    expect(notes).toMatch(/is simulated and runs no processes: inspect this machine/);
    expect(notes).not.toMatch(/--pid/);
    const one = await dispatch(sim, 'process.inspect', { pid: 1 });
    expect(one.ok || one.error).toMatchObject({ code: 'not-found' });
    expect(one.ok || one.error.message).toBe('process 1: simulator: small-laptop is simulated and runs no processes');
  });

  it('refuses a plan larger than the machine before comparing anything', async () => {
    const env = await dispatch(live, 'process.compare', { pid: process.pid, plan: { footprintMiB: 1e9 } });
    expect(env.ok || env.error).toMatchObject({ code: 'bad-request' });
    expect(env.ok || env.error.message).toMatch(/^the plan needs 976,562.5 GiB, more than this machine's [\d.,]+ \wiB/);
  });

  it('this machine: its own process in full, a gone one as not-found', async () => {
    const env = await dispatch(live, 'process.inspect', { pid: process.pid });
    expect(env).toMatchObject({ ok: true, value: { pid: process.pid } });
    expect(await dispatch(live, 'process.inspect', { pid: 4194304 })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
  });

  it('the probe measures this machine only', async () => {
    const refused = await dispatch(fixture, 'probe.alignment', {});
    expect(refused.ok || refused.error).toMatchObject({ code: 'bad-request' });
    expect(refused.ok || refused.error.message).toMatch(/measures this machine's kernel/);
    const env = await dispatch(live, 'probe.alignment', {});
    expect(env).toMatchObject({ ok: true, value: { total: 8 } });
  });

  it('compares a process with a plan for the machine it runs on', async () => {
    const env = await dispatch(live, 'process.compare', {
      pid: process.pid,
      plan: { footprintMiB: 64, pageSize: '2M' },
    });
    expect(env.ok).toBe(true);
    if (!env.ok) return;
    const c = env.value as { rows: { what: string; ok: boolean; plannedKiB: number; gotKiB: number }[]; ok: boolean };
    expect(c.rows.map((r) => r.what)).toContain('HugeTLB 2 MiB pages');
    expect(c.ok).toBe(c.rows.every((r) => r.ok));
  });
});
