/**
 * Numbers as text the en-US way ("1,234,567.8"), without Intl. The first Intl formatter a page builds loads
 * ICU's locale data, which costs a new renderer 50–80 ms before the first figure can show; this is the same
 * text for the cost of a few string operations. It matches Intl.NumberFormat('en-US') exactly (tested against
 * it over random numbers): grouping by threes, rounding half away from zero on the shortest decimal that reads
 * back as the same double, a minus on negative values that round to zero, "∞" and "NaN".
 */

export interface FractionDigits {
  /** Fraction digits always shown (padded with zeros). Default 0. */
  min?: number;
  /** Fraction digits at most (rounded half away from zero; trailing zeros beyond `min` dropped). Default 3, or `min` if larger. */
  max?: number;
}

/** The decimal digits of a finite non-negative number and where its point falls (digits "12345", point 3 = 123.45). */
function decimalOf(a: number): { digits: string; point: number } {
  const s = String(a); // the shortest decimal that reads back as `a`, maybe with an exponent ("1e+21", "5e-7")
  const e = s.indexOf('e');
  const mantissa = e < 0 ? s : s.slice(0, e);
  const exp = e < 0 ? 0 : Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const whole = dot < 0 ? mantissa : mantissa.slice(0, dot);
  return { digits: whole + (dot < 0 ? '' : mantissa.slice(dot + 1)), point: whole.length + exp };
}

/** Adds one in the last place of a string of decimal digits: "129" → "130", "99" → "100". */
function increment(digits: string): string {
  const d = digits.split('');
  for (let i = d.length - 1; i >= 0; i--) {
    if (d[i] !== '9') {
      d[i] = String(Number(d[i]) + 1);
      return d.join('');
    }
    d[i] = '0';
  }
  return `1${d.join('')}`;
}

/** "1234567" → "1,234,567". */
function grouped(whole: string): string {
  let out = '';
  for (let i = whole.length; i > 0; i -= 3) out = whole.slice(Math.max(0, i - 3), i) + (out ? `,${out}` : '');
  return out;
}

/** A number as en-US text: `numberText(1234.5678, { max: 1 })` is "1,234.6", `numberText(2, { min: 2 })` "2.00". */
export function numberText(x: number, fraction: FractionDigits = {}): string {
  const min = fraction.min ?? 0;
  const max = Math.max(fraction.max ?? 3, min);
  if (Number.isNaN(x)) return 'NaN';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (!Number.isFinite(x)) return `${sign}∞`;
  let { digits, point } = decimalOf(Math.abs(x));
  // At least one digit before the point, so rounding below never has to reach left of the string.
  if (point < 1) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  const keep = point + max;
  if (digits.length > keep) {
    const up = digits.charCodeAt(keep) >= 53; // '5'
    digits = digits.slice(0, keep);
    if (up) {
      const next = increment(digits);
      if (next.length > digits.length) point++;
      digits = next;
    }
  }
  digits = digits.padEnd(point, '0');
  let frac = digits.slice(point);
  let end = frac.length;
  while (end > min && frac[end - 1] === '0') end--;
  frac = frac.slice(0, end).padEnd(min, '0');
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  return `${sign}${grouped(whole)}${frac ? `.${frac}` : ''}`;
}

/** A count and its noun, singular for exactly one: "1 tensor", "2,000,000 tensors"; a bigint is grouped exactly. */
export function countOf(n: number | bigint, one: string, many = `${one}s`): string {
  const text = typeof n === 'bigint' ? (n < 0 ? '-' : '') + grouped((n < 0 ? -n : n).toString()) : numberText(n);
  return `${text} ${Number(n) === 1 ? one : many}`;
}
