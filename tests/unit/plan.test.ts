/** The planner: exact kernel arithmetic, runtime-exact KV cache, the verdict, GGUF files and bad input. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGgufModel } from '../../electron/host/gguf';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';
import { MODELS, QUANTS } from '../../shared/plan/catalog';
import { catalogSpec, type ModelSpec } from '../../shared/plan/model';
import { pageTableKiB } from '../../shared/plan/pagetables';
import { runPlan } from '../../shared/plan/request';
import { kvCache } from '../../shared/plan/runtimes';
import { hvoFreedPages, hvoSavedKiB, vmemmapPagesPerHugePage } from '../../shared/plan/vmemmap';
import { llamaMeta, llamaTensors, tensorSize, writeGguf } from '../fixtures/gguf';
import { CLI, fixtureFiles, REPO, VM, VM_TUNED } from '../helpers';

const vm = buildReport(readHost(fixtureFiles(VM)));
let tmp: string;
// Made before the tests run (a filtered run that skips the file leaves nothing); one file is a 70 GB sparse GGUF.
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-plan-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const spec = (id: string, q?: string) => catalogSpec(id, q) as ModelSpec;
const GIB = 1024 ** 3;

describe('vmemmap and HVO, as the kernel counts them', () => {
  it('8 vmemmap pages per 2 MiB page, 4,096 per 1 GiB page; HVO frees 7 and 4,095 (6 and 4,094 before 5.18)', () => {
    expect(vmemmapPagesPerHugePage(2048)).toBe(8);
    expect(vmemmapPagesPerHugePage(1048576)).toBe(4096);
    expect(hvoFreedPages(2048)).toBe(7);
    expect(hvoFreedPages(1048576)).toBe(4095);
    expect(hvoFreedPages(2048, 2)).toBe(6); // e7d324850bfc (5.18) freed the second page
    expect(hvoFreedPages(1048576, 2)).toBe(4094);
    expect(hvoSavedKiB(2048, 1)).toBe(28);
    expect(hvoSavedKiB(1048576, 1)).toBe(16380);
  });
  it('follows the base page size: arm64 with 64 KiB pages frees 7 × 64 KiB per 512 MiB page, nothing per 2 MiB', () => {
    const g64 = { basePageKiB: 64, structPageBytes: 64 };
    expect(vmemmapPagesPerHugePage(524288, g64)).toBe(8);
    expect(hvoSavedKiB(524288, 1, 1, g64)).toBe(448);
    expect(hvoFreedPages(2048, 1, g64)).toBe(0); // 32 struct pages: 2 KiB, less than one vmemmap page
    expect(hvoSavedKiB(16 * 1048576, 1, 1, g64)).toBe(255 * 64);
    const g16 = { basePageKiB: 16, structPageBytes: 64 };
    expect(hvoSavedKiB(32768, 1, 1, g16)).toBe(7 * 16);
  });
  it('predicts exactly what the real 6.18 kernel measured for 512 × 2 MiB and 2 × 1 GiB', () => {
    const tuned = buildReport(readHost(fixtureFiles(VM_TUNED)));
    const measuredPages = vm.hvo.memmapPages! - tuned.hvo.memmapPages!;
    expect((hvoSavedKiB(2048, 512) + hvoSavedKiB(1048576, 2)) / 4).toBe(measuredPages);
  });
  it('the planner reports the same figure for a pool, for new pages only', () => {
    const p = runPlan({ footprintMiB: 1024, pageSize: '2M', hvo: true }, vm);
    expect(p.hugepagesNeeded).toBe(512);
    expect(p.vmemmap).toMatchObject({ savedKiB: 512 * 28, savedMiB: 14, perPageKiB: 28, freedPagesPerHugePage: 7 });
    // The tuned capture already holds 512 free 2 MiB pages: nothing new is reserved, nothing is credited twice.
    const tuned = buildReport(readHost(fixtureFiles(VM_TUNED)));
    const again = runPlan({ footprintMiB: 1024, pageSize: '2M', hvo: true }, tuned);
    expect(again.hugepagesToAdd).toBe(0);
    expect(again.vmemmap.savedKiB).toBe(0);
  });
});

describe('page tables', () => {
  it('4 KiB pages: a PTE table per 2 MiB, a PMD table per GiB, a PUD table per 512 GiB', () => {
    expect(pageTableKiB(1048576, 'pte')).toBe((512 + 1 + 1) * 4);
    expect(pageTableKiB(70 * 1048576, 'pte')).toBe((70 * 512 + 70 + 1) * 4);
  });
  it('2 MiB pages drop the PTE level, 1 GiB pages the PMD level too', () => {
    expect(pageTableKiB(70 * 1048576, 'pmd')).toBe((70 + 1) * 4);
    expect(pageTableKiB(400 * 1048576, 'pud')).toBe(4);
    expect(pageTableKiB(600 * 1048576, 'pud')).toBe(8);
  });
  it('64 KiB pages: one 64 KiB PTE table maps 512 MiB', () => {
    expect(pageTableKiB(1048576, 'pte', 64)).toBe((2 + 1 + 1) * 64);
    expect(pageTableKiB(1048576, 'pmd', 64)).toBe((1 + 1) * 64);
  });
  it('anonymous THP costs what base pages cost (a deposited PTE table per huge page)', () => {
    const thp = runPlan({ model: 'llama-3.3-70b', noMmap: true, memGiB: 128 }, null);
    const mmap = runPlan({ model: 'llama-3.3-70b', memGiB: 128 }, null);
    expect(thp.pageTablesKiB).toBe(mmap.pageTablesKiB);
  });
});

describe('KV cache, as each runtime allocates it', () => {
  const kv = (id: string, ctx: number, t: 'f16' | 'q8_0' = 'f16', rt = 'llama.cpp' as const, b = 'current' as const) =>
    kvCache(spec(id), ctx, t, rt, b).bytes;
  it('GQA: layers × cells × 2 × kv heads × head dim × bytes; q8_0 is 34 bytes per 32 values', () => {
    expect(kv('llama-3.1-8b', 8192)).toBe(32 * 8192 * 2 * 8 * 128 * 2);
    expect(kv('llama-3.1-8b', 8192, 'q8_0')).toBe((32 * 8192 * 2 * 8 * 128 * 34) / 32);
  });
  it("matches llama.cpp's own allocation line for Llama 3.1 8B at 8,192 tokens", () => {
    // llama-server prints this when it allocates the cache (llama-kv-cache.cpp).
    const log =
      'llama_kv_cache: size = 1024.00 MiB (  8192 cells,  32 layers,  1/1 seqs), K (f16):  512.00 MiB, V (f16):  512.00 MiB';
    const mibInLog = Number(/size = ([\d.]+) MiB/.exec(log)![1]);
    expect(kv('llama-3.1-8b', 8192) / 1048576).toBe(mibInLog);
  });
  it('current llama.cpp pads the cache to 256 cells', () => {
    expect(kv('llama-3.1-8b', 1000)).toBe(32 * 1024 * 2 * 8 * 128 * 2);
    expect(kvCache(spec('llama-3.1-8b'), 1000, 'f16', 'llama.cpp', '2025').bytes).toBe(32 * 1000 * 2 * 8 * 128 * 2);
  });
  it('gpt-oss sliding-window layers: window 128 + batch 512 = 640 cells, padded to 768', () => {
    const m = spec('gpt-oss-120b');
    // 8 KV heads × 64 dims for K and for V, f16: 2,048 bytes per token per layer.
    expect(kvCache(m, 131072, 'f16', 'llama.cpp', 'current').bytes).toBe(18 * 131072 * 2048 + 18 * 768 * 2048);
    // A quantized cache leaves the sliding-window part in f16 (llama.cpp PR #21277).
    expect(kvCache(m, 131072, 'q8_0', 'llama.cpp', 'current').bytes).toBe(
      (18 * 131072 * 2048 * 34) / 64 + 18 * 768 * 2048,
    );
  });
  it('DeepSeek MLA: latent only (current), K 576 + V 512 (2025), whole heads (legacy or an old GGUF)', () => {
    const ds = spec('deepseek-r1-671b');
    const at = (rt: 'llama.cpp' | 'ik_llama.cpp', b: 'current' | '2025' | 'legacy', m = ds) =>
      kvCache(m, 32768, 'f16', rt, b).bytes;
    expect(at('llama.cpp', 'current')).toBe(61 * 32768 * 576 * 2);
    expect(at('llama.cpp', '2025')).toBe(61 * 32768 * (576 + 512) * 2);
    expect(at('llama.cpp', 'legacy')).toBe(61 * 32768 * 40960 * 2);
    // An old-format GGUF (no *_mla keys): llama.cpp caches 128 × 192 + 128 × 128 values: 152.5 GiB at 32k.
    const old: ModelSpec = {
      ...ds,
      kv: { ...(ds.kv as Extract<ModelSpec['kv'], { kind: 'mla' }>), mlaTensors: false },
    };
    expect(at('llama.cpp', 'current', old) / GIB).toBeCloseTo(152.5, 1);
    // ik_llama.cpp (-mla 3, the default since ddc88bac17ba) caches the latent, old GGUFs too.
    expect(at('ik_llama.cpp', 'current', old)).toBe(61 * 32768 * 576 * 2);
  });
});

describe('the verdict', () => {
  it('is the sum of its terms against what is available', () => {
    const p = runPlan({ model: 'llama-3.3-70b', quant: 'Q4_K_M', ctx: 8192, memGiB: 64 }, null);
    const reserve = p.constraints.find((c) => c.id === 'reserve')!.needMiB!;
    const sum = p.breakdown.reduce((s, t) => s + t.mib, 0) + reserve;
    expect(Math.abs(sum - p.needMiB)).toBeLessThan(0.2);
    expect(p.marginMiB).toBeCloseTo(p.availableMiB - p.needMiB, 0);
    expect(p.fits).toBe(true);
    expect(p.breakdown.every((t) => t.source.length > 0)).toBe(true);
  });
  it('DeepSeek-R1 at Q4_K_M on a planned 512 GB box with 1 GiB pages and HVO', () => {
    const p = runPlan(
      { model: 'deepseek-r1-671b', quant: 'Q4_K_M', memGiB: 512, pageSize: '1G', hvo: true, ctx: 16384 },
      null,
    );
    const weightsKiB = (671.03e9 * 4.85) / 8 / 1024;
    expect(p.hugepagesNeeded).toBe(Math.ceil(weightsKiB / 1048576));
    expect(p.vmemmap.savedKiB).toBe(p.hugepagesNeeded * 16380);
    expect(p.pageSizeKiB).toBe(1048576);
    expect(p.runtime.id).toBe('ik_llama.cpp');
    expect(p.fits).toBe(true);
    expect(p.commands.join('\n')).toMatch(/default_hugepagesz=1G hugepagesz=1G hugepages=\d+ hugetlb_free_vmemmap=on/);
  });
  it('says what would make it fit, each with its own recomputed margin', () => {
    const p = runPlan({ model: 'llama-3.3-70b', quant: 'Q8_0', memGiB: 64 }, null);
    expect(p.fits).toBe(false);
    const quant = p.suggestions.find((s) => s.flags.startsWith('--quant'))!;
    expect(quant.fits).toBe(true);
    const again = runPlan({ model: 'llama-3.3-70b', quant: quant.flags.split(' ')[1], memGiB: 64 }, null);
    expect(again.marginMiB).toBe(quant.marginMiB);
    expect(p.suggestions.map((s) => s.flags)).toContain('--kv-type q8_0');
  });
  it('splits a pool across NUMA nodes, or binds it to the node that can give most', () => {
    const p = runPlan({ footprintMiB: 40 * 1024 + 2, pageSize: '2M', memGiB: 128, nodes: 2 }, null);
    expect(p.perNode.map((n) => n.hugepages)).toEqual([10241, 10240]);
    expect(p.numactl).toBe('numactl --interleave=all');
    const bind = runPlan({ footprintMiB: 80 * 1024, pageSize: '2M', numa: 'bind', memGiB: 128, nodes: 2 }, null);
    expect(bind.perNode).toHaveLength(1);
    expect(bind.perNode[0]!.fits).toBe(false);
    expect(bind.fits).toBe(false);
    expect(bind.constraints.find((c) => c.id === 'node0')?.ok).toBe(false);
    expect(bind.suggestions.map((s) => s.flags)).toContain('--numa interleave');
  });
  it('counts nothing for HVO where the kernel has none', () => {
    const noHvo = { ...vm, hvo: { ...vm.hvo, compiled: false, sysctl: null } };
    const p = runPlan({ footprintMiB: 10240, pageSize: '2M', hvo: true }, noHvo);
    expect(p.vmemmap.savedKiB).toBe(0);
    expect(p.breakdown.map((t) => t.label)).not.toContain('HVO gives back');
    expect(p.commands.join('\n')).not.toMatch(/hugetlb_optimize_vmemmap/);
  });
  it('every catalog model plans at every quantization', () => {
    for (const m of MODELS)
      for (const q of QUANTS)
        expect(runPlan({ model: m.id, quant: q.name, memGiB: 1024 }, null).needMiB).toBeGreaterThan(0);
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
  it('takes the vocabulary from the token list when vocab_size is absent, without decoding it', async () => {
    const file = join(tmp, 'tokens.gguf');
    const noVocab = { ...meta };
    delete noVocab['llama.vocab_size'];
    writeGguf(file, { ...noVocab, 'tokenizer.ggml.tokens': Array.from({ length: 3000 }, (_, k) => `t${k}`) }, tensors);
    expect((await readGgufModel(file)).vocab).toBe(3000);
  });
  it('tells DeepSeek GGUFs with MLA tensors from older ones by their shapes', async () => {
    const ds = (extra: Record<string, number>) => ({
      'general.architecture': 'deepseek2',
      'general.name': 'ds',
      'deepseek2.block_count': 4,
      'deepseek2.embedding_length': 512,
      'deepseek2.attention.head_count': 128,
      'deepseek2.attention.kv_lora_rank': 512,
      'deepseek2.rope.dimension_count': 64,
      'deepseek2.context_length': 4096,
      ...extra,
    });
    const converted = join(tmp, 'ds-mla.gguf');
    // Converted since April 2025: one wide head (576/512) plus the per-head dims in *_mla keys.
    const mlaKeys = { 'deepseek2.attention.key_length_mla': 192, 'deepseek2.attention.value_length_mla': 128 };
    const wide = { 'deepseek2.attention.head_count_kv': 1, 'deepseek2.attention.key_length': 576 };
    writeGguf(converted, ds({ ...wide, 'deepseek2.attention.value_length': 512, ...mlaKeys }), tensors);
    const old = join(tmp, 'ds-old.gguf');
    writeGguf(
      old,
      ds({
        'deepseek2.attention.head_count_kv': 128,
        'deepseek2.attention.key_length': 192,
        'deepseek2.attention.value_length': 128,
      }),
      tensors,
    );
    const shape = { kind: 'mla', kvLoraRank: 512, ropeDim: 64, heads: 128, qkNopeDim: 128, vHeadDim: 128 };
    expect((await readGgufModel(converted)).kv).toEqual({ ...shape, mlaTensors: true });
    expect((await readGgufModel(old)).kv).toEqual({ ...shape, mlaTensors: false });
  });
  it('adds up every shard of a split model', async () => {
    const half = Math.floor(tensors.length / 2);
    writeGguf(join(tmp, 'split-00001-of-00002.gguf'), { ...meta, 'split.count': 2 }, tensors.slice(0, half));
    writeGguf(join(tmp, 'split-00002-of-00002.gguf'), { 'split.count': 2 }, tensors.slice(half));
    expect((await readGgufModel(join(tmp, 'split-00001-of-00002.gguf'))).weightsBytes).toBe(exact);
  });
  it('plans a 100 GB model reading only its header', () => {
    const big = llamaTensors({ layers: 80, hidden: 8192, kvDim: 1024, ffn: 28672, vocab: 128256, type: 8 });
    const file = join(tmp, 'big.gguf');
    const size = writeGguf(
      file,
      llamaMeta({ name: 'big', layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ctx: 131072, vocab: 128256 }),
      big,
    );
    expect(size).toBeGreaterThan(70e9);
    const r = spawnSync(process.execPath, [CLI, 'plan', '--gguf', file, '--mem-gib', '128', '--json'], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as { breakdown: { label: string; mib: number }[] }).breakdown[0]!.mib).toBeCloseTo(
      big.reduce((s, t) => s + tensorSize(t), 0) / 1048576,
      0,
    );
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
    expect(r.stdout).toMatch(/^ {2}ok {3}page-size/m);
    expect(r.stdout).toMatch(/planned 512 GiB x86_64 machine/);
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
      'constraints',
      'machine',
      'runtime',
    ]) {
      expect(j, k).toHaveProperty(k);
    }
    expect(j.vmemmap).toMatchObject({ savedKiB: 1024 * 28, savedMiB: 28, perPageKiB: 28 });
    for (const c of j.constraints as Record<string, unknown>[])
      expect(Object.keys(c).sort()).toEqual(['haveMiB', 'id', 'message', 'needMiB', 'ok']);
  });
  it('a planned machine takes nothing from the machine it is planned on, and names no other source', () => {
    const args = ['plan', '--model', 'deepseek-r1-671b', '--quant', 'Q4_K_M', '--mem-gib', '512', '--page-size', '1G'];
    const r = run(...args, '--json');
    const j = JSON.parse(r.stdout) as { fits: boolean; machine: { source: string; label: string } };
    expect(j.fits).toBe(true);
    expect(j.machine.source).toBe('planned');
    expect(run(...args, '--sim', 'small-laptop').status).toBe(2);
    expect(run(...args, '--root', VM).stderr).toMatch(/--mem-gib plans a machine of its own/);
    expect(run('plan', '--model', 'llama-3.1-8b', '--nodes', '2').stderr).toMatch(/give --mem-gib too/);
  });
  it("the README's examples print what the README says they print", () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const first = run(
      'plan',
      '--model',
      'deepseek-r1-671b',
      '--quant',
      'Q4_K_M',
      '--mem-gib',
      '512',
      '--page-size',
      '1G',
    );
    const fits = /^FITS with [\d.]+ GiB to spare/m.exec(first.stdout)![0];
    expect(readme).toContain(fits);
    const second = run(
      ...['plan', '--model', 'deepseek-r1-671b', '--quant', 'Q4_K_M', '--sim', 'xeon-2s-768g'],
      ...['--numa', 'bind', '--page-size', '1G'],
    );
    expect(second.stdout).toMatch(/^DOES NOT FIT/m);
    const node = /FAIL node1 +node 1: ([\d.]+) GiB needed .*, ([\d.]+) GiB it can give/.exec(second.stdout)!;
    expect(readme).toContain(`node 1 can give ${Math.round(Number(node[2]))} GiB`);
    expect(readme).toContain(`the plan needs ${Math.round(Number(node[1]))} GiB there`);
    expect(second.stdout).toMatch(/interleave across NUMA nodes +fits/);
  });
  it('lists models and quantizations', () => {
    const r = run('models', '--json');
    const j = JSON.parse(r.stdout) as { models: { id: string }[]; quants: { name: string }[] };
    expect(j.models.map((m) => m.id)).toEqual(
      expect.arrayContaining(['deepseek-r1-671b', 'qwen3-235b-a22b', 'llama-3.3-70b', 'gpt-oss-120b', 'minimax-m2']),
    );
    expect(j.quants.map((q) => q.name)).toEqual(expect.arrayContaining(['Q4_K_M', 'IQ2_XXS', 'Q8_0', 'F16']));
  });
  it('bad input: usage errors exit 2, each in one line', () => {
    const usage = [
      ['plan'],
      ['plan', '--model', 'llama-3.1-8b', '--footprint-mib', '100'],
      ['plan', '--model', 'llama-3.1-8b', '--ctx', 'lots'],
      ['plan', '--model', 'llama-3.1-8b', '--ctx', '99999999999'],
      ['plan', '--model', 'llama-3.1-8b', '--mem-gib', '-3'],
      ['plan', '--model', 'llama-3.1-8b', '--page-size', '3M'],
      ['plan', '--model', 'llama-3.1-8b', '--runtime', 'exllama'],
      ['plan', '--model', 'llama-3.1-8b', '--mem-gib', '64', '--arch', 'sparc'],
      ['plan', '--model', 'llama-3.1-8b', '--mem-gib', '64', '--nodes', '0'],
      ['plan', '--footprint-mib', '1e300'],
      ['plan', '--footprint-mib', '100', '--quant', 'Q4_K_M'],
    ];
    for (const args of usage) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    // An unknown name is a usage error too, naming its flag and the names it takes.
    const unknown = run('plan', '--model', 'gpt-5', '--mem-gib', '64');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(
      /^hugetune: --model gpt-5: unknown model; expected one of deepseek-r1-671b, .*llama-3\.1-8b, .* \(hugetune models describes them\)\n$/,
    );
    const quant = run('plan', '--model', 'llama-3.1-8b', '--quant', 'Q9_Z', '--mem-gib', '64');
    expect(quant.status).toBe(2);
    expect(quant.stderr).toMatch(
      /^hugetune: --quant Q9_Z: unknown quantization; expected one of F16, .*Q4_K_M, .* \(hugetune models gives their bits per weight\)\n$/,
    );
    for (const cmd of ['recommend', 'inspect']) {
      const r = run(cmd, '--model', 'gpt-5', '--mem-gib', '64');
      expect(r.status, cmd).toBe(2);
      expect(r.stderr, cmd).toMatch(/^hugetune: --model gpt-5: unknown model/);
    }
  });

  it('--kernel takes a release as uname -r prints it, and names itself when it refuses one', () => {
    const ok = run('plan', '--mem-gib', '128', '--kernel', '6.8.0-45-generic', '--model', 'llama-3.1-8b', '--json');
    expect(ok.status).toBe(0);
    expect(ok.stderr).toBe('');
    const cases: [string, string][] = [
      ['6.8.0-45-generic x', 'expected a kernel release such as 6.12 or 6.8.0-45-generic'],
      ['latest', 'expected a kernel release such as 6.12 or 6.8.0-45-generic'],
      ['2.6.32', 'hugetune plans for kernels 3.0 and later'],
      ['99.1', 'not a release like 6.12'],
    ];
    for (const [kernel, why] of cases) {
      const r = run('plan', '--mem-gib', '128', '--kernel', kernel, '--model', 'llama-3.1-8b');
      expect(r.status, kernel).toBe(2);
      expect(r.stderr).toBe(`hugetune: --kernel ${kernel}: ${why}\n`);
    }
  });
});
