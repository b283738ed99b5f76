/**
 * The Monitor's speed, printed as figures (run with `npm run bench:monitor`; needs `npm run build` first and
 * Debian's chromium, or CHROMIUM_PATH):
 *
 * 1. Sampler CPU: N ticks of the sampler against a simulated 4,096-CPU /proc/interrupts with the device rows a
 *    real machine that size has, timed with process.cpuUsage(), as a share of one core at the 2 s interval; and
 *    in the same run the full-file parse the sampler used before, for the ratio.
 * 2. Renderer cost per sample: web mode in Chromium on a simulated 256- and 4,096-CPU machine; the page marks
 *    its sample handler (`monitor-sample` measures: store, chart data, heatmap pixels, key numbers, DOM flush)
 *    and the frame that draws the plots (`monitor-draw`); the main thread's CPU time per sample is the sum of
 *    those and everything else the page does for a sample (stream, paint, garbage collection).
 * 3. Renderer heap: after 1 and after 10 minutes of samples on a 256-CPU machine. Ten minutes are emulated by
 *    sampling every 100 ms real time with the simulator's clock running 20x, so samples stay 2 simulated
 *    seconds apart (what the charts and the ring see) while arriving 20x faster.
 *
 * Name parts to run only those: `npm run bench:monitor -- renderer` (parts: sampler, renderer, heap).
 * BENCH_PROFILE=name also writes a CPU profile of the page while the renderer part measures (name-256.cpuprofile,
 * name-4096.cpuprofile; open them in Chromium's DevTools); the profiler slows the page, so its run's figures are
 * not the ones to quote. BENCH_BASELINE=dir measures another build's renderer (dir: its out/renderer) turn
 * about with this one in the same run and prints the ratio (BENCH_ROUNDS turns, default 2); BENCH_CPUS=256 or
 * 4096 measures one size only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers } from '../../electron/host/handlers';
import { Sampler } from '../../electron/host/sampler';
import { startServer } from '../../electron/server/server';
import { MemoryFiles, type DirList, type FileRead, type HostFiles } from '../../shared/host/files';
import { parseInterrupts } from '../../shared/host/parse/interrupts';
import { SimMachine } from '../../shared/sim/machine';
import type { Profile } from '../../shared/sim/profile';
import { findProfile } from '../../shared/sim/profiles';
import { SimFiles } from '../../shared/sim/source';
import { writeTree } from '../../shared/sim/write';
import { rng } from '../../shared/sim/random';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RENDERER_DIR = resolve(import.meta.dirname, '..', 'renderer');

function machine(cpus: number): Profile {
  const base = findProfile('xeon-2s-768g')!;
  return {
    ...base,
    id: `bench-${cpus}`,
    scenario: 'reclaim-migration',
    nodes: [
      { memGiB: 384, cpus: cpus / 2 },
      { memGiB: 384, cpus: cpus / 2 },
    ],
  };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]!;
};

/** The simulator's /proc/interrupts plus `devices` device rows (MSI-X queues), as a machine this size has. */
function bigInterrupts(m: SimMachine, devices: number): string {
  const text = writeTree(m)['/proc/interrupts']!;
  const n = m.profile.nodes.reduce((s, x) => s + x.cpus, 0);
  const nl = text.indexOf('\n');
  const rand = rng(7);
  let rows = '';
  for (let d = 0; d < devices; d++) {
    let line = `${String(100 + d).padStart(4)}:`;
    for (let c = 0; c < n; c++) line += `${String(Math.floor(rand() * 1e6)).padStart(10)} `;
    rows += `${line} IR-PCI-MSIX-0000:${(d >> 4).toString(16).padStart(2, '0')}:00.0 ${d}-edge nvme0q${d}\n`;
  }
  return text.slice(0, nl + 1) + rows + text.slice(nl + 1);
}

