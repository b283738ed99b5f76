/**
 * Advice for a GGUF file read in the window (its header, the way a dropped file is read) is the advice for the
 * same file read by path on the machine hugetune serves: same plan, recommendations, changes and artifacts.
 * The model travels as `ggufSpec`, checked like every argument, and nothing is opened for it.
 */
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch, type Envelope } from '../../shared/api';
import type { AdviceResult } from '../../shared/advise/request';
import type { ModelSpec } from '../../shared/plan/model';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers, ggufOutsideModelsDirs } from '../../electron/host/handlers';
import { readGgufFiles } from '../../renderer/src/lib/gguf-file';
import { llamaMeta, llamaTensors, writeGguf, type MetaValue } from '../fixtures/gguf';
import { fixtureFiles, VM_TUNED } from '../helpers';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hugetune-advise-gguf-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Web mode, the strictest front end: paths only inside the models directory. */
const handlers = () => createHandlers(new ActiveSource(fixtureFiles(VM_TUNED)), 'web', { modelsDirs: [dir] });

interface Shape {
  arch: 'llama' | 'gemma3' | 'deepseek2';
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  ctx: number;
  type: number;
}

/** A model file of the given shape, written to the models directory. */
function writeModel(name: string, s: Shape): string {
  const base = llamaMeta({ name: `model ${name}`, ...s, vocab: 512 });
  const meta: Record<string, MetaValue> = { 'general.architecture': s.arch };
  for (const [k, v] of Object.entries(base))
    if (k !== 'general.architecture') meta[k.replace(/^llama\./, `${s.arch}.`)] = v;
  if (s.arch === 'gemma3') meta['gemma3.attention.sliding_window'] = 1024;
  if (s.arch === 'deepseek2') {
    Object.assign(meta, {
      'deepseek2.attention.kv_lora_rank': 512,
      'deepseek2.rope.dimension_count': 64,
      'deepseek2.attention.key_length': 576,
      'deepseek2.attention.value_length': 512,
      'deepseek2.attention.key_length_mla': 192,
      'deepseek2.attention.value_length_mla': 128,
    });
  }
  const tensors = llamaTensors({
    layers: s.layers,
    hidden: s.hidden,
    kvDim: (s.hidden / s.heads) * s.kvHeads,
    ffn: s.hidden * 2,
    vocab: 512,
    type: s.type,
  });
  const path = join(dir, name);
  writeGguf(path, meta, tensors);
  return path;
}

/** The file as the window reads it: a File of the same bytes, header only, through the renderer's reader. */
async function inWindow(path: string): Promise<ModelSpec> {
  const file = new File([readFileSync(path)], basename(path));
  // Sent over the wire as JSON, as the bridge does.
  return JSON.parse(JSON.stringify((await readGgufFiles([file])).spec)) as ModelSpec;
}

async function advise(args: Record<string, unknown>): Promise<AdviceResult> {
  const env = (await dispatch(handlers(), 'advise.run', args)) as Envelope<AdviceResult>;
  if (!env.ok) throw new Error(env.error.message);
  return env.value;
}

const shape: fc.Arbitrary<Shape> = fc.record({
  arch: fc.constantFrom('llama' as const, 'gemma3' as const, 'deepseek2' as const),
  layers: fc.integer({ min: 1, max: 4 }),
  hidden: fc.constantFrom(128, 256, 512),
  heads: fc.constantFrom(4, 8),
  kvHeads: fc.constantFrom(1, 2, 4),
  ctx: fc.constantFrom(2048, 8192, 131072),
  type: fc.constantFrom(0, 1, 8, 12),
});

const planFlags = fc.record(
  {
    ctx: fc.constantFrom(512, 4096, 32768),
    pageSize: fc.constantFrom('base', '2M', '1G'),
    hvo: fc.boolean(),
    kvType: fc.constantFrom('f16', 'q8_0'),
    runtime: fc.constantFrom('llama.cpp', 'ik_llama.cpp', 'vllm-cpu'),
    numa: fc.constantFrom('interleave', 'bind'),
    user: fc.constantFrom('llm', 'ollama'),
  },
  { requiredKeys: [] },
);

/** A small model, enough for the cases that test what is refused or opened rather than the figures. */
const TINY: Shape = { arch: 'llama', layers: 2, hidden: 256, heads: 4, kvHeads: 1, ctx: 4096, type: 1 };

describe('advice for a GGUF read in the window', () => {
  it('equals the advice for the same file read by path on the serving machine', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(shape, planFlags, async (s, flags) => {
        const path = writeModel(`m${n++}.gguf`, s);
        try {
          const byPath = await advise({ ...flags, gguf: path });
          const spec = await inWindow(path);
          const inWin = await advise({ ...flags, gguf: basename(path), ggufSpec: spec, modelPath: path });
          expect(inWin).toEqual(byPath);
          expect(byPath.plan?.model).toBe(`model ${basename(path)}`);
        } finally {
          rmSync(path, { force: true });
        }
      }),
      { numRuns: 15 },
    );
  });

  it('opens nothing on the serving machine for it, even a name outside the models directory', async () => {
    const path = writeModel('outside.gguf', TINY);
    const spec = await inWindow(path);
    rmSync(path);
    await expect(advise({ gguf: '/etc/shadow' })).rejects.toThrow(ggufOutsideModelsDirs([dir]));
    const r = await advise({ gguf: 'outside.gguf', ggufSpec: spec, pageSize: '2M' });
    expect(r.plan?.model).toBe('model outside.gguf');
    // With no path given, the launch line names the file the person picked.
    expect(r.recommendations.find((x) => x.id === 'launch')?.commands?.[0]).toMatch(/-m outside\.gguf\b/);
  });

  it('refuses a model with no file name, or with sizes no GGUF reader would give, in one line', async () => {
    const path = writeModel('ok.gguf', TINY);
    const spec = await inWindow(path);
    const h = handlers();
    const refused = async (args: unknown, message: RegExp): Promise<void> => {
      const env = await dispatch(h, 'advise.run', args);
      expect(env).toMatchObject({ ok: false, error: { code: 'bad-request' } });
      if (!env.ok) {
        expect(env.error.message).toMatch(message);
        expect(env.error.message).not.toMatch(/\n/);
      }
    };
    await refused({ ggufSpec: spec }, /give the file's name as gguf too/);
    await refused(
      { gguf: 'ok.gguf', ggufSpec: { ...spec, layers: 0 } },
      /^advise\.run: ggufSpec\.layers: expected an integer from 1 to 16,777,216, got 0$/,
    );
    await refused(
      { gguf: 'ok.gguf', ggufSpec: { ...spec, weightsBytes: -1 } },
      /^advise\.run: ggufSpec\.weightsBytes: expected an integer from 0 to/,
    );
    await refused({ gguf: 'ok.gguf', ggufSpec: { ...spec, kv: { kind: 'paged' } } }, /^advise\.run: ggufSpec\.kv/);
    await refused({ gguf: 'ok.gguf', ggufSpec: { ...spec, extra: 1 } }, /^advise\.run: ggufSpec\.extra: unknown key/);
  });
});
