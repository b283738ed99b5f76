/** What the memory math needs of a model, whether it comes from the catalog or from a GGUF header. */
import { findModel, findQuant, type CatalogModel } from './catalog';

export type KvShape =
  | {
      kind: 'gqa';
      /** K and V elements per token per full-attention layer. */
      kPerToken: number;
      vPerToken: number;
      /** Sliding-window layers keep only the window (plus a batch) of tokens. */
      slidingWindow: number | null;
      slidingLayers: number;
    }
  | {
      kind: 'mla';
      /** The compressed KV latent and the shared RoPE key: what an MLA cache keeps per token per layer. */
      kvLoraRank: number;
      ropeDim: number;
      /** The decompressed heads, for runtimes (or GGUFs) that cache whole K and V heads. */
      heads: number;
      qkNopeDim: number;
      vHeadDim: number;
      /**
       * Whether the GGUF carries the split MLA tensors (`attention.key_length_mla`, converted since April 2025);
       * older DeepSeek GGUFs have only the fused kv_b tensor, and llama.cpp caches whole heads for them.
       */
      mlaTensors: boolean;
    };

export interface ModelSpec {
  name: string;
  origin: 'catalog' | 'gguf';
  /** The catalog id, for catalog models (suggestions re-plan it at other quantizations). */
  catalogId: string | null;
  weightsBytes: number;
  /** How the weight figure was obtained, shown next to it. */
  weightsSource: string;
  params: number | null;
  quant: string | null;
  layers: number;
  hidden: number;
  vocab: number;
  kv: KvShape;
  contextMax: number;
}

export function kvShapeOf(m: CatalogModel): KvShape {
  const a = m.attention;
  if (a.kind === 'mla') {
    // Catalog sizes are for current GGUF conversions, which carry the MLA tensors.
    const { kvLoraRank, ropeDim, heads, qkNopeDim, vHeadDim } = a;
    return { kind: 'mla', kvLoraRank, ropeDim, heads, qkNopeDim, vHeadDim, mlaTensors: true };
  }
  return {
    kind: 'gqa',
    kPerToken: a.kvHeads * a.headDim,
    vPerToken: a.kvHeads * a.headDim,
    slidingWindow: a.slidingWindow ?? null,
    slidingLayers: a.slidingLayers ?? 0,
  };
}

/** A catalog model at a quantization; an error message when either is unknown. */
export function catalogSpec(id: string, quantName: string | undefined): ModelSpec | string {
  const m = findModel(id);
  if (!m) return `unknown model '${id}' (see hugetune models)`;
  const qn = quantName ?? m.nativeQuant ?? 'Q4_K_M';
  const q = findQuant(qn);
  if (!q) return `unknown quantization '${qn}' (see hugetune models)`;
  return {
    name: `${m.name} ${q.name}`,
    origin: 'catalog',
    catalogId: m.id,
    weightsBytes: Math.round((m.params * q.bitsPerWeight) / 8),
    weightsSource: `${(m.params / 1e9).toFixed(1)}B parameters × ${q.bitsPerWeight} bits (typical ${q.name} file)`,
    params: m.params,
    quant: q.name,
    layers: m.layers,
    hidden: m.hidden,
    vocab: m.vocab,
    kv: kvShapeOf(m),
    contextMax: m.contextMax,
  };
}
