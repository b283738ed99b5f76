/**
 * Reads a local GGUF model (or every shard of a `-0000N-of-0000M.gguf` set) into the planner's ModelSpec. Only
 * the headers are read, however large the files are; what they mean is shared/plan/gguf-model.ts.
 */
import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../shared/errors';
import { printable } from '../../shared/text';
import { parseGgufShardFilename } from '../../shared/plan/gguf-header';
import { ggufShard, ggufSpec, type GgufShard } from '../../shared/plan/gguf-model';
import type { ModelSpec } from '../../shared/plan/model';
import { readGgufHeader } from './gguf-header';
import { fileKind, refusal } from './open-input';

function shardPaths(path: string): string[] {
  const info = parseGgufShardFilename(basename(path));
  if (!info) return [path];
  const total = Number(info.total);
  if (!Number.isInteger(total) || total < 1 || total > 10_000)
    throw new UserError(`${basename(path)}: bad shard count`);
  return Array.from({ length: total }, (_, k) =>
    join(dirname(path), `${info.prefix}-${String(k + 1).padStart(5, '0')}-of-${info.total}.gguf`),
  );
}

async function readOne(path: string): Promise<GgufShard> {
  let size: number;
  try {
    // stat never blocks, even on a FIFO; the header reader checks the opened file again.
    const st = statSync(path);
    if (!st.isFile()) throw new UserError(`${printable(path)}: not a regular file (${fileKind(st)})`, 'bad-request');
    size = st.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw refusal(printable(path), e);
  }
  // Only the header, and only its scalars: the tokenizer's arrays are walked over, not decoded.
  return ggufShard(basename(path), size, await readGgufHeader(path));
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
  const shards: GgufShard[] = [];
  for (const p of paths) shards.push(await readOne(await allow(p)));
  return ggufSpec(basename(path), shards);
}
