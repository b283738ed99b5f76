/**
 * Benchmarks that print their figures. Ratios are measured within one run (these machines are noisy);
 * absolute times are printed for context only. Run with `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FsFiles } from '../../electron/host/fs-files';
import { gguf } from '@huggingface/gguf';
import { readGgufModel } from '../../electron/host/gguf';
import { readGgufHeader } from '../../electron/host/gguf-header';
import { runPlan } from '../../shared/plan/request';
import { llama70bQ4KM, llamaMeta, llamaTensors, writeGguf } from '../fixtures/gguf';
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

// A realistic GGUF: Llama 3.3 70B Q4_K_M as llama.cpp writes it, with its whole tokenizer (128,256 tokens,
// scores, token types, 280k merges) in the header, 724 tensors, ~42 GB sparse.
const realDir = mkdtempSync(join(tmpdir(), 'hugetune-bench-'));
try {
  const real = join(realDir, 'Llama-3.3-70B-Instruct-Q4_K_M.gguf');
  const { meta, tensors } = llama70bQ4KM();
  const realBytes = writeGguf(real, meta, tensors);
  console.log(
    `realistic GGUF: ${(realBytes / 1e9).toFixed(1)} GB (sparse), ${tensors.length} tensors, 128,256-token tokenizer`,
  );

  // In-process, the header alone: this reader against @huggingface/gguf, which decodes every array.
  const newRead: number[] = [];
  const oldRead: number[] = [];
  for (let i = 0; i < 3; i++) {
    let t = performance.now();
    await readGgufHeader(real);
    newRead.push(performance.now() - t);
    t = performance.now();
    await gguf(real, { allowLocalFile: true });
    oldRead.push(performance.now() - t);
  }
  console.log(
    `  header read in-process: ${median(newRead).toFixed(1)} ms, @huggingface/gguf ${median(oldRead).toFixed(1)} ms (medians of 3)`,
  );

  // Whole process, as a user runs it, against a bare node: interleaved so machine noise hits both alike.
  const planArgs = [cli, 'plan', '--gguf', real, '--mem-gib', '64', '--json'];
  const oldArgs = [
    '--input-type=module',
    '-e',
    `import { gguf } from '@huggingface/gguf'; await gguf(process.argv[1], { allowLocalFile: true });`,
    real,
  ];
  const root = resolve(import.meta.dirname, '..', '..');
  const run = (args: string[]) => () => {
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.slice(0, 3).join(' ')} exited ${r.status}: ${r.stderr}`);
  };
  const wholeReps = 15;
  const [planWhole, bareWhole] = paired(wholeReps, run(planArgs), run(['-e', '0']));
  const oldWhole = time(5, run(oldArgs));

  // Peak RSS: GNU time where there is one, else the process reports its own on exit.
  const preload = join(realDir, 'maxrss.cjs');
  writeFileSync(
    preload,
    "process.on('exit', () => process.stderr.write(`maxrss-kib ${process.resourceUsage().maxRSS}\\n`));\n",
  );
  const peakKiB = (args: string[]): number => {
    const time = existsSync('/usr/bin/time');
    const r = time
      ? spawnSync('/usr/bin/time', ['-v', process.execPath, ...args], { cwd: root, encoding: 'utf8' })
      : spawnSync(process.execPath, ['--require', preload, ...args], { cwd: root, encoding: 'utf8' });
    const m = time ? /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr) : /maxrss-kib (\d+)/.exec(r.stderr);
    if (r.status !== 0 || !m) throw new Error(`peak RSS of ${args.slice(0, 3).join(' ')}: ${r.stderr}`);
    return Number(m[1]);
  };
  const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
  const peak = (args: string[]) => median([peakKiB(args), peakKiB(args), peakKiB(args)]);
  const [planPeak, barePeak, oldPeak] = [peak(planArgs), peak(['-e', '0']), peak(oldArgs)];
  console.log(
    `  hugetune plan --gguf --mem-gib 64 --json: ${planWhole.toFixed(1)} ms, node -e 0 ${bareWhole.toFixed(1)} ms (paired medians of ${wholeReps})`,
  );
  console.log(
    `  ratio ${(planWhole / bareWhole).toFixed(2)}x; peak RSS ${mib(planPeak)} (node -e 0: ${mib(barePeak)}) (goals: under 500 ms, under 80 MiB)`,
  );
  console.log(
    `  old path, @huggingface/gguf header read alone in a fresh node: ${oldWhole.toFixed(1)} ms (${(oldWhole / bareWhole).toFixed(2)}x node -e 0), peak RSS ${mib(oldPeak)}`,
  );
} finally {
  rmSync(realDir, { recursive: true, force: true });
}
