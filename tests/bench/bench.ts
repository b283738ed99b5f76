/**
 * Benchmarks that print their figures. Ratios are measured within one run (these machines are noisy);
 * absolute times are printed for context only. Run with `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FsFiles } from '../../electron/host/fs-files';
import { readGgufModel } from '../../electron/host/gguf';
import { runPlan } from '../../shared/plan/request';
import { llamaMeta, llamaTensors, writeGguf } from '../fixtures/gguf';
import type { DirList, FileRead, HostFiles } from '../../shared/host/files';
import { parseInterrupts } from '../../shared/host/parse/interrupts';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(reps: number, fn: () => void): number {
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

/** Records which files and directories a full read touches, so "merely reading them" can be replayed. */
class Recorder implements HostFiles {
  readonly files = new Set<string>();
  readonly dirs = new Set<string>();
  constructor(private readonly inner: HostFiles) {}
  get source() {
    return this.inner.source;
  }
  read(path: string): FileRead {
    this.files.add(path);
    return this.inner.read(path);
  }
  list(dir: string): DirList {
    this.dirs.add(dir);
    return this.inner.list(dir);
  }
}

const root = process.argv[2] ?? '/';
const live = new FsFiles({ kind: root === '/' ? 'live' : 'root', label: root }, root);
const rec = new Recorder(live);
buildReport(readHost(rec));
const prefix = root === '/' ? '' : root;

const reps = 300;
/** Runs two workloads alternately so machine noise hits both alike; returns their medians. */
function paired(n: number, a: () => void, b: () => void): [number, number] {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    a();
    ta.push(performance.now() - t);
    t = performance.now();
    b();
    tb.push(performance.now() - t);
  }
  return [median(ta), median(tb)];
}
const readFiles = () => {
  for (const d of rec.dirs) {
    try {
      readdirSync(prefix + d);
    } catch {
      /* missing on this machine: the reader pays the same failed syscall */
    }
  }
  for (const f of rec.files) {
    try {
      readFileSync(prefix + f);
    } catch {
      /* as above */
    }
  }
};
const [readParse, readOnly] = paired(reps, () => buildReport(readHost(live)), readFiles);
console.log(`whole machine (${rec.files.size} files, ${rec.dirs.size} directories, root ${root}):`);
console.log(`  read + parse + report  ${readParse.toFixed(3)} ms (median of ${reps})`);
console.log(`  read the same files    ${readOnly.toFixed(3)} ms`);
console.log(`  ratio                  ${(readParse / readOnly).toFixed(2)}x (goal: under 1.5x)`);

for (const n of [256, 1024]) {
  const header = Array.from({ length: n }, (_, i) => `CPU${i}`).join(' ');
  const rows = ['NMI', 'LOC', 'RES', 'CAL', 'TLB', 'TRM', 'MCE']
    .map((l) => `${l}: ${Array.from({ length: n }, (_, i) => String(i * 7919)).join(' ')} description`)
    .join('\n');
  const irqs = Array.from(
    { length: 64 },
    (_, k) => `${k}: ${Array.from({ length: n }, () => '3').join(' ')} IO-APIC edge dev${k}`,
  ).join('\n');
  const text = `${header}\n${irqs}\n${rows}\nERR: 0\nMIS: 0\n`;
  const t = time(200, () => parseInterrupts(text));
  console.log(
    `/proc/interrupts, ${n} CPUs (${(text.length / 1024).toFixed(0)} KiB): parse ${t.toFixed(3)} ms (median of 200)`,
  );
}

const cli = resolve(import.meta.dirname, '..', '..', 'bin', 'hugetune.js');
const coldReps = 31;
const spawnOk = (args: string[]) => () => {
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
};
// Interleaved, so a noisy moment slows both alike.
const [report, bare] = paired(coldReps, spawnOk([cli, 'report', '--json']), spawnOk(['-e', '0']));
console.log(
  `cold start (paired medians of ${coldReps}): hugetune report --json ${report.toFixed(1)} ms, node -e 0 ${bare.toFixed(1)} ms`,
);
console.log(`  ratio ${(report / bare).toFixed(2)}x`);

// The planner: a full plan in-process, and a 100 GB GGUF planned from its header alone.
const report0 = buildReport(readHost(live));
const planMs = time(500, () =>
  runPlan({ model: 'deepseek-r1-671b', quant: 'Q4_K_M', memGiB: 512, pageSize: '1G', ctx: 32768 }, report0),
);
console.log(
  `plan (DeepSeek-R1 on a planned 512 GiB machine): ${planMs.toFixed(3)} ms (median of 500; goal: under 5 ms)`,
);

const dir = mkdtempSync(join(tmpdir(), 'hugetune-bench-'));
const big = join(dir, 'big.gguf');
const bytes = writeGguf(
  big,
  llamaMeta({ name: 'big', layers: 126, hidden: 16384, heads: 128, kvHeads: 8, ctx: 131072, vocab: 128256 }),
  llamaTensors({ layers: 126, hidden: 16384, kvDim: 1024, ffn: 53248, vocab: 128256, type: 10 }),
);
const ggufTimes: number[] = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  const spec = await readGgufModel(big);
  runPlan({ gguf: big, memGiB: 512 }, report0, spec);
  ggufTimes.push(performance.now() - t);
}
rmSync(dir, { recursive: true, force: true });
console.log(
  `GGUF of ${(bytes / 1e9).toFixed(0)} GB (sparse), header read + plan: ${median(ggufTimes).toFixed(1)} ms (median of 5; goal: well under 1 s)`,
);
