/**
 * The monitor's Node side: the /proc/interrupts row scanner (against real captures, and fuzzed against the
 * full parser), the vmstat counter reader, the rate logic (resets, 32-bit wraps, CPUs coming and going, counts
 * beyond 2^53), the ring buffer and the sampler with a hand-driven clock.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counterDelta, irqDelta, IRQ_WRAP } from '../../electron/host/monitor/counters';
import { MonitorReader } from '../../electron/host/monitor/reader';
import { Ring } from '../../electron/host/monitor/ring';
import { Sampler } from '../../electron/host/sampler';
import type { HostSample } from '../../shared/api';
import { MemoryFiles, type FileRead, type HostFiles, type SourceKind } from '../../shared/host/files';
import { findRow, IrqRowScanner } from '../../shared/host/parse/irq-rows';
import { parseInterrupts } from '../../shared/host/parse/interrupts';
import { vmstatCounter } from '../../shared/host/parse/vmstat-counters';
import { SimMachine } from '../../shared/sim/machine';
import { PROFILES } from '../../shared/sim/profiles';
import { SimFiles } from '../../shared/sim/source';
import { interrupts256 } from '../fixtures/trees';
import { VM, VM_TUNED } from '../helpers';
import { manualTimers } from '../mocks/timers';

const capture = (dir: string, file: string): string => readFileSync(join(dir, 'proc', file), 'utf8');

describe('the /proc/interrupts row scanner', () => {
  it('reads the TLB, CAL and RES rows of real captures exactly as the full parser does', () => {
    for (const dir of [VM, VM_TUNED]) {
      const text = capture(dir, 'interrupts');
      const full = parseInterrupts(text);
      if (!full.ok) throw new Error(full.reason);
      const scan = new IrqRowScanner(['TLB', 'CAL', 'RES', 'IPI0']).scan(text);
      if (!scan.ok) throw new Error(scan.reason);
      expect(scan.value.cpus).toEqual(full.value.cpus);
      for (const [k, label] of (['TLB', 'CAL', 'RES'] as const).entries())
        expect([...scan.value.rows[k]!]).toEqual(full.value.rows.get(label)!.perCpu);
      expect(scan.value.rows[3]).toBeNull(); // x86 has no IPI0 row
      expect(scan.value.problems).toEqual([]);
    }
  });

  it('reads the rows of a capture with 256 CPU columns and CPUs offline', () => {
    const { text, cpus } = interrupts256();
    const scan = new IrqRowScanner(['TLB']).scan(text);
    if (!scan.ok) throw new Error(scan.reason);
    expect(scan.value.cpus).toEqual(cpus);
    expect([...scan.value.rows[0]!]).toEqual(cpus.map((c) => c * 1000));
  });

  it('takes a row only at a line start, never inside a device description', () => {
    const text = '      CPU0 CPU1\n 24: 1 2 PCI-MSI TLB: 9 9\nTLB: 5 6 TLB shootdowns\n';
    const scan = new IrqRowScanner(['TLB']).scan(text);
    expect(scan.ok && [...scan.value.rows[0]!]).toEqual([5, 6]);
    expect(findRow(text, 'CAL', text.indexOf('\n') + 1)).toBe(-1);
  });

  it('keeps the header parse while the header is unchanged, and re-reads it when CPUs change', () => {
    const s = new IrqRowScanner(['TLB']);
    const a = s.scan('  CPU0 CPU1\nTLB: 1 2 x\n');
    const b = s.scan('  CPU0 CPU1\nTLB: 3 4 x\n');
    const c = s.scan('  CPU0 CPU2\nTLB: 3 4 x\n');
    expect(a.ok && b.ok && a.value.cpus === b.value.cpus).toBe(true);
    expect(c.ok && c.value.cpus).toEqual([0, 2]);
  });

  it('says what is wrong with a short row, a bad header, or a count beyond 2^53', () => {
    const s = new IrqRowScanner(['TLB', 'CAL']);
    const r = s.scan('  CPU0 CPU1\nTLB: 1 x\nCAL: 99999999999999999999 2 y\n');
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.rows[0]).toBeNull();
    expect(Number.isNaN(r.value.rows[1]![0])).toBe(true);
    expect(r.value.rows[1]![1]).toBe(2);
    expect(r.value.problems).toEqual([
      'TLB: fewer counts than the 2 CPU columns',
      'CAL: CPU0 counts beyond 2^53 (not exact in a double); no rate from it',
    ]);
    expect(s.scan('garbage\nTLB: 1\n')).toEqual({ ok: false, reason: 'header: unexpected column "garbage"' });
    expect(s.scan('')).toMatchObject({ ok: false });
  });

  it('agrees with the full parser on random files (fuzzed)', () => {
    const count = fc.integer({ min: 0, max: 2 ** 32 - 1 });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.constantFrom('0', '17', 'NMI', 'LOC', 'TLB', 'CAL', 'RES', 'IPI0', 'IPI1'), { maxLength: 12 }),
        fc.array(count, { minLength: 40 * 12, maxLength: 40 * 12 }),
        fc.integer({ min: 0, max: 6 }),
        (cpus, labels, counts, pad) => {
          const uniq = [...new Set(labels)];
          const header = `${' '.repeat(pad + 4)}${cpus.map((c) => `CPU${c}`.padEnd(11)).join('')}\n`;
          const text =
            header +
            uniq
              .map(
                (l, r) =>
                  `${l.padStart(pad + 3)}:${cpus.map((_, i) => String(counts[r * 40 + i]).padStart(11)).join('')}  desc ${l}: 1 2\n`,
              )
              .join('');
          const full = parseInterrupts(text);
          const scan = new IrqRowScanner(['TLB', 'CAL', 'RES', 'IPI0', 'IPI1']).scan(text);
          expect(full.ok).toBe(true);
          expect(scan.ok).toBe(true);
          if (!full.ok || !scan.ok) return;
          expect(scan.value.cpus).toEqual(full.value.cpus);
          (['TLB', 'CAL', 'RES', 'IPI0', 'IPI1'] as const).forEach((label, k) => {
            const want = full.value.rows.get(label)?.perCpu ?? null;
            const got = scan.value.rows[k];
            expect(got ? [...got] : null).toEqual(want);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary text (fuzzed), and answers ok or a reason', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (junk) => {
        const r = new IrqRowScanner(['TLB', 'CAL']).scan(`  CPU0 CPU1\n${junk}`);
        expect(typeof r.ok).toBe('boolean');
        const h = new IrqRowScanner(['TLB']).scan(junk);
        expect(typeof h.ok).toBe('boolean');
      }),
    );
  });
});

describe('vmstat counters by name', () => {
  it('reads real captures like the full parser', () => {
    const text = capture(VM_TUNED, 'vmstat');
    for (const name of ['thp_fault_alloc', 'compact_stall', 'pgmigrate_success', 'nr_free_pages'])
      expect(vmstatCounter(text, name)).toBe(Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)![1]));
    expect(vmstatCounter(text, 'no_such_counter')).toBeNull();
    // A prefix of another name is not that name.
    expect(vmstatCounter('thp_fault_alloc_x 5\nthp_fault_alloc 7\n', 'thp_fault_alloc')).toBe(7);
  });
  it('keeps counts beyond 2^53 exact as bigints and names what is not a count', () => {
    expect(vmstatCounter('pgmigrate_success 18446744073709551615\n', 'pgmigrate_success')).toBe(2n ** 64n - 1n);
    expect(vmstatCounter('pgmigrate_success 99999999999999999999\n', 'pgmigrate_success')).toMatch(/wider than/);
    expect(vmstatCounter('compact_stall -3\n', 'compact_stall')).toMatch(/not a count/);
  });
});

describe('counter differences', () => {
  it('differences a 32-bit interrupt count across a wrap, and gives none across a reset', () => {
    expect(irqDelta(10, 15)).toBe(5);
    expect(irqDelta(IRQ_WRAP - 3, 4)).toBe(7);
    expect(irqDelta(5_000_000, 10)).toBeNull();
    expect(irqDelta(Number.NaN, 10)).toBeNull();
  });
  it('is exact beyond 2^53 and never negative (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 40n }), (a, d) => {
        const b = a + d;
        const norm = (x: bigint) => (x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x);
        expect(counterDelta(norm(a), norm(b))).toBe(Number(d));
        if (d > 0n) expect(counterDelta(norm(b), norm(a))).toBeNull();
      }),
    );
  });
});

describe('the ring buffer', () => {
  it('keeps the newest items, oldest first (property against an array)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer(), { maxLength: 80 }), (cap, xs) => {
        const r = new Ring<number>(cap);
        for (const x of xs) r.push(x);
        expect(r.toArray()).toEqual(xs.slice(-cap));
        expect(r.last()).toBe(xs.at(-1));
        expect(r.at(r.length)).toBeUndefined();
      }),
    );
  });
  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new Ring(0)).toThrow(/positive integer/);
  });
});

/** A tree whose /proc/interrupts and /proc/vmstat the test rewrites between readings. */
class Moving implements HostFiles {
  irq = '';
  vm = '';
  t = 0;
  constructor(readonly source: { kind: SourceKind; label: string } = { kind: 'live', label: 'this machine' }) {}
  read(path: string): FileRead {
    if (path === '/proc/interrupts') return { kind: 'text', text: this.irq };
    if (path === '/proc/vmstat') return { kind: 'text', text: this.vm };
    if (path === '/proc/sys/kernel/arch') return { kind: 'text', text: 'x86_64\n' };
    return { kind: 'missing' };
  }
  list() {
    return { kind: 'missing' as const };
  }
  now(): number {
    return this.t;
  }
  set(t: number, cpus: number[], tlb: number[], vm: Record<string, number | bigint> = {}): void {
    this.t = t;
    this.irq =
      `   ${cpus.map((c) => `CPU${c}`.padEnd(11)).join('')}\n` +
      `TLB:${tlb.map((x) => String(x).padStart(11)).join('')}  TLB shootdowns\n`;
    this.vm = Object.entries(vm)
      .map(([k, v]) => `${k} ${v}\n`)
      .join('');
  }
}

