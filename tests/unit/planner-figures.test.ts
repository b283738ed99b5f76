/**
 * The Planner's figures agree with its verdict over random requests on planned machines, simulated hosts and a
 * captured one: the fit bar's own figures fail exactly when the plan does not fit (and a plan that fails only
 * on a constraint without figures is never drawn as a passing bar); the breakdown chart's "Needed" and
 * "Available" bars end where the memory constraint's need and capacity do, savings included; and each term's
 * colour stands out against the card in both themes.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AVAILABLE, breakdownBars, NEEDED, TERMS } from '../../renderer/src/components/planner/breakdown';
import { SERIES } from '../../renderer/src/components/planner/series';
import { barFigures, decidingConstraint, fitRow } from '../../renderer/src/components/planner/fit';
import { readHost } from '../../shared/host/read/index';
import { buildReport, type Report } from '../../shared/host/report';
import { MODELS } from '../../shared/plan/catalog';
import { runPlan, type PlanRequest } from '../../shared/plan/request';
import { RUNTIMES } from '../../shared/plan/runtimes';
import { openSim } from '../../electron/host/sim-source';
import { PROFILES } from '../../shared/sim/profiles';
import { fixtureFiles, VM_TUNED } from '../helpers';

const sims = new Map<string, Report>(PROFILES.map((p) => [p.id, buildReport(readHost(openSim(p.id, {})))]));
const tuned = buildReport(readHost(fixtureFiles(VM_TUNED)));

const model = fc.oneof(
  fc.record({ model: fc.constantFrom(...MODELS.map((m) => m.id)), quant: fc.constantFrom('Q4_K_M', 'Q8_0') }),
  fc.record({ footprintMiB: fc.integer({ min: 1024, max: 1_200_000 }) }),
);
const settings = fc.record({
  ctx: fc.constantFrom(4096, 8192, 32768, 131072),
  pageSize: fc.constantFrom('base', '64K', '2M', '32M', '512M', '1G', '16G'),
  hvo: fc.boolean(),
  runtime: fc.option(fc.constantFrom(...RUNTIMES), { nil: undefined }),
  releasePools: fc.boolean(),
  slowTier: fc.boolean(),
  numa: fc.constantFrom('interleave' as const, 'bind' as const),
});
const planned = fc.record({
  memGiB: fc.integer({ min: 8, max: 2048 }),
  nodes: fc.integer({ min: 1, max: 8 }),
  arch: fc.constantFrom('x86_64' as const, 'arm64' as const),
  kernel: fc.constantFrom('5.10', '6.1', '6.12'),
});
const source = fc.oneof(
  planned.map((p) => ({ req: p, report: null as Report | null })),
  fc.constantFrom(...sims.values(), tuned).map((report) => ({ req: {}, report })),
);

const randomPlan = fc.tuple(model, settings, source).map(([m, s, { req, report }]) => {
  const request: PlanRequest = { ...m, ...s, ...req };
  if (request.arch === 'arm64') request.basePage = '64K';
  return runPlan(request, report);
});

describe('the fit bar', () => {
  it('passes or fails exactly as the verdict does, over random plans', () => {
    fc.assert(
      fc.property(randomPlan, (p) => {
        const row = fitRow('This plan', p, true)!;
        expect(row.fits).toBe(p.fits);
        expect(row.constraint.ok).toBe(p.fits);
        const f = barFigures(row.constraint);
        if (f) expect(f.fits).toBe(p.fits);
        // Without figures only when every failing constraint has none.
        else expect(!p.fits && p.constraints.every((c) => c.ok || c.needMiB === null)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('does not draw a passing constraint for a plan that fails on one without figures', () => {
    const p = runPlan(
      { model: 'llama-3.3-70b', quant: 'Q4_K_M', ctx: 8192, pageSize: '2M', runtime: 'llama.cpp' },
      sims.get('xeon-2s-768g')!,
    );
    expect(p.fits).toBe(false);
    const c = decidingConstraint(p)!;
    expect(c.id).toBe('runtime');
    expect(barFigures(c)).toBeNull();
  });

  it('draws the memory that is short, not the pools of other sizes, on the tuned capture', () => {
    const p = runPlan({ model: 'llama-3.3-70b', quant: 'Q4_K_M', ctx: 8192, pageSize: '2M' }, tuned);
    expect(p.fits).toBe(false);
    expect(decidingConstraint(p)!.id).toBe('total');
  });
});

describe('the breakdown chart', () => {
  const end = (b: ReturnType<typeof breakdownBars>, row: string) =>
    Math.max(...b.bars.filter((x) => x.row === row).map((x) => x.toMiB));

  it("ends its bars where the memory constraint's need and capacity do, every term drawn once", () => {
    fc.assert(
      fc.property(randomPlan, (p) => {
        const total = p.constraints.find((c) => c.id === 'total')!;
        const b = breakdownBars(p.breakdown, p.availableMiB);
        expect(b.neededMiB).toBe(total.needMiB);
        expect(end(b, NEEDED)).toBeCloseTo(total.needMiB!, 6);
        expect(end(b, AVAILABLE)).toBe(total.haveMiB);
        for (const t of p.breakdown.filter((x) => x.mib !== 0)) {
          const drawn = b.bars.filter((x) => x.label === t.label);
          expect(drawn).toHaveLength(1);
          expect(drawn[0]!.toMiB - drawn[0]!.fromMiB).toBeCloseTo(Math.abs(t.mib), 6);
        }
        for (const x of b.bars) expect(b.rows).toContain(x.row);
      }),
      { numRuns: 300 },
    );
  });

  it('shows what HVO gives back, so a plan that fits is not drawn needing more than there is', () => {
    const p = runPlan({ footprintMiB: 1_073_152, memGiB: 1100, pageSize: '1G', hvo: true }, null);
    expect(p.fits).toBe(true);
    const b = breakdownBars(p.breakdown, p.availableMiB);
    expect(b.rows).toEqual([TERMS, 'HVO gives back', NEEDED, AVAILABLE]);
    expect(end(b, TERMS)).toBeGreaterThan(p.availableMiB);
    expect(end(b, NEEDED)).toBeLessThanOrEqual(end(b, AVAILABLE));
    const saving = b.bars.find((x) => x.label === 'HVO gives back')!;
    expect(saving.series).toBe('saving');
    expect(saving.toMiB).toBeCloseTo(end(b, TERMS), 6);
    expect(saving.fromMiB).toBeCloseTo(b.neededMiB, 6);
  });
});

describe('the chart colours', () => {
  const css = readFileSync(resolve(import.meta.dirname, '../../renderer/src/app.css'), 'utf8');
  /** A theme's tokens: the custom properties declared in the block that opens with `selector {`. */
  const tokens = (selector: string): Map<string, string> => {
    const start = css.indexOf(`${selector} {`);
    const body = css.slice(start, css.indexOf('}', start));
    return new Map([...body.matchAll(/(--[\w-]+):\s*(#[0-9a-f]{6});/gi)].map((m) => [m[1]!, m[2]!]));
  };
  const luminance = (hex: string): number => {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const contrast = (a: string, b: string): number => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi! + 0.05) / (lo! + 0.05);
  };

  it.each([':root', ":root[data-theme='dark']"])('every term stands out 3:1 against the card in %s', (selector) => {
    const t = tokens(selector);
    const card = t.get('--surface')!;
    for (const s of SERIES) {
      const colour = t.get(`--series-${s}`);
      expect(colour, s).toBeDefined();
      expect(contrast(colour!, card), s).toBeGreaterThanOrEqual(3);
    }
  });
});
