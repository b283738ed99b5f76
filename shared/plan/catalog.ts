/**
 * The model catalog (resources/models/catalog.json): what the memory math needs of each model, and the
 * llama.cpp quantization types with their size per weight. Data, validated on load like any input.
 */
import raw from '../../resources/models/catalog.json';
import { s, validate, type Infer } from '../schema';

const attention = s.union(
  s.object(
    {
      kind: s.oneOf(['gqa', 'mha'] as const),
      heads: s.integer({ min: 1, max: 4096 }),
      kvHeads: s.integer({ min: 1, max: 4096 }),
      headDim: s.integer({ min: 1, max: 4096 }),
      slidingWindow: s.integer({ min: 1, max: 1 << 24 }),
      slidingLayers: s.integer({ min: 0, max: 10_000 }),
    },
    ['slidingWindow', 'slidingLayers'],
  ),
  s.object({
    kind: s.literal('mla'),
    heads: s.integer({ min: 1, max: 4096 }),
    kvLoraRank: s.integer({ min: 1, max: 65536 }),
    ropeDim: s.integer({ min: 0, max: 65536 }),
    /** Per-head key dims without RoPE and value dims: what a runtime caching whole heads stores. */
    qkNopeDim: s.integer({ min: 1, max: 65536 }),
    vHeadDim: s.integer({ min: 1, max: 65536 }),
  }),
);

const finite = (min: number, max: number) => s.number({ min, max });

const model = s.object(
  {
    id: s.string({ maxLength: 80, pattern: /^[a-z0-9][a-z0-9.-]*$/ }),
    name: s.string({ maxLength: 120 }),
    params: finite(1e6, 1e14),
    activeParams: finite(1e6, 1e14),
    layers: s.integer({ min: 1, max: 10_000 }),
    hidden: s.integer({ min: 1, max: 1 << 20 }),
    vocab: s.integer({ min: 1, max: 1 << 24 }),
    attention,
    experts: s.object(
      {
        total: s.integer({ min: 1, max: 100_000 }),
        active: s.integer({ min: 1, max: 100_000 }),
        shared: s.integer({ min: 0, max: 1000 }),
      },
      ['shared'],
    ),
    contextMax: s.integer({ min: 1, max: 1 << 24 }),
    nativeQuant: s.string({ maxLength: 20 }),
    source: s.string({ maxLength: 300 }),
  },
  ['activeParams', 'experts', 'nativeQuant'],
);

const catalogSchema = s.object(
  {
    $comment: s.string({ maxLength: 2000 }),
    models: s.array(model, { maxItems: 1000 }),
    quants: s.array(
      s.object({ name: s.string({ maxLength: 20, pattern: /^[A-Z0-9_]+$/ }), bitsPerWeight: finite(1, 32) }),
    ),
  },
  ['$comment'],
);

export type CatalogModel = Infer<typeof model>;
export type Attention = Infer<typeof attention>;
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
