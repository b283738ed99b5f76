/**
 * A GGUF model (one file, or every shard of a `-0000N-of-0000M.gguf` set) as the planner's ModelSpec: exact
 * tensor bytes from the tensor table and the ggml type sizes, and the architecture metadata the KV cache needs.
 * Pure: the headers come from whoever read them (the Node side from disk, the renderer from a dropped file).
 */
import { UserError } from '../errors';
import { countOf, numberText } from '../number-text';
import { printable, type GgufHeader } from './gguf-header';
import { GGML_TYPES, tensorBytes } from './ggml-types';
import type { KvShape, ModelSpec } from './model';

export type Meta = Record<string, unknown>;

const MAX_TENSORS = 1_000_000;

function num(meta: Meta, key: string): number | null {
  const v = meta[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  // Some converters write per-layer arrays (e.g. head_count_kv); the largest is what the cache must hold.
  if (Array.isArray(v) && v.length > 0 && v.length <= 100_000) {
    let max = -Infinity;
    for (const x of v) {
      if (typeof x !== 'number' && typeof x !== 'bigint') return null;
      max = Math.max(max, Number(x));
    }
    return max;
  }
  return null;
}

/** How many of a model's layers use sliding-window attention, for the architectures that mix them. */
function slidingLayers(arch: string, layers: number): number {
  if (arch === 'gpt-oss' || arch === 'gemma2') return Math.floor(layers / 2); // every other layer
  if (arch === 'gemma3') return layers - Math.floor(layers / 6); // five local layers per global one
  return 0;
}

/**
 * DeepSeek-style MLA. GGUFs converted since April 2025 store the attention as one wide head (key_length
 * 576 = kv_lora_rank + RoPE, value_length 512) and keep the per-head dims in `*_mla` keys; older ones store
 * the whole heads (head_count_kv 128, key_length 192, value_length 128) and no `*_mla` keys. Which one a file
 * is decides what llama.cpp caches (latent or whole heads), so it is told from the shapes, not assumed.
 */
function mlaShape(
  kvLoraRank: number,
  heads: number,
  ropeDim: number,
  keyLength: number,
  valueLength: number,
  k: (key: string) => number | null,
): KvShape {
  const keyMla = k('attention.key_length_mla');
  const valueMla = k('attention.value_length_mla');
  const mlaTensors = keyMla !== null;
  const qk = mlaTensors ? keyMla : keyLength;
  return {
    kind: 'mla',
    kvLoraRank,
    ropeDim,
    heads,
    qkNopeDim: Math.max(1, qk - ropeDim),
    vHeadDim: mlaTensors ? (valueMla ?? valueLength) : valueLength,
    mlaTensors,
  };
}

/** One file's share of a model: its metadata, its tensor bytes, checked against the file's size. */
export interface GgufShard {
  meta: Meta;
  bytes: number;
  tensors: number;
}

/** Checks a header against the file it came from (`size` bytes, shown as `name`) and totals its tensors. */
export function ggufShard(name: string, size: number, parsed: GgufHeader): GgufShard {
  if (parsed.tensorInfos.length > MAX_TENSORS) throw new UserError(`${name}: implausible tensor count`);
  let bytes = 0;
  let end = 0;
  for (const t of parsed.tensorInfos) {
    const elements = t.shape.reduce((a, b) => a * Number(b), 1);
    const b = tensorBytes(t.dtype, elements);
    if (b === null) {
      const known = GGML_TYPES[t.dtype];
      throw new UserError(
        `${name}: tensor ${printable(t.name)} has ${known ? `a shape that does not fit ${known.name} blocks` : `unknown type ${t.dtype}`}`,
      );
    }
    bytes += b;
    end = Math.max(end, Number(t.offset) + b);
  }
  const dataEnd = Number(parsed.tensorDataOffset) + end;
  if (dataEnd > size) {
    throw new UserError(
      `${name}: truncated: its tensors end at byte ${numberText(dataEnd)} but the file has ${countOf(size, 'byte')}`,
    );
  }
  return { meta: parsed.metadata, bytes, tensors: parsed.tensorInfos.length };
}

/** The model the shards (in order, the first holding the metadata) describe; `name` is the first file's name. */
export function ggufSpec(fileName: string, shards: readonly GgufShard[]): ModelSpec {
  const name = fileName;
  if (shards.length === 0) throw new UserError(`${name}: no file read`);
  const meta = shards[0]!.meta;
  const arch = typeof meta['general.architecture'] === 'string' ? meta['general.architecture'] : null;
  if (!arch) throw new UserError(`${name}: no general.architecture in the metadata (is it a model file?)`);
  // Metadata is the file's word, not the truth: every size must be a plausible positive integer.
  const k = (key: string, max = 1 << 24): number | null => {
    const v = num(meta, `${arch}.${key}`);
    if (v === null) return null;
    if (!Number.isInteger(v) || v < 1 || v > max) {
      throw new UserError(`${name}: implausible ${arch}.${key} = ${v} in the GGUF metadata`, 'bad-request');
    }
    return v;
  };
  const layers = k('block_count');
  const hidden = k('embedding_length');
  const heads = k('attention.head_count');
  if (layers === null || hidden === null) {
    throw new UserError(
      `${name}: ${arch}.block_count or ${arch}.embedding_length is missing; cannot size the KV cache`,
    );
  }
  const kvHeads = k('attention.head_count_kv') ?? heads ?? 1;
  const keyLength = k('attention.key_length') ?? (heads ? hidden / heads : hidden);
  const valueLength = k('attention.value_length') ?? keyLength;
  const loraRank = k('attention.kv_lora_rank');
  const window = k('attention.sliding_window');
  const kv: KvShape =
    loraRank !== null
      ? mlaShape(loraRank, heads ?? kvHeads, k('rope.dimension_count') ?? 0, keyLength, valueLength, k)
      : {
          kind: 'gqa',
          kPerToken: kvHeads * keyLength,
          vPerToken: kvHeads * valueLength,
          slidingWindow: window,
          slidingLayers: window === null ? 0 : slidingLayers(arch, layers),
        };
  const tokens = meta['tokenizer.ggml.tokens'];
  // The token list is skipped, not decoded: only its length is kept.
  const count = (tokens as { length?: unknown } | undefined)?.length;
  const vocab = k('vocab_size') ?? (typeof count === 'number' ? count : 32000);
  const weightsBytes = shards.reduce((s, x) => s + x.bytes, 0);
  const tensors = shards.reduce((s, x) => s + x.tensors, 0);
  const modelName = typeof meta['general.name'] === 'string' ? meta['general.name'] : name;
  const fileType = num(meta, 'general.file_type');
  return {
    name: modelName,
    origin: 'gguf',
    catalogId: null,
    weightsBytes,
    weightsSource: `exact: ${tensors} tensors in ${shards.length} file${shards.length > 1 ? 's' : ''} (GGUF tensor table × ggml type sizes)`,
    params: null,
    quant: fileType === null ? null : `file type ${fileType}`,
    layers,
    hidden,
    vocab,
    kv,
    contextMax: Math.max(128, k('context_length') ?? 4096),
  };
}
