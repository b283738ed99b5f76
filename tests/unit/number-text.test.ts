import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countOf, numberText } from '../../shared/number-text';

/** What the browser's Intl would print: numberText must be exactly that, without loading ICU. */
const intl = (x: number, min: number, max: number): string =>
  new Intl.NumberFormat('en-US', { minimumFractionDigits: min, maximumFractionDigits: Math.max(min, max) }).format(x);

describe('numberText', () => {
  it('groups and rounds as people read figures', () => {
    expect(numberText(1234567)).toBe('1,234,567');
    expect(numberText(1234.5678, { max: 1 })).toBe('1,234.6');
    expect(numberText(2, { min: 2, max: 2 })).toBe('2.00');
    expect(numberText(0.4, { max: 0 })).toBe('0');
    expect(numberText(999.96, { max: 1 })).toBe('1,000');
    expect(numberText(-0.001, { max: 2 })).toBe('-0');
    expect(numberText(1.005, { max: 2 })).toBe('1.01');
    expect(numberText(1e21)).toBe('1,000,000,000,000,000,000,000');
    expect(numberText(5e-7, { max: 6 })).toBe('0.000001');
    expect(numberText(Infinity)).toBe('∞');
    expect(numberText(Number.NaN)).toBe('NaN');
  });

  it('is the text Intl.NumberFormat("en-US") gives, for any number and digits', () => {
    const numbers = fc.oneof(
      fc.double({ noNaN: false }),
      fc.integer({ min: -1e15, max: 1e15 }).map((n) => n / 1000),
      fc.integer({ min: -1e9, max: 1e9 }),
      fc.constantFrom(0, -0, 0.5, 1.5, 2.5, -2.5, 0.05, 0.005, 1.005, 1.0005, 9.995, 99.95, 1e21, 1e-7, 2 ** 53),
    );
    fc.assert(
      fc.property(numbers, fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 8 }), (x, min, max) => {
        expect(numberText(x, { min, max })).toBe(intl(x, min, max));
      }),
      { numRuns: 20_000 },
    );
  });

  it('uses Intl’s default of at most three fraction digits', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e12, max: 1e12, noNaN: true }), (x) => {
        expect(numberText(x)).toBe(x.toLocaleString('en-US'));
      }),
    );
  });
});

describe('countOf', () => {
  it('a count and its noun agree', () => {
    expect(countOf(1, 'tensor')).toBe('1 tensor');
    expect(countOf(0, 'tensor')).toBe('0 tensors');
    expect(countOf(2_000_000, 'byte')).toBe('2,000,000 bytes');
    expect(countOf(1n, 'metadata entry', 'metadata entries')).toBe('1 metadata entry');
    expect(countOf(2n ** 60n, 'metadata entry', 'metadata entries')).toBe('1,152,921,504,606,846,976 metadata entries');
  });
});
