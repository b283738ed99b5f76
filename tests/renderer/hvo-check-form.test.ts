/** The HVO view's check form: the default page count and what a typed count may be. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HVO_CHECK_MAX_PAGES } from '../../shared/advise/hvo-check';
import { checkPagesProblem, defaultCheckPages, maxCheckPages } from '../../renderer/src/lib/hvo-check-form';

const GIB = 1024 * 1024;

describe('the HVO check form', () => {
  it('starts from about 1 GiB of pages, or the last plan’s pages when fewer', () => {
    expect(defaultCheckPages(2048, 64 * GIB, null)).toBe(512);
    expect(defaultCheckPages(1048576, 64 * GIB, null)).toBe(1);
    expect(defaultCheckPages(2048, 64 * GIB, 100)).toBe(100);
    expect(defaultCheckPages(2048, 64 * GIB, 20000)).toBe(512);
    // Half of 200 MiB available holds 50 pages of 2 MiB.
    expect(defaultCheckPages(2048, 200 * 1024, null)).toBe(50);
  });

  it('says what is wrong with a count in one line, and the limit in words', () => {
    expect(checkPagesProblem(null, 2048, GIB)).toBe('Give the number of pages to reserve.');
    expect(checkPagesProblem(1.5, 2048, GIB)).toBe('1.5 is not a whole number of pages.');
    expect(checkPagesProblem(0, 2048, GIB)).toBe('Reserve at least one page.');
    expect(checkPagesProblem(257, 2048, GIB)).toBe(
      'At most 256 pages: half the memory available now (1 GiB), so the machine keeps room to work.',
    );
    expect(checkPagesProblem(256, 2048, GIB)).toBeNull();
    expect(checkPagesProblem(1, 1048576, GIB)).toMatch(/^Not even one page fits in half the memory available now/);
    expect(checkPagesProblem(HVO_CHECK_MAX_PAGES + 1, 2048, null)).toBe('At most 1,048,576 pages.');
    expect(checkPagesProblem(100_000, 2048, 83452 * 2 * 2048)).toMatch(/^At most 83,452 pages: /);
  });

  it('offers a default the field accepts whenever one page fits', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(64, 2048, 32768, 524288, 1048576),
        fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: null }),
        fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: null }),
        (size, available, plan) => {
          const d = defaultCheckPages(size, available, plan);
          expect(d).toBeGreaterThanOrEqual(1);
          if (maxCheckPages(size, available) >= 1) expect(checkPagesProblem(d, size, available)).toBeNull();
        },
      ),
    );
  });
});
