/** Snapshots: the Node writer, the POSIX capture script, and what a corrupt or hostile file gets. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTURE_FILES, CAPTURE_NODE_FILES, CAPTURE_SKIP, CAPTURE_TREES } from '../../shared/host/capture-spec';
import { readHost } from '../../shared/host/read/index';
import { buildReport, type Report } from '../../shared/host/report';
import { parseSnapshot, snapshotFiles } from '../../shared/host/snapshot';
import { captureSnapshot } from '../../electron/host/snapshot-io';
import { CLI, fixtureFiles, REPO, VM, VM_TUNED } from '../helpers';

const SCRIPT = join(REPO, 'resources/capture/hugetune-capture.sh');
// Made before the first test, not while collecting: a run whose filter skips every test here runs neither
// hook, so a directory made at collection would be left behind.
let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-snap-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Both guards only stop a hang: a run takes well under a second (the script a few) on a 2-core machine.
const HANG = 60_000;
/** Tests that run the capture script: it forks a base64 per file, a few seconds on a slow machine. */
const SLOW = { timeout: 120_000 };

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: HANG });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function script(...args: string[]) {
  const r = spawnSync('sh', [SCRIPT, ...args], { encoding: 'utf8', timeout: HANG, maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The paths a snapshot holds, sorted. */
function pathsOf(text: string): string[] {
  const p = parseSnapshot(text);
  if (!p.ok) throw new Error(p.error);
  return Object.keys(p.value.files).sort();
}

/** The report minus where it came from, which is the one thing that legitimately differs. */
function sansSource(r: Report): Omit<Report, 'source'> {
  const { source, ...rest } = r;
  return rest;
}

describe.each([
  ['vm-x86_64-6.18-2cpu', VM],
  ['vm-x86_64-6.18-2cpu-tuned', VM_TUNED],
])('snapshot of %s', (_name, dir) => {
  it('report --snapshot equals report --root on the tree it was captured from (hugetune snapshot)', () => {
    const file = join(tmp, `${_name}.node.json`);
    expect(cli('snapshot', '-o', file, '--root', dir).code).toBe(0);
    const fromSnap = JSON.parse(cli('report', '--json', '--snapshot', file).out) as Report;
    const fromRoot = JSON.parse(cli('report', '--json', '--root', dir).out) as Report;
    expect(sansSource(fromSnap)).toEqual(sansSource(fromRoot));
    expect(fromSnap.source.kind).toBe('snapshot');
  });

  it('the POSIX capture script writes the same snapshot content as hugetune itself', SLOW, () => {
    const r = script('--root', dir);
    expect(r.code).toBe(0);
    const viaScript = parseSnapshot(r.out);
    if (!viaScript.ok) throw new Error(viaScript.error);
    const viaNode = captureSnapshot(fixtureFiles(dir), false);
    const a = buildReport(readHost(snapshotFiles(viaScript.value, 'script')));
    const b = buildReport(readHost(snapshotFiles(viaNode, 'node')));
    expect(sansSource(a)).toEqual(sansSource(b));
    expect(Object.keys(viaScript.value.files).sort()).toEqual(Object.keys(viaNode.files).sort());
  });
});

describe('the capture script', () => {
  const text = readFileSync(SCRIPT, 'utf8');
  const list = (name: string) => (new RegExp(`^${name}='([^']*)'`, 'm').exec(text)?.[1] ?? '').split(' ');

  it('captures the same paths as the app (one list, mirrored)', () => {
    expect(list('FILES')).toEqual([...CAPTURE_FILES]);
    expect(list('TREES')).toEqual([...CAPTURE_TREES]);
    expect(list('NODE_FILES')).toEqual([...CAPTURE_NODE_FILES]);
    expect(list('SKIP')).toEqual([...CAPTURE_SKIP]);
  });
  it('uses nothing beyond POSIX sh and coreutils (gzip only if present)', () => {
    const code = text
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    for (const tool of ['awk', 'sed ', 'python', 'node -', 'perl', 'jq ', 'find ', 'hostname', 'xxd']) {
      expect(code).not.toContain(tool);
    }
    expect(code).toMatch(/command -v gzip/);
  });
  it('redacts the host name and refuses unknown options', SLOW, () => {
    const r = script('--redact', '--root', VM);
    const p = parseSnapshot(r.out);
    expect(p.ok && p.value.host).toBeNull();
    const bad = script('--nope');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown option --nope/);
  });
});

describe('hugetune snapshot and the capture script take the same files', () => {
  // Both only read; on this machine's / they must agree file for file (sysfs links such as
  // memory_tierN/subsystem once made hugetune walk into /sys/bus and back).
  it('on the live machine', SLOW, () => {
    const file = join(tmp, 'live.node.json');
    const node = cli('snapshot', '-o', file);
    expect(node.code, node.err).toBe(0);
    const sh = script();
    expect(sh.code, sh.err).toBe(0);
    const viaNode = pathsOf(readFileSync(file, 'utf8'));
    expect(pathsOf(sh.out)).toEqual(viaNode);
    // Nothing reached through a link: no path passes through a sysfs `subsystem` or `device` link.
    expect(viaNode.filter((p) => /\/(subsystem|device|driver)\//.test(p))).toEqual([]);
  });

  it('in a fake root with links pointing out of the tree, which neither follows', SLOW, () => {
    const root = join(tmp, 'links-root');
    const outside = join(tmp, 'outside');
    cpSync(VM, root, { recursive: true });
    mkdirSync(join(outside, 'node'), { recursive: true });
    writeFileSync(join(outside, 'secret'), 'SECRET-OUTSIDE\n');
    writeFileSync(join(outside, 'node', 'meminfo'), 'Node 9 MemTotal: SECRET-OUTSIDE kB\n');
    const thp = join(root, 'sys/kernel/mm/transparent_hugepage');
    const pool = join(root, 'sys/kernel/mm/hugepages/hugepages-2048kB');
    // A directory link like sysfs's `subsystem`, a file link, one that dangles, and a linked NUMA node.
    symlinkSync(outside, join(thp, 'subsystem'));
    symlinkSync(join(outside, 'secret'), join(pool, 'nr_secret'));
    symlinkSync(join(outside, 'nowhere'), join(pool, 'dangling'));
    symlinkSync(join(outside, 'node'), join(root, 'sys/devices/system/node/node9'));

    const file = join(tmp, 'links.node.json');
    expect(cli('snapshot', '-o', file, '--root', root).code).toBe(0);
    const nodeText = readFileSync(file, 'utf8');
    const sh = script('--root', root);
    expect(sh.code, sh.err).toBe(0);
    for (const [name, text] of [
      ['hugetune snapshot', nodeText],
      ['the capture script', sh.out],
    ] as const) {
      const paths = pathsOf(text);
      expect(
        paths.filter((p) => /\/(subsystem|nr_secret|dangling|node9)(\/|$)/.test(p)),
        name,
      ).toEqual([]);
      expect(text, name).not.toContain(Buffer.from('SECRET-OUTSIDE').toString('base64').slice(0, 12));
      expect(text, name).not.toContain('SECRET-OUTSIDE');
      // The real files next to the links are still there.
      expect(paths, name).toContain('/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages');
    }
    expect(pathsOf(sh.out)).toEqual(pathsOf(nodeText));
  });
});

describe('bad snapshots get a clear error and change nothing', () => {
  const good = JSON.stringify(captureSnapshot(fixtureFiles(VM), false));
  const cases: [string, string, RegExp][] = [
    ['truncated', good.slice(0, good.length / 2), /not JSON/],
    ['not ours', '{"hello": 1}', /not a hugetune snapshot/],
    ['from the future', good.replace('"version":1', '"version":7'), /newer than this hugetune reads/],
    [
      'bad file entry',
      good.replace(/"\/proc\/meminfo":\{"text":/, '"/proc/meminfo":{"txt":'),
      /files\["\/proc\/meminfo"\]/,
    ],
    ['a path outside the kernel trees', good.replace('"/proc/cmdline"', '"/etc/shadow"'), /not a kernel file path/],
    ['a climbing path', good.replace('"/proc/cmdline"', '"/proc/../etc/passwd"'), /not a kernel file path/],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => {
      const file = join(tmp, `bad-${name.replace(/\W/g, '_')}.json`);
      writeFileSync(file, text);
      const r = cli('report', '--snapshot', file);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    });
  }
  it('a compressed file, named as binary data and not quoted back', () => {
    const file = join(tmp, 'bad-gzipped.json');
    writeFileSync(file, gzipSync(good));
    const r = cli('report', '--snapshot', file);
    expect(r.code).toBe(1);
    expect(r.err.trim()).toMatch(/: not JSON: it holds binary data \(a compressed file\? unpack it first\)$/);
    expect(r.err).not.toMatch(/\ufffd|Unexpected token/);
  });
  it('a missing file and a directory', () => {
    expect(cli('report', '--snapshot', join(tmp, 'nope.json')).err).toMatch(/no such file/);
    expect(cli('report', '--snapshot', tmp).err).toMatch(/not a regular file \(directory\)/);
  });
  it('--root and --snapshot together is a usage error', () => {
    expect(cli('report', '--root', VM, '--snapshot', 'x.json').code).toBe(2);
  });
  it('snapshot --redact leaves the host out', () => {
    const file = join(tmp, 'redacted.json');
    expect(cli('snapshot', '--redact', '-o', file, '--root', VM).code).toBe(0);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { host: unknown }).host).toBeNull();
  });
  it("a simulated machine's snapshot is named for the simulation, not for the host that took it", () => {
    const file = join(tmp, 'sim.json');
    expect(cli('snapshot', '-o', file, '--sim', 'xeon-2s-768g').code).toBe(0);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { host: unknown }).host).toBe('simulator: xeon-2s-768g');
  });
});