/** A source that hands out prepared readings in turn, each 2 s after the last: the sampler's work only. */
class Replay implements HostFiles {
  readonly source = { kind: 'sim' as const, label: 'replay' };
  private i = 0;
  constructor(
    private readonly readings: { interrupts: string; vmstat: string }[],
    private readonly other: MemoryFiles,
  ) {}
  next(): void {
    this.i++;
  }
  now(): number {
    return this.i * 2000;
  }
  read(path: string): FileRead {
    const r = this.readings[this.i % this.readings.length]!;
    if (path === '/proc/interrupts') return { kind: 'text', text: r.interrupts };
    if (path === '/proc/vmstat') return { kind: 'text', text: r.vmstat };
    return this.other.read(path);
  }
  list(dir: string): DirList {
    return this.other.list(dir);
  }
}

function cpuMs(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}

function samplerBench(): void {
  const cpus = 4096;
  const devices = Number(process.env.BENCH_DEVICE_ROWS ?? 200);
  const m = new SimMachine(machine(cpus));
  const readings = [0, 2, 4, 6].map((dt) => {
    m.seconds = 3600 + dt;
    const tree = writeTree(m);
    return { interrupts: bigInterrupts(m, devices), vmstat: tree['/proc/vmstat']! };
  });
  const files = new Replay(readings, MemoryFiles.fromTexts({ kind: 'sim', label: 'x' }, writeTree(m)));
  const sampler = new Sampler(() => files, 2000);
  const ticks = 200;
  for (let i = 0; i < 10; i++) {
    files.next();
    sampler.tick();
  }
  const tick = cpuMs(() => {
    for (let i = 0; i < ticks; i++) {
      files.next();
      sampler.tick();
    }
  });
  const full = cpuMs(() => {
    for (let i = 0; i < ticks; i++) parseInterrupts(readings[i % readings.length]!.interrupts);
  });
  const kib = readings[0]!.interrupts.length / 1024;
  console.log(
    `sampler, ${cpus} CPUs, /proc/interrupts ${kib.toFixed(0)} KiB (${devices} device rows), ${ticks} ticks:`,
  );
  console.log(
    `  sampler tick (scan TLB/CAL/RES + vmstat + rates + ring)  ${(tick / ticks).toFixed(3)} ms CPU per tick`,
  );
  console.log(
    `  share of one core at one tick per 2 s                    ${((tick / ticks / 2000) * 100).toFixed(3)} % (goal: under 1 %)`,
  );
  console.log(
    `  full parse of the file (the previous sampler)            ${(full / ticks).toFixed(3)} ms CPU per tick`,
  );
  console.log(`  ratio full parse / sampler tick                          ${(full / tick).toFixed(1)}x`);
}

async function withServer<T>(
  cpus: number,
  intervalMs: number,
  run: (page: Page) => Promise<T>,
  rendererDir = RENDERER_DIR,
): Promise<T> {
  const sim = new SimMachine(machine(cpus));
  sim.advance(3600);
  // Simulated samples stay 2 s apart whatever the real interval.
  const files = new SimFiles(sim, { speed: 2000 / intervalMs });
  const source = new ActiveSource(files);
  const sampler = new Sampler(() => source.current, intervalMs);
  const server = await startServer({
    port: 0,
    handlers: createHandlers(source, 'web', { sampler }),
    sampler,
    rendererDir,
  });
  const profileDir = mkdtempSync(join(tmpdir(), 'hugetune-bench-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--enable-precise-memory-info'],
  });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(server.url);
    await page.getByTestId('tab-monitor').click();
    await page.getByTestId('chart-tlb').waitFor();
    return await run(page);
  } finally {
    await browser.close();
    await server.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
}

const measures = (page: Page, name = 'monitor-sample'): Promise<number[]> =>
  page.evaluate((n) => performance.getEntriesByName(n).map((e) => e.duration), name);

/**
 * Waits until the page has measured `n` samples. The page tells (a PerformanceObserver on its own measures)
 * rather than being polled: polling would run script in the page and be counted as the page's own work.
 */
