/**
 * What each inference runtime allocates beside the weights, and what it puts in a HugeTLB pool. Each figure
 * names the convention it follows, because the runtimes (and llama.cpp's own generations) differ.
 * Sources: ../shared/reference/runtimes.md, checked against each runtime's source.
 */
import { KV_TYPES, type KvType } from './ggml-types';
import type { ModelSpec } from './model';

export const RUNTIMES = ['llama.cpp', 'ik_llama.cpp', 'ollama', 'vllm-cpu', 'ktransformers'] as const;
export type RuntimeId = (typeof RUNTIMES)[number];

/**
 * llama.cpp generations that cache DeepSeek's MLA differently: `current` (from PR #19067, January 2026)
 * keeps only the latent; `2025` (PR #12801, April 2025, until then) keeps K = latent + RoPE key and
 * V = latent; `legacy` (before April 2025) decompressed whole heads.
 */
export const LLAMA_BUILDS = ['current', '2025', 'legacy'] as const;
export type LlamaBuild = (typeof LLAMA_BUILDS)[number];

export interface RuntimeInfo {
  id: RuntimeId;
  name: string;
  /** What the runtime puts in a HugeTLB pool, or null when it never uses one. */
  hugetlb: string | null;
  /** Whether HugeTLB pages come at the machine's default huge page size only. */
  defaultSizeOnly: boolean;
}

export const RUNTIME_INFO: Record<RuntimeId, RuntimeInfo> = {
  'llama.cpp': {
    id: 'llama.cpp',
    name: 'llama.cpp',
    hugetlb: null,
    defaultSizeOnly: false,
  },
  'ik_llama.cpp': {
    id: 'ik_llama.cpp',
    name: 'ik_llama.cpp',
    hugetlb:
      'with -thp it reads the weights into an anonymous MAP_HUGETLB mapping at the default huge page size; if the pool is short it falls back to a file mmap, saying so only on stderr',
    defaultSizeOnly: true,
  },
  ollama: { id: 'ollama', name: 'Ollama', hugetlb: null, defaultSizeOnly: false },
  'vllm-cpu': { id: 'vllm-cpu', name: 'vLLM (CPU backend)', hugetlb: null, defaultSizeOnly: false },
  ktransformers: { id: 'ktransformers', name: 'KTransformers', hugetlb: null, defaultSizeOnly: false },
};

/** The runtime's micro-batch (-ub): a sliding-window cache keeps room for one. */
export const UBATCH = 512;
/** llama.cpp pads a sliding-window cache to a multiple of this many cells. */
export const SWA_PAD = 256;
/** llama-server's prompt cache (`--cache-ram`), default in MiB. */
export const LLAMA_SERVER_CACHE_RAM_MIB = 8192;
/**
 * vLLM CPU with `VLLM_CPU_KVCACHE_SPACE` unset gives each rank this share of a NUMA node's memory
 * (vllm/platforms/cpu.py, DEFAULT_CPU_MEM_UTILIZATION; releases before mid-2025 used a fixed 4 GiB).
 */
export const VLLM_DEFAULT_NODE_SHARE = 0.5;

const pad = (x: number, to: number): number => Math.ceil(x / to) * to;

export interface KvFigure {
  bytes: number;
  /** The arithmetic, in words. */
  how: string;
  /** Which runtime convention the figure follows. */
  convention: string;
}

/**
 * Cells the cache holds: current llama.cpp (and the engine Ollama bundles) pads the context to 256 cells
 * and gives sliding-window layers min(context, window + micro-batch) cells, padded to 256 too
 * (llama-context.cpp, llama-kv-cache-iswa.cpp since PR #17046); older builds and ik_llama.cpp hold the
 * context as asked.
 */
function cells(
  ctx: number,
  window: number | null,
  runtime: RuntimeId,
  build: LlamaBuild,
): { full: number; swa: number; padded: boolean } {
  const padded = (runtime === 'llama.cpp' || runtime === 'ollama') && build === 'current';
  const full = padded ? pad(ctx, SWA_PAD) : ctx;
  if (window === null) return { full, swa: 0, padded };
  const swa = Math.min(full, window + UBATCH);
  return { full, swa: padded ? pad(swa, SWA_PAD) : swa, padded };
}

