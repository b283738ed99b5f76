/** What the memory math needs of a model, whether it comes from the catalog or from a GGUF header. */
import * as v from 'valibot';
import { decimal, integer, text } from '../validate';
import { findModel, findQuant, MODELS, QUANTS, type CatalogModel } from './catalog';
import { printable } from '../text';

/** The largest size a GGUF header may give a model dimension (gguf-model.ts refuses anything above). */
const DIM_MAX = 1 << 24;
const dim = (min = 1) => integer(min, DIM_MAX);
/** A per-token or per-head size: a product of two dimensions, or a quotient (hidden / heads) that need not be whole. */
const size = (min: number, max: number) => decimal(min, max);

/**
 * A model's KV cache shape, and the model itself: the types are read off these schemas, which check a model
 * that crosses a process boundary (a GGUF read in the window and sent to the advisor) with the limits the
 * GGUF reader itself keeps.
 */
const kvShapeSchema = v.variant('kind', [
  v.strictObject({
    kind: v.literal('gqa'),
    /** K and V elements per token per full-attention layer. */
    kPerToken: size(0, DIM_MAX * DIM_MAX),
    vPerToken: size(0, DIM_MAX * DIM_MAX),
    /** Sliding-window layers keep only the window (plus a batch) of tokens. */
    slidingWindow: v.nullable(dim()),
    slidingLayers: dim(0),
  }),
  v.strictObject({
    kind: v.literal('mla'),
    /** The compressed KV latent and the shared RoPE key: what an MLA cache keeps per token per layer. */
    kvLoraRank: dim(),
    ropeDim: dim(0),
    /** The decompressed heads, for runtimes (or GGUFs) that cache whole K and V heads. */
    heads: dim(),
    qkNopeDim: size(1, DIM_MAX),
    vHeadDim: size(0, DIM_MAX),
    /**
     * Whether the GGUF carries the split MLA tensors (`attention.key_length_mla`, converted since April 2025);
     * older DeepSeek GGUFs have only the fused kv_b tensor, and llama.cpp caches whole heads for them.
     */
    mlaTensors: v.boolean(),
  }),
]);
export type KvShape = v.InferOutput<typeof kvShapeSchema>;

export const modelSpecSchema = v.strictObject({
  name: text(4096),
  origin: v.picklist(['catalog', 'gguf']),
  /** The catalog id, for catalog models (suggestions re-plan it at other quantizations). */
  catalogId: v.nullable(text(80)),
  weightsBytes: integer(0, Number.MAX_SAFE_INTEGER),
  /** How the weight figure was obtained, shown next to it. */
  weightsSource: text(1000),
  params: v.nullable(decimal(0, 1e15)),
  quant: v.nullable(text(80)),
  layers: dim(),
  hidden: dim(),
  vocab: integer(0, 2 ** 32),
  kv: kvShapeSchema,
  contextMax: dim(),
});
export type ModelSpec = v.InferOutput<typeof modelSpecSchema>;

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

/**
 * Why a catalog model id or quantization name is not one the catalog has, naming the flag and the names it
 * takes; null when both are known (the quantization may be left out).
 */
export function catalogProblem(id: string, quantName: string | undefined): string | null {
  const m = findModel(id);
  if (!m)
    return `--model ${printable(id, { max: 80 })}: unknown model; expected one of ${MODELS.map((x) => x.id).join(', ')} (hugetune models describes them)`;
  const qn = quantName ?? m.nativeQuant ?? 'Q4_K_M';
  if (!findQuant(qn))
    return `--quant ${printable(qn, { max: 40 })}: unknown quantization; expected one of ${QUANTS.map((q) => q.name).join(', ')} (hugetune models gives their bits per weight)`;
  return null;
}

/** A catalog model at a quantization; an error message when either is unknown. */
export function catalogSpec(id: string, quantName: string | undefined): ModelSpec | string {
  const problem = catalogProblem(id, quantName);
  if (problem !== null) return problem;
  const m = findModel(id)!;
  const q = findQuant(quantName ?? m.nativeQuant ?? 'Q4_K_M')!;
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
