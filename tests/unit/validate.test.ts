/** One-line validation messages: the path, what was expected (with its limits), what was found. */
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { API_METHODS, dispatch, type Handlers, type Method } from '../../shared/api';
import { decimal, integer, matching, printable, text, validate } from '../../shared/validate';

const error = (schema: v.GenericSchema, value: unknown): string => {
  const r = validate(schema, value);
  return r.ok ? '(accepted)' : r.error;
};

describe('validate', () => {
  const schema = v.strictObject({
    context: integer(1, 1_048_576),
    ratio: v.optional(decimal(0, 1)),
    name: v.optional(text(8)),
    release: v.optional(matching(20, /^\d+\.\d+$/, 'a release like 6.12')),
    mode: v.optional(v.picklist(['on', 'off'])),
    list: v.optional(v.pipe(v.array(v.strictObject({ size: integer(0, 10) })), v.maxLength(2))),
    files: v.optional(v.record(v.string(), v.strictObject({ text: text(4) }))),
    either: v.optional(v.union([v.literal('auto'), v.strictObject({ fixed: integer(1, 9) })])),
  });

  it('returns the typed value when it fits', () => {
    expect(validate(schema, { context: 4096, mode: 'on' })).toEqual({ ok: true, value: { context: 4096, mode: 'on' } });
  });

  it.each([
    [{ context: 0 }, 'context: expected an integer from 1 to 1,048,576, got 0'],
    [{ context: 1.5 }, 'context: expected an integer from 1 to 1,048,576, got 1.5'],
    [{ context: '5' }, 'context: expected an integer from 1 to 1,048,576, got "5"'],
    [{ context: 1, ratio: 2 }, 'ratio: expected a number from 0 to 1, got 2'],
    [
      { context: 1, name: 'x'.repeat(50) },
      `name: expected a string of at most 8 characters, got "${'x'.repeat(40)}..." (50 characters)`,
    ],
    [{ context: 1, release: '6' }, 'release: expected a release like 6.12, got "6"'],
    [{ context: 1, mode: 'auto' }, 'mode: expected one of "on", "off", got "auto"'],
    [{ context: 1, list: [{ size: 1 }, { size: 11 }] }, 'list[1].size: expected an integer from 0 to 10, got 11'],
    [
      { context: 1, list: [{ size: 1 }, { size: 1 }, { size: 1 }] },
      'list: expected an array of at most 2 items, got an array of 3 items',
    ],
    [{ context: 1, list: [{}] }, 'list[0].size: missing, expected an integer from 0 to 10'],
    [
      { context: 1, files: { '/proc/meminfo': { text: 'long text' } } },
      'files["/proc/meminfo"].text: expected a string of at most 4 characters, got "long text"',
    ],
    [{ context: 1, either: { fixed: 0 } }, 'either.fixed: expected an integer from 1 to 9, got 0'],
    [{ context: 1, either: 'manual' }, 'either: expected "auto" or an object with keys fixed, got "manual"'],
    [{}, 'context: missing, expected an integer from 1 to 1,048,576'],
    [
      { context: 1, extra: true },
      'extra: unknown key (expected context, ratio, name, release, mode, list, files, either)',
    ],
    [null, 'value: expected an object with keys context, ratio, name, release, mode, list, files, either, got null'],
  ])('%j: %s', (value, message) => {
    expect(error(schema, value)).toBe(message);
  });

  it('lists the keys an object takes when there are few', () => {
    expect(error(v.strictObject({ a: v.boolean() }), { a: true, b: 1 })).toBe('b: unknown key (expected a)');
    expect(error(v.strictObject({}), { b: 1 })).toBe('b: unknown key (expected none)');
  });

  it('strips control characters from anything the input supplies', () => {
    expect(error(schema, { context: 1, release: '6.1\u001b]0;pwned\u0007' })).toBe(
      'release: expected a release like 6.12, got "6.1]0;pwned"',
    );
    expect(error(v.strictObject({}), { 'key\u001b[2J\u202e': 1 })).toBe('["key[2J"]: unknown key (expected none)');
    expect(printable('a\u0000b\u009bc\u2066d\ne')).toBe('abcde');
  });

  it('answers every API method with one printable line for anything sent', async () => {
    const methods = Object.keys(API_METHODS) as Method[];
    const handlers = new Proxy({}, { get: () => () => ({}) }) as Handlers;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...methods), fc.anything({ maxDepth: 3 }), async (method, args) => {
        const env = await dispatch(handlers, method, args);
        if (env.ok) return;
        expect(env.error.code).toBe('bad-request');
        expect(env.error.message.startsWith(`${method}: `)).toBe(true);
        expect(env.error.message).toBe(printable(env.error.message, 400));
        expect(env.error.message).not.toMatch(/\[object |undefined/);
        expect(env.error.message.length).toBeLessThan(400);
      }),
      { numRuns: 500 },
    );
  });
});