async function samplesSeen(page: Page, n: number, timeoutMs: number): Promise<void> {
  const seen = page.evaluate(
    (k) =>
      new Promise<void>((resolve) => {
        const done = (): boolean => performance.getEntriesByName('monitor-sample').length >= k;
        if (done()) return resolve();
        const obs = new PerformanceObserver(() => {
          if (!done()) return;
          obs.disconnect();
          resolve();
        });
        obs.observe({ type: 'measure' });
      }),
    n,
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`fewer than ${n} samples in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([seen, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Main-thread CPU time of the page so far (thread ticks: what the page used, not what others kept it waiting). */
async function mainThreadSeconds(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const pick = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'];
  return Object.fromEntries(metrics.filter((m) => pick.includes(m.name)).map((m) => [m.name, m.value]));
}

interface RendererCost {
  handler: number[];
  draws: number[];
  cpuPerSample: number;
  parts: string;
}

async function rendererCost(cpus: number, intervalMs: number, samples: number, dir?: string): Promise<RendererCost> {
  const warm = 10;
  return withServer(
    cpus,
    intervalMs,
    async (page) => {
      await samplesSeen(page, warm, warm * intervalMs * 4 + 30_000);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
      const profile = process.env.BENCH_PROFILE;
      if (profile) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.start');
      }
      const trace = process.env.BENCH_TRACE;
      if (trace)
        await page
          .context()
          .browser()!
          .startTracing(page, { path: `${trace}-${cpus}.json` });
      const t0 = await mainThreadSeconds(cdp);
      const n0 = (await measures(page)).length;
      const d0 = (await measures(page, 'monitor-draw')).length;
      await samplesSeen(page, n0 + samples, samples * intervalMs * 4 + 30_000);
      const t1 = await mainThreadSeconds(cdp);
      if (trace) await page.context().browser()!.stopTracing();
      if (profile) {
        const { profile: p } = await cdp.send('Profiler.stop');
        writeFileSync(`${profile}-${cpus}.cpuprofile`, JSON.stringify(p));
      }
      const all = await measures(page);
      const draws = (await measures(page, 'monitor-draw')).slice(d0);
      const per = (k: string): number => ((t1[k]! - t0[k]!) * 1000) / (all.length - n0);
      return {
        handler: all.slice(n0),
        draws,
        cpuPerSample: per('TaskDuration'),
        parts: `script ${per('ScriptDuration').toFixed(2)} ms, layout ${per('LayoutDuration').toFixed(2)} ms, style ${per('RecalcStyleDuration').toFixed(2)} ms`,
      };
    },
    dir,
  );
}

function printCost(r: RendererCost, label = ''): void {
  const d = r.handler;
  console.log(
    `  ${label}sample handler (performance marks, wall time)  median ${pct(d, 50).toFixed(2)} ms, p95 ${pct(d, 95).toFixed(2)} ms, max ${Math.max(...d).toFixed(2)} ms`,
  );
  const w = r.draws;
  if (w.length > 0)
    console.log(
      `  ${label}drawing, one frame per sample (performance marks)  median ${pct(w, 50).toFixed(2)} ms, p95 ${pct(w, 95).toFixed(2)} ms, ${w.length} frames`,
    );
  console.log(
    `  ${label}page main thread, everything (CPU time / sample) ${r.cpuPerSample.toFixed(2)} ms (of which ${r.parts}; the rest paint, GC, stream)`,
  );
}

/**
 * The renderer's cost per sample at one size. With BENCH_BASELINE set to another build's out/renderer (say,
 * main's), that build is measured in the same run, turn about with this one, and the ratio printed.
 */
async function rendererCosts(cpus: number, intervalMs: number, samples: number): Promise<void> {
  console.log(`renderer, ${cpus} CPUs, ${samples} samples (goal: under ${cpus <= 256 ? 10 : 60} ms per sample):`);
  const base = process.env.BENCH_BASELINE;
  if (!base) return printCost(await rendererCost(cpus, intervalMs, samples));
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const was: number[] = [];
  const now: number[] = [];
  for (let k = 0; k < rounds; k++) {
    const b = await rendererCost(cpus, intervalMs, samples, resolve(base));
    printCost(b, 'baseline: ');
    was.push(b.cpuPerSample);
    const r = await rendererCost(cpus, intervalMs, samples);
    printCost(r, 'this build: ');
    now.push(r.cpuPerSample);
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `  CPU per sample, mean of ${rounds} turns: baseline ${mean(was).toFixed(2)} ms, this build ${mean(now).toFixed(2)} ms, ratio ${(mean(was) / mean(now)).toFixed(2)}x`,
  );
}

async function heap(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  return usedSize;
}

/** Self size by constructor name in a heap snapshot: what grows between two points in time. */
async function heapByKind(page: Page): Promise<Map<string, number>> {
  const cdp = await page.context().newCDPSession(page);
  let text = '';
  cdp.on('HeapProfiler.addHeapSnapshotChunk', (c: { chunk: string }) => (text += c.chunk));
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  await cdp.detach();
  const snap = JSON.parse(text) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const f = snap.snapshot.meta.node_fields;
  const [typeAt, nameAt, sizeAt] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size')];
  const types = snap.snapshot.meta.node_types[0];
  const out = new Map<string, number>();
  for (let i = 0; i < snap.nodes.length; i += f.length) {
    const type = types[snap.nodes[i + typeAt]!]!;
    const key = type === 'object' ? snap.strings[snap.nodes[i + nameAt]!]! : `(${type})`;
    out.set(key, (out.get(key) ?? 0) + snap.nodes[i + sizeAt]!);
  }
  return out;
}

function printGrowth(a: Map<string, number>, b: Map<string, number>, label: string): void {
  const rows = [...new Set([...a.keys(), ...b.keys()])]
    .map((k) => [k, (b.get(k) ?? 0) - (a.get(k) ?? 0)] as const)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 12);
  console.log(`  grew most ${label}: ${rows.map(([k, d]) => `${k} ${(d / 1024).toFixed(0)} KiB`).join(', ')}`);
}

async function heapGrowth(): Promise<void> {
  const intervalMs = 100;
  const perMinute = 30; // one sample per 2 simulated seconds
  // BENCH_BASELINE (another build's out/renderer) measures that build's heap instead.
  const dir = process.env.BENCH_BASELINE ?? RENDERER_DIR;
  await withServer(
    256,
    intervalMs,
    async (page) => {
      await samplesSeen(page, perMinute, 60_000);
      const one = await heap(page);
      await samplesSeen(page, 10 * perMinute, 180_000);
      const ten = await heap(page);
      await samplesSeen(page, 15 * perMinute, 180_000);
      const fifteen = await heap(page);
      if (process.env.BENCH_HEAP_KINDS) {
        // What grows, by constructor: one more minute-to-ten comparison with snapshots (slow, so opt-in).
        const a = await heapByKind(page);
        await samplesSeen(page, 20 * perMinute, 180_000);
        const b = await heapByKind(page);
        printGrowth(a, b, 'from 15 to 20 min');
      }
      const mib = (x: number): string => `${(x / 1048576).toFixed(1)} MiB`;
      console.log(`renderer heap, ${dir}, 256 CPUs (samples every ${intervalMs} ms real = 2 s simulated):`);
      console.log(`  after 1 min ${mib(one)}, after 10 min ${mib(ten)}, after 15 min ${mib(fifteen)}`);
      console.log(
        `  ratio 10 min / 1 min ${(ten / one).toFixed(3)}x, 15 min / 1 min ${(fifteen / one).toFixed(3)}x (goal: within 1.2x)`,
      );
    },
    dir,
  );
}

const PARTS = ['sampler', 'renderer', 'heap'] as const;
const asked = process.argv.slice(2);
const unknown = asked.filter((a) => !(PARTS as readonly string[]).includes(a));
if (unknown.length > 0) {
  console.error(`unknown part ${unknown.join(', ')}: the parts are ${PARTS.join(', ')}`);
  process.exit(2);
}
const run = (part: (typeof PARTS)[number]): boolean => asked.length === 0 || asked.includes(part);

if (run('sampler')) samplerBench();
if (run('renderer')) {
  // BENCH_CPUS=256 measures one size only.
  const sizes = process.env.BENCH_CPUS?.split(',').map(Number) ?? [256, 4096];
  if (sizes.includes(256)) await rendererCosts(256, 250, 60);
  if (sizes.includes(4096)) await rendererCosts(4096, 1000, 30);
}
if (run('heap')) await heapGrowth();
