/**
 * Memory as text (shared/units.ts): every figure reads back as the amount it stands for, a column keeps one
 * unit, a nonzero amount never reads as zero, and the planner's verdict figures keep their extra digits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  byteLabel,
  digitsFor,
  exactKiB,
  exactMiB,
  memIn,
  memLabel,
  mibToKiB,
  proseMiB,
  sizeLabel,
  unitFor,
  unitOf,
  verdictDigits,
  verdictIn,
  verdictLabel,
  verdictUnitFor,
  type MemUnit,
} from '../../shared/units';

const UNITS: MemUnit[] = ['KiB', 'MiB', 'GiB', 'TiB'];
const KIB_PER: Record<MemUnit, number> = { KiB: 1, MiB: 1024, GiB: 1024 ** 2, TiB: 1024 ** 3 };

/** What a figure's text says: a value to some decimals, or a bound ("< 0.1 GiB", "> -0.1 GiB"), in a unit. */
function parse(text: string): { unit: MemUnit; value: number; digits: number } | { unit: MemUnit; bound: number } {
  const small = /^([<>]) (-?)(\d+(?:\.\d+)?) (KiB|MiB|GiB|TiB)$/.exec(text);
  if (small) {
    expect(small[2]).toBe(small[1] === '<' ? '' : '-'); // "< 0.1" for positive, "> -0.1" for negative
    return { unit: small[4] as MemUnit, bound: Number(`${small[2]}${small[3]}`) };
  }
  const m = /^(-?\d{1,3}(?:,\d{3})*)(?:\.(\d+))? (KiB|MiB|GiB|TiB)$/.exec(text);
  if (!m) throw new Error(`not a memory figure: ${JSON.stringify(text)}`);
  const frac = m[2] ?? '';
  return { unit: m[3] as MemUnit, value: Number(`${m[1]!.replaceAll(',', '')}.${frac || '0'}`), digits: frac.length };
}

/**
 * The text reads back as `kib` to within half its last digit; a bound holds and is the last digit itself, and
 * is given only for an amount that would round to zero. Returns the figure's unit and decimals (null for a bound).
 */
function readsBack(text: string, kib: number): { unit: MemUnit; digits: number | null } {
  const p = parse(text);
  const x = kib / KIB_PER[p.unit];
  const slack = 1e-9 * Math.max(1, Math.abs(x));
  if ('bound' in p) {
    expect(x).not.toBe(0);
    expect(Math.sign(p.bound)).toBe(Math.sign(x));
    expect(Math.abs(x)).toBeLessThanOrEqual(Math.abs(p.bound) / 2 + slack);
    expect(String(Math.abs(p.bound))).toMatch(/^(1|0\.0*1)$/);
    return { unit: p.unit, digits: null };
  }
  expect(Math.abs(p.value - x)).toBeLessThanOrEqual(0.5 * 10 ** -p.digits + slack);
  if (x !== 0) expect(p.value).not.toBe(0);
  return { unit: p.unit, digits: p.digits };
}

/** KiB amounts from a fraction of a KiB to many TiB, whole and fractional, either sign, and exact halves. */
const amount = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 44 }),
  fc.double({ min: 0, max: 2 ** 44, noNaN: true }),
  fc.double({ min: 0, max: 2048, noNaN: true }),
  fc
    .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 4 }), fc.constantFrom<MemUnit>(...UNITS))
    .map(([n, e, u]) => ((n * 10 ** -e) / 2) * KIB_PER[u]),
);
const signed = fc.tuple(amount, fc.boolean()).map(([a, neg]) => (neg ? -a : a));

