/**
 * What the process inspector costs on a process with 10,000 mappings: reading and parsing maps (the layout),
 * smaps_rollup (the totals) and smaps (per-mapping detail, read only on request), and a whole
 * `inspectProcess`. Ratios are measured within one run; absolute times are printed for context only.
 * Needs a C compiler for the helper that makes the mappings. Run with `npm run bench` (it builds this too),
 * then `node out/bench/inspect.js`.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { FsFiles } from '../../electron/host/fs-files';
import { inspectProcess } from '../../electron/host/inspect/inspect';
import { summarizeVmas } from '../../shared/host/process/layout';
import { parseMaps } from '../../shared/host/process/maps';
import { parseSmaps, parseSmapsRollup } from '../../shared/host/process/smaps';
import { buildHelper, runHelper } from '../process-helper';

const MAPPINGS = 10_000;
const REPS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void): number {
  const out: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

async function main(): Promise<void> {
  const helper = buildHelper();
  if (typeof helper === 'string') {
    console.log(`inspect bench skipped: ${helper}`);
    return;
  }
  const proc = await runHelper(helper, ['many', String(MAPPINGS)]);
  try {
    const pid = proc.pid;
    const files = new FsFiles({ kind: 'live', label: 'this machine' }, '/');
    const maps = parseMaps(readFileSync(`/proc/${pid}/maps`, 'utf8'));
    const count = maps.ok ? maps.value.length : 0;
    const tMaps = time(() => {
      const p = parseMaps(readFileSync(`/proc/${pid}/maps`, 'utf8'));
      if (p.ok) summarizeVmas(p.value);
    });
    const tMapsRead = time(() => readFileSync(`/proc/${pid}/maps`, 'utf8'));
    const tRollup = time(() => parseSmapsRollup(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')));
    const tSmaps = time(() => parseSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8')));
    const tSmapsRead = time(() => readFileSync(`/proc/${pid}/smaps`, 'utf8'));
    const tInspect = time(() => inspectProcess(files, pid, {}));
    const tInspectSmaps = time(() => inspectProcess(files, pid, { smaps: true }));
    const ms = (x: number): string => `${x.toFixed(2)} ms`;
    console.log(`process inspector on a process with ${count} mappings (median of ${REPS}):`);
    console.log(`  maps: read ${ms(tMapsRead)}, read + parse + layout ${ms(tMaps)}`);
    console.log(`  smaps_rollup: read + parse ${ms(tRollup)}`);
    console.log(`  smaps: read ${ms(tSmapsRead)}, read + parse ${ms(tSmaps)}`);
    console.log(`  inspectProcess: ${ms(tInspect)}; with --smaps ${ms(tInspectSmaps)}`);
    console.log(`  ratio smaps / maps (read only): ${(tSmapsRead / tMapsRead).toFixed(1)}x`);
    console.log(`  ratio smaps / maps (read + parse): ${(tSmaps / tMaps).toFixed(1)}x`);
    console.log(`  ratio inspect with smaps / without: ${(tInspectSmaps / tInspect).toFixed(1)}x`);
  } finally {
    await proc.stop();
    helper.remove();
  }
}

void main();
