/**
 * Reads a local GGUF model (or every shard of a `-0000N-of-0000M.gguf` set) into the planner's ModelSpec:
 * exact tensor bytes from the tensor table and the ggml type sizes, and the architecture metadata the KV
 * cache needs. Only the headers are read, however large the files are.
 */
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../shared/errors';
import { parseGgufShardFilename, printable, readGgufHeader } from './gguf-header';
import { GGML_TYPES, tensorBytes } from '../../shared/plan/ggml-types';
import type { KvShape, ModelSpec } from '../../shared/plan/model';

type Meta = Record<string, unknown>;

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

function shardPaths(path: string): string[] {
  const info = parseGgufShardFilename(basename(path));
  if (!info) return [path];
  const total = Number(info.total);
  if (!Number.isInteger(total) || total < 1 || total > 10_000)
    throw new UserError(`${printable(basename(path), 200)}: bad shard count`);
  return Array.from({ length: total }, (_, k) =>
    join(dirname(path), `${info.prefix}-${String(k + 1).padStart(5, '0')}-of-${info.total}.gguf`),
  );
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

async function readOne(path: string) {
  // Only the header, and only its scalars: the tokenizer's arrays are walked over, not decoded. The reader
  // opens the file as every input is opened (a regular file, checked on the open descriptor).
  const parsed = await readGgufHeader(path);
  const size = parsed.fileSize;
  if (parsed.tensorInfos.length > MAX_TENSORS)
    throw new UserError(`${printable(basename(path), 200)}: implausible tensor count`);
  let bytes = 0;
  let end = 0;
  for (const t of parsed.tensorInfos) {
    const elements = t.shape.reduce((a, b) => a * Number(b), 1);
    const b = tensorBytes(t.dtype, elements);
    if (b === null) {
      const known = GGML_TYPES[t.dtype];
      throw new UserError(
        `${printable(basename(path), 200)}: tensor ${printable(t.name)} has ${known ? `a shape that does not fit ${known.name} blocks` : `unknown type ${t.dtype}`}`,
      );
    }
    bytes += b;
    end = Math.max(end, Number(t.offset) + b);
  }
  const dataEnd = Number(parsed.tensorDataOffset) + end;
  if (dataEnd > size) {
    throw new UserError(
      `${printable(basename(path), 200)}: truncated: its tensors end at byte ${dataEnd} but the file has ${size} bytes`,
    );
  }
  return { meta: parsed.metadata as unknown as Meta, bytes, tensors: parsed.tensorInfos.length };
}

/**
 * `allow` vets every file before it is opened (web mode checks each shard against --models-dir, so a shard that
 * is a link out of the directory is not read either); it returns the path to open.
 */
export async function readGgufModel(
  path: string,
  allow: (p: string) => Promise<string> = (p) => Promise.resolve(p),
): Promise<ModelSpec> {
  const paths = shardPaths(path);
  const shards = [];
  for (const p of paths) shards.push(await readOne(await allow(p)));
  const meta = shards[0]!.meta;
  const arch = typeof meta['general.architecture'] === 'string' ? meta['general.architecture'] : null;
  if (!arch)
    throw new UserError(
      `${printable(basename(path), 200)}: no general.architecture in the metadata (is it a model file?)`,
    );
  // Metadata is the file's word, not the truth: every size must be a plausible positive integer.
  const k = (key: string, max = 1 << 24): number | null => {
    const v = num(meta, `${arch}.${key}`);
    if (v === null) return null;
    if (!Number.isInteger(v) || v < 1 || v > max) {
      throw new UserError(
        `${printable(basename(path), 200)}: implausible ${arch}.${key} = ${v} in the GGUF metadata`,
        'bad-request',
      );
    }
    return v;
  };
  const layers = k('block_count');
  const hidden = k('embedding_length');
  const heads = k('attention.head_count');
  if (layers === null || hidden === null) {
    throw new UserError(
      `${printable(basename(path), 200)}: ${arch}.block_count or ${arch}.embedding_length is missing; cannot size the KV cache`,
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
  // The model's name is the file's word: shown in the terminal and the page, so never with control characters.
  const name = printable(typeof meta['general.name'] === 'string' ? meta['general.name'] : basename(path), 120);
  const fileType = num(meta, 'general.file_type');
  return {
    name,
    origin: 'gguf',
    catalogId: null,
    weightsBytes,
    weightsSource: `exact: ${tensors} tensors in ${paths.length} file${paths.length > 1 ? 's' : ''} (GGUF tensor table × ggml type sizes)`,
    params: null,
    quant: fileType === null ? null : `file type ${fileType}`,
    layers,
    hidden,
    vocab,
    kv,
    contextMax: Math.max(128, k('context_length') ?? 4096),
  };
}