describe('memory figures', () => {
  it('read back as the amount, to within half their last digit, in every unit and precision', () => {
    fc.assert(
      fc.property(signed, fc.constantFrom(...UNITS), fc.option(fc.integer({ min: 0, max: 3 })), (kib, unit, d) => {
        const text = memIn(kib, unit, d ?? undefined);
        const r = readsBack(text, kib);
        expect(r.unit).toBe(unit);
        if (r.digits !== null && d !== null) expect(r.digits).toBe(d);
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(signed, (kib) => {
        readsBack(memLabel(kib), kib);
        readsBack(verdictLabel(kib), kib);
      }),
      { numRuns: 5000 },
    );
  });

  it('share one unit down a column, the unit of its largest value, and one number of decimals', () => {
    fc.assert(
      fc.property(fc.array(fc.option(signed, { freq: 8 }), { minLength: 1, maxLength: 12 }), (column) => {
        const unit = unitFor(column);
        const digits = digitsFor(column, unit);
        const max = Math.max(0, ...column.map((v) => Math.abs(v ?? 0)));
        expect(unit).toBe(unitOf(max));
        if (unit !== 'KiB') expect(max / KIB_PER[unit]).toBeGreaterThanOrEqual(1);
        if (unit !== 'TiB') expect(max / KIB_PER[unit]).toBeLessThan(1024);
        for (const v of column) {
          const text = memIn(v, unit, digits);
          if (v === null) expect(text).toBe('unknown');
          else {
            const r = readsBack(text, v);
            expect(r.unit).toBe(unit);
            if (r.digits !== null) expect(r.digits).toBe(digits);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('verdict figures: one unit per set, never TiB, and their own decimals', () => {
    fc.assert(
      fc.property(fc.array(fc.option(signed, { freq: 8 }), { minLength: 1, maxLength: 12 }), (set) => {
        const unit = verdictUnitFor(set);
        expect(unit).toBe(unitFor(set) === 'TiB' ? 'GiB' : unitFor(set));
        for (const v of set) {
          if (v === null) continue;
          const r = readsBack(verdictIn(v, unit), v);
          expect(r.unit).toBe(unit);
          if (r.digits !== null) expect(r.digits).toBe(verdictDigits(v, unit));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('say a nonzero amount is small, at the precision shown, rather than round it to zero', () => {
    const GiB = KIB_PER.GiB;
    expect(memIn(0.008 * GiB, 'GiB', 3)).toBe('0.008 GiB');
    expect(memIn(0.0004 * GiB, 'GiB', 3)).toBe('< 0.001 GiB');
    expect(memIn(0.0005 * GiB, 'GiB', 3)).toBe('0.001 GiB');
    expect(memIn(0.04 * GiB, 'GiB')).toBe('< 0.1 GiB');
    expect(memIn(0.05 * GiB, 'GiB')).toBe('0.1 GiB');
    expect(memIn(0.04 * GiB, 'GiB', 2)).toBe('0.04 GiB');
    expect(memIn(0.004 * GiB, 'GiB', 2)).toBe('< 0.01 GiB');
    expect(memIn(300, 'MiB', 0)).toBe('< 1 MiB');
    expect(memIn(0.3, 'KiB')).toBe('< 1 KiB');
    expect(memIn(-0.04 * GiB, 'GiB', 1)).toBe('> -0.1 GiB');
    expect(memIn(0, 'GiB', 3)).toBe('0.000 GiB');
    expect(memIn(0, 'GiB')).toBe('0 GiB');
    // Small beside large: 512 KiB in a GiB column at the column's one decimal, and at a verdict's three.
    expect(memIn(512, 'GiB', 1)).toBe('< 0.1 GiB');
    expect(verdictIn(512, 'GiB')).toBe('< 0.001 GiB');
    expect(verdictIn(8 * 1024, 'GiB')).toBe('0.008 GiB');
  });

  it('read "unknown" when missing, never 0', () => {
    expect(memIn(null, 'GiB')).toBe('unknown');
    expect(memIn(undefined, 'GiB')).toBe('unknown');
    expect(memIn(Number.NaN, 'GiB')).toBe('unknown');
    expect(memLabel(null)).toBe('unknown');
    expect(verdictIn(null, 'GiB')).toBe('unknown');
    expect(exactKiB(null)).toBeUndefined();
    expect(exactMiB(mibToKiB(null))).toBeUndefined();
  });
});

describe('the column rule', () => {
  it('one decimal under 100 when not whole, none from 100 up, grouped', () => {
    expect(memLabel(41.7 * 1048576)).toBe('41.7 GiB');
    expect(memLabel(314.4 * 1048576)).toBe('314 GiB');
    expect(memLabel(28)).toBe('28 KiB');
    expect(memLabel(2048)).toBe('2 MiB');
    expect(memLabel(2 * 1024 ** 3)).toBe('2 TiB');
    expect(memIn(2560 * 1024, 'MiB')).toBe('2,560 MiB');
    const col = [14 * 1024, 31.99 * 1024, 46 * 1024];
    expect(col.map((v) => memIn(v, unitFor(col), digitsFor(col, unitFor(col))))).toEqual([
      '14.0 MiB',
      '32.0 MiB',
      '46.0 MiB',
    ]);
  });

  it('a fixed unit and precision where a row compares machines: GiB to a tenth', () => {
    expect(memIn(255.3 * 1048576, 'GiB', 1)).toBe('255.3 GiB');
    expect(memIn(2048 * 1048576, 'GiB', 1)).toBe('2,048.0 GiB');
  });
});

describe('verdict figures', () => {
  it('keep the digits a verdict rests on: one decimal from 10 GiB, two below, three below 0.1', () => {
    const mib = (m: number): number => m * 1024;
    expect(verdictLabel(mib(40755.2))).toBe('39.8 GiB');
    expect(verdictLabel(mib(2560))).toBe('2.50 GiB');
    expect(verdictLabel(mib(0.04 * 1024))).toBe('41 MiB');
    expect(verdictIn(mib(0.04 * 1024), 'GiB')).toBe('0.040 GiB');
    expect(verdictLabel(mib(1100 * 1024))).toBe('1,100.0 GiB');
    expect(verdictLabel(mib(512))).toBe('512 MiB');
    expect(verdictLabel(mib(0.3))).toBe('307 KiB');
    expect(verdictLabel(0)).toBe('0 KiB');
    expect(verdictIn(0, 'GiB')).toBe('0.00 GiB');
    expect(verdictLabel(-mib(2560))).toBe('-2.50 GiB');
    expect(verdictUnitFor([mib(1100 * 1024), mib(8)])).toBe('GiB');
  });

  it('give the exact figure in MiB to a tenth and whole KiB', () => {
    expect(exactMiB(40755.2 * 1024)).toBe('40,755.2 MiB (41,733,325 KiB)');
    expect(exactMiB(mibToKiB(4096))).toBe('4,096 MiB (4,194,304 KiB)');
    expect(exactKiB(2048)).toBe('2,048 KiB (2,097,152 bytes)');
  });

  it('file sizes: bytes below 1 KiB, KiB to a tenth below 1 MiB, then as a verdict figure', () => {
    expect(byteLabel(0)).toBe('0 bytes');
    expect(byteLabel(1023)).toBe('1,023 bytes');
    expect(byteLabel(1536)).toBe('1.5 KiB');
    expect(byteLabel(4.37 * 1024 ** 3)).toBe('4.37 GiB');
    expect(byteLabel(3 * 1024 ** 4)).toBe('3,072.0 GiB');
  });
});

describe('page sizes', () => {
  it('are exact powers of two in their own unit', () => {
    expect(sizeLabel(4)).toBe('4 KiB');
    expect(sizeLabel(2048)).toBe('2 MiB');
    expect(sizeLabel(1048576)).toBe('1 GiB');
    expect(sizeLabel(16380)).toBe('16380 KiB');
  });
});

describe('MiB in prose', () => {
  it('is whole, grouped MiB below 10 GiB and GiB to a tenth from there, either sign', () => {
    expect(proseMiB(2560)).toBe('2,560 MiB');
    expect(proseMiB(10240)).toBe('10.0 GiB');
    expect(proseMiB(1048576)).toBe('1,024.0 GiB');
    expect(proseMiB(-20480)).toBe('-20.0 GiB');
    expect(proseMiB(0.4)).toBe('0 MiB');
  });
});
