/**
 * The Monitor's speed, printed as figures (run with `npm run bench:monitor`; needs `npm run build` first and
 * Debian's chromium, or CHROMIUM_PATH):
 *
 * 1. Sampler CPU: N ticks of the sampler against a simulated 4,096-CPU /proc/interrupts with the device rows a
 *    real machine that size has, timed with process.cpuUsage(), as a share of one core at the 2 s interval; and
 *    in the same run the full-file parse the sampler used before, for the ratio.
 * 2. Renderer cost per sample: web mode in Chromium on a simulated 256- and 4,096-CPU machine; the page marks
 *    its sample handler (`monitor-sample` measures: store, every chart, heatmap, key numbers, DOM flush).
 * 3. Renderer heap: after 1 and after 10 minutes of samples on a 256-CPU machine. Ten minutes are emulated by
 *    sampling every 100 ms real time with the simulator's clock running 20x, so samples stay 2 simulated
 *    seconds apart (what the charts and the ring see) while arriving 20x faster.
 */
import { mkdtempSync, rmSync } from 'node:fs';
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

async function withServer<T>(cpus: number, intervalMs: number, run: (page: Page) => Promise<T>): Promise<T> {
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
    rendererDir: RENDERER_DIR,
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

const measures = (page: Page): Promise<number[]> =>
  page.evaluate(() => performance.getEntriesByName('monitor-sample').map((e) => e.duration));

async function samplesSeen(page: Page, n: number, timeoutMs: number): Promise<void> {
  await page.waitForFunction((k) => performance.getEntriesByName('monitor-sample').length >= k, n, {
    timeout: timeoutMs,
    polling: 100,
  });
}

/** Main-thread CPU time of the page so far (thread ticks: what the page used, not what others kept it waiting). */
async function mainThreadSeconds(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const pick = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'];
  return Object.fromEntries(metrics.filter((m) => pick.includes(m.name)).map((m) => [m.name, m.value]));
}

async function rendererCost(cpus: number, intervalMs: number, samples: number): Promise<void> {
  const warm = 10;
  const r = await withServer(cpus, intervalMs, async (page) => {
    await samplesSeen(page, warm, warm * intervalMs * 4 + 30_000);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    const t0 = await mainThreadSeconds(cdp);
    const n0 = (await measures(page)).length;
    await samplesSeen(page, n0 + samples, samples * intervalMs * 4 + 30_000);
    const t1 = await mainThreadSeconds(cdp);
    const all = await measures(page);
    const per = (k: string): number => ((t1[k]! - t0[k]!) * 1000) / (all.length - n0);
    return {
      handler: all.slice(n0),
      cpuPerSample: per('TaskDuration'),
      parts: `script ${per('ScriptDuration').toFixed(2)} ms, layout ${per('LayoutDuration').toFixed(2)} ms, style ${per('RecalcStyleDuration').toFixed(2)} ms`,
    };
  });
  const d = r.handler;
  console.log(`renderer, ${cpus} CPUs, ${d.length} samples (goal: under ${cpus <= 256 ? 10 : 60} ms per sample):`);
  console.log(
    `  sample handler (performance marks, wall time)  median ${pct(d, 50).toFixed(2)} ms, p95 ${pct(d, 95).toFixed(2)} ms, max ${Math.max(...d).toFixed(2)} ms`,
  );
  console.log(
    `  page main thread, everything (CPU time / sample) ${r.cpuPerSample.toFixed(2)} ms (of which ${r.parts}; the rest paint, GC, stream)`,
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

async function heapGrowth(): Promise<void> {
  const intervalMs = 100;
  const perMinute = 30; // one sample per 2 simulated seconds
  await withServer(256, intervalMs, async (page) => {
    await samplesSeen(page, perMinute, 60_000);
    const one = await heap(page);
    await samplesSeen(page, 10 * perMinute, 180_000);
    const ten = await heap(page);
    await samplesSeen(page, 15 * perMinute, 180_000);
    const fifteen = await heap(page);
    const mib = (x: number): string => `${(x / 1048576).toFixed(1)} MiB`;
    console.log(`renderer heap, 256 CPUs (samples every ${intervalMs} ms real = 2 s simulated):`);
    console.log(`  after 1 min ${mib(one)}, after 10 min ${mib(ten)}, after 15 min ${mib(fifteen)}`);
    console.log(
      `  ratio 10 min / 1 min ${(ten / one).toFixed(3)}x, 15 min / 1 min ${(fifteen / one).toFixed(3)}x (goal: within 1.2x)`,
    );
  });
}

samplerBench();
await rendererCost(256, 250, 60);
await rendererCost(4096, 1000, 30);
await heapGrowth();
