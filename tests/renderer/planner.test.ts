/**
 * The Planner's own logic in jsdom: the context steps, one unit per column, field messages, and a GGUF read
 * from a File the way a dropped one is (header only, in order, with progress).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTEXT_STEPS, contextIndex, stepContext } from '../../renderer/src/components/planner/context-steps';
import { fieldMessage, fieldOfError, fieldProblem } from '../../renderer/src/components/planner/fields';
import { seriesOf } from '../../renderer/src/components/planner/series';
import { byteLabel, verdictIn, verdictLabel, verdictUnitFor } from '../../shared/units';
import { modelFiles, readGgufFiles, type GgufProgress } from '../../renderer/src/lib/gguf-file';
import { runPlan } from '../../shared/plan/request';
import { ggufHeader, llamaMeta, llamaTensors, tensorSize } from '../fixtures/gguf';

/** A GGUF file as the browser hands it over: header bytes, then (zero) tensor data up to its full size. */
function ggufFile(name: string, layers = 2): { file: File; size: number; weights: number } {
  const tensors = llamaTensors({ layers, hidden: 256, kvDim: 64, ffn: 512, vocab: 1024, type: 12 });
  const meta = llamaMeta({ name: 'tiny', layers, hidden: 256, heads: 4, kvHeads: 1, ctx: 2048, vocab: 1024 });
  const { header, total } = ggufHeader(meta, tensors);
  const file = new File([new Uint8Array(header), new Uint8Array(total - header.length)], name);
  return { file, size: total, weights: tensors.reduce((s, t) => s + tensorSize(t), 0) };
}

describe('context steps', () => {
  it('are the powers of two from 128 to 16,777,216', () => {
    expect(CONTEXT_STEPS[0]).toBe(128);
    expect(CONTEXT_STEPS.at(-1)).toBe(16_777_216);
    expect(CONTEXT_STEPS.every((s, i) => i === 0 || s === CONTEXT_STEPS[i - 1]! * 2)).toBe(true);
  });

  it('step to the neighbouring power of two, never by the input’s own step', () => {
    expect(stepContext(8192, 1)).toBe(16384);
    expect(stepContext(8192, -1)).toBe(4096);
    expect(stepContext(5000, 1)).toBe(8192);
    expect(stepContext(5000, -1)).toBe(4096);
    expect(stepContext(128, -1)).toBe(128);
    expect(stepContext(16_777_216, 1)).toBe(16_777_216);
    fc.assert(
      fc.property(fc.integer({ min: 128, max: 16_777_216 }), (v) => {
        const up = stepContext(v, 1);
        const down = stepContext(v, -1);
        expect(CONTEXT_STEPS).toContain(up);
        expect(CONTEXT_STEPS).toContain(down);
        expect(up === v ? v === 16_777_216 : up > v).toBe(true);
        expect(down === v ? v === 128 : down < v).toBe(true);
        expect(CONTEXT_STEPS[contextIndex(v)]!).toBeLessThanOrEqual(v);
      }),
    );
  });
});

describe('figures', () => {
  it('one unit per column: GiB when any figure is 1 GiB or more, small ones still readable', () => {
    const column = [40755.2, 2560, 443, 8].map((mib) => mib * 1024);
    const unit = verdictUnitFor(column);
    expect(unit).toBe('GiB');
    expect(column.map((kib) => verdictIn(kib, unit))).toEqual(['39.8 GiB', '2.50 GiB', '0.43 GiB', '0.008 GiB']);
    expect(verdictUnitFor([443 * 1024, 8 * 1024, null])).toBe('MiB');
    expect(verdictIn(1023.6 * 1024, 'MiB')).toBe('1,024 MiB');
  });

  it('file sizes in bytes below 1 KiB, so a tiny file is not "0 KiB"', () => {
    expect(byteLabel(36)).toBe('36 bytes');
    expect(byteLabel(1)).toBe('1 byte');
    expect(byteLabel(1536)).toBe('1.5 KiB');
    expect(byteLabel(3 * 1048576)).toBe(verdictLabel(3 * 1024));
    expect(byteLabel(3 * 1048576)).toBe('3 MiB');
  });

  it('each breakdown term keeps its series whatever else the plan has', () => {
    expect(seriesOf('Model weights')).toBe('weights');
    expect(seriesOf('KV cache (f16, 8192 tokens)')).toBe(seriesOf('KV cache (q8_0, 32768 tokens)'));
    expect(seriesOf('Prompt cache (llama-server)')).toBe('prompt-cache');
    expect(seriesOf('Page tables')).toBe('page-tables');
  });
});

