/**
 * How a kernel setting is written. Two implementations here: DirectWriter for a process that is already root
 * (the CLI under sudo), and PkexecWriter for the GUI and web mode, which never run privileged themselves and
 * start the helper through pkexec for each write. Both apply the same allow-list (refuseWrite) before touching
 * anything, and both read the file back after the write: the kernel may give less than asked.
 */
import { execFile } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HELPER_REPO_PATH, refuseWrite } from '../../shared/advise/helper-script';
import { currentValue, ruleFor } from '../../shared/advise/settings';
import { UserError } from '../../shared/errors';

export interface WriteOutcome {
  /** What the file showed just before the write (null: missing or unreadable). */
  before: string | null;
  /** What it shows just after. */
  after: string | null;
}

export interface Writer {
  /** Recorded in the journal: which way the writes went. */
  readonly kind: string;
  /** The value an allow-listed file shows now (its bracketed word for a multiple-choice file), or null when missing. */
  read(path: string): Promise<string | null>;
  /**
   * Writes one value and reads the file back. Throws a UserError: 'bad-request' when the allow-list refuses
   * (nothing was touched), 'failed' when the file is missing or the kernel refused the value.
   */
  write(path: string, value: string): Promise<WriteOutcome>;
}

function errno(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const refused = (why: string): UserError => new UserError(why, 'bad-request');

/**
 * Writes as the current process, which must be root for real kernel files. Every directory on the way and
 * the file itself are checked not to be links (lstat), the file is opened with O_NOFOLLOW and must be a
 * regular file, and the value goes out in one write(2), as the kernel's sysfs and sysctl handlers expect.
 */
export class DirectWriter implements Writer {
  readonly kind = 'direct';
  private readonly prefix: string;

  /**
   * `root` puts a directory in front of every path. Tests alone pass it, to point the writer at a temporary
   * tree; the CLI never does, so a real run always writes the real files.
   */
  constructor(opts: { root?: string } = {}) {
    this.prefix = opts.root === undefined ? '' : opts.root.replace(/\/+$/, '');
  }

  /** The file's full path once the path is allowed and every part of it is a real directory (no links). */
  private target(path: string): string | null {
    if (ruleFor(path) === null) throw refused(`${path}: not a setting hugetune changes`);
    let at = this.prefix;
    const parts = path.split('/').slice(1);
    for (const [i, part] of parts.entries()) {
      at = `${at}/${part}`;
      let st;
      try {
        st = lstatSync(at);
      } catch (e) {
        if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return null;
        throw new UserError(`${path}: ${message(e)}`);
      }
      if (st.isSymbolicLink()) throw refused(`${path}: ${at} is a symbolic link`);
      const last = i === parts.length - 1;
      if (last ? !st.isFile() : !st.isDirectory())
        throw refused(`${path}: ${at} is not a regular ${last ? 'file' : 'directory'}`);
    }
    return at;
  }

  private readFile(path: string, full: string): string {
    const fd = openSync(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      if (!fstatSync(fd).isFile()) throw refused(`${path}: not a regular file`);
      const buf = Buffer.alloc(4096);
      const n = readSync(fd, buf, 0, buf.length, null);
      return currentValue(buf.subarray(0, n).toString('utf8').split('\n')[0]!);
    } finally {
      closeSync(fd);
    }
  }

  read(path: string): Promise<string | null> {
    try {
      const full = this.target(path);
      if (full === null) return Promise.resolve(null);
      return Promise.resolve(this.readFile(path, full));
    } catch (e) {
      if (e instanceof UserError) return Promise.reject(e);
      if (errno(e) === 'ENOENT') return Promise.resolve(null);
      return Promise.reject(new UserError(`${path}: cannot read it (${message(e)})`));
    }
  }

  write(path: string, value: string): Promise<WriteOutcome> {
    try {
      return Promise.resolve(this.writeSync(path, value));
    } catch (e) {
      return Promise.reject(e instanceof UserError ? e : new UserError(`${path}: ${message(e)}`));
    }
  }

  private writeSync(path: string, value: string): WriteOutcome {
    const problem = refuseWrite(path, value);
    if (problem !== null) throw refused(problem);
    const full = this.target(path);
    if (full === null) throw new UserError(`${path}: no such file on this machine`);
    const before = this.readFile(path, full);
    let fd: number;
    try {
      // O_NONBLOCK: a FIFO planted in a test tree fails to open (ENXIO) instead of waiting for a reader.
      fd = openSync(full, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (e) {
      if (errno(e) === 'ELOOP') throw refused(`${path}: is a symbolic link`);
      if (errno(e) === 'ENXIO') throw refused(`${path}: not a regular file`);
      throw new UserError(`${path}: cannot open it for writing (${errno(e) || message(e)})`);
    }
    try {
      if (!fstatSync(fd).isFile()) throw refused(`${path}: not a regular file`);
      writeSync(fd, `${value}\n`);
    } catch (e) {
      if (e instanceof UserError) throw e;
      // EINVAL, EBUSY, ENOMEM...: the kernel's answer to this value now.
      throw new UserError(`${path}: the kernel refused ${JSON.stringify(value)} (${errno(e) || message(e)})`);
    } finally {
      closeSync(fd);
    }
    return { before, after: this.readFile(path, full) };
  }
}

/** The helper: in the packaged app under resources/helper, in a checkout (and the built CLI) in the repository. */
export function helperPath(): string {
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources) {
    const packaged = join(resources, 'helper/hugetune-helper');
    if (existsSync(packaged)) return packaged;
  }
  // electron/host/*.ts in a checkout, out/<bundle>/*.js when built: the repository is two levels up.
  return resolve(dirname(fileURLToPath(import.meta.url)), '../..', HELPER_REPO_PATH);
}

/** Whether a program is found on PATH as an executable file (pkexec, before anyone is asked for a password). */
export function onPath(program: string, path = process.env['PATH'] ?? ''): boolean {
  return path
    .split(':')
    .filter((d) => d.startsWith('/'))
    .some((d) => {
      try {
        accessSync(join(d, program), constants.X_OK);
        return statSync(join(d, program)).isFile();
      } catch {
        return false;
      }
    });
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  return new Promise((done, fail) => {
    // execFile: no shell, the arguments go to the program as they are.
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 64 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        fail(new UserError(`${file}: ${err.code === 'ENOENT' ? 'not installed' : err.message}`));
        return;
      }
      done({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}

const firstLine = (text: string): string =>
  text
    .trim()
    .split('\n')[0]
    ?.replace(/^hugetune-helper: /, '') ?? '';

/** The environment the helper and pkexec see: this process's, minus the helper's test switch. */
function cleanEnv(): NodeJS.ProcessEnv {
  const { HUGETUNE_HELPER_ROOT: _drop, ...rest } = process.env;
  return rest;
}

/**
 * Writes through `pkexec <helper> write PATH VALUE`: polkit asks for an administrator's password (kept for a
 * few minutes, so one setup asks once), and the helper checks the path and value again on its side. Reads
 * need no privileges: the helper is run directly for them, so reads and writes see the same files.
 */
export class PkexecWriter implements Writer {
  readonly kind = 'pkexec';
  private readonly pkexec: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number;

  /**
   * `pkexec` and `env` are for tests, which put a stand-in for pkexec in front of the helper and pass it a
   * temporary tree (HUGETUNE_HELPER_ROOT).
   */
  constructor(
    readonly helper: string = helperPath(),
    opts: { pkexec?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
  ) {
    this.pkexec = opts.pkexec ?? 'pkexec';
    this.env = opts.env ?? cleanEnv();
    // The password prompt waits for a person.
    this.timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  }

  async read(path: string): Promise<string | null> {
    if (ruleFor(path) === null) throw refused(`${path}: not a setting hugetune changes`);
    const r = await run(this.helper, ['read', path], this.env, 30_000);
    if (r.code === 0) {
      const v = r.stdout.trim();
      return v === '-' ? '' : v;
    }
    if (r.code === 1 && /no such file/.test(r.stderr)) return null;
    throw new UserError(
      firstLine(r.stderr) || `${path}: the helper failed (exit ${r.code})`,
      r.code === 2 ? 'bad-request' : 'failed',
    );
  }

  async write(path: string, value: string): Promise<WriteOutcome> {
    // Refused here first, so nobody is asked for a password for a write that cannot happen.
    const problem = refuseWrite(path, value);
    if (problem !== null) throw refused(problem);
    const r = await run(this.pkexec, [this.helper, 'write', path, value], this.env, this.timeoutMs);
    if (r.code === 0) {
      const m = /^ok (\S+) (\S+) (\S+)\n?$/.exec(r.stdout);
      if (!m || m[1] !== path) throw new UserError(`${path}: the helper answered something unexpected`);
      const word = (w: string): string => (w === '-' ? '' : w);
      return { before: word(m[2]!), after: word(m[3]!) };
    }
    // pkexec's own codes: 126 the request was dismissed or not authorized, 127 it could not authenticate.
    if (r.code === 126) throw new UserError('not authorized: the administrator password was not given');
    if (r.code === 127)
      throw new UserError(`pkexec could not authorize ${this.helper} (${firstLine(r.stderr) || 'no polkit agent?'})`);
    throw new UserError(
      firstLine(r.stderr) || `${path}: the helper failed (exit ${r.code})`,
      r.code === 2 ? 'bad-request' : 'failed',
    );
  }
}
