/** Snapshots: the Node writer, the POSIX capture script, and what a corrupt or hostile file gets. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAPTURE_FILES, CAPTURE_NODE_FILES, CAPTURE_SKIP, CAPTURE_TREES } from '../../shared/host/capture-spec';
import { readHost } from '../../shared/host/read/index';
import { buildReport, type Report } from '../../shared/host/report';
import { parseSnapshot, snapshotFiles } from '../../shared/host/snapshot';
import { captureSnapshot } from '../../electron/host/snapshot-io';
import { CLI, fixtureFiles, REPO, VM, VM_TUNED } from '../helpers';

const SCRIPT = join(REPO, 'resources/capture/hugetune-capture.sh');
const tmp = mkdtempSync(join(tmpdir(), 'hugetune-snap-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
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

  it('the POSIX capture script writes the same snapshot content as hugetune itself', () => {
    const r = spawnSync('sh', [SCRIPT, '--root', dir], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const viaScript = parseSnapshot(r.stdout);
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
  it('redacts the host name and refuses unknown options', () => {
    const r = spawnSync('sh', [SCRIPT, '--redact', '--root', VM], { encoding: 'utf8' });
    const p = parseSnapshot(r.stdout);
    expect(p.ok && p.value.host).toBeNull();
    const bad = spawnSync('sh', [SCRIPT, '--nope'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown option --nope/);
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
  it('a missing file and a directory', () => {
    expect(cli('report', '--snapshot', join(tmp, 'nope.json')).err).toMatch(/no such file/);
    expect(cli('report', '--snapshot', tmp).err).toMatch(/is a directory/);
  });
  it('--root and --snapshot together is a usage error', () => {
    expect(cli('report', '--root', VM, '--snapshot', 'x.json').code).toBe(2);
  });
  it('snapshot --redact leaves the host out', () => {
    const file = join(tmp, 'redacted.json');
    expect(cli('snapshot', '--redact', '-o', file, '--root', VM).code).toBe(0);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { host: unknown }).host).toBeNull();
  });
});
