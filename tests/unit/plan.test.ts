/** The planner: exact kernel arithmetic, the verdict term by term, suggestions, GGUF files and bad input. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { readGgufModel } from '../../electron/host/gguf';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';
import { MODELS, QUANTS } from '../../shared/plan/catalog';
import { kvCacheBytes } from '../../shared/plan/kv';
import { catalogSpec, type ModelSpec } from '../../shared/plan/model';
import { pageTableKiB } from '../../shared/plan/pagetables';
import { runPlan } from '../../shared/plan/request';
import { hvoFreedPages, hvoSavedKiB, vmemmapPagesPerHugePage } from '../../shared/plan/vmemmap';
import { llamaMeta, llamaTensors, tensorSize, writeGguf } from '../fixtures/gguf';
import { CLI, fixtureFiles, VM, VM_TUNED } from '../helpers';

const vm = buildReport(readHost(fixtureFiles(VM)));
const tmp = mkdtempSync(join(tmpdir(), 'hugetune-plan-'));
// One file here is a 70 GB sparse GGUF: nothing may stay behind.
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const spec = (id: string, q?: string) => catalogSpec(id, q) as ModelSpec;

describe('vmemmap and HVO, as the kernel counts them', () => {
  it('8 vmemmap pages per 2 MiB page, 4,096 per 1 GiB page; HVO frees 7 and 4,095', () => {
    expect(vmemmapPagesPerHugePage(2048)).toBe(8);
    expect(vmemmapPagesPerHugePage(1048576)).toBe(4096);
    expect(hvoFreedPages(2048)).toBe(7);
    expect(hvoFreedPages(1048576)).toBe(4095);
    expect(hvoFreedPages(2048, 2)).toBe(6); // kernels before 5.18 kept two pages
    expect(hvoSavedKiB(2048, 1)).toBe(28);
    expect(hvoSavedKiB(1048576, 1)).toBe(16380);
  });
  it('predicts exactly what the real 6.18 kernel measured for 512 × 2 MiB and 2 × 1 GiB', () => {
    const tuned = buildReport(readHost(fixtureFiles(VM_TUNED)));
    const measuredPages = vm.hvo.memmapPages! - tuned.hvo.memmapPages!;
    expect((hvoSavedKiB(2048, 512) + hvoSavedKiB(1048576, 2)) / 4).toBe(measuredPages);
  });
  it('the planner reports the same figure for a pool', () => {
    const p = runPlan({ footprintMiB: 1024, pageSize: '2M', hvo: true }, vm);
    expect(p.hugepagesNeeded).toBe(512);
    expect(p.vmemmap).toEqual({ savedKiB: 512 * 28, savedMiB: 14, perPageKiB: 28 });
  });
});

describe('page tables', () => {
  it('4 KiB pages: a PTE table per 2 MiB, a PMD table per GiB, a PUD table per 512 GiB', () => {
    expect(pageTableKiB(1048576, '4k')).toBe((512 + 1 + 1) * 4);
    expect(pageTableKiB(70 * 1048576, '4k')).toBe((70 * 512 + 70 + 1) * 4);
  });
  it('2 MiB pages drop the PTE level, 1 GiB pages the PMD level too', () => {
    expect(pageTableKiB(70 * 1048576, 'hugetlb-2m')).toBe((70 + 1) * 4);
    expect(pageTableKiB(400 * 1048576, 'hugetlb-1g')).toBe(4);
    expect(pageTableKiB(600 * 1048576, 'hugetlb-1g')).toBe(8);
  });
  it('anonymous THP still costs a deposited PTE table per huge page', () => {
    expect(pageTableKiB(1048576, 'thp')).toBe(pageTableKiB(1048576, '4k'));
  });
});

describe('KV cache', () => {
  it('GQA: layers × ctx × 2 × kv heads × head dim × bytes', () => {
    expect(kvCacheBytes(spec('llama-3.1-8b'), 8192, 'f16')).toBe(32 * 8192 * 2 * 8 * 128 * 2);
    expect(kvCacheBytes(spec('llama-3.1-8b'), 8192, 'q8_0')).toBe((32 * 8192 * 2 * 8 * 128 * 34) / 32);
  });
  it('MLA keeps one latent of kv_lora_rank + rope dims per token per layer', () => {
    expect(kvCacheBytes(spec('deepseek-r1-671b'), 16384, 'f16')).toBe(61 * 16384 * 576 * 2);
  });
  it('sliding-window layers keep only the window plus a micro-batch', () => {
    const m = spec('gpt-oss-120b');
    // 8 KV heads × 64 dims for K and for V, f16: 2,048 bytes per token per layer.
    expect(kvCacheBytes(m, 131072, 'f16')).toBe(18 * 131072 * 2048 + 18 * (128 + 512) * 2048);
  });
});

describe('the verdict', () => {
  it('is the sum of its terms against what is available', () => {
    const p = runPlan({ model: 'llama-3.3-70b', quant: 'Q4_K_M', ctx: 8192, memGiB: 64 }, vm);
    const sum = p.breakdown.reduce((s, t) => s + t.mib, 0);
    expect(Math.abs(sum - p.needMiB)).toBeLessThan(0.2);
    expect(p.marginMiB).toBeCloseTo(p.availableMiB - p.needMiB, 0);
    expect(p.fits).toBe(true);
    expect(p.breakdown.every((t) => t.source.length > 0)).toBe(true);
  });
  it('DeepSeek-R1 at Q4_K_M on a 512 GB box with 1 GiB pages and HVO', () => {
    const p = runPlan(
      { model: 'deepseek-r1-671b', quant: 'Q4_K_M', memGiB: 512, pageSize: '1G', hvo: true, ctx: 16384 },
      vm,
    );
    const weightsKiB = (671.03e9 * 4.85) / 8 / 1024;
    expect(p.hugepagesNeeded).toBe(Math.ceil(weightsKiB / 1048576));
    expect(p.vmemmap.savedKiB).toBe(p.hugepagesNeeded * 16380);
    expect(p.pageSizeKiB).toBe(1048576);
    expect(p.fits).toBe(true);
    expect(p.commands.join('\n')).toMatch(/hugepagesz=1G hugepages=\d+ hugetlb_free_vmemmap=on/);
  });
  it('says what would make it fit, each with its own recomputed margin', () => {
    const p = runPlan({ model: 'llama-3.3-70b', quant: 'Q8_0', memGiB: 64 }, vm);
    expect(p.fits).toBe(false);
    const quant = p.suggestions.find((s) => s.flags.startsWith('--quant'))!;
    expect(quant.fits).toBe(true);
    const again = runPlan({ model: 'llama-3.3-70b', quant: quant.flags.split(' ')[1], memGiB: 64 }, vm);
    expect(again.marginMiB).toBe(quant.marginMiB);
    expect(p.suggestions.map((s) => s.flags)).toContain('--kv-type q8_0');
  });
  it('splits a pool across NUMA nodes, or binds it to one', () => {
    const two = {
      ...vm,
      numa: {
        ...vm.numa,
        nodes: [0, 1].map((id) => ({
          id,
          cpus: [id],
          memTotalKiB: 64 * 1048576,
          memFreeKiB: null,
          distances: null,
          cpuless: false,
        })),
      },
    };
    const il = runPlan({ footprintMiB: 40 * 1024 + 2, pageSize: '2M' }, two);
    expect(il.perNode.map((n) => n.hugepages)).toEqual([10241, 10240]);
    expect(il.numactl).toBe('numactl --interleave=all');
    const bind = runPlan({ footprintMiB: 80 * 1024, pageSize: '2M', numa: 'bind' }, two);
    expect(bind.perNode).toHaveLength(1);
    expect(bind.perNode[0]!.fits).toBe(false);
    expect(bind.fits).toBe(false);
    expect(bind.suggestions.map((s) => s.flags)).toContain('--numa interleave');
  });
  it('counts nothing for HVO where the kernel has none, and no 1 GiB pages where the CPU has none', () => {
    const noHvo = { ...vm, hvo: { ...vm.hvo, compiled: false } };
    const p = runPlan({ footprintMiB: 10240, pageSize: '2M', hvo: true, memGiB: 64 }, noHvo);
    expect(p.vmemmap.savedKiB).toBe(0);
    expect(p.breakdown.map((t) => t.label)).not.toContain('HVO gives back');
    expect(p.commands.join('\n')).not.toMatch(/hugetlb_optimize_vmemmap/);
    const no1g = {
      ...vm,
      cpu: { gigantic1G: false },
      hugetlb: { ...vm.hugetlb, pools: vm.hugetlb.pools.filter((x) => x.pageSizeKiB !== 1048576) },
    };
    const q = runPlan({ model: 'llama-3.1-8b', pageSize: '1G', memGiB: 64 }, no1g);
    expect(q.fits).toBe(false);
    expect(q.marginMiB).toBeGreaterThan(0);
    expect(q.notes.join(' ')).toMatch(/cannot map 1 GiB pages/);
    expect(q.suggestions.map((s) => s.flags)).toContain('--page-size 2M --hvo on');
  });
  it('plans in well under 5 ms', () => {
    const t = performance.now();
    for (let i = 0; i < 100; i++)
      runPlan({ model: 'deepseek-r1-671b', memGiB: 512, pageSize: '1G', quant: 'Q8_0' }, vm);
    expect((performance.now() - t) / 100).toBeLessThan(5);
  });
  it('every catalog model plans at every quantization', () => {
    for (const m of MODELS)
      for (const q of QUANTS)
        expect(runPlan({ model: m.id, quant: q.name, memGiB: 1024 }, vm).needMiB).toBeGreaterThan(0);
  });
});

describe('GGUF files', () => {
  const shape = { layers: 4, hidden: 512, kvDim: 128, ffn: 1536, vocab: 2048, type: 12 };
  const tensors = llamaTensors(shape);
  const meta = llamaMeta({ name: 'tiny-llama', layers: 4, hidden: 512, heads: 8, kvHeads: 2, ctx: 4096, vocab: 2048 });
  const exact = tensors.reduce((s, t) => s + tensorSize(t), 0);

  it('reads exact tensor bytes and the attention shape from the header', async () => {
    const file = join(tmp, 'tiny.gguf');
    writeGguf(file, meta, tensors);
    const m = await readGgufModel(file);
    expect(m.weightsBytes).toBe(exact);
    expect(m).toMatchObject({ name: 'tiny-llama', layers: 4, hidden: 512, vocab: 2048, contextMax: 4096 });
    expect(m.kv).toEqual({ kind: 'gqa', kPerToken: 2 * 64, vPerToken: 2 * 64, slidingWindow: null, slidingLayers: 0 });
  });
  it('adds up every shard of a split model', async () => {
    const half = Math.floor(tensors.length / 2);
    writeGguf(join(tmp, 'split-00001-of-00002.gguf'), { ...meta, 'split.count': 2 }, tensors.slice(0, half));
    writeGguf(join(tmp, 'split-00002-of-00002.gguf'), { 'split.count': 2 }, tensors.slice(half));
    expect((await readGgufModel(join(tmp, 'split-00001-of-00002.gguf'))).weightsBytes).toBe(exact);
  });
  it('plans a 100 GB model in well under a second, reading only its header', () => {
    const big = llamaTensors({ layers: 80, hidden: 8192, kvDim: 1024, ffn: 28672, vocab: 128256, type: 8 });
    const file = join(tmp, 'big.gguf');
    const size = writeGguf(
      file,
      llamaMeta({ name: 'big', layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ctx: 131072, vocab: 128256 }),
      big,
    );
    expect(size).toBeGreaterThan(70e9);
    const t = performance.now();
    const r = spawnSync(process.execPath, [CLI, 'plan', '--gguf', file, '--mem-gib', '128', '--json'], {
      encoding: 'utf8',
    });
    const ms = performance.now() - t;
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as { breakdown: { label: string; mib: number }[] }).breakdown[0]!.mib).toBeCloseTo(
      big.reduce((s, t) => s + tensorSize(t), 0) / 1048576,
      0,
    );
    expect(ms).toBeLessThan(1000);
  });
  it('a truncated, corrupt or foreign file gets a clear one-line error', () => {
    const cases: [string, () => void, RegExp][] = [
      [
        'truncated.gguf',
        () => writeGguf(join(tmp, 'truncated.gguf'), meta, tensors, { truncateTo: 4000 }),
        /truncated/,
      ],
      [
        'cut-header.gguf',
        () => writeGguf(join(tmp, 'cut-header.gguf'), meta, tensors, { truncateTo: 40 }),
        /truncated|not a readable GGUF file/,
      ],
      ['text.gguf', () => writeFileSync(join(tmp, 'text.gguf'), 'hello, not a model\n'), /not a readable GGUF file/],
      [
        'negative.gguf',
        () => writeGguf(join(tmp, 'negative.gguf'), { ...meta, 'llama.context_length': 0 }, tensors),
        /implausible llama.context_length = 0/,
      ],
      [
        'no-arch.gguf',
        () => writeGguf(join(tmp, 'no-arch.gguf'), { 'general.name': 'x' }, tensors),
        /no general.architecture/,
      ],
      [
        'bad-type.gguf',
        () =>
          writeGguf(join(tmp, 'bad-type.gguf'), meta, [
            { name: 'x', shape: [256], type: 12 },
            { name: 'y', shape: [100], type: 12 },
          ]),
        /does not fit Q4_K blocks/,
      ],
      [
        'missing-shard-00001-of-00003.gguf',
        () => writeGguf(join(tmp, 'missing-shard-00001-of-00003.gguf'), meta, tensors),
        /no such file/,
      ],
    ];
    for (const [name, make, message] of cases) {
      make();
      const r = spawnSync(process.execPath, [CLI, 'plan', '--gguf', join(tmp, name), '--mem-gib', '64'], {
        encoding: 'utf8',
      });
      expect(r.status, name).toBe(1);
      expect(r.stderr, name).toMatch(message);
      expect(r.stderr.trim().split('\n'), name).toHaveLength(1);
    }
  });
});

describe('hugetune plan and models on the command line', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  it('prints a verdict, the breakdown and the setup commands', () => {
    const r = run('plan', '--model', 'deepseek-r1-671b', '--quant', 'Q4_K_M', '--mem-gib', '512', '--page-size', '1G');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^FITS with/m);
    expect(r.stdout).toMatch(/HVO gives back: \d+ KiB/);
    expect(r.stdout).toMatch(/hugepages-1048576kB\/nr_hugepages/);
  });
  it('--json has the contract keys', () => {
    const j = JSON.parse(
      run('plan', '--footprint-mib', '2048', '--page-size', '2M', '--root', VM, '--json').stdout,
    ) as Record<string, unknown>;
    for (const k of [
      'fits',
      'marginMiB',
      'footprintMiB',
      'pageSizeKiB',
      'hugepagesNeeded',
      'vmemmap',
      'pageTablesKiB',
      'breakdown',
      'perNode',
      'suggestions',
    ]) {
      expect(j, k).toHaveProperty(k);
    }
    expect(j.vmemmap).toEqual({ savedKiB: 1024 * 28, savedMiB: 28, perPageKiB: 28 });
  });
  it('lists models and quantizations', () => {
    const r = run('models', '--json');
    const j = JSON.parse(r.stdout) as { models: { id: string }[]; quants: { name: string }[] };
    expect(j.models.map((m) => m.id)).toEqual(
      expect.arrayContaining(['deepseek-r1-671b', 'qwen3-235b-a22b', 'llama-3.3-70b', 'gpt-oss-120b', 'minimax-m2']),
    );
    expect(j.quants.map((q) => q.name)).toEqual(expect.arrayContaining(['Q4_K_M', 'IQ2_XXS', 'Q8_0', 'F16']));
  });
  it('bad input: usage errors exit 2, unknown names exit 1, each in one line', () => {
    const usage = [
      ['plan'],
      ['plan', '--model', 'llama-3.1-8b', '--footprint-mib', '100'],
      ['plan', '--model', 'llama-3.1-8b', '--ctx', 'lots'],
      ['plan', '--model', 'llama-3.1-8b', '--ctx', '99999999999'],
      ['plan', '--model', 'llama-3.1-8b', '--mem-gib', '-3'],
      ['plan', '--model', 'llama-3.1-8b', '--page-size', '3M'],
      ['plan', '--footprint-mib', '1e300'],
      ['plan', '--footprint-mib', '100', '--quant', 'Q4_K_M'],
    ];
    for (const args of usage) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const unknown = run('plan', '--model', 'gpt-5', '--mem-gib', '64');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/unknown model 'gpt-5'/);
    expect(run('plan', '--model', 'llama-3.1-8b', '--quant', 'Q9_Z', '--mem-gib', '64').stderr).toMatch(
      /unknown quantization/,
    );
  });
});