function gqaKv(
  m: ModelSpec & { kv: { kind: 'gqa' } },
  ctx: number,
  kvType: KvType,
  runtime: RuntimeId,
  build: LlamaBuild,
): KvFigure {
  const kv = m.kv;
  const perToken = (kv.kPerToken + kv.vPerToken) * KV_TYPES[kvType];
  const swaLayers = kv.slidingWindow === null ? 0 : Math.min(kv.slidingLayers, m.layers);
  const c = cells(ctx, kv.slidingWindow, runtime, build);
  // Current llama.cpp keeps the small sliding-window cache in f16 whatever -ctk/-ctv say (PR #21277).
  const swaType: KvType = c.padded ? 'f16' : kvType;
  const swaPerToken = (kv.kPerToken + kv.vPerToken) * KV_TYPES[swaType];
  const bytes = Math.ceil((m.layers - swaLayers) * c.full * perToken + swaLayers * c.swa * swaPerToken);
  return {
    bytes,
    how:
      `${c.full} cells × ${m.layers - swaLayers} layers × ${kv.kPerToken}+${kv.vPerToken} K+V values × ${kvType}` +
      (swaLayers > 0
        ? `; ${swaLayers} sliding-window layers keep ${c.swa} cells (window ${kv.slidingWindow ?? 0} + batch ${UBATCH}${c.padded ? `, padded to ${SWA_PAD}` : ''}, one sequence) × ${swaType}`
        : ''),
    convention: c.padded
      ? 'llama.cpp: K and V rows per layer per cell, cells padded to 256 (llama-kv-cache.cpp, PR #17046)'
      : `${RUNTIME_INFO[runtime].name}: K and V rows per layer per cell, as many cells as the context`,
  };
}

type Mla = Extract<ModelSpec['kv'], { kind: 'mla' }>;

/** Values per token per layer of a DeepSeek MLA cache under a runtime's convention. */
export function mlaValuesPerToken(
  kv: Mla,
  runtime: RuntimeId,
  build: LlamaBuild,
): { values: number; convention: string } {
  const latent = kv.kvLoraRank + kv.ropeDim;
  const heads = kv.heads * (kv.qkNopeDim + kv.ropeDim) + kv.heads * kv.vHeadDim;
  if (runtime === 'ik_llama.cpp')
    return {
      values: latent,
      convention: `ik_llama.cpp -mla 3: the latent only, ${kv.kvLoraRank}+${kv.ropeDim} values (old GGUFs too: it splits kv_b at load)`,
    };
  if (runtime === 'vllm-cpu') return { values: latent, convention: 'vLLM: the MLA latent' };
  if (!kv.mlaTensors || build === 'legacy')
    return {
      values: heads,
      convention: `llama.cpp${kv.mlaTensors ? ' before April 2025' : ' with a GGUF without MLA tensors'}: whole heads, ${kv.heads} × (${kv.qkNopeDim + kv.ropeDim} K + ${kv.vHeadDim} V)`,
    };
  if (build === '2025')
    return {
      values: latent + kv.kvLoraRank,
      convention: `llama.cpp April 2025 – January 2026 (PR #12801): K ${latent} + V ${kv.kvLoraRank}`,
    };
  return { values: latent, convention: `llama.cpp from January 2026 (PR #19067): the latent only, ${latent} values` };
}

/** KV cache bytes as the chosen runtime allocates them for `ctx` tokens. */
export function kvCache(m: ModelSpec, ctx: number, kvType: KvType, runtime: RuntimeId, build: LlamaBuild): KvFigure {
  if (m.kv.kind === 'mla') {
    const { values, convention } = mlaValuesPerToken(m.kv, runtime, build);
    const n = cells(ctx, null, runtime, build).full;
    return {
      bytes: Math.ceil(n * m.layers * values * KV_TYPES[kvType]),
      how: `${n} cells × ${m.layers} layers × ${values} values × ${kvType}`,
      convention,
    };
  }
  return gqaKv(m as ModelSpec & { kv: { kind: 'gqa' } }, ctx, kvType, runtime, build);
}

/**
 * Compute buffers, an estimate: llama.cpp sizes them for one micro-batch, dominated by the f32 logits
 * (vocab) and a few hidden-sized activations per token.
 */
export function computeBufferBytes(m: ModelSpec): number {
  return UBATCH * (m.vocab + 8 * m.hidden) * 4 + 64 * 1048576;
}
