import { describe, expect, it } from 'vitest';
import { dispatch, type Handlers } from '../../shared/api';
import { UserError } from '../../shared/errors';
import { createHandlers } from '../../electron/host/handlers';
import { fixtureFiles, VM } from '../helpers';

const handlers = createHandlers(fixtureFiles(VM), 'cli');

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
