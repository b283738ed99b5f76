/**
 * Web clients may plan with GGUF files only inside --models-dir; the answer tells whether a path exists only inside
 * those directories, and names them otherwise.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../shared/api';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers, ggufOutsideModelsDirs } from '../../electron/host/handlers';
import { llamaMeta, llamaTensors, writeGguf } from '../fixtures/gguf';
import { fixtureFiles, VM } from '../helpers';

let tmp = '';
let models = '';
let outside = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-models-'));
  models = join(tmp, 'models');
  mkdirSync(models);
  outside = join(tmp, 'elsewhere.gguf');
  const meta = llamaMeta({ name: 'tiny-llama', layers: 4, hidden: 512, heads: 8, kvHeads: 2, ctx: 4096, vocab: 2048 });
  const tensors = llamaTensors({ layers: 4, hidden: 512, kvDim: 128, ffn: 1536, vocab: 2048, type: 12 });
  writeGguf(join(models, 'tiny.gguf'), meta, tensors);
  writeGguf(outside, meta, tensors);
  symlinkSync(outside, join(models, 'link-out.gguf'));
  symlinkSync(join(models, 'tiny.gguf'), join(tmp, 'link-in.gguf'));
  // A split model whose second shard is a link out of the directory.
  const half = Math.floor(tensors.length / 2);
  writeGguf(join(models, 'split-00001-of-00002.gguf'), { ...meta, 'split.count': 2 }, tensors.slice(0, half));
  writeGguf(join(tmp, 'split-00002-of-00002.gguf'), { 'split.count': 2 }, tensors.slice(half));
  symlinkSync(join(tmp, 'split-00002-of-00002.gguf'), join(models, 'split-00002-of-00002.gguf'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const OUTSIDE = (): string => ggufOutsideModelsDirs([models]);

const plan = (frontEnd: 'web' | 'electron', gguf: string, method = 'plan.run') =>
  dispatch(createHandlers(new ActiveSource(fixtureFiles(VM)), frontEnd, { modelsDirs: [models] }), method, {
    gguf,
  });

describe('--models-dir in web mode', () => {
  it('refuses a system file and a missing path outside with the same line, which names the directories', async () => {
    expect(ggufOutsideModelsDirs([models])).toBe(
      `GGUF paths are accepted only inside --models-dir directories in web mode: ${models}`,
    );
    for (const path of ['/etc/passwd', '/no/such/file.gguf', join(tmp, 'missing.gguf'), join(models, '..', 'x.gguf')]) {
      for (const method of ['plan.run', 'advise.run']) {
        const env = await plan('web', path, method);
        expect(env).toEqual({ ok: false, error: { code: 'bad-request', message: OUTSIDE() } });
      }
    }
  });
  it('says a missing file inside a models directory is missing', async () => {
    for (const path of [join(models, 'missing.gguf'), join(models, 'no-dir', 'missing.gguf')]) {
      for (const method of ['plan.run', 'advise.run']) {
        const env = await plan('web', path, method);
        expect(env).toEqual({ ok: false, error: { code: 'not-found', message: `${path}: no such file` } });
      }
    }
  });
  it('refuses a file outside, and a link inside that leads outside', async () => {
    expect((await plan('web', outside)).ok).toBe(false);
    const env = await plan('web', join(models, 'link-out.gguf'));
    expect(env).toEqual({ ok: false, error: { code: 'bad-request', message: OUTSIDE() } });
    // "models/../elsewhere.gguf" names the same file outside.
    expect((await plan('web', join(models, '..', 'elsewhere.gguf'))).ok).toBe(false);
  });
  it('checks every shard of a split model: a shard linked out of the directory is not read', async () => {
    expect(await plan('web', join(models, 'split-00001-of-00002.gguf'))).toEqual({
      ok: false,
      error: { code: 'bad-request', message: OUTSIDE() },
    });
    expect((await plan('electron', join(models, 'split-00001-of-00002.gguf'))).ok).toBe(true);
  });
  it('plans with a file inside, also through a link that leads inside', async () => {
    expect(await plan('web', join(models, 'tiny.gguf'))).toMatchObject({ ok: true });
    expect(await plan('web', join(tmp, 'link-in.gguf'))).toMatchObject({ ok: true });
  });
  it('the desktop window and the CLI keep any path: the user is local', async () => {
    expect(await plan('electron', outside)).toMatchObject({ ok: true });
  });
  it('without --models-dir, web mode opens no GGUF path at all', async () => {
    const h = createHandlers(new ActiveSource(fixtureFiles(VM)), 'web');
    const env = await dispatch(h, 'plan.run', { gguf: join(models, 'tiny.gguf') });
    expect(env).toEqual({
      ok: false,
      error: {
        code: 'bad-request',
        message:
          'GGUF paths are accepted only inside --models-dir directories in web mode, and this server was started without one (hugetune serve --models-dir DIR)',
      },
    });
  });
});
