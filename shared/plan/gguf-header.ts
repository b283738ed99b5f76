/**
 * Reads the header of a GGUF file (v2/v3, little-endian): the metadata and the tensor table, nothing else.
 *
 * A general GGUF parser decodes every metadata array, and a real tokenizer holds ~400k strings (tokens,
 * scores, token types, merges): seconds and a hundred MiB for values the planner never looks at. This reader
 * decodes scalars and small numeric arrays, and walks over everything else in the file buffer without making
 * JS values, leaving a marker `{ arrayOf, length }` in its place.
 *
 * The file is read through one reusable buffer, chunk by chunk, never whole. Every count and length in the
 * header is the file's claim, so each one is checked against the bytes the file actually has before anything
 * is allocated or looped over: a hostile header is refused at once, not after minutes or gigabytes.
 *
 * Pure: the bytes come from a ByteSource, a file handle on the Node side (electron/host/gguf-header.ts) or
 * File.slice() in the renderer, so a file the user drops on the window is read where it is, header only.
 */
import { printable as clean } from '../text';
import { UserError } from '../errors';
import { countOf, numberText } from '../number-text';

/** Where the header's bytes come from: fills `into[offset, offset + length)` from file position `position`. */
export interface ByteSource {
  read(into: Uint8Array, offset: number, length: number, position: number): Promise<number>;
}

/** GGUF metadata value types, as numbered by the format. */
export const GGUF_TYPE = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** Stands in for an array that was skipped rather than decoded: its element type and its length. */
export interface GgufSkippedArray {
  arrayOf: number;
  length: number;
}

export interface GgufTensorInfo {
  name: string;
  shape: number[];
  /** ggml type id */
  dtype: number;
  /** bytes from tensorDataOffset */
  offset: number;
}

export interface GgufHeader {
  version: number;
  /**
   * Key → value. Strings, numbers, booleans; 64-bit integers as bigint (exact); numeric and bool arrays of
   * up to SMALL_ARRAY elements as number[] / boolean[] (64-bit elements as numbers); any other array as a
   * GgufSkippedArray.
   */
  metadata: Record<string, unknown>;
  tensorInfos: GgufTensorInfo[];
  /** Absolute file offset where tensor data starts: the end of the header, padded to general.alignment. */
  tensorDataOffset: number;
}

/** Per-layer arrays (head counts, window flags) are at most a few hundred numbers; tokenizers are far larger. */
export const SMALL_ARRAY = 4096;
/** Keys and tensor names are identifiers; llama.cpp itself caps tensor names at 64 bytes. */
const MAX_NAME = 1 << 20;
/** String values are model names, licences, chat templates: kilobytes. Bigger is not a model header. */
const MAX_STRING = 8 << 20;
/** Plausibility caps well above any real model (the largest have a few thousand tensors per file). */
const MAX_TENSORS = 1_000_000;
const MAX_KV = 1_000_000;
/** ggml has at most 4 dimensions per tensor. */
const MAX_DIMS = 4;
/** Nested arrays are legal but unused; deep nesting could only be an attack on the stack. */
const MAX_NESTING = 4;
// Large enough that refills are rare (a 128k-token tokenizer is ~8 MB of header), small enough not to show in RSS.
const CHUNK = 256 << 10;
const DEFAULT_ALIGNMENT = 32;

/** Bytes each element of a fixed-size type takes; 0 for strings and arrays. */
const FIXED_SIZE = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8];
/** The fewest bytes any value of a type can take (a string is at least its u64 length; an array its type and count). */
const MIN_SIZE = [1, 1, 2, 2, 4, 4, 4, 1, 8, 12, 8, 8, 8];
const TYPE_NAME = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64'];
/** Smallest tensor-table entry: name length (8), n_dims (4), no dims, type (4), offset (8). */
const MIN_TENSOR_ENTRY = 24;
/** Smallest metadata entry: key length (8), value type (4), a one-byte value. */
const MIN_KV_ENTRY = 13;
const TWO_32 = 2 ** 32;

/** A file-supplied string made safe for a one-line message (shared/text): control characters shown as ?, capped. */
export function printable(s: string, max = 80): string {
  return clean(s, { max });
}

const UTF8 = new TextDecoder();

