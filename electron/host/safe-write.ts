/**
 * Writing a whole file so that readers see the old text or the new, never a part, and so that a user who can
 * write the target's directory (a shared /tmp, a group-writable folder) cannot turn the write against root.
 *
 * - The text goes to a temporary file with a random name made with O_CREAT|O_EXCL|O_NOFOLLOW: a link planted
 *   at a guessed name is never followed and an existing file is never reused.
 * - The target is looked at with lstat, not stat, and only a regular file owned by the current user (or no
 *   file at all) is replaced: a symbolic link, a FIFO, a device such as /dev/null, a socket or a directory is
 *   refused, and so is another user's file (root would otherwise replace it, and its owner loses it).
 * - rename(2) replaces the directory entry itself, never what a link there points to, so a link swapped in
 *   after the check is replaced, not followed.
 * - Any failure removes the temporary file.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  lstatSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../shared/errors';

/** Why a target must not be replaced, or null when it may be (it is absent, or our own regular file). */
export function refuseTarget(st: Stats | null, uid: number | undefined = process.getuid?.()): string | null {
  if (st === null) return null;
  if (st.isSymbolicLink()) return 'it is a symbolic link (name the file it points to, or another file)';
  if (st.isDirectory()) return 'it is a directory';
  if (st.isFIFO()) return 'it is a FIFO (named pipe); use -o - and a shell redirection to write to a pipe';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'it is a device, not a regular file';
  if (st.isSocket()) return 'it is a socket';
  if (!st.isFile()) return 'it is not a regular file';
  if (uid !== undefined && st.uid !== uid) return `it belongs to another user (uid ${st.uid})`;
  return null;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Why writing `path` failed, in a user's words: Node's message names the temporary file and the syscall
 * ("ENOENT: no such file or directory, open '/dir/.x.json.f920….tmp'"), neither of which the user made.
 */
export function writeProblem(e: unknown, path: string): string {
  const dir = dirname(path);
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  switch (code) {
    case 'ENOENT':
      // A directory that is there but refuses new names: /proc, /sys.
      return isDirectory(dir) ? `${dir} does not allow new files` : `the directory ${dir} does not exist`;
    case 'ENOTDIR':
      return `${dir} is not a directory (or a part of it is not)`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied (you cannot create files in ${dir})`;
    case 'EROFS':
      return `${dir} is on a read-only file system`;
    case 'ENOSPC':
      return `no space left on the device that holds ${dir}`;
    case 'EDQUOT':
      return `your disk quota on the device that holds ${dir} is used up`;
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'ELOOP':
      return `too many levels of symbolic links in ${dir}`;
    case 'EIO':
      return `an input/output error on the device that holds ${dir}`;
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return code !== ''
        ? `the system refused it (${code})`
        : e instanceof Error
          ? e.message.split('\n')[0]!
          : String(e);
  }
}

export interface SafeWriteOptions {
  /** The mode the finished file gets; the temporary file is 0600 until the text is complete. */
  mode?: number;
}

/**
 * Replaces `path` with `text`, or throws a UserError whose message is one line naming the file and why.
 * Returns the path written.
 */
export function writeFileSafely(path: string, text: string, options: SafeWriteOptions = {}): string {
  const mode = options.mode ?? 0o600;
  const fail = (why: string): never => {
    throw new UserError(`cannot write ${path}: ${why}`);
  };
  let target: Stats | null;
  try {
    target = lstatOrNull(path);
  } catch (e) {
    return fail(writeProblem(e, path));
  }
  const refused = refuseTarget(target);
  if (refused !== null) fail(`refused: ${refused}`);

  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (e) {
    return fail(writeProblem(e, path));
  }
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
      // Widened only now, so nobody can open the file while it holds part of the text.
      if (mode !== 0o600) fchmodSync(fd, mode);
    } finally {
      closeSync(fd);
    }
    // Checked again right before the rename: narrows the window in which the target could change kind.
    const again = refuseTarget(lstatOrNull(path));
    if (again !== null) fail(`refused: ${again}`);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    if (e instanceof UserError) throw e;
    return fail(writeProblem(e, path));
  }
  // The rename is durable once the directory is synced; not every file system lets a directory be synced.
  try {
    const dfd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // best effort
  }
  return path;
}
