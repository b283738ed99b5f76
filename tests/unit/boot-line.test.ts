/** The boot words that reserve HugeTLB pools: one place for the planner, the advice and the simulator. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bootParamsText,
  hugepagesCount,
  poolBootParams,
  poolsBootParams,
  withoutPoolReservations,
} from '../../shared/plan/boot-line';

describe('hugepages= counts', () => {
  it('is one count on a one-node machine and node:count on a machine with several', () => {
    expect(hugepagesCount([{ node: 0, pages: 40 }], 1)).toBe('40');
    expect(
      hugepagesCount(
        [
          { node: 0, pages: 20 },
          { node: 1, pages: 20 },
        ],
        2,
      ),
    ).toBe('0:20,1:20');
    // A plan pinned to one node of two names that node; the other gets none.
    expect(hugepagesCount([{ node: 1, pages: 8 }], 2)).toBe('1:8');
  });

  it('adds up to the pages asked for, read back as the kernel parses it', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1e6 }), { minLength: 1, maxLength: 8 }), (pages) => {
        const text = hugepagesCount(
          pages.map((p, node) => ({ node, pages: p })),
          pages.length,
        );
        const read = text.split(',').map((w) => Number(w.includes(':') ? w.split(':')[1] : w));
        expect(read.reduce((a, b) => a + b, 0)).toBe(pages.reduce((a, b) => a + b, 0));
      }),
    );
  });
});

describe('pool boot parameters', () => {
  it('puts the default size first, and HVO after the pool it optimizes', () => {
    expect(bootParamsText(poolBootParams({ pageKiB: 1048576, counts: '0:4,1:4', makeDefault: true, hvo: true }))).toBe(
      'default_hugepagesz=1G hugepagesz=1G hugepages=0:4,1:4 hugetlb_free_vmemmap=on',
    );
  });

  it('gives each of several pools its own pair and HVO once', () => {
    const text = bootParamsText(
      poolsBootParams(
        [
          { pageKiB: 2048, counts: '512' },
          { pageKiB: 1048576, counts: '8' },
        ],
        true,
      ),
    );
    expect(text).toBe('hugepagesz=2M hugepages=512 hugepagesz=1G hugepages=8 hugetlb_free_vmemmap=on');
    expect(bootParamsText(poolsBootParams([{ pageKiB: 2048, counts: '1' }], false))).toBe('hugepagesz=2M hugepages=1');
  });

  it('drops only the reservations from an existing line', () => {
    expect(
      withoutPoolReservations(
        'BOOT_IMAGE=/vmlinuz root=UUID=x  default_hugepagesz=1G hugepagesz=1G hugepages=4 hugetlb_free_vmemmap=on quiet',
      ),
    ).toBe('BOOT_IMAGE=/vmlinuz root=UUID=x default_hugepagesz=1G hugetlb_free_vmemmap=on quiet');
    expect(withoutPoolReservations('')).toBe('');
  });
});
