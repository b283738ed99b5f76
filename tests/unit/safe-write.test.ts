/**
 * Writing an output file in a directory someone else can write (`hugetune snapshot -o` as root in /tmp): a
 * planted link is never followed, only the user's own regular file is replaced, and nothing is left behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../shared/errors';
import { writeFileSafely } from '../../electron/host/safe-write';
import { CLI, VM } from '../helpers';

const ROOT = process.getuid?.() === 0;
const NOBODY = 65534;
const HAS_MKFIFO = spawnSync('mkfifo', ['--version'], { encoding: 'utf8' }).status === 0;
const HAS_SETPRIV = spawnSync('setpriv', ['--version'], { encoding: 'utf8' }).status === 0;
const VICTIM_TEXT = 'precious: must never be overwritten\n';

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-safe-write-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh directory with a file outside it that a planted link would point at. */
function setup(name: string): { dir: string; victim: string } {
  const base = join(tmp, name);
  const dir = join(base, 'out');
  mkdirSync(dir, { recursive: true });
  const victim = join(base, 'victim');
  writeFileSync(victim, VICTIM_TEXT);
  return { dir, victim };
}

const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.tmp'));

/** The message the safe writer refuses with, or null when it wrote. */
function attempt(path: string): string | null {
  try {
    writeFileSafely(path, 'new text\n', { mode: 0o644 });
    return null;
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return e.message;
  }
}

/** The CLI with a time limit: a writer that opened a FIFO would block forever. */
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, signal: r.signal };
}

