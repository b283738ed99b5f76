/**
 * The GGUF header reader: the same answers as @huggingface/gguf (an independent, complete parser) on every
 * file it can read, the tokenizer's arrays walked over rather than decoded, and hostile headers refused at once.
 */
import { gguf, parseGgufShardFilename as referenceShardName } from '@huggingface/gguf';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGgufShardFilename, readGgufHeader, SMALL_ARRAY, type GgufHeader } from '../../electron/host/gguf-header';
import { readGgufModel } from '../../electron/host/gguf';
import { UserError } from '../../shared/errors';
import {
  ggufHeader,
  llama70bQ4KM,
  llamaMeta,
  llamaTensors,
  T,
  tensorSize,
  TYPE_SIZE,
  writeGguf,
  type MetaValue,
  type TensorDef,
  type TypedArray,
} from '../fixtures/gguf';

const tmp = mkdtempSync(join(tmpdir(), 'hugetune-gguf-header-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Reference = Awaited<ReturnType<typeof gguf>>;
const reference = (path: string): Promise<Reference> => gguf(path, { allowLocalFile: true });

/** Asserts that our header says what the reference parser says, arrays aside from their length. */
function expectSame(mine: GgufHeader, ref: Reference): void {
  const { version, tensor_count: _t, kv_count: _k, ...refMeta } = ref.metadata;
  expect(mine.version).toBe(version);
  expect(Object.keys(mine.metadata)).toEqual(Object.keys(refMeta));
  for (const [key, want] of Object.entries(refMeta)) {
    const got = mine.metadata[key];
    if (!Array.isArray(want)) {
      expect(got, key).toEqual(want);
      continue;
    }
    if (Array.isArray(got)) {
      // Decoded: a small array of numbers or booleans (64-bit integers as numbers).
      expect(want.length, key).toBeLessThanOrEqual(SMALL_ARRAY);
      expect(got, key).toEqual((want as unknown[]).map((x) => (typeof x === 'bigint' ? Number(x) : x)));
    } else {
      // Skipped: strings, nested arrays, or too long to be per-layer values.
      expect(got, key).toEqual({ arrayOf: expect.any(Number) as number, length: want.length });
      const { arrayOf } = got as { arrayOf: number };
      expect(arrayOf === T.STRING || arrayOf === T.ARRAY || want.length > SMALL_ARRAY, key).toBe(true);
      if (typeof want[0] === 'string') expect(arrayOf, key).toBe(T.STRING);
      if (Array.isArray(want[0])) expect(arrayOf, key).toBe(T.ARRAY);
    }
  }
  expect(mine.tensorInfos).toEqual(
    ref.tensorInfos.map((t) => ({
      name: t.name,
      shape: t.shape.map(Number),
      dtype: t.dtype,
      offset: Number(t.offset),
    })),
  );
  expect(mine.tensorDataOffset).toBe(Number(ref.tensorDataOffset));
}

let n = 0;
function write(meta: Record<string, MetaValue>, tensors: TensorDef[], opts = {}): string {
  const path = join(tmp, `f${n++}.gguf`);
  writeGguf(path, meta, tensors, opts);
  return path;
}
function writeBytes(bytes: Uint8Array): string {
  const path = join(tmp, `f${n++}.gguf`);
  writeFileSync(path, bytes);
  return path;
}

/** The reader's refusal of a file: a UserError whose single line names the file. */
async function refusal(path: string, chunkSize?: number): Promise<string> {
  const e = await readGgufHeader(path, { chunkSize }).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UserError);
  const msg = (e as UserError).message;
  expect(msg.startsWith(`${basename(path)}: `)).toBe(true);
  // eslint-disable-next-line no-control-regex
  expect(msg).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  return msg;
}

const tinyShape = { layers: 2, hidden: 256, kvDim: 64, ffn: 512, vocab: 512, type: 12 };
const tinyMeta = llamaMeta({ name: 'tiny', layers: 2, hidden: 256, heads: 4, kvHeads: 1, ctx: 2048, vocab: 512 });

describe('the same answers as @huggingface/gguf', () => {
  it('a small llama model, read in chunks of any size', async () => {
    const path = write(tinyMeta, llamaTensors(tinyShape));
    const mine = await readGgufHeader(path);
    expectSame(mine, await reference(path));
    // Tiny chunks put every field across a refill: the slow paths must agree with the fast ones.
    for (const chunkSize of [1, 2, 3, 7, 8, 13, 64, 100, 4096]) {
      expect(await readGgufHeader(path, { chunkSize }), `chunk ${chunkSize}`).toEqual(mine);
    }
  });

  it('every value type, small and large arrays, GGUF v2 and a custom alignment', async () => {
    const meta: Record<string, MetaValue> = {
      'general.architecture': 'llama',
      'general.alignment': { type: T.U32, value: 64 },
      u8: { type: T.U8, value: 255 },
      i8: { type: T.I8, value: -128 },
      u16: { type: T.U16, value: 65535 },
      i16: { type: T.I16, value: -32768 },
      u32: { type: T.U32, value: 4294967295 },
      i32: { type: T.I32, value: -2147483648 },
      f32: { type: T.F32, value: 0.1 },
      bool: true,
      str: 'héllo, 世界',
      u64: { type: T.U64, value: 2n ** 64n - 1n },
      i64: { type: T.I64, value: -(2n ** 63n) },
      f64: { type: T.F64, value: Math.PI },
      'llama.attention.head_count_kv': { type: T.ARRAY, of: T.I32, items: [8, 8, 0, 8, 4] },
      'per_layer.u64': { type: T.ARRAY, of: T.U64, items: [1n, 2n, 3n] },
      'per_layer.bool': { type: T.ARRAY, of: T.BOOL, items: [true, false, true] },
      'edge.small': { type: T.ARRAY, of: T.F32, items: new Float32Array(SMALL_ARRAY).fill(0.5) },
      'edge.large': { type: T.ARRAY, of: T.F32, items: new Float32Array(SMALL_ARRAY + 1).fill(0.5) },
      'small.strings': ['a', 'b'],
      empty: { type: T.ARRAY, of: T.STRING, items: [] },
      nested: {
        type: T.ARRAY,
        of: T.ARRAY,
        items: [
          { type: T.ARRAY, of: T.U8, items: [1, 2, 3] },
          { type: T.ARRAY, of: T.STRING, items: ['x', 'yz'] },
        ],
      },
    };
    for (const version of [2, 3]) {
      const path = write(meta, llamaTensors(tinyShape), { version });
      const mine = await readGgufHeader(path);
      expectSame(mine, await reference(path));
      for (const chunkSize of [1, 5, 31, 1000]) expect(await readGgufHeader(path, { chunkSize })).toEqual(mine);
      expect(mine.metadata['per_layer.u64']).toEqual([1, 2, 3]);
      expect(mine.metadata['edge.large']).toEqual({ arrayOf: T.F32, length: SMALL_ARRAY + 1 });
      expect(mine.metadata['small.strings']).toEqual({ arrayOf: T.STRING, length: 2 });
      expect(mine.metadata['nested']).toEqual({ arrayOf: T.ARRAY, length: 2 });
      expect(mine.tensorDataOffset % 64).toBe(0);
    }
  });

  it('a realistic 42 GB Llama 3.3 70B Q4_K_M: 128k-token tokenizer, 280k merges, 724 tensors', async () => {
    const { meta, tensors } = llama70bQ4KM();
    const path = write(meta, tensors);
    const mine = await readGgufHeader(path);
    expectSame(mine, await reference(path));
    expect(await readGgufHeader(path, { chunkSize: 4093 })).toEqual(mine);
    expect(mine.metadata['tokenizer.ggml.tokens']).toEqual({ arrayOf: T.STRING, length: 128256 });
    expect(mine.metadata['tokenizer.ggml.scores']).toEqual({ arrayOf: T.F32, length: 128256 });
    expect(mine.metadata['tokenizer.ggml.token_type']).toEqual({ arrayOf: T.I32, length: 128256 });
    expect(mine.metadata['tokenizer.ggml.merges']).toEqual({ arrayOf: T.STRING, length: 280147 });
    expect(mine.tensorInfos).toHaveLength(724);
    const weights = tensors.reduce((s, t) => s + tensorSize(t), 0);
    expect(weights / 1e9).toBeCloseTo(42.5, 0);
    const model = await readGgufModel(path);
    expect(model.weightsBytes).toBe(weights);
    expect(model).toMatchObject({ layers: 80, hidden: 8192, vocab: 128256, contextMax: 131072 });
  }, 60_000);

  const pow2 = fc.constantFrom(1, 2, 4, 8, 16, 32, 64, 128, 256);
  const scalarOf = (type: number): fc.Arbitrary<unknown> =>
    [
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: -128, max: 127 }),
      fc.integer({ min: 0, max: 65535 }),
      fc.integer({ min: -32768, max: 32767 }),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      fc.float(),
      fc.boolean(),
      fc.string({ unit: 'grapheme', maxLength: 24 }),
      fc.constant(null),
      fc.bigInt(0n, 2n ** 64n - 1n),
      fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n),
      fc.double(),
    ][type]!;
  const scalarTypes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12];
  const typedScalar = fc
    .constantFrom(...scalarTypes)
    .chain((type) => scalarOf(type).map((value) => ({ type, value }) as MetaValue));
  const arrayOf = (type: number, maxLength: number) =>
    fc.array(scalarOf(type), { maxLength }).map((items) => ({ type: T.ARRAY, of: type, items }) as TypedArray);
  const typedArray = fc.oneof(
    fc.constantFrom(...scalarTypes).chain((type) => arrayOf(type, 12)),
    // Either side of the decode/skip threshold.
    fc
      .tuple(fc.constantFrom(0, 2, 6, 7, 10), fc.integer({ min: SMALL_ARRAY - 2, max: SMALL_ARRAY + 2 }))
      .map(([type, length]) => ({
        type: T.ARRAY,
        of: type,
        items: Array<number | boolean | bigint>(length).fill(type === 7 ? true : type === 10 ? 1n : 1),
      })),
    fc.array(arrayOf(4, 4), { maxLength: 3 }).map((items) => ({ type: T.ARRAY, of: T.ARRAY, items })),
  );
  // Keys the reference parser treats specially (its own header fields, the object prototype) are left out.
  const key = fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 30 })
    .filter((k) => !['version', 'tensor_count', 'kv_count', '__proto__'].includes(k));
  const blocked = Object.keys(TYPE_SIZE).map(Number);
  const tensor = fc
    .tuple(fc.constantFrom(...blocked), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }))
    .map(([type, dims]) => ({ type, shape: [dims[0]! * TYPE_SIZE[type]![0], ...dims.slice(1)] }));
  const model = fc.record({
    meta: fc.dictionary(key, fc.oneof(typedScalar, typedArray), { maxKeys: 12 }),
    alignment: fc.option(pow2),
    tensors: fc.uniqueArray(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 40 }), tensor), {
      maxLength: 12,
      selector: ([name]) => name,
    }),
    version: fc.constantFrom(2, 3),
  });

  it('on random metadata and tensor tables', async () => {
    await fc.assert(
      fc.asyncProperty(
        model,
        fc.integer({ min: 1, max: 300 }),
        async ({ meta, alignment, tensors, version }, chunkSize) => {
          const m = { ...meta };
          if (alignment !== null) m['general.alignment'] = { type: T.U32, value: alignment };
          const path = write(
            m,
            tensors.map(([name, t]) => ({ name, ...t })),
            { version },
          );
          try {
            const mine = await readGgufHeader(path);
            expectSame(mine, await reference(path));
            expect(await readGgufHeader(path, { chunkSize })).toEqual(mine);
          } finally {
            rmSync(path);
          }
        },
      ),
      { numRuns: 100 },
    );
  }, 60_000);
});