class Reader {
  private buf = new Uint8Array(0);
  // Numbers are read through a DataView: its getters are engine builtins, cheap from the first call, where
  // Buffer's readUInt32LE and friends are JS that costs real time until the JIT has compiled it.
  private dv = new DataView(this.buf.buffer, this.buf.byteOffset, 0);
  /** File offset of buf[0], and just past the last valid byte in buf. */
  private bufStart = 0;
  private bufEnd = 0;
  /** File offset of the next byte to parse; may run ahead of the buffer when bytes are skipped. */
  pos = 0;

  /** Bytes read from the source so far: what a progress display shows. */
  bytesRead = 0;

  constructor(
    private readonly src: ByteSource,
    readonly size: number,
    readonly name: string,
    private readonly chunk: number,
    private readonly progress: ((bytesRead: number) => void) | null,
  ) {}

  fail(reason: string): UserError {
    return new UserError(`${this.name}: not a readable GGUF file: ${reason}`, 'bad-request');
  }

  truncated(what: string, needEnd: number): UserError {
    return this.fail(
      `truncated: ${what} would end at byte ${numberText(needEnd)} but the file has ${countOf(this.size, 'byte')}`,
    );
  }

  tooManyDims(name: string, dims: number): UserError {
    return this.fail(`tensor ${printable(name)} has ${dims} dimensions; a GGUF tensor has at most ${MAX_DIMS}`);
  }

  /** Room left in the file from the parse position. */
  get left(): number {
    return this.size - this.pos;
  }

  /**
   * Whether bytes [pos, pos + n) are in the buffer. Callers test this before awaiting fill(), so parsing what
   * is already buffered never waits on a promise: an await per field costs more than the field.
   */
  has(n: number): boolean {
    return this.pos + n <= this.bufEnd;
  }

