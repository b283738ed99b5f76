/** The built `hugetune` command, run as a user runs it. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, VM, VM_TUNED } from '../helpers';

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('hugetune CLI', () => {
  it('prints help for the program and every command', () => {
    const main = run('--help');
    expect(main.code).toBe(0);
    expect(main.out).toMatch(/Usage: hugetune <command>/);
    for (const cmd of ['report', 'serve', 'open']) {
      const r = run(cmd, '--help');
      expect(r.code, cmd).toBe(0);
      expect(r.out).toMatch(new RegExp(`Usage: hugetune ${cmd}`));
    }
  });

  it('an error is one line on standard error with its exit status, with --json too, as the help says', () => {
    expect(run('--help').out).toMatch(/An error is one line on standard error \(never\nJSON, with --json too\)/);
    for (const [args, code] of [
      [['plan', '--json', '--model', 'gpt-5'], 2],
      [['report', '--json', '--snapshot', '/nonexistent.json'], 1],
    ] as const) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^hugetune: [^\n]+\n$/);
    }
  });

  it('report --json gives one object with the contract keys', () => {
    const r = run('report', '--json', '--root', VM_TUNED);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, Record<string, unknown>>;
    expect(j.kernel).toMatchObject({ release: '6.18.44-fc-v595', arch: 'x86_64' });
    expect(j.thp).toMatchObject({ enabled: 'always', defrag: 'madvise' });
    expect(j.hugetlb!.pools).toEqual([
      expect.objectContaining({ pageSizeKiB: 2048, total: 512, free: 512 }),
      expect.objectContaining({ pageSizeKiB: 1048576, total: 2, free: 2 }),
    ]);
    expect(j.hvo!.enabled).toBe(true);
    expect(j.tlb!.available).toBe(true);
  });

  it('report prints a readable summary', () => {
    const r = run('report', '--root', VM);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/THP enabled\s+madvise/);
    expect(r.out).toMatch(/Pool 1 GiB\s+0 total, 0 free/);
    expect(r.out).toMatch(/HVO\s+off \(built in, switched off\)/);
  });

  it('report and plan say HVO is not applicable on arm64, for the architecture, as the app does', () => {
    expect(run('report', '--sim', 'arm64-workstation').out).toMatch(
      /HVO\s+not applicable \(arm64 had HVO in 5\.19 to 6\.2 only/,
    );
    const plan = run('plan', '--sim', 'arm64-workstation', '--footprint-mib', '1024', '--page-size', '2M').out;
    expect(plan).toMatch(/HVO\s+not available\s+\[kernel table: arm64 had HVO/);
    expect(plan).not.toMatch(/kernel config has no HVO/);
  });

  it('report groups its counts and sizes as the app does', () => {
    const r = run('report', '--sim', 'xeon-2s-768g');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/vmemmap \(measured\)\s+\d{1,3}(,\d{3})+ pages = [\d,.]+ GiB/);
    expect(r.out).toMatch(/TLB shootdowns\s+\d{1,3}(,\d{3})+ since boot over 128 CPUs/);
    expect(r.out).toMatch(/Free in 2 MiB blocks\s+\d{1,3}(,\d{3})+ \(of [\d.]+ GiB free\)/);
  });

  it('reads the live machine by default', () => {
    const r = run('report', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { kernel: { release: string }; source: { kind: string } };
    expect(j.source.kind).toBe('live');
    expect(typeof j.kernel.release).toBe('string');
  });

  it('report --hardware adds CPU and memory modules for this machine, and refuses for a fake root', () => {
    const r = run('report', '--json', '--hardware');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { hardware: { cpu: { logicalCores: number }; dimms: unknown[] } };
    expect(j.hardware.cpu.logicalCores).toBeGreaterThan(0);
    expect(Array.isArray(j.hardware.dimms)).toBe(true);
    const fake = run('report', '--hardware', '--root', VM);
    expect(fake.code).toBe(1);
    expect(fake.err).toMatch(/only available for this machine/);
  });

  it('usage errors exit 2 with one line and no stack trace', () => {
    for (const args of [['frobnicate'], ['report', '--bogus'], ['serve', '--port', 'http'], ['report', '--root']]) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.err).toMatch(/^hugetune: /);
      expect(r.err).not.toMatch(/\bat .*\.js:\d+/);
    }
  });

  it('runtime errors exit 1 with a clear message', () => {
    const missing = run('report', '--root', '/nonexistent/box');
    expect(missing.code).toBe(1);
    expect(missing.err).toBe('hugetune: --root /nonexistent/box: no such directory\n');
    const notTree = run('report', '--root', '/usr/share');
    expect(notTree.code).toBe(1);
    expect(notTree.err).toMatch(/not a captured machine tree/);
  });
});