describe('rates', () => {
  it('per second over the real interval, per CPU and in total', () => {
    const f = new Moving();
    const r = new MonitorReader(f);
    f.set(0, [0, 1], [100, 200], { thp_fault_alloc: 10, pgdemote_kswapd: 5, pgdemote_direct: 1 });
    const first = r.read(0);
    expect(first.seconds).toBeNull();
    expect(first.rates.tlb).toBeNull();
    expect(first.tlbTotal).toBe(300);
    f.set(2000, [0, 1], [120, 260], { thp_fault_alloc: 30, pgdemote_kswapd: 9, pgdemote_direct: 3 });
    const s = r.read(2000);
    expect(s.seconds).toBe(2);
    expect(s.rates.tlb).toBe(40);
    expect(s.perCpu).toEqual([10, 30]);
    expect(s.rates.thpFault).toBe(10);
    expect(s.rates.demote).toBe(3);
    // Not in this vmstat: not counted, which is null, never 0, and the sample says why.
    expect(s.rates.compactStall).toBeNull();
    expect(s.rates.cal).toBeNull();
    expect(s.absent.compactStall).toMatch(/has no compact_stall; .*CONFIG_COMPACTION/);
    expect(s.absent.cal).toMatch(/no CAL/);
    expect(s.absent.promote).toMatch(/has no pgpromote_success/);
    // Counted ones are not absent, even with one of several counters (pgdemote_* by reclaimer) missing.
    expect(s.absent.thpFault).toBeUndefined();
    expect(s.absent.demote).toBeUndefined();
    expect(s.absent.tlb).toBeUndefined();
    expect(first.absent).toEqual(s.absent);
  });

  it('finds every series on a real 6.18 x86 kernel, so none is said to be absent', () => {
    for (const dir of [VM, VM_TUNED]) {
      const files = MemoryFiles.fromTexts(
        { kind: 'live', label: 'vm' },
        {
          '/proc/interrupts': capture(dir, 'interrupts'),
          '/proc/vmstat': capture(dir, 'vmstat'),
          '/proc/sys/kernel/arch': 'x86_64\n',
        },
      );
      expect(new MonitorReader(files).read(0).absent).toEqual({});
    }
  });

  it('on every simulated machine, only what its architecture cannot count is absent', () => {
    for (const profile of PROFILES) {
      const machine = new SimMachine(profile);
      machine.advance(60);
      const absent = Object.keys(new MonitorReader(new SimFiles(machine)).read(0).absent).sort();
      // arm64 sends TLB invalidations as broadcast instructions, not interrupts (nothing to count).
      expect(absent, profile.id).toEqual(profile.arch === 'x86_64' ? [] : ['tlb']);
    }
  });

  it('leaves out a CPU that was reset, follows CPUs by number as they come and go, and says so', () => {
    const f = new Moving();
    const r = new MonitorReader(f);
    f.set(0, [0, 1, 2], [100, 200, 300]);
    r.read(0);
    // CPU 1 went offline, CPU 3 came online; CPU 2's count went backwards (reset).
    f.set(1000, [0, 2, 3], [110, 5, 50]);
    const s = r.read(1000);
    expect(s.cpus).toEqual([0, 2, 3]);
    expect(s.perCpu).toEqual([10, -1, -1]);
    expect(s.rates.tlb).toBe(10);
    expect(s.notes).toContain('TLB: 1 CPU count(s) went backwards (reset); left out of this rate');
  });

  it('counts across a 32-bit wrap, and a vmstat counter beyond 2^53 still gives an exact rate', () => {
    const f = new Moving();
    const r = new MonitorReader(f);
    const big = 2n ** 60n;
    f.set(0, [0], [IRQ_WRAP - 10], { pgmigrate_success: big });
    r.read(0);
    f.set(1000, [0], [10], { pgmigrate_success: big + 500n });
    const s = r.read(1000);
    expect(s.rates.tlb).toBe(20);
    expect(s.rates.migrate).toBe(500);
    expect(s.notes).toContain('/proc/vmstat: pgmigrate_success is beyond 2^53; its rate is still exact');
  });

  it('gives a snapshot or a fake root no rates and says why, without reading it', () => {
    for (const kind of ['snapshot', 'root'] as const) {
      const f = new Moving({ kind, label: 'box.json' });
      f.read = () => {
        throw new Error('read');
      };
      const s = new MonitorReader(f).read(0);
      expect(s.live).toBe(false);
      expect(s.reason).toMatch(/no rates to show/);
      expect(Object.values(s.rates).every((v) => v === null)).toBe(true);
    }
  });

  it('explains a machine with no TLB row (arm64) instead of charting zeros', () => {
    const files = MemoryFiles.fromTexts(
      { kind: 'live', label: 'arm' },
      {
        '/proc/interrupts': '  CPU0 CPU1\nIPI0: 5 6 Rescheduling interrupts\nIPI1: 1 2 Function call interrupts\n',
        '/proc/sys/kernel/arch': 'aarch64\n',
      },
    );
    const s = new MonitorReader(files).read(0);
    expect(s.rates.tlb).toBeNull();
    expect(s.absent.tlb).toMatch(/broadcast TLBI/);
    // Its IPI rows are there under their arm64 names; /proc/vmstat could not be read, which says nothing.
    expect(s.absent.cal).toBeUndefined();
    expect(s.absent.res).toBeUndefined();
    expect(s.absent.thpFault).toBeUndefined();
  });
});

