/**
 * How fast the Overview shows data, against a static page of the same rendered size: Chromium navigates to
 * the URL `hugetune serve` prints (with its ?token= query) and the clock stops when the memory card (the
 * Overview's data) is in the DOM and painted. The static page is that same rendered Overview, saved as HTML
 * with the app's stylesheet and padded to the bytes the app itself loads to show it and mount (HTML, every
 * script and stylesheet, uncompressed), served by web mode's own static file code (so compressed the same way)
 * and opened through the same kind of URL. Runs on a 128-CPU and a 4,096-CPU simulated machine; prints medians
 * of loads taken in turn, the ratio with the interval this machine's noise leaves it in, and report calls per
 * load, the page's main-thread CPU time until the data is painted (thread ticks), which a busy machine
 * disturbs less, and the server's CPU time per app load.
 *
 *   npm run build && npm run bench:ui        (HUGETUNE_BENCH_RUNS=N loads of each; default 21)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser } from 'playwright-core';
import { securityHeaders, webCsp } from '../../electron/server/server';
import { loadStatic } from '../../electron/server/static';
import { SCREEN_DATA_ID } from '../../shared/served-screen';
import { launch } from '../e2e/browser';

const REPO = resolve(import.meta.dirname, '..', '..');
const CLI = join(REPO, 'bin', 'hugetune.js');
const RENDERER = join(REPO, 'out', 'renderer');
const RUNS = Number(process.env.HUGETUNE_BENCH_RUNS ?? 21);
const READY = '[data-testid="card-memory"]';
/**
 * Tells the bench, through a binding, when the ready element is first in the DOM and a frame has been painted
 * after it. A binding rather than Playwright's waitForFunction: that injects and compiles Playwright's own
 * script (some 70 ms here) while the page is still loading, which landed on the app's clock and not on the
 * static page's (already loaded by the time it ran).
 */
const MARK = `(() => {
  const done = () => requestAnimationFrame(() => window.__benchReady(performance.now()));
  const check = () => { if (document.querySelector('${READY}')) { observer.disconnect(); done(); } };
  const observer = new MutationObserver(check);
  // From the start: a script may fill the page before DOMContentLoaded.
  observer.observe(document, { childList: true, subtree: true });
})();`;

interface Served {
  url: string;
  /** CPU time the server process has used so far, in ms (user and system, from /proc; 10 ms steps). */
  cpuMs(): number;
  stop(): void;
}

async function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--json', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`hugetune serve exited with ${code}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  const cpuMs = (): number => {
    // Fields 14 and 15 of /proc/PID/stat (utime, stime), in clock ticks of 10 ms; after the command's name,
    // which ends with the last ')'.
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  return { url, cpuMs, stop: () => child.kill('SIGTERM') };
}

/** The saved page at / and the app's own assets, through web mode's static file code, with its headers. */
async function staticServer(dir: string): Promise<{ server: Server; port: number }> {
  const csp = webCsp(RENDERER);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const from = path === '/' || path === '/index.html' ? dir : RENDERER;
    void loadStatic(from, path, req.headers['accept-encoding']).then((file) => {
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      // Web mode's own security headers: its Cross-Origin-Opener-Policy, for one, makes Chromium give the
      // page a new renderer process, a cost the static page must pay too.
      securityHeaders(res, csp);
      res.writeHead(200, {
        'content-type': file.type,
        'cache-control': file.type.startsWith('text/html') ? 'no-store' : 'max-age=3600',
        ...(file.encoding ? { 'content-encoding': file.encoding } : {}),
      });
      res.end(file.body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, port: (server.address() as AddressInfo).port };
}

async function timeLoad(
  browser: Browser,
  url: string,
): Promise<{ ms: number; cpuMs: number; reports: number; html: string; bytes: number }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // The page's main-thread CPU time as well as the wall clock: on a busy machine the first moves far less.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  let reports = 0;
  page.on('request', (r) => {
    // The report comes in the page (opened from the printed URL), with the first screen (app.firstScreen), or
    // on its own (host.report).
    if (r.url().endsWith('/api/call') && /"(host\.report|app\.firstScreen)"/.test(r.postData() ?? '')) reports++;
  });
  let readyAt: (ms: number) => void = () => {};
  const ready = new Promise<number>((ok) => (readyAt = ok));
  await page.exposeFunction('__benchReady', (ms: number) => readyAt(ms));
  await page.addInitScript(MARK);
  await page.goto(url);
  const ms = await ready;
  const { metrics } = await cdp.send('Performance.getMetrics');
  const cpuMs = (metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN) * 1000;
  // What the page fetched to get there and to mount the app (which may come after the data is painted):
  // the HTML and every script and stylesheet, uncompressed, once #app holds the app's own DOM.
  await page.waitForFunction(() => {
    const app = document.getElementById('app');
    return !app || (app.innerHTML !== '' && !app.innerHTML.includes('<!--[-->'));
  });
  const bytes = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const assets = performance
      .getEntriesByType('resource')
      .filter((e) => /\/assets\/[^/]+\.(js|css)$/.test(e.name)) as PerformanceResourceTiming[];
    return nav.decodedBodySize + assets.reduce((sum, e) => sum + e.decodedBodySize, 0);
  });
  const html = await page.content();
  if (await page.evaluate((id) => document.getElementById(id) !== null, SCREEN_DATA_ID)) reports++;
  await context.close();
  return { ms, cpuMs, reports, html, bytes };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * How far the ratio of medians could move on this machine's noise: the loads resampled (pairs kept together,
 * each pair loaded back to back) 2,000 times; the middle 95 % of the ratios those give. Seeded, so the same
 * loads print the same interval.
 */
