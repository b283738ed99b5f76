/** Hostile and odd input: each case once crashed, hung, or misled, and now gets a clear answer. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceFromArgv } from '../../electron/main/args';
import { captureSnapshot } from '../../electron/host/snapshot-io';
import { parseIdList } from '../../shared/host/parse/scalar';
import { parseSnapshot } from '../../shared/host/snapshot';
import { CLI, fixtureFiles, VM } from '../helpers';

// Made before the first test, not while collecting: a run whose filter skips every test here runs neither
// hook, so a directory made at collection would be left behind.
let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-hostile-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000, input });

describe('hostile input', () => {
  it('an endless cpulist is refused, not expanded until memory runs out', () => {
    expect(parseIdList(Array(2000).fill('0-65536').join(',')).ok).toBe(false);
    expect(parseIdList('0-3,2').ok).toBe(false);
  });
  it('a FIFO or a device planted in a fake root neither hangs nor fills memory', () => {
    const root = join(tmp, 'root');
    cpSync(VM, root, { recursive: true });
    rmSync(join(root, 'proc/meminfo'));
    spawnSync('mkfifo', [join(root, 'proc/meminfo')]);
    rmSync(join(root, 'proc/vmstat'));
    symlinkSync('/dev/zero', join(root, 'proc/vmstat'));
    const r = run(['report', '--json', '--root', root]);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as { diagnostics: { path: string; detail: string }[] };
    expect(j.diagnostics).toContainEqual({
      path: '/proc/meminfo',
      problem: 'error',
      detail: 'not a regular file (FIFO)',
    });
    expect(j.diagnostics).toContainEqual({
      path: '/proc/vmstat',
      problem: 'error',
      detail: 'not a regular file (character device)',
    });
  });
  it('a snapshot with broken base64 is refused with a reason', () => {
    const snap = captureSnapshot(fixtureFiles(VM), true);
    snap.files['/proc/cmdline'] = { base64: 'A' };
    const p = parseSnapshot(JSON.stringify(snap));
    expect(p.ok ? '' : p.error).toMatch(/not valid base64/);
  });
  it('a snapshot read from a pipe, and one saved with a byte-order mark', () => {
    const text = JSON.stringify(captureSnapshot(fixtureFiles(VM), true));
    const piped = run(['report', '--snapshot', '-'], text);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toMatch(/6\.18\.44/);
    const file = join(tmp, 'bom.json');
    writeFileSync(file, `\ufeff${text}`);
    expect(run(['report', '--snapshot', file]).status).toBe(0);
  });
  it('terminal escapes in a snapshot or a fake root never reach the terminal', () => {
    const escaped = '6.18.0\u001b]0;pwned\u0007\n';
    // A snapshot is refused: no kernel release looks like that.
    const snap = captureSnapshot(fixtureFiles(VM), true);
    snap.files['/proc/sys/kernel/osrelease'] = { text: escaped };
    const file = join(tmp, 'escape.json');
    writeFileSync(file, JSON.stringify(snap));
    const refused = run(['report', '--snapshot', file]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /osrelease"\]\.text: expected a kernel release such as [^,]+, got "6\.18\.0\]0;pwned"\n$/,
    );
    expect(refused.stderr.includes(String.fromCharCode(27))).toBe(false);
    // A fake root is read as it is, and what it says is shown with the controls replaced.
    const root = join(tmp, 'escape-root');
    cpSync(VM, root, { recursive: true });
    writeFileSync(join(root, 'proc/sys/kernel/osrelease'), escaped);
    const r = run(['report', '--root', root]);
    expect(r.stdout.includes(String.fromCharCode(27))).toBe(false);
    // ...and a release holding them is not a release: unknown, with the reason among what could not be read.
    expect(r.stdout).toMatch(/Kernel +unknown/);
    expect(r.stdout).toMatch(/osrelease: malformed \(not a kernel release: "6\.18\.0\\u001b\]0;pwned\\u0007"\)/);
  });
  it('the window keeps the source flags it is given', () => {
    expect(sourceFromArgv(['/opt/app', '--root', '/tmp/box'])).toEqual({ root: '/tmp/box', snapshot: undefined });
    expect(sourceFromArgv(['/opt/app', '--snapshot=/tmp/b.json', '--no-sandbox'])).toEqual({
      root: undefined,
      snapshot: '/tmp/b.json',
    });
  });
  it('small CLI slips get a usage error in one line', () => {
    for (const args of [
      ['report', '--root', ''],
      ['serve', '--port', '-1'],
    ]) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(run(['report', '-h']).stdout).toMatch(/Usage: hugetune report/);
  });
});
