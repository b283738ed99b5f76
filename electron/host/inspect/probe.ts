/**
 * Runs the alignment probe in a short-lived helper process: Node itself, told to map large allocations one by
 * one (glibc's mmap threshold pinned at 128 KiB, so every ArrayBuffer of the probe's size is its own
 * anonymous mmap of exactly that length), reporting its /proc/self/maps from before and after. No compiler
 * is needed; the placement is read from the kernel's own account (shared/host/process/probe).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { UserError } from '../../../shared/errors';
import { parseMaps } from '../../../shared/host/process/maps';
import { analyzeProbe, newRanges, PROBE_COUNT, PROBE_MAPPING_KIB } from '../../../shared/host/process/probe';
import type { AlignmentProbe } from '../../../shared/host/process/types';

/**
 * The helper's program. glibc's malloc puts a 16-byte header before the data and rounds the mapping up to a
 * page, so asking for the length minus 64 bytes maps exactly the length. The buffers are kept referenced until
 * the second read.
 */
const HELPER = `
const fs = require('node:fs');
const n = Number(process.argv[1]), bytes = Number(process.argv[2]);
const before = fs.readFileSync('/proc/self/maps', 'utf8');
const keep = [];
for (let i = 0; i < n; i++) keep.push(Buffer.allocUnsafeSlow(bytes - 64));
const after = fs.readFileSync('/proc/self/maps', 'utf8');
process.stdout.write(JSON.stringify({ before, after, kept: keep.length }));
`;

const TIMEOUT_MS = 20_000;

function release(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    return null;
  }
}

/** Runs the probe; a UserError says why it could not (no /proc, the helper failed, an allocator that pools). */
export async function probeAlignment(): Promise<AlignmentProbe> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', HELPER, String(PROBE_COUNT), String(PROBE_MAPPING_KIB * 1024)], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        // Electron's binary runs as plain Node with this; Node ignores it.
        ELECTRON_RUN_AS_NODE: '1',
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
    child.on('error', (e) => reject(new UserError(`alignment probe: could not start its helper: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else
        reject(
          new UserError(
            `alignment probe: its helper ${signal ? `was stopped by ${signal}` : `exited with ${code}`}${stderr ? `: ${stderr.trim().split('\n')[0]}` : ''}`,
          ),
        );
    });
  });
  let data: { before: string; after: string };
  try {
    data = JSON.parse(out) as { before: string; after: string };
  } catch {
    throw new UserError('alignment probe: its helper printed something other than its maps');
  }
  const before = parseMaps(data.before);
  const after = parseMaps(data.after);
  if (!before.ok || !after.ok)
    throw new UserError(
      `alignment probe: /proc/self/maps unreadable: ${!before.ok ? before.reason : !after.ok ? after.reason : ''}`,
    );
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