function ratioInterval(app: number[], base: number[]): [number, number] {
  let seed = 0x9e3779b9;
  const next = (): number => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const ratios: number[] = [];
  for (let b = 0; b < 2000; b++) {
    const pick = app.map(() => Math.floor(next() * app.length));
    ratios.push(median(pick.map((i) => app[i]!)) / median(pick.map((i) => base[i]!)));
  }
  ratios.sort((x, y) => x - y);
  return [ratios[Math.floor(ratios.length * 0.025)]!, ratios[Math.floor(ratios.length * 0.975)]!];
}

/** The saved Overview: scripts out (it must not start the app), the rest as rendered, padded to `bytes`. */
function staticCopy(html: string, bytes: number): string {
  const page = html
    .replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '')
    .replace(/<link rel="modulepreload"[^>]*>/g, '')
    .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
  // Padding as text a browser parses (a hidden paragraph of numbers), not a comment it can skip. The app's
  // data block goes too: it is counted in the padding.
  const pad = Math.max(0, bytes - page.length - 20);
  const words = Array.from({ length: Math.ceil(pad / 8) }, (_, i) => String(i).padStart(7, '0'));
  return page.replace('</body>', `<p hidden>${words.join(' ').slice(0, pad)}</p></body>`);
}

async function machine(name: string, args: string[], browser: Browser, dir: string): Promise<void> {
  const app = await serve(args);
  try {
    // One warm-up of each, so neither side pays for the first compression or the first simulated tick.
    const first = await timeLoad(browser, app.url);
    const page = staticCopy(first.html, first.bytes);
    writeFileSync(join(dir, 'index.html'), page);
    const { server, port } = await staticServer(dir);
    const staticUrl = `http://127.0.0.1:${port}/${new URL(app.url).search}`;
    await timeLoad(browser, staticUrl);
    const appMs: number[] = [];
    const staticMs: number[] = [];
    const appCpu: number[] = [];
    const staticCpu: number[] = [];
    const reports: number[] = [];
    let serverCpu = 0;
    for (let i = 0; i < RUNS; i++) {
      const before = app.cpuMs();
      const a = await timeLoad(browser, app.url);
      serverCpu += app.cpuMs() - before;
      appMs.push(a.ms);
      appCpu.push(a.cpuMs);
      reports.push(a.reports);
      const st = await timeLoad(browser, staticUrl);
      staticMs.push(st.ms);
      staticCpu.push(st.cpuMs);
    }
    server.close();
    const a = median(appMs);
    const s = median(staticMs);
    const ac = median(appCpu);
    const sc = median(staticCpu);
    const [low, high] = ratioInterval(appMs, staticMs);
    console.log(
      `${name.padEnd(10)} Overview with data ${a.toFixed(0).padStart(5)} ms · static page (${(page.length / 1024).toFixed(0)} KiB) ` +
        `${s.toFixed(0).padStart(5)} ms · ratio ${(a / s).toFixed(2)}x (95 % interval ${low.toFixed(2)}–${high.toFixed(2)}) · ` +
        `report calls per load: ${[...new Set(reports)].join(', ')}`,
    );
    console.log(
      `${''.padEnd(10)} page main-thread CPU until then: app ${ac.toFixed(0)} ms · static ${sc.toFixed(0)} ms · ratio ${(ac / sc).toFixed(2)}x`,
    );
    // The whole load, the app's mount and its first calls included, not only the way to the data.
    console.log(`${''.padEnd(10)} web mode server CPU per app load: ${(serverCpu / RUNS).toFixed(1)} ms`);
  } finally {
    app.stop();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hugetune-bench-ui-'));
  const browser = await launch();
  try {
    // 4,096 CPUs: the two-socket Xeon profile spread over 16 nodes of 256 CPUs.
    const profile = JSON.parse(
      await new Promise<string>((ok) => {
        let out = '';
        const p = spawn(process.execPath, [CLI, 'sim', 'show', 'xeon-2s-768g', '--json']);
        p.stdout.on('data', (c: Buffer) => (out += c.toString()));
        p.on('exit', () => ok(out));
      }),
    ) as Record<string, unknown>;
    const big = {
      ...profile,
      id: 'xeon-4096',
      description: '4,096 CPUs on 16 nodes',
      nodes: Array.from({ length: 16 }, () => ({ memGiB: 64, cpus: 256 })),
      cmdline: 'BOOT_IMAGE=/vmlinuz root=/dev/sda ro',
    };
    const file = join(dir, 'xeon-4096.json');
    writeFileSync(file, JSON.stringify(big));
    console.log(`median of ${RUNS} cold loads each (fresh browser context), navigation start to data painted`);
    await machine('128 CPUs', ['--sim', 'xeon-2s-768g'], browser, dir);
    await machine('4096 CPUs', ['--sim', file], browser, dir);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
