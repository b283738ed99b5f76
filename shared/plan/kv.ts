/**
 * KV cache bytes as llama.cpp allocates them: one K and one V row per token per layer for full attention;
 * sliding-window layers hold only the window plus one micro-batch of tokens; MLA models (DeepSeek) keep one
 * compressed latent per token per layer (kv_lora_rank + rope dims), which K and V share.
 */
import { KV_TYPES, type KvType } from './ggml-types';
import type { ModelSpec } from './model';

/** llama.cpp's default micro-batch (-ub), which a sliding-window cache keeps room for. */
export const UBATCH = 512;

export function kvCacheBytes(m: ModelSpec, ctx: number, kvType: KvType): number {
  const bytes = KV_TYPES[kvType];
  const kv = m.kv;
  if (kv.kind === 'mla') return Math.ceil(ctx * m.layers * kv.latentPerToken * bytes);
  const perToken = (kv.kPerToken + kv.vPerToken) * bytes;
  const swaLayers = kv.slidingWindow === null ? 0 : Math.min(kv.slidingLayers, m.layers);
  const swaTokens = kv.slidingWindow === null ? 0 : Math.min(ctx, kv.slidingWindow + UBATCH);
  return Math.ceil((m.layers - swaLayers) * ctx * perToken + swaLayers * swaTokens * perToken);
}

/**
 * Compute buffers, an estimate: llama.cpp sizes them for one micro-batch, dominated by the f32 logits
 * (vocab) and a few hidden-sized activations per token.
 */
export function computeBufferBytes(m: ModelSpec): number {
  return UBATCH * (m.vocab + 8 * m.hidden) * 4 + 64 * 1048576;
}