describe('fields', () => {
  it('say what a field must be, and which field a server message is about', () => {
    expect(fieldProblem('ctx', 8192)).toBeNull();
    expect(fieldProblem('ctx', 50)).toMatch(/from 128 to 16,777,216/);
    expect(fieldProblem('ctx', 1000.5)).toMatch(/whole number/);
    expect(fieldProblem('ctx', null)).toMatch(/it is empty, or not a number/);
    expect(fieldProblem('kernel', 'six')).toMatch(/like 6\.12/);
    expect(fieldProblem('nodes', 65)).toMatch(/from 1 to 64/);
    expect(fieldOfError('ctx: expected an integer from 128 to 16,777,216', 'catalog')).toBe('ctx');
    expect(fieldOfError('GGUF paths are accepted only inside --models-dir directories in web mode', 'gguf')).toBe(
      'gguf',
    );
    expect(fieldOfError('no machine to plan for', 'catalog')).toBeNull();
  });

  it("hold the kernel to the planner's own rule, in the field's words, not the CLI's", () => {
    expect(fieldProblem('kernel', '2.6')).toBe('Kernel: hugetune plans for kernels 3.0 and later');
    expect(fieldProblem('kernel', '99.99')).toBe('Kernel: not a release like 6.12');
    expect(fieldProblem('kernel', '3.0')).toBeNull();
    const server = '--kernel 2.6: hugetune plans for kernels 3.0 and later';
    expect(fieldOfError(server, 'catalog')).toBe('kernel');
    expect(fieldMessage('kernel', server)).toBe('Kernel: hugetune plans for kernels 3.0 and later');
    expect(fieldOfError('--mem-gib 0: expected at least 1', 'footprint')).toBe('memGiB');
    expect(fieldMessage('ctx', 'ctx: expected an integer')).toBe('ctx: expected an integer');
  });
});

describe('a GGUF file read in the window', () => {
  it('reads only the header, reports progress, and plans exactly from the tensor table', async () => {
    const { file, size, weights } = ggufFile('tiny.gguf');
    const seen: GgufProgress[] = [];
    const m = await readGgufFiles([file], (p) => seen.push(p));
    expect(m.name).toBe('tiny.gguf');
    expect(m.sizeBytes).toBe(size);
    expect(m.spec.weightsBytes).toBe(weights);
    expect(m.headerBytes).toBeLessThan(size);
    expect(seen[0]).toMatchObject({ file: 'tiny.gguf', index: 0, files: 1, bytesRead: 0, size });
    expect(seen.at(-1)!.bytesRead).toBe(m.headerBytes);
    const plan = runPlan({ gguf: m.name, memGiB: 16 }, null, m.spec);
    expect(plan.breakdown.find((t) => t.label === 'Model weights')!.mib).toBeCloseTo(weights / 1048576, 1);
  });

  it('takes every shard of a split model in order, and says which are missing', async () => {
    const a = ggufFile('m-00001-of-00002.gguf');
    const b = ggufFile('m-00002-of-00002.gguf', 3);
    expect(modelFiles([b.file, a.file]).map((f) => f.name)).toEqual(['m-00001-of-00002.gguf', 'm-00002-of-00002.gguf']);
    const m = await readGgufFiles([b.file, a.file]);
    expect(m.files).toBe(2);
    expect(m.spec.weightsBytes).toBe(a.weights + b.weights);
    expect(() => modelFiles([a.file])).toThrow(/split into 2 files: drop all of them together \(missing 00002\)/);
    expect(() => modelFiles([a.file, ggufFile('other.gguf').file])).toThrow(/one model at a time/);
  });

  it('refuses a file that is not a GGUF in one line naming it', async () => {
    const bad = new File([new TextEncoder().encode('not a model at all')], 'notes.gguf');
    await expect(readGgufFiles([bad])).rejects.toThrow(
      /^notes\.gguf: not a readable GGUF file: it does not start with "GGUF"$/,
    );
  });
});
