/**
 * A small C program the inspector's tests run as a real process: it maps memory in a chosen way, prints
 * where, says "ready", and holds everything until its standard input closes. Built with the system compiler
 * into a temporary directory; `buildHelper` returns null (and the reason) where there is no compiler.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const SOURCE = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void hold(void) {
  printf("ready\n");
  fflush(stdout);
  char c;
  while (read(0, &c, 1) > 0) {}
}

static void touch(char *p, size_t len) {
  for (size_t i = 0; i < len; i += 4096) p[i] = 1;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *mode = argv[1];
  if (strcmp(mode, "pattern") == 0) {
    /* Each size in KiB. Six different protection and advice combinations in turn, so that no two of the
       six mappings made around it can merge with it into one VMA, wherever the kernel places them. */
    for (int i = 2; i < argc; i++) {
      size_t len = (size_t)atol(argv[i]) * 1024;
      int prot = (i % 2 == 0) ? PROT_READ | PROT_WRITE : PROT_READ;
      char *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) { printf("fail %d\n", errno); return 1; }
      /* Flags no other mapping of the process has split it from any neighbour it merged with, after the
         kernel placed it. */
      int k = ((i - 2) / 2) % 3;
      if (k != 1) madvise(p, len, MADV_DONTFORK);
      if (k != 0) madvise(p, len, MADV_DONTDUMP);
      if (prot & PROT_WRITE) touch(p, len);
      printf("map %lx %zu\n", (unsigned long)p, len / 1024);
    }
  } else if (strcmp(mode, "madvise") == 0) {
    /* N MiB on a 2 MiB boundary, asked for THP with MADV_HUGEPAGE, then touched. */
    size_t len = (size_t)atol(argv[2]) << 20;
    char *raw = mmap(NULL, len + (2 << 20), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) { printf("fail %d\n", errno); return 1; }
    char *p = (char *)(((unsigned long)raw + (2 << 20) - 1) & ~((unsigned long)(2 << 20) - 1));
    int rc = madvise(p, len, MADV_HUGEPAGE);
    touch(p, len);
    printf("map %lx %zu madvise=%d\n", (unsigned long)p, len / 1024, rc);
  } else if (strcmp(mode, "hugetlb") == 0) {
    /* N pages of the default huge page size with MAP_HUGETLB (needs a pool). */
    size_t len = (size_t)atol(argv[2]) << 21;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
    if (p == MAP_FAILED) { printf("fail %d\n", errno); fflush(stdout); return 1; }
    touch(p, len);
    printf("map %lx %zu\n", (unsigned long)p, len / 1024);
  } else if (strcmp(mode, "many") == 0) {
    /* N one-page mappings with alternating protections: N VMAs. */
    long n = atol(argv[2]);
    char *base = mmap(NULL, (size_t)n * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) { printf("fail %d\n", errno); return 1; }
    touch(base, (size_t)n * 4096);
    for (long i = 1; i < n; i += 2) mprotect(base + i * 4096, 4096, PROT_READ);
    printf("map %lx %ld\n", (unsigned long)base, n * 4);
  } else {
    return 2;
  }
  hold();
  return 0;
}
`;

export interface Helper {
  path: string;
  dir: string;
  remove(): void;
}

/** Compiles the helper, or says why it cannot be. */
export function buildHelper(): Helper | string {
  const cc = spawnSync('sh', ['-c', 'command -v cc'], { encoding: 'utf8' });
  if (cc.status !== 0) return 'no C compiler (cc) on this machine';
  const dir = mkdtempSync(join(tmpdir(), 'hugetune-helper-'));
  const src = join(dir, 'helper.c');
  const path = join(dir, 'helper');
  writeFileSync(src, SOURCE);
  const r = spawnSync('cc', ['-O1', '-o', path, src], { encoding: 'utf8' });
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) {
    remove();
    return `cc could not build the helper: ${r.stderr.split('\n')[0]}`;
  }
  return { path, dir, remove };
}

export interface Running {
  child: ChildProcess;
  pid: number;
  /** The mappings it reported: address and size in KiB. */
  maps: { address: number; sizeKiB: number; note: string }[];
  /** A "fail <errno>" line instead of "ready". */
  failed: string | null;
  stop(): Promise<void>;
}

/** Starts the helper (argv[0] may be renamed, as a model server's would read) and waits for it to be ready. */
export async function runHelper(h: Helper, args: string[], argv0?: string): Promise<Running> {
  const child = spawn(h.path, args, { stdio: ['pipe', 'pipe', 'inherit'], ...(argv0 ? { argv0 } : {}) });
  const maps: Running['maps'] = [];
  let failed: string | null = null;
  await new Promise<void>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      const m = /^map ([0-9a-f]+) (\d+)(.*)$/.exec(line);
      if (m) maps.push({ address: parseInt(m[1]!, 16), sizeKiB: Number(m[2]), note: m[3]!.trim() });
      else if (line.startsWith('fail')) {
        failed = line;
        resolve();
      } else if (line === 'ready') resolve();
    });
    child.once('exit', (code) => (failed === null ? reject(new Error(`helper exited with ${code}`)) : resolve()));
  });
  return {
    child,
    pid: child.pid!,
    maps,
    failed,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}
