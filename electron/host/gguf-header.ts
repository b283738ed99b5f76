/**
 * Reads a GGUF file's header from disk: the pure parser (shared/plan/gguf-header.ts) over a file handle, with
 * the file-system checks a path needs (no such file, not a regular file, a FIFO planted under a model's name).
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { UserError } from '../../shared/errors';
import { fileKind, refusal } from './open-input';
import { parseGgufHeader, printable, type GgufHeader, type ParseOptions } from '../../shared/plan/gguf-header';

export {
  GGUF_TYPE,
  parseGgufShardFilename,
  printable,
  SMALL_ARRAY,
  type GgufHeader,
  type GgufSkippedArray,
  type GgufTensorInfo,
} from '../../shared/plan/gguf-header';

/**
 * Reads a GGUF file's header. Throws UserError with one line naming the file when it is not a usable GGUF.
 * `chunkSize` is for tests: tiny chunks make every field straddle a refill.
 */
export async function readGgufHeader(path: string, opts: ParseOptions = {}): Promise<GgufHeader> {
  const name = printable(basename(path), 200);
  let fh: FileHandle;
  try {
    // Non-blocking, so a FIFO planted under a model's name is refused below instead of hanging the open.
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw refusal(name, e);
  }
  try {
    const st = await fh.stat();
    // The same check as every other input (./open-input); a GGUF has no size cap, only its header is read.
    if (!st.isFile()) throw new UserError(`${name}: not a regular file (${fileKind(st)})`, 'bad-request');
    const source = {
      read: async (into: Uint8Array, offset: number, length: number, position: number) =>
        (await fh.read(into, offset, length, position)).bytesRead,
    };
    return await parseGgufHeader(source, st.size, name, opts);
  } catch (e) {
    if (e instanceof UserError) throw e;
    // An I/O error mid-read (a failing disk, a network mount gone away).
    const code = (e as { code?: string }).code;
    throw new UserError(`${name}: cannot read: ${code ?? printable((e as Error).message)}`, 'failed');
  } finally {
    await fh.close();
  }
}