describe('hostile and broken files', () => {
  const smallMeta: Record<string, MetaValue> = {
    'general.architecture': 'llama',
    'general.name': 'small',
    'llama.attention.head_count_kv': { type: T.ARRAY, of: T.U32, items: [8, 8, 4] },
    'tokenizer.ggml.tokens': ['<s>', 'a', 'bc', 'déf'],
    'big.u64': { type: T.U64, value: 7n },
    nested: { type: T.ARRAY, of: T.ARRAY, items: [{ type: T.ARRAY, of: T.STRING, items: ['p', 'q'] }] },
  };
  const smallTensors: TensorDef[] = [
    { name: 'a', shape: [32, 2], type: 0 },
    { name: 'b', shape: [256], type: 12 },
    { name: 'c', shape: [4, 4, 4, 4], type: 1 },
  ];

  it('a file cut at any byte of its header is refused as truncated', async () => {
    const { header } = ggufHeader(smallMeta, smallTensors);
    const path = join(tmp, 'prefix.gguf');
    for (let len = 0; len < header.length; len++) {
      writeFileSync(path, header.subarray(0, len));
      expect(await refusal(path), `cut at ${len}`).toMatch(len < 4 ? /only \d+ bytes?$/ : /truncated/);
      expect(await refusal(path, 5), `cut at ${len}, small chunks`).toMatch(len < 4 ? /only \d+ bytes?$/ : /truncated/);
    }
    writeFileSync(path, header);
    expect((await readGgufHeader(path)).tensorInfos).toHaveLength(3);
    // One byte is one byte, and large counts are grouped.
    writeFileSync(path, header.subarray(0, 1));
    expect(await refusal(path)).toMatch(/: the file has only 1 byte$/);
    const long = ggufHeader({ ...smallMeta, 'general.name': 'x'.repeat(3000) }, smallTensors).header;
    writeFileSync(path, long.subarray(0, 2000));
    expect(await refusal(path)).toMatch(/would end at byte 3,\d{3} but the file has 2,000 bytes$/);
  });

  it('a count the file has no room for is refused before anything is read or allocated', async () => {
    const { header } = ggufHeader({ 'general.name': 'x' }, [{ name: 't', shape: [32], type: 0 }]);
    const tensors = Buffer.from(header);
    tensors.writeBigUInt64LE(2_000_000n, 8);
    expect(await refusal(writeBytes(tensors))).toMatch(
      /claims 2,000,000 tensors and 1 metadata entry, which cannot fit in a file of \d+ bytes$/,
    );
    const kvs = Buffer.from(header);
    kvs.writeBigUInt64LE(2n ** 60n, 16);
    expect(await refusal(writeBytes(kvs))).toMatch(/claims 1 tensor and 1,152,921,504,606,846,976 metadata entries/);
    // An array claiming more elements than the file's bytes could hold.
    const arr = Buffer.from(ggufHeader({ a: { type: T.ARRAY, of: T.STRING, items: ['x'] } }, []).header);
    arr.writeBigUInt64LE(2n ** 62n, 24 + 8 + 1 + 4 + 4);
    expect(await refusal(writeBytes(arr))).toMatch(
      /metadata a claims [\d,]+ string elements \(at least 8 bytes each\) but only \d+ bytes follow$/,
    );
  });

  it('huge string lengths are refused', async () => {
    const { header } = ggufHeader({ 'general.name': 'x' }, []);
    for (const len of [2n ** 40n, 2n ** 64n - 1n, BigInt(header.length)]) {
      const b = Buffer.from(header);
      b.writeBigUInt64LE(len, 24);
      expect(await refusal(writeBytes(b))).toMatch(/truncated: metadata key 0 would end at byte \d+/);
    }
    // Within the file, but no key is a megabyte long.
    const longKey = write({ ['k'.repeat(1.5 * 2 ** 20)]: 1 }, []);
    expect(await refusal(longKey)).toMatch(
      /metadata key 0 is 1,572,864 bytes long \(at most 1,048,576 bytes expected\)/,
    );
    // A string inside a skipped array.
    const arr = Buffer.from(ggufHeader({ a: ['x', 'y'] }, []).header);
    arr.writeBigUInt64LE(2n ** 50n, 24 + 8 + 1 + 4 + 4 + 8);
    expect(await refusal(writeBytes(arr))).toMatch(/truncated: metadata a would end at byte/);
  });

  it('tensors with 5 dimensions, a zero dimension or more than 2^53 elements are refused', async () => {
    const five = write({}, [{ name: 'x', shape: [2, 2, 2, 2, 2], type: 0 }]);
    expect(await refusal(five)).toMatch(/tensor x has 5 dimensions; a GGUF tensor has at most 4/);
    const zero = write({}, [{ name: 'z', shape: [32, 0], type: 0 }]);
    expect(await refusal(zero)).toMatch(/tensor z has a dimension of 0/);
    const huge = ggufHeader({}, [{ name: 'h', shape: [2 ** 27, 2 ** 27], type: 0 }]).header;
    expect(await refusal(writeBytes(huge))).toMatch(/tensor h has more than 2\^53 elements/);
    const lots = Buffer.from(ggufHeader({}, [{ name: 'd', shape: [32], type: 0 }]).header);
    lots.writeUInt32LE(2 ** 31, 24 + 8 + 1);
    expect(await refusal(writeBytes(lots))).toMatch(/has 2147483648 dimensions/);
  });

  it('an unknown value type, as a value or an array element, is refused', async () => {
    const value = Buffer.from(ggufHeader({ k: 1 }, []).header);
    value.writeUInt32LE(13, 24 + 8 + 1);
    expect(await refusal(writeBytes(value))).toMatch(/metadata k has unknown value type 13/);
    const element = Buffer.from(ggufHeader({ k: [1, 2] }, []).header);
    element.writeUInt32LE(99, 24 + 8 + 1 + 4);
    expect(await refusal(writeBytes(element))).toMatch(/metadata k is an array of unknown value type 99/);
  });

  it('big-endian files are refused clearly (the reference reads them: they are well formed)', async () => {
    const path = write(tinyMeta, llamaTensors(tinyShape), { bigEndian: true });
    expect((await reference(path)).metadata).toMatchObject({ 'general.name': 'tiny' });
    expect(await refusal(path)).toMatch(/big-endian GGUF file; only little-endian files are supported/);
  });

  it('other versions, other formats, bad alignment, duplicates', async () => {
    expect(await refusal(write(tinyMeta, [], { version: 1 }))).toMatch(/GGUF version 1 is obsolete/);
    expect(await refusal(write(tinyMeta, [], { version: 7 }))).toMatch(/unsupported GGUF version 7/);
    expect(await refusal(writeBytes(Buffer.from('hello, not a model\n')))).toMatch(/does not start with "GGUF"/);
    expect(await refusal(write({ 'general.alignment': 24 }, []))).toMatch(/general.alignment must be a power of two/);
    const dupKeys = Buffer.from(ggufHeader({ aa: 1, ab: 2 }, []).header);
    dupKeys.write('aa', dupKeys.indexOf('ab'));
    expect(await refusal(writeBytes(dupKeys))).toMatch(/metadata aa appears twice/);
    const dupNames = Buffer.from(
      ggufHeader({}, [
        { name: 'w1', shape: [32], type: 0 },
        { name: 'w2', shape: [32], type: 0 },
      ]).header,
    );
    dupNames.write('w1', dupNames.indexOf('w2'));
    expect(await refusal(writeBytes(dupNames))).toMatch(/tensor w1 appears twice/);
    const deep = (d: number): TypedArray =>
      d === 0 ? { type: T.ARRAY, of: T.U8, items: [1] } : { type: T.ARRAY, of: T.ARRAY, items: [deep(d - 1)] };
    expect(await refusal(write({ deep: deep(8) }, []))).toMatch(/nests arrays more than 4 deep/);
    expect(await refusal(join(tmp, 'absent.gguf'))).toMatch(/no such file/);
    expect(await refusal(tmp + '/')).toMatch(/not a regular file \(directory\)/);
    const fifo = join(tmp, 'fifo.gguf');
    spawnSync('mkfifo', [fifo]);
    expect(await refusal(fifo)).toMatch(/not a regular file \(FIFO\)/);
  });

  it('names from the file reach messages without control characters', async () => {
    const path = write({}, [{ name: 'evil\n\u001b[31mred\u202e', shape: [2, 2, 2, 2, 2], type: 0 }]);
    expect(await refusal(path)).toMatch(/tensor evil\?\?\[31mred\? has 5 dimensions/);
  });

  it('a key named __proto__ stays a key', async () => {
    const path = write(Object.fromEntries([['__proto__', 5]]), []);
    const h = await readGgufHeader(path);
    expect(Object.getPrototypeOf(h.metadata)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(h.metadata, '__proto__')?.value).toBe(5);
  });
});

describe('split model file names', () => {
  it('parses as @huggingface/gguf does', () => {
    // The reference's `.*` stops at line breaks, so it misses shards whose prefix has one; ours does not.
    const text = fc.string().filter((t) => !/[\n\r\u2028\u2029]/.test(t));
    const names = fc.oneof(
      text,
      fc
        .tuple(text, fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 99999 }))
        .map(([p, a, b]) => `${p}-${String(a).padStart(5, '0')}-of-${String(b).padStart(5, '0')}.gguf`),
    );
    const cases = [
      'm-00001-of-00003.gguf',
      'a-b-00002-of-00002.gguf',
      'm-1-of-3.gguf',
      'x.gguf',
      '-00001-of-00001.gguf',
    ];
    for (const name of cases) expect(parseGgufShardFilename(name), name).toEqual(referenceShardName(name));
    fc.assert(
      fc.property(names, (name) => {
        expect(parseGgufShardFilename(name)).toEqual(referenceShardName(name));
      }),
    );
    expect(parseGgufShardFilename('a\nb-00001-of-00002.gguf')).toEqual({
      prefix: 'a\nb',
      shard: '00001',
      total: '00002',
    });
  });
});
