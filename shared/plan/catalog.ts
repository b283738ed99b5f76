/**
 * The model catalog (resources/models/catalog.json): what the memory math needs of each model, and the
 * llama.cpp quantization types with their size per weight. Data, validated on load like any input.
 */
import raw from '../../resources/models/catalog.json';
import * as v from 'valibot';
import { decimal, integer as int, text, validate } from '../validate';

const attention = v.union([
  v.strictObject({
    kind: v.picklist(['gqa', 'mha']),
    heads: int(1, 4096),
    kvHeads: int(1, 4096),
    headDim: int(1, 4096),
    slidingWindow: v.optional(int(1, 1 << 24)),
    slidingLayers: v.optional(int(0, 10_000)),
  }),
  v.strictObject({
    kind: v.literal('mla'),
    heads: int(1, 4096),
    kvLoraRank: int(1, 65536),
    ropeDim: int(0, 65536),
    /** Per-head key dims without RoPE and value dims: what a runtime caching whole heads stores. */
    qkNopeDim: int(1, 65536),
    vHeadDim: int(1, 65536),
  }),
]);

const model = v.strictObject({
  id: v.pipe(v.string(), v.maxLength(80), v.regex(/^[a-z0-9][a-z0-9.-]*$/)),
  name: text(120),
  params: decimal(1e6, 1e14),
  activeParams: v.optional(decimal(1e6, 1e14)),
  layers: int(1, 10_000),
  hidden: int(1, 1 << 20),
  vocab: int(1, 1 << 24),
  attention,
  experts: v.optional(
    v.strictObject({
      total: int(1, 100_000),
      active: int(1, 100_000),
      shared: v.optional(int(0, 1000)),
    }),
  ),
  contextMax: int(1, 1 << 24),
  nativeQuant: v.optional(text(20)),
  source: text(300),
});

const catalogSchema = v.strictObject({
  $comment: v.optional(text(2000)),
  models: v.pipe(v.array(model), v.maxLength(1000)),
  quants: v.pipe(
    v.array(
      v.strictObject({
        name: v.pipe(v.string(), v.maxLength(20), v.regex(/^[A-Z0-9_]+$/)),
        bitsPerWeight: decimal(1, 32),
      }),
    ),
    v.maxLength(100_000),
  ),
});

export type CatalogModel = v.InferOutput<typeof model>;
export type Attention = v.InferOutput<typeof attention>;
export type Quant = { name: string; bitsPerWeight: number };

const checked = validate(catalogSchema, raw);
if (!checked.ok) throw new Error(`resources/models/catalog.json: ${checked.error}`);

export const MODELS: readonly CatalogModel[] = checked.value.models;
/** Largest first, so "a smaller quant" is the next one down. */
export const QUANTS: readonly Quant[] = [...checked.value.quants].sort((a, b) => b.bitsPerWeight - a.bitsPerWeight);

export function findModel(id: string): CatalogModel | undefined {
  return MODELS.find((m) => m.id === id.toLowerCase());
}

export function findQuant(name: string): Quant | undefined {
  return QUANTS.find((q) => q.name === name.toUpperCase());
}