  /** Reads the next chunk from pos, which must hold at least n bytes. */
  async fill(n: number, what: string): Promise<void> {
    if (n > this.left) throw this.truncated(what, this.pos + n);
    // Callers cap n (names, strings, small arrays) before asking, so this growth is bounded.
    if (n > this.buf.length) {
      this.buf = new Uint8Array(Math.max(n, Math.min(this.chunk, this.size)));
      this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    }
    const want = Math.min(this.buf.length, this.left);
    let got = 0;
    while (got < want) {
      const bytesRead = await this.src.read(this.buf, got, want - got, this.pos + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.bytesRead += got;
    this.progress?.(this.bytesRead);
    // The file shrank under us (a download being replaced, say).
    if (got < n) throw this.truncated(what, this.pos + n);
    this.bufStart = this.pos;
    this.bufEnd = this.pos + got;
  }

  /** Moves past n bytes without reading them. */
  skip(n: number, what: string): void {
    if (n > this.left) throw this.truncated(what, this.pos + n);
    this.pos += n;
  }

  // The typed reads below assume has() or fill() made their bytes available.
  private at(n: number): number {
    const i = this.pos - this.bufStart;
    this.pos += n;
    return i;
  }
  u32(): number {
    return this.dv.getUint32(this.at(4), true);
  }
  /** A u64 as a number: exact below 2^53, and above that still far beyond any file, which is all callers check. */
  u64(): number {
    const i = this.at(8);
    return this.dv.getUint32(i, true) + this.dv.getUint32(i + 4, true) * TWO_32;
  }
  bigU64(): bigint {
    return this.dv.getBigUint64(this.at(8), true);
  }

  /** One scalar of a fixed-size type (its bytes buffered by the caller), as the metadata holds it. */
  scalar(type: number): number | bigint | boolean {
    const dv = this.dv;
    switch (type) {
      case GGUF_TYPE.UINT8:
        return dv.getUint8(this.at(1));
      case GGUF_TYPE.INT8:
        return dv.getInt8(this.at(1));
      case GGUF_TYPE.UINT16:
        return dv.getUint16(this.at(2), true);
      case GGUF_TYPE.INT16:
        return dv.getInt16(this.at(2), true);
      case GGUF_TYPE.UINT32:
        return dv.getUint32(this.at(4), true);
      case GGUF_TYPE.INT32:
        return dv.getInt32(this.at(4), true);
      case GGUF_TYPE.FLOAT32:
        return dv.getFloat32(this.at(4), true);
      case GGUF_TYPE.BOOL:
        return dv.getUint8(this.at(1)) !== 0;
      case GGUF_TYPE.UINT64:
        return dv.getBigUint64(this.at(8), true);
      case GGUF_TYPE.INT64:
        return dv.getBigInt64(this.at(8), true);
      default:
        return dv.getFloat64(this.at(8), true);
    }
  }

  /** A string already wholly in the buffer, or null when it is not (or is suspect): then string() decides. */
  stringNow(max: number): string | null {
    if (!this.has(8)) return null;
    const i = this.pos - this.bufStart;
    const len = this.dv.getUint32(i, true) + this.dv.getUint32(i + 4, true) * TWO_32;
    if (len > max || !this.has(8 + len)) return null;
    this.pos += 8 + len;
    return UTF8.decode(this.buf.subarray(i + 8, i + 8 + len));
  }

  async string(max: number, what: string): Promise<string> {
    if (!this.has(8)) await this.fill(8, what);
    const len = this.u64();
    if (len > this.left) throw this.truncated(what, this.pos + len);
    if (len > max)
      throw this.fail(`${what} is ${countOf(len, 'byte')} long (at most ${countOf(max, 'byte')} expected)`);
    if (!this.has(len)) await this.fill(len, what);
    const i = this.at(len);
    return UTF8.decode(this.buf.subarray(i, i + len));
  }

  /**
   * The tensor-table entry at pos, if all of it is in the buffer (else null, and nothing is consumed): name,
   * dims, shape, type, offset. Entries are small and the buffer large, so nearly all are read here, without
   * a promise; a small synchronous function is also one the JIT compiles quickly.
   */
  tensorNow(alignment: number): GgufTensorInfo | null {
    if (!this.has(8)) return null;
    const dv = this.dv;
    const start = this.pos - this.bufStart;
    const nameLen = dv.getUint32(start, true) + dv.getUint32(start + 4, true) * TWO_32;
    // Overlong names get their message from string() on the slow path.
    if (nameLen > MAX_NAME || !this.has(8 + nameLen + 4)) return null;
    const dims = dv.getUint32(start + 8 + nameLen, true);
    const name = UTF8.decode(this.buf.subarray(start + 8, start + 8 + nameLen));
    if (dims > MAX_DIMS) throw this.tooManyDims(name, dims);
    if (!this.has(8 + nameLen + 4 + dims * 8 + 12)) return null;
    let i = start + 8 + nameLen + 4;
    const shape: number[] = [];
    let elements = 1;
    for (let d = 0; d < dims; d++, i += 8) {
      const n = dv.getUint32(i, true) + dv.getUint32(i + 4, true) * TWO_32;
      elements *= n;
      if (n === 0) throw this.fail(`tensor ${printable(name)} has a dimension of 0`);
      if (elements > Number.MAX_SAFE_INTEGER) throw this.fail(`tensor ${printable(name)} has more than 2^53 elements`);
      shape.push(n);
    }
    const dtype = dv.getUint32(i, true);
    const offset = dv.getUint32(i + 4, true) + dv.getUint32(i + 8, true) * TWO_32;
    if (offset > Number.MAX_SAFE_INTEGER)
      throw this.fail(`tensor ${printable(name)} has its data at an impossible offset`);
    if (offset % alignment !== 0) {
      throw this.fail(`tensor ${printable(name)} has offset ${offset}, not a multiple of ${alignment}`);
    }
    this.pos += 8 + nameLen + 4 + dims * 8 + 12;
    return { name, shape, dtype, offset };
  }

  /** The tensor-table entry at pos when it straddles the buffer's end: read in, then parsed as tensorNow() does. */
  async tensorSlow(k: number, alignment: number): Promise<GgufTensorInfo> {
    const start = this.pos;
    const name = await this.string(MAX_NAME, `tensor name ${k}`);
    const what = `tensor ${printable(name)}`;
    if (!this.has(4)) await this.fill(4, what);
    const dims = this.u32();
    if (dims > MAX_DIMS) throw this.tooManyDims(name, dims);
    const entry = this.pos + dims * 8 + 12 - start;
    this.pos = start;
    await this.fill(entry, what);
    return this.tensorNow(alignment)!;
  }

  /**
   * Walks over `count` strings: each is a u64 length and that many bytes. Only the lengths are read, straight
   * from the buffer; this is the loop a 128k-token vocabulary and its merges go through.
   */
  async skipStrings(count: number, what: string): Promise<void> {
    let k = 0;
    while (k < count) {
      if (!this.has(8)) await this.fill(8, what);
      k = this.walkStrings(k, count);
      if (this.pos > this.size) throw this.truncated(what, this.pos);
    }
  }

  /**
   * Steps over strings k, k+1, ... while their length fields are in the buffer; returns the next k. A plain
   * synchronous loop over locals: it runs ~400k times in a process that has just started, and a small
   * function like this is one the JIT compiles quickly. Stops at the first string that overruns the file.
   */
  private walkStrings(k: number, count: number): number {
    const dv = this.dv;
    const base = this.bufStart;
    const last = this.bufEnd - 8;
    const size = this.size;
    let p = this.pos;
    while (k < count && p <= last) {
      const i = p - base;
      p += 8 + dv.getUint32(i, true) + dv.getUint32(i + 4, true) * TWO_32;
      k++;
      if (p > size) break;
    }
    this.pos = p;
    return k;
  }
}

/** The declared array element count, checked against the room left before anything loops over it. */
function checkedCount(r: Reader, count: number, exact: bigint, elemType: number, what: string): void {
  const min = MIN_SIZE[elemType]!;
  if (count * min > r.left) {
    throw r.fail(
      `truncated or corrupt: ${what} claims ${countOf(exact, `${TYPE_NAME[elemType]} element`)} (at least ${countOf(min, 'byte')} each) but only ${countOf(r.left, 'byte')} ${r.left === 1 ? 'follows' : 'follow'}`,
    );
  }
}

async function readArray(r: Reader, what: string, depth: number): Promise<unknown> {
  if (!r.has(12)) await r.fill(12, what);
  const elemType = r.u32();
  const exact = r.bigU64();
  const count = Number(exact);
  if (elemType >= FIXED_SIZE.length) throw r.fail(`${what} is an array of unknown value type ${elemType}`);
  checkedCount(r, count, exact, elemType, what);
  const size = FIXED_SIZE[elemType]!;
  if (size > 0) {
    if (count > SMALL_ARRAY) {
      r.skip(count * size, what);
      return { arrayOf: elemType, length: count } satisfies GgufSkippedArray;
    }
    if (!r.has(count * size)) await r.fill(count * size, what);
    const out: (number | boolean)[] = new Array<number | boolean>(count);
    for (let k = 0; k < count; k++) {
      const v = r.scalar(elemType);
      out[k] = typeof v === 'bigint' ? Number(v) : v;
    }
    return out;
  }
  if (elemType === GGUF_TYPE.STRING) await r.skipStrings(count, what);
  else await skipArrays(r, count, what, depth + 1);
  return { arrayOf: elemType, length: count } satisfies GgufSkippedArray;
}

/** Walks over `count` nested arrays. Every element costs at least one byte, so the walk is bounded by the file. */
async function skipArrays(r: Reader, count: number, what: string, depth: number): Promise<void> {
  if (depth > MAX_NESTING) throw r.fail(`${what} nests arrays more than ${MAX_NESTING} deep`);
  for (let k = 0; k < count; k++) {
    if (!r.has(12)) await r.fill(12, what);
    const elemType = r.u32();
    const exact = r.bigU64();
    const n = Number(exact);
    if (elemType >= FIXED_SIZE.length) throw r.fail(`${what} is an array of unknown value type ${elemType}`);
    checkedCount(r, n, exact, elemType, what);
    const size = FIXED_SIZE[elemType]!;
    if (size > 0) r.skip(n * size, what);
    else if (elemType === GGUF_TYPE.STRING) await r.skipStrings(n, what);
    else await skipArrays(r, n, what, depth + 1);
  }
}

async function readValue(r: Reader, type: number, what: string): Promise<unknown> {
  if (type === GGUF_TYPE.STRING) return r.string(MAX_STRING, what);
  if (type === GGUF_TYPE.ARRAY) return readArray(r, what, 1);
  const size = FIXED_SIZE[type];
  if (size === undefined) throw r.fail(`${what} has unknown value type ${type}`);
  if (!r.has(size)) await r.fill(size, what);
  return r.scalar(type);
}

function alignmentOf(r: Reader, v: unknown): number {
  if (v === undefined) return DEFAULT_ALIGNMENT;
  const n = typeof v === 'bigint' ? Number(v) : v;
  // ggml pads with a power of two; anything else would put every tensor somewhere llama.cpp does not look.
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 2 ** 30 || (n & (n - 1)) !== 0) {
    const shown =
      typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean'
        ? String(v)
        : typeof v === 'string'
          ? 'a string'
          : 'an array';
    throw r.fail(`general.alignment must be a power of two (it is ${shown})`);
  }
  return n;
}

async function parse(r: Reader): Promise<GgufHeader> {
  if (r.size < 4) throw r.fail(`the file has only ${countOf(r.size, 'byte')}`);
  if (!r.has(4)) await r.fill(4, 'the magic number');
  if (r.u32() !== 0x46554747) throw r.fail('it does not start with "GGUF"');
  if (!r.has(20)) await r.fill(20, 'the header');
  const version = r.u32();
  if (version !== 2 && version !== 3) {
    const swapped =
      ((version & 0xff) << 24) | ((version & 0xff00) << 8) | ((version >>> 8) & 0xff00) | (version >>> 24);
    // A big-endian file (written for s390x) has its version in the high bytes when read little-endian.
    if ((version & 0xffff) === 0 && swapped >= 1 && swapped <= 3) {
      throw r.fail('it is a big-endian GGUF file; only little-endian files are supported (re-convert it)');
    }
    if (version === 1) throw r.fail('GGUF version 1 is obsolete; re-convert the model to a current GGUF');
    throw r.fail(`unsupported GGUF version ${version} (2 and 3 are supported)`);
  }
  // Read exactly, so a message quotes a hostile count as the file has it.
  const tensorCountExact = r.bigU64();
  const kvCountExact = r.bigU64();
  const tensorCount = Number(tensorCountExact);
  const kvCount = Number(kvCountExact);
  // Each entry takes some minimum number of bytes, so the counts cannot exceed what the file has room for.
  if (tensorCount * MIN_TENSOR_ENTRY + kvCount * MIN_KV_ENTRY > r.left) {
    throw r.fail(
      `truncated or corrupt: its header claims ${countOf(tensorCountExact, 'tensor')} and ${countOf(kvCountExact, 'metadata entry', 'metadata entries')}, which cannot fit in a file of ${countOf(r.size, 'byte')}`,
    );
  }
  if (tensorCount > MAX_TENSORS) throw r.fail(`implausible tensor count ${numberText(tensorCount)}`);
  if (kvCount > MAX_KV) throw r.fail(`implausible metadata entry count ${numberText(kvCount)}`);

  // Entries, not assignment into an object: a key named __proto__ must stay a key.
  const entries: [string, unknown][] = [];
  const keys = new Set<string>();
  for (let k = 0; k < kvCount; k++) {
    const key = r.stringNow(MAX_NAME) ?? (await r.string(MAX_NAME, `metadata key ${k}`));
    const what = `metadata ${printable(key)}`;
    if (keys.has(key)) throw r.fail(`${what} appears twice`);
    keys.add(key);
    if (!r.has(4)) await r.fill(4, what);
    const type = r.u32();
    entries.push([key, await readValue(r, type, what)]);
  }
  const metadata = Object.fromEntries(entries);
  const alignment = alignmentOf(r, metadata['general.alignment']);

  const tensorInfos: GgufTensorInfo[] = [];
  const names = new Set<string>();
  for (let k = 0; k < tensorCount; k++) {
    const t = r.tensorNow(alignment) ?? (await r.tensorSlow(k, alignment));
    if (names.has(t.name)) throw r.fail(`tensor ${printable(t.name)} appears twice`);
    names.add(t.name);
    tensorInfos.push(t);
  }
  const tensorDataOffset = Math.ceil(r.pos / alignment) * alignment;
  return { version, metadata, tensorInfos, tensorDataOffset };
}

/**
 * The parts of a split model's file name, as llama.cpp's gguf-split writes them (`<prefix>-00001-of-00003.gguf`),
 * or null for a single file. Here rather than from @huggingface/gguf so a plan does not load that package.
 */
export function parseGgufShardFilename(name: string): { prefix: string; shard: string; total: string } | null {
  const m = /-(\d{5})-of-(\d{5})\.gguf$/.exec(name);
  return m ? { prefix: name.slice(0, m.index), shard: m[1]!, total: m[2]! } : null;
}

export interface ParseOptions {
  /** For tests: tiny chunks make every field straddle a refill. */
  chunkSize?: number;
  /** Called after each read with the bytes read so far. */
  onProgress?: (bytesRead: number) => void;
}

/**
 * Parses a GGUF header from `source`, a file of `size` bytes shown as `name` in messages. Throws UserError with
 * one line naming the file when it is not a usable GGUF.
 */
export async function parseGgufHeader(
  source: ByteSource,
  size: number,
  name: string,
  opts: ParseOptions = {},
): Promise<GgufHeader> {
  const shown = printable(name, 200);
  return parse(new Reader(source, size, shown, Math.max(1, opts.chunkSize ?? CHUNK), opts.onProgress ?? null));
}
