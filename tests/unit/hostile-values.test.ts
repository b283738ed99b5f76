/** Values from people and files: strict numbers, control characters, JSON limits, and absurd kernel values. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInterrupts } from '../../shared/host/parse/interrupts';
import { hugePageSizeProblem, parseRelease } from '../../shared/host/parse/scalar';
import { scanJson } from '../../shared/json-scan';
import { parseStrictNumber } from '../../shared/numbers';
import { parseEdit } from '../../shared/sim/edit';
import { hasControl, jsonSafe, printable } from '../../shared/text';

describe('strict numbers', () => {
  const count = { min: 0, max: 1 << 24, integer: true, unit: 'pages' };
  it('takes plain decimal within range, and says the range and unit otherwise', () => {
    expect(parseStrictNumber('16', count)).toEqual({ ok: true, value: 16 });
    expect(parseStrictNumber('0', count)).toEqual({ ok: true, value: 0 });
    expect(parseStrictNumber('0.25', { min: 0, max: 1 })).toEqual({ ok: true, value: 0.25 });
    for (const bad of ['0x10', '1e3', '-0', '007', ' 5', '5 ', '+5', 'Infinity', '', '1_000', '\u0663', '5.', '.5'])
      expect(parseStrictNumber(bad, count), bad).toEqual({
        ok: false,
        error: 'expected a whole number from 0 to 16,777,216 pages',
      });
    expect(parseStrictNumber('16777217', count)).toMatchObject({ ok: false, error: /^out of range/ });
  });
  it('agrees with the decimal it prints, for every integer in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 24 }), (n) => {
        expect(parseStrictNumber(String(n), count)).toEqual({ ok: true, value: n });
      }),
    );
  });
  it('--set refuses pool-2m=0x10 and friends, naming the value without its escapes', () => {
    for (const v of ['0x10', '1e3', '-0', '007'])
      expect(parseEdit(`pool-2m=${v}`, {})).toMatch(/expected a whole number/);
    expect(parseEdit('release=6.8\u001b]0;x\u0007', {})).toBe(
      'release=6.8?]0;x?: expected a kernel release such as 6.8.0-45-generic',
    );
  });
});

describe('control characters', () => {
  it('are shown as ? in text, kept exact but escaped in JSON', () => {
    expect(printable('a\u001b[2Jb\u202ec\u009bd')).toBe('a?[2Jb?c?d');
    expect(printable('one\ntwo', { keepLines: true })).toBe('one\ntwo');
    expect(printable('x'.repeat(10), { max: 4 })).toBe('xxxx…');
    expect(hasControl('plain')).toBe(false);
    expect(hasControl('bell\u0007')).toBe(true);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const json = jsonSafe(JSON.stringify({ s }));
        expect((JSON.parse(json) as { s: string }).s).toBe(s);
        // eslint-disable-next-line no-control-regex
        expect(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(json)).toBe(false);
        expect(hasControl(printable(s))).toBe(false);
      }),
    );
  });
});

describe('JSON limits before parsing', () => {
  const limits = { maxDepth: 8, maxEntries: 100, maxValues: 1000, maxString: 50 };
  it('refuses depth, width, value count and string length, and passes what is within them', () => {
    expect(scanJson('[[[[[[[[[]]]]]]]]]', limits)).toMatch(/deeper than 8/);
    expect(scanJson(`[${Array(101).fill(0).join(',')}]`, limits)).toMatch(/more than 100 entries/);
    expect(
      scanJson(
        `[${Array(20)
          .fill(`[${Array(60).fill(1).join(',')}]`)
          .join(',')}]`,
        limits,
      ),
    ).toMatch(/more than 1,000 values/);
    expect(scanJson(`{"a":"${'x'.repeat(51)}"}`, limits)).toMatch(/more than 50 characters/);
    expect(scanJson(`{"a":"${'\\u0041'.repeat(50)}"}`, limits)).toBeNull();
    expect(scanJson('{"a":[1,2,{"b":"]]]]]]]]]]]]]"}],"c":null}', limits)).toBeNull();
  });
  it('never refuses JSON within its limits', () => {
    fc.assert(
      fc.property(fc.json({ depthSize: 'small' }), (text) => {
        const depth = (v: unknown): number =>
          typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0;
        const within = depth(JSON.parse(text)) <= 8 && text.length < 1000;
        if (within) expect(scanJson(text, { maxDepth: 8, maxEntries: 1000, maxValues: 1000 })).toBeNull();
      }),
    );
  });
});

describe('absurd kernel values become diagnostics', () => {
  it('a release holding escapes, a space or 65 characters is not a release', () => {
    expect(parseRelease('6.18.44-fc-v595\n')).toEqual({ ok: true, value: '6.18.44-fc-v595' });
    expect(parseRelease('6.18.0\u001b]0;x\u0007')).toEqual({
      ok: false,
      reason: 'not a kernel release: "6.18.0\\u001b]0;x\\u0007"',
    });
    expect(parseRelease('6.8 x').ok).toBe(false);
    expect(parseRelease(`6.8.${'1'.repeat(70)}`).ok).toBe(false);
  });
  it('a page size no kernel has', () => {
    for (const ok of [64, 2048, 32768, 1048576, 16777216]) expect(hugePageSizeProblem(ok)).toBeNull();
    expect(hugePageSizeProblem(999_999_999_999)).toMatch(/claims pages of 999,999,999,999 KiB/);
    expect(hugePageSizeProblem(3000)).not.toBeNull();
  });
  it('/proc/interrupts counts beyond 2^53', () => {
    const text = '           CPU0       CPU1\n TLB:  99999999999999999999  1   TLB shootdowns\n';
    expect(parseInterrupts(text)).toEqual({
      ok: false,
      reason: 'row "TLB": a count beyond 2^53, which no kernel counter reaches',
    });
  });
});
