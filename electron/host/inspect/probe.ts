/**
 * Runs the alignment probe in a short-lived helper process that maps anonymous regions and reports their
 * placement from its own /proc/self/maps (before and after); the placement is read from the kernel's own
 * account (shared/host/process/probe). No compiler is needed: the helper is Node itself (glibc's mmap
 * threshold pinned at 128 KiB, so every ArrayBuffer of the probe's size is its own anonymous mmap of exactly
 * that length), or Python 3's mmap module where there is no Node to run (the packaged desktop app, whose
 * Electron binary does not run as Node).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { UserError } from '../../../shared/errors';
import { parseMaps } from '../../../shared/host/process/maps';
import { analyzeProbe, newRanges, PROBE_COUNT, PROBE_MAPPING_KIB } from '../../../shared/host/process/probe';
import type { AlignmentProbe } from '../../../shared/host/process/types';

/**
 * The Node helper. glibc's malloc puts a 16-byte header before the data and rounds the mapping up to a page,
 * so asking for the length minus 64 bytes maps exactly the length. The buffers stay referenced until the
 * second read.
 */
const NODE_HELPER = `
const fs = require('node:fs');
const n = Number(process.argv[1]), bytes = Number(process.argv[2]);
const before = fs.readFileSync('/proc/self/maps', 'utf8');
const keep = [];
for (let i = 0; i < n; i++) keep.push(Buffer.allocUnsafeSlow(bytes - 64));
const after = fs.readFileSync('/proc/self/maps', 'utf8');
process.stdout.write(JSON.stringify({ before, after, kept: keep.length }));
`;

/** The Python helper: private anonymous mmaps of exactly the length (Python's default would be shared). */
const PYTHON_HELPER = `
import json, mmap, sys
n, size = int(sys.argv[1]), int(sys.argv[2])
before = open('/proc/self/maps').read()
keep = [mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE) for _ in range(n)]
after = open('/proc/self/maps').read()
sys.stdout.write(json.dumps({'before': before, 'after': after, 'kept': len(keep)}))
`;

export type ProbeRunner = 'node' | 'python';

const TIMEOUT_MS = 20_000;

function release(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    return null;
  }
}

/** The helper's command line: this Node when hugetune runs on Node, else a node or python3 on the PATH. */
function command(runner: ProbeRunner): [string, string[]] {
  const args = [String(PROBE_COUNT), String(PROBE_MAPPING_KIB * 1024)];
  if (runner === 'python') return ['python3', ['-c', PYTHON_HELPER, ...args]];
  return [process.versions.electron ? 'node' : process.execPath, ['-e', NODE_HELPER, ...args]];
}

class NotInstalled extends Error {}

function runHelper(runner: ProbeRunner): Promise<string> {
  const [cmd, args] = command(runner);
  return new Promise<string>((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        // A fixed threshold also turns off glibc's dynamic threshold, which could otherwise grow past the
        // probe's length after a large free and serve it from the heap.
        GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=131072',
        MALLOC_MMAP_THRESHOLD_: '131072',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new NotInstalled(cmd)
          : new UserError(`alignment probe: could not start its helper (${cmd}): ${e.message}`),
      ),
    );
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else
        reject(
          new UserError(
            `alignment probe: its helper (${cmd}) ${signal ? `was stopped by ${signal}` : `exited with ${code}`}${stderr ? `: ${stderr.trim().split('\n')[0]}` : ''}`,
          ),
        );
    });
  });
}

/**
 * Runs the probe (with the given helper, or the first one this machine has); a UserError says why it could
 * not (no helper to run, the helper failed, an allocator that does not map allocations one by one).
 */
export async function probeAlignment(runner?: ProbeRunner): Promise<AlignmentProbe> {
  let out: string | null = null;
  for (const r of runner ? [runner] : (['node', 'python'] as const)) {
    try {
      out = await runHelper(r);
      break;
    } catch (e) {
      if (!(e instanceof NotInstalled)) throw e;
    }
  }
  if (out === null)
    throw new UserError('alignment probe: needs Node.js or Python 3 on this machine to run its helper process');
  let data: { before: string; after: string };
  try {
    data = JSON.parse(out) as { before: string; after: string };
  } catch {
    throw new UserError('alignment probe: its helper printed something other than its maps');
  }
  const before = parseMaps(data.before);
  const after = parseMaps(data.after);
  if (!before.ok) throw new UserError(`alignment probe: /proc/self/maps not understood: ${before.reason}`);
  if (!after.ok) throw new UserError(`alignment probe: /proc/self/maps not understood: ${after.reason}`);
  const result = analyzeProbe(newRanges(before.value, after.value), PROBE_MAPPING_KIB, PROBE_COUNT, release());
  if (typeof result === 'string') throw new UserError(`alignment probe: ${result}`);
  return result;
}

let cached: Promise<AlignmentProbe | null> | null = null;

/** The probe's answer for this machine, measured once per process (the kernel's behaviour is fixed until a reboot). */
export function cachedProbe(): Promise<AlignmentProbe | null> {
  cached ??= probeAlignment().catch(() => null);
  return cached;
}