describe('writeFileSafely', () => {
  it('writes a new file with the asked mode, and replaces the own regular file', () => {
    const { dir } = setup('plain');
    const out = join(dir, 'a.json');
    expect(attempt(out)).toBeNull();
    expect(readFileSync(out, 'utf8')).toBe('new text\n');
    expect(statSync(out).mode & 0o777).toBe(0o644);
    writeFileSafely(out, 'second\n');
    expect(readFileSync(out, 'utf8')).toBe('second\n');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(leftovers(dir)).toEqual([]);
  });

  it('never follows a link planted at the old temporary name, and leaves it alone', () => {
    const { dir, victim } = setup('tmp-link');
    const out = join(dir, 'snap.json');
    // The name the old writer used (.NAME.PID.tmp): predictable, so anyone could plant a link there.
    const planted = join(dir, `.snap.json.${process.pid}.tmp`);
    symlinkSync(victim, planted);
    expect(attempt(out)).toBeNull();
    expect(readFileSync(victim, 'utf8')).toBe(VICTIM_TEXT);
    expect(lstatSync(planted).isSymbolicLink()).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe('new text\n');
  });

  it('refuses a target that is a symbolic link, in one line, and the file it points to is unchanged', () => {
    const { dir, victim } = setup('target-link');
    const out = join(dir, 'snap.json');
    symlinkSync(victim, out);
    const why = attempt(out);
    expect(why).toMatch(/^cannot write .*snap\.json: refused: it is a symbolic link/);
    expect(why).not.toContain('\n');
    expect(readFileSync(victim, 'utf8')).toBe(VICTIM_TEXT);
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });

  it('refuses a directory', () => {
    const { dir } = setup('target-dir');
    mkdirSync(join(dir, 'd'));
    expect(attempt(join(dir, 'd'))).toMatch(/refused: it is a directory/);
    expect(statSync(join(dir, 'd')).isDirectory()).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });

  it('refuses a FIFO without opening it (no hang), through the CLI: exit 1, one line', (ctx) => {
    ctx.skip(!HAS_MKFIFO, 'mkfifo is not installed');
    const { dir } = setup('fifo');
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = cli('snapshot', '-o', fifo, '--root', VM);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^hugetune: cannot write .*pipe: refused: it is a FIFO[^\n]*\n$/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });

  it('as root, refuses -o /dev/null and the device stays a character device', (ctx) => {
    ctx.skip(!ROOT, 'only root could replace the device node, and this run is not root');
    const r = cli('snapshot', '-o', '/dev/null', '--root', VM);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^hugetune: cannot write \/dev\/null: refused: it is a device[^\n]*\n$/);
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(readdirSync('/dev').filter((n) => n.startsWith('.null.'))).toEqual([]);
  });

  it("as root, refuses another user's file and leaves it as it was", (ctx) => {
    ctx.skip(!ROOT, 'chown needs root, and this run is not root');
    const { dir } = setup('other-owner');
    const out = join(dir, 'theirs.json');
    writeFileSync(out, 'theirs\n');
    chownSync(out, NOBODY, NOBODY);
    expect(attempt(out)).toMatch(/refused: it belongs to another user \(uid 65534\)/);
    expect(readFileSync(out, 'utf8')).toBe('theirs\n');
    expect(statSync(out).uid).toBe(NOBODY);
    expect(leftovers(dir)).toEqual([]);
  });

  it('as root, a second user racing in a sticky shared directory never gets a write followed', async (ctx) => {
    ctx.skip(!ROOT || !HAS_SETPRIV, 'needs root and setpriv to run a process as nobody');
    const { dir, victim } = setup('race');
    // The victim is root's; the shared directory is like /tmp. The parents must be searchable by nobody.
    chmodSync(tmp, 0o755);
    chmodSync(join(tmp, 'race'), 0o755);
    chmodSync(dir, 0o1777);
    const out = join(dir, 'snap.json');
    const attacker = join(tmp, 'race', 'attacker.cjs');
    // Plants links at the target and at every temporary name it sees, as fast as it can, for a while.
    writeFileSync(
      attacker,
      `const fs = require('node:fs'), path = require('node:path');
const [dir, target, victim] = process.argv.slice(2);
const end = Date.now() + 3000;
process.stdout.write('ready\\n');
let planted = 0;
while (Date.now() < end) {
  try { fs.symlinkSync(victim, target); planted++; } catch {}
  for (const n of fs.readdirSync(dir)) {
    if (n.endsWith('.tmp')) try { fs.unlinkSync(path.join(dir, n)); fs.symlinkSync(victim, path.join(dir, n)); } catch {}
  }
  try { if (fs.lstatSync(target).isSymbolicLink()) fs.unlinkSync(target); } catch {}
}
process.stdout.write('planted ' + planted + '\\n');
`,
    );
    chmodSync(attacker, 0o644);
    const child = spawn(
      'setpriv',
      [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, attacker, dir, out, victim],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let said = '';
    child.stdout.on('data', (d: Buffer) => (said += d.toString()));
    let errText = '';
    child.stderr.on('data', (d: Buffer) => (errText += d.toString()));
    const done = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    await new Promise<void>((res, rej) => {
      const t = setInterval(() => {
        if (said.includes('ready')) {
          clearInterval(t);
          res();
        }
      }, 10);
      void done.then(() => {
        clearInterval(t);
        if (!said.includes('ready')) rej(new Error(`attacker did not start: ${errText}`));
      });
    });

    let wrote = 0;
    let refused = 0;
    const end = Date.now() + 2000;
    while (Date.now() < end) {
      const why = attempt(out);
      if (why === null) {
        wrote++;
        // Ours now, in a sticky directory: the attacker cannot remove it, so clear it to keep racing.
        expect(readFileSync(out, 'utf8')).toBe('new text\n');
        unlinkSync(out);
      } else {
        refused++;
        expect(why).toMatch(/refused: it is a symbolic link|EEXIST|ENOENT/);
      }
      await new Promise((r) => setImmediate(r));
    }
    expect(await done).toBe(0);
    expect(said).toMatch(/planted [1-9]/);
    expect(wrote + refused).toBeGreaterThan(0);
    expect(readFileSync(victim, 'utf8')).toBe(VICTIM_TEXT);
    expect(statSync(victim).uid).toBe(0);
    // Whatever temporary files remain are the attacker's links, never a file of ours.
    for (const n of leftovers(dir)) expect(lstatSync(join(dir, n)).uid).toBe(NOBODY);
  }, 20_000);
});