describe('the sampler', () => {
  const setup = () => {
    const f = new Moving();
    let n = 0;
    const step = () => {
      n++;
      f.set(n * 2000, [0, 1], [n * 10, n * 30]);
    };
    step();
    const timers = manualTimers();
    const sampler = new Sampler(() => f, 2000, { windowMs: 10_000, lingerMs: 60_000, timers });
    return { f, step, timers, sampler };
  };

  it('keeps a window of history, streams the same samples, and sends the CPU list only when it changes', () => {
    const { step, timers, sampler } = setup();
    const got: HostSample[] = [];
    const off = sampler.subscribe((s) => got.push(s));
    for (let i = 0; i < 7; i++) {
      step();
      timers.fireIntervals();
    }
    expect(got.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(got[0]!.cpus).toEqual([0, 1]);
    expect(got.slice(1).every((s) => s.cpus === null)).toBe(true);
    expect(got.at(-1)!.rates.tlb).toBe(20);
    const h = sampler.history();
    // Ten seconds at two: the newest five samples, the first of them carrying the CPU list.
    expect(h.samples.map((s) => s.seq)).toEqual([4, 5, 6, 7, 8]);
    expect(h.samples[0]!.cpus).toEqual([0, 1]);
    expect(h.samples.slice(1).every((s) => s.cpus === null)).toBe(true);
    expect(h).toMatchObject({ intervalMs: 2000, windowMs: 10_000, live: true, reason: null });
    off();
  });

  it('a page that comes back gets the latest sample at once and the history, and sampling lingers between', () => {
    const { step, timers, sampler } = setup();
    const off = sampler.subscribe(() => {});
    step();
    timers.fireIntervals();
    off();
    expect(timers.running).toEqual({ intervals: 1, timeouts: 1 });
    step();
    timers.fireIntervals(); // nobody listens, the ring still fills
    const back: HostSample[] = [];
    const off2 = sampler.subscribe((s) => back.push(s));
    expect(back.map((s) => s.seq)).toEqual([3]);
    expect(back[0]!.cpus).toEqual([0, 1]);
    expect(sampler.history().samples.map((s) => s.seq)).toEqual([1, 2, 3]);
    expect(timers.running.timeouts).toBe(0);
    off2();
    timers.fireTimeouts();
    expect(timers.running).toEqual({ intervals: 0, timeouts: 0 });
  });

  it('starts a new history when the source switches', () => {
    const { f, step, timers, sampler } = setup();
    let files: HostFiles = f;
    const s2 = new Sampler(() => files, 2000, { timers });
    const seen: HostSample[] = [];
    s2.subscribe((s) => seen.push(s));
    step();
    timers.fireIntervals();
    files = MemoryFiles.fromTexts({ kind: 'snapshot', label: 'box.json' }, {});
    timers.fireIntervals();
    expect(seen.at(-1)!.live).toBe(false);
    expect(s2.history()).toMatchObject({ live: false, samples: [], source: { kind: 'snapshot' } });
    s2.stop();
    sampler.stop();
  });
});
