/**
 * A GGUF model the user picked or dropped, read where it is: only its header, through File.slice(), parsed by
 * the same code the Node side uses. Nothing is uploaded; the file may be on this computer while hugetune
 * serves a machine elsewhere.
 */
import { UserError } from '../../../shared/errors';
import { parseGgufHeader, parseGgufShardFilename, printable } from '../../../shared/plan/gguf-header';
import { ggufShard, ggufSpec, type GgufShard } from '../../../shared/plan/gguf-model';
import type { ModelSpec } from '../../../shared/plan/model';

export interface GgufProgress {
  /** The file being read, its place in the set and how many there are. */
  file: string;
  index: number;
  files: number;
  /** Header bytes read so far from this file, and the file's size. */
  bytesRead: number;
  size: number;
}

export interface GgufFileModel {
  /** The first (or only) file's name. */
  name: string;
  files: number;
  /** Bytes on disk, every shard together. */
  sizeBytes: number;
  /** Header bytes read, every shard together. */
  headerBytes: number;
  spec: ModelSpec;
}

/** The dropped files in shard order, or why they are not one model. */
export function modelFiles(files: readonly File[]): File[] {
  if (files.length === 0) throw new UserError('no file: pick or drop a .gguf file');
  const shards = files.map((f) => ({ f, info: parseGgufShardFilename(f.name) }));
  const plain = shards.filter((x) => x.info === null);
  if (plain.length > 0) {
    if (files.length > 1) throw new UserError('one model at a time: a .gguf file, or every shard of a split model');
    return [files[0]!];
  }
  const first = shards[0]!.info!;
  const total = Number(first.total);
  if (shards.some((x) => x.info!.prefix !== first.prefix || x.info!.total !== first.total))
    throw new UserError('these shards belong to different models: drop the shards of one model');
  const byShard = new Map(shards.map((x) => [Number(x.info!.shard), x.f]));
  const missing = Array.from({ length: total }, (_, k) => k + 1).filter((k) => !byShard.has(k));
  if (missing.length > 0)
    throw new UserError(
      `${printable(first.prefix)} is split into ${total} files: drop all of them together (missing ${missing.map((k) => String(k).padStart(5, '0')).join(', ')})`,
    );
  return Array.from({ length: total }, (_, k) => byShard.get(k + 1)!);
}

/** Reads the header of each file (shards in order) and makes the model from them. */
export async function readGgufFiles(
  picked: readonly File[],
  onProgress: (p: GgufProgress) => void = () => {},
): Promise<GgufFileModel> {
  const files = modelFiles(picked);
  const shards: GgufShard[] = [];
  let headerBytes = 0;
  for (const [index, file] of files.entries()) {
    const source = {
      read: async (into: Uint8Array, offset: number, length: number, position: number): Promise<number> => {
        const bytes = new Uint8Array(await file.slice(position, position + length).arrayBuffer());
        into.set(bytes, offset);
        return bytes.length;
      },
    };
    const report = (bytesRead: number): void =>
      onProgress({ file: file.name, index, files: files.length, bytesRead, size: file.size });
    report(0);
    let read = 0;
    const header = await parseGgufHeader(source, file.size, file.name, {
      onProgress: (b) => {
        read = b;
        report(b);
      },
    });
    headerBytes += read;
    shards.push(ggufShard(printable(file.name, 200), file.size, header));
  }
  return {
    name: files[0]!.name,
    files: files.length,
    sizeBytes: files.reduce((s, f) => s + f.size, 0),
    headerBytes,
    spec: ggufSpec(printable(files[0]!.name, 200), shards),
  };
}
