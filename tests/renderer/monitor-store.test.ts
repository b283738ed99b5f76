/** The Monitor's in-page store, CSV and heatmap arithmetic. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostSample } from '../mocks/host-sample';
import {
  bandOf,
  bandsFor,
  ceilPow2,
  cpuWindowStats,
  fillColumn,
  heatIndex,
  heatPalette,
  nextScale,
  rowPeak,
} from '../../renderer/src/components/monitor/heat';
import { SeriesStore, toCsv } from '../../renderer/src/components/monitor/series-store';

const sample = hostSample;

describe('SeriesStore', () => {
  it('keeps the newest samples up to its capacity, drops repeats, and reads them back oldest first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 40 }), (cap, n) => {
        const s = new SeriesStore(cap);
        for (let i = 1; i <= n; i++) s.push(sample(i, { cpus: i === 1 ? [0, 1] : null, perCpu: [i, -1] }));
        expect(s.push(sample(n))).toBe(false); // a sample already held is not added again
        const kept = Math.min(cap, n);
        expect(s.length).toBe(kept);
        expect(s.time(kept - 1)).toBe(n * 2000);
        expect(s.time(0)).toBe((n - kept + 1) * 2000);
        expect(s.value('tlb', kept - 1)).toBe(n * 10);
        expect([...s.cpuRow(kept - 1)]).toEqual([n, -1]);
      }),
    );
  });

  it('starts the per-CPU matrix afresh when the CPU set changes, and finds a time by bisection', () => {
    const s = new SeriesStore(10);
    s.push(sample(1, { cpus: [0, 1], perCpu: [1, 2] }));
    s.push(sample(2, { cpus: [0, 1, 2], perCpu: [1, 2, 3] }));
    expect(s.cpus).toEqual([0, 1, 2]);
    expect([...s.cpuRow(0)].every(Number.isNaN)).toBe(true);
    expect([...s.cpuRow(1)]).toEqual([1, 2, 3]);
    expect(s.firstFrom(3000)).toBe(1);
    expect(s.firstFrom(0)).toBe(0);
    expect(s.firstFrom(99_999)).toBe(2);
  });

  it('exports the window as CSV: one header, one row per sample, empty cells where no rate', () => {
    const s = new SeriesStore(10);
    for (let i = 1; i <= 4; i++) s.push(sample(i, { tlb: i === 2 ? null : i * 10 }));
    const lines = toCsv(s, 4000).trimEnd().split('\n');
    expect(lines[0]!.split(',')).toHaveLength(13);
    expect(lines[0]).toMatch(/^time_utc,tlb_shootdowns_per_s,function_call_ipis_per_s,/);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2))).toEqual([
      ['1970-01-01T00:00:04.000Z', ''],
      ['1970-01-01T00:00:06.000Z', '30'],
      ['1970-01-01T00:00:08.000Z', '40'],
    ]);
  });

  it('exports every CPU’s rate as a cpuN column, empty where a CPU had none', () => {
    const s = new SeriesStore(10);
    s.push(sample(1, { cpus: [0, 4, 9], perCpu: [1.25, -1, 300] }));
    s.push(sample(2, { perCpu: [0, 2.123456, 7] }));
    const lines = toCsv(s, 0).trimEnd().split('\n');
    expect(lines[0]!.split(',').slice(13)).toEqual(['cpu0', 'cpu4', 'cpu9']);
    expect(lines.slice(1).map((l) => l.split(',').slice(13))).toEqual([
      ['1.25', '', '300'],
      ['0', '2.12', '7'],
    ]);
  });

  it('exports ten minutes of 4,096 CPUs quickly', () => {
    const n = 4096;
    const s = new SeriesStore(300);
    const cpus = Array.from({ length: n }, (_, k) => k);
    for (let i = 1; i <= 300; i++)
      s.push(sample(i, { cpus: i === 1 ? cpus : null, perCpu: Array.from({ length: n }, (_, k) => (k * i) % 997) }));
    const t0 = performance.now();
    const csv = toCsv(s, 0);
    const ms = performance.now() - t0;
    const lines = csv.trimEnd().split('\n');
    expect(lines).toHaveLength(301);
    expect(lines[300]!.split(',')).toHaveLength(13 + n);
    // About 1.2 million cells; a loaded 2-core machine is given ample room.
    expect(ms).toBeLessThan(1500);
  });
});

describe('heatmap arithmetic', () => {
  it('folds CPUs into at most as many bands as pixel rows, covering every CPU once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8192 }), fc.integer({ min: 1, max: 512 }), (cpus, rows) => {
        const bands = bandsFor(cpus, rows);
        expect(bands).toBe(Math.min(cpus, rows));
        let next = 0;
        for (let b = 0; b < bands; b++) {
          const [lo, hi] = bandOf(b, bands, cpus);
          expect(lo).toBe(next);
          expect(hi).toBeGreaterThan(lo);
          next = hi;
        }
        expect(next).toBe(cpus);
      }),
    );
  });

  it('colours a band by its busiest CPU on a log scale, and marks a band with no rate', () => {
    const pal = heatPalette([0, 0, 0], [255, 255, 255]);
    const out = new Uint32Array(2);
    fillColumn(out, new Float32Array([1, 1000, -1, Number.NaN]), 2, 1000, pal, 7);
    expect(out[0]).toBe(pal[255]);
    expect(out[1]).toBe(7);
    expect(heatIndex(0, 1000)).toBe(0);
    expect(heatIndex(31, 1023)).toBe(128);
  });

  it('scales colours to the window: up at once past the top, down once the peak has left, in powers of two', () => {
    expect(nextScale(1, 0)).toBe(1);
    expect(nextScale(1, 300)).toBe(512);
    expect(nextScale(512, 513)).toBe(1024);
    // The spike leaves the window: the peak now is 100, far below 1024.
    expect(nextScale(1024, 100)).toBe(256);
    // A peak near a power of two does not flip the scale back and forth.
    expect(nextScale(1024, 600)).toBe(1024);
    expect(nextScale(1024, 300)).toBe(1024);
    expect(nextScale(1024, 255)).toBe(512);
    expect(nextScale(4096, 0)).toBe(1);
    expect(nextScale(8, Number.NaN)).toBe(1);
    expect(rowPeak(new Float32Array([3, -1, Number.NaN, 17, 2]))).toBe(17);
    expect(rowPeak(new Float32Array([-1, Number.NaN]))).toBe(0);
  });

  it("gives each CPU's latest, mean and peak over the window, leaving samples without a rate out", () => {
    const rows = [new Float32Array([2, -1, 5]), new Float32Array([4, Number.NaN, -1]), new Float32Array([6, -1, 1])];
    expect(cpuWindowStats(rows, 3)).toEqual([
      { latest: 6, mean: 4, peak: 6 },
      { latest: null, mean: null, peak: null },
      { latest: 1, mean: 3, peak: 5 },
    ]);
    expect(cpuWindowStats([], 2)).toEqual([
      { latest: null, mean: null, peak: null },
      { latest: null, mean: null, peak: null },
    ]);
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { minLength: 4, maxLength: 4 }), {
          minLength: 1,
          maxLength: 20,
        }),
        (table) => {
          const stats = cpuWindowStats(
            table.map((r) => new Float32Array(r)),
            4,
          );
          for (const s of stats) {
            expect(s.mean!).toBeLessThanOrEqual(s.peak! * (1 + 1e-9));
            expect(s.latest!).toBeLessThanOrEqual(s.peak!);
          }
        },
      ),
    );
  });

  it('keeps the scale a power of two that holds the peak, at most four times it, and still for a steady peak', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }).map((e) => 2 ** e),
        fc.double({ min: 0, max: 1e12, noNaN: true }),
        (current, peak) => {
          const next = nextScale(current, peak);
          expect(Math.log2(next) % 1).toBe(0);
          expect(next).toBeGreaterThanOrEqual(Math.max(1, peak));
          // Either it did not move, or it lands within a factor of four above the peak.
          if (next !== current) expect(next).toBeLessThanOrEqual(Math.max(1, ceilPow2(2 * peak)));
          // Once moved, the same peak keeps it there (no flicker).
          expect(nextScale(next, peak)).toBe(next);
        },
      ),
    );
  });
});
