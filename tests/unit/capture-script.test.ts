/**
 * The POSIX capture script on hostile fake roots: odd file names keep the output valid JSON (by being skipped
 * with a warning), links never lead it out of --root, a release cannot steer the /boot read, and an empty
 * --root= is a usage error rather than a capture of the machine it runs on.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootConfigPath } from '../../shared/host/paths';
import { REPO } from '../helpers';

const SCRIPT = join(REPO, 'resources/capture/hugetune-capture.sh');
const SECRET = 'outside the root: must never be captured\n';

let tmp = '';
let outside = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-capture-'));
  outside = join(tmp, 'outside.txt');
  writeFileSync(outside, SECRET);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fake root holding the given files (path under the root -> text). */
function fakeRoot(name: string, files: Record<string, string>): string {
  const root = join(tmp, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function capture(...args: string[]) {
  const r = spawnSync('sh', [SCRIPT, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The snapshot's files as path -> decoded text (or the error it records). */
function filesOf(out: string): Record<string, string> {
  const snap = JSON.parse(out) as { files: Record<string, { base64?: string; error?: string }> };
  return Object.fromEntries(
    Object.entries(snap.files).map(([p, v]) => [
      p,
      v.base64 === undefined ? `error: ${v.error}` : Buffer.from(v.base64, 'base64').toString('utf8'),
    ]),
  );
}

describe('capture script on hostile fake roots', () => {
  it('skips a file named with a quote, a backslash or a newline, says so on stderr, and stays valid JSON', () => {
    const root = fakeRoot('names', { 'proc/sys/vm/overcommit_memory': '0\n' });
    for (const odd of ['say"hi', 'back\\slash', 'new\nline', 'tab\there']) {
      writeFileSync(join(root, 'proc/sys/vm', odd), 'x\n');
    }
    const r = capture('--root', root);
    expect(r.code).toBe(0);
    const files = filesOf(r.out);
    expect(Object.keys(files).filter((p) => p.startsWith('/proc/sys/vm/'))).toEqual(['/proc/sys/vm/overcommit_memory']);
    const warnings = r.err.split('\n').filter((l) => l.includes('quote, backslash or control character'));
    expect(warnings).toHaveLength(4);
    // The warning shows an unprintable byte as ?, so a name cannot write to the terminal.
    expect(r.err).toContain('/proc/sys/vm/new?line');
  });

  it('skips a listed file that is a symbolic link out of the root, and follows one that stays inside', () => {
    const root = fakeRoot('links', {
      'proc/cmdline': 'ro quiet\n',
      'usr/lib/os-release': 'ID=debian\n',
    });
    symlinkSync(outside, join(root, 'proc/meminfo'));
    // Relative, as distributions ship it: still inside the root.
    mkdirSync(join(root, 'etc'));
    symlinkSync('../usr/lib/os-release', join(root, 'etc/os-release'));
    const r = capture('--root', root);
    expect(r.code).toBe(0);
    const files = filesOf(r.out);
    expect(files['/proc/meminfo']).toBeUndefined();
    expect(Object.values(files)).not.toContain(SECRET);
    expect(r.err).toMatch(/skipped \/proc\/meminfo: a symbolic link leads out of /);
    expect(files['/proc/cmdline']).toBe('ro quiet\n');
    expect(files['/etc/os-release']).toBe('ID=debian\n');
  });

  it('does not walk a tree, or read a file, through a linked directory leading out of the root', () => {
    const away = fakeRoot('away', { 'vm/swappiness': SECRET, 'kernel/osrelease': '6.18.0\n' });
    const root = fakeRoot('dirlinks', { 'proc/cmdline': 'ro\n' });
    mkdirSync(join(root, 'proc/sys'), { recursive: true });
    symlinkSync(join(away, 'vm'), join(root, 'proc/sys/vm'));
    symlinkSync(join(away, 'kernel'), join(root, 'proc/sys/kernel'));
    const r = capture('--root', root);
    expect(r.code).toBe(0);
    const files = filesOf(r.out);
    expect(Object.keys(files)).toEqual(['/proc/cmdline']);
    expect(r.err).toMatch(/skipped \/proc\/sys\/vm: a symbolic link leads out of /);
    expect(r.err).toMatch(/skipped \/proc\/sys\/kernel\/osrelease: a symbolic link leads out of /);
  });

  it('does not read /boot/config- for a release with .. or / in it', () => {
    const root = fakeRoot('release', {
      'proc/sys/kernel/osrelease': '../../etc/x\n',
      'etc/x': SECRET,
      'boot/config-6.18.0': 'CONFIG_X=y\n',
    });
    const r = capture('--root', root);
    expect(r.code).toBe(0);
    const files = filesOf(r.out);
    expect(Object.keys(files).filter((p) => p.startsWith('/boot/'))).toEqual([]);
    expect(Object.values(files)).not.toContain(SECRET);
    expect(r.err).toMatch(/skipped \/boot\/config-\.\.\/\.\.\/etc\/x: the kernel release has a \/ or \.\./);
  });

  it('reads /boot/config- for an ordinary release', () => {
    const root = fakeRoot('release-ok', {
      'proc/sys/kernel/osrelease': '6.18.0-1-amd64\n',
      'boot/config-6.18.0-1-amd64': 'CONFIG_X=y\n',
    });
    const r = capture('--root', root);
    expect(r.code).toBe(0);
    expect(filesOf(r.out)['/boot/config-6.18.0-1-amd64']).toBe('CONFIG_X=y\n');
    expect(r.err).toBe('');
  });

  it('--root= (empty) is a usage error, not a capture of this machine', () => {
    const r = capture('--root=');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^hugetune-capture: --root= needs a directory\n$/);
  });
});

describe('bootConfigPath (the Node readers)', () => {
  it('refuses a release that would lead out of /boot, and names the file for an ordinary one', () => {
    expect(bootConfigPath('6.18.0-1-amd64')).toBe('/boot/config-6.18.0-1-amd64');
    expect(bootConfigPath('../../etc/x')).toBeNull();
    expect(bootConfigPath('6.1/x')).toBeNull();
    expect(bootConfigPath('6..1')).toBeNull();
  });
});
