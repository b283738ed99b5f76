/**
 * Snapshots: the raw text of every captured kernel file, with when and where it was taken. A snapshot is a
 * file tree like any other source, so a newer hugetune re-parses an old snapshot with its newer readers.
 * Pure: the Node side only reads and writes the JSON.
 */
import { CAPTURE_FILES, CAPTURE_NODE_FILES, CAPTURE_PROCESS_FILES, CAPTURE_SKIP, CAPTURE_TREES } from './capture-spec';
import { MemoryFiles, type FileRead, type HostFiles, type SourceInfo } from './files';
import { bootConfigPath, NODE_DIR } from './paths';
import * as v from 'valibot';
import { KERNEL_RELEASE } from '../kernel/version';
import { matching, printable, text, validate } from '../validate';
import { jsonParseProblem } from '../json-scan';
import { otherKind, SNAPSHOT_FORMAT } from '../file-kind';

export { SNAPSHOT_FORMAT };
export const SNAPSHOT_VERSION = 1;
/** Large enough for a 1,024-CPU machine's /proc/interrupts and cpuinfo, small enough to refuse junk. */
export const SNAPSHOT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Bounds on the file table, checked before anything is built from it. A real capture has a few hundred files
 * (a few thousand on a machine with many NUMA nodes), paths of under a hundred characters and at most eight
 * levels; a table of deep, long paths would cost time and memory for every level of every key.
 */
export const SNAPSHOT_MAX_FILES = 20_000;
export const SNAPSHOT_MAX_PATH = 255;
export const SNAPSHOT_MAX_DEPTH = 16;

/** One line saying why a parsed snapshot's file table is out of bounds, or null. Reads only the keys. */
export function snapshotBoundsProblem(json: unknown): string | null {
  const files = (json as { files?: unknown } | null)?.files;
  if (typeof files !== 'object' || files === null) return null;
  // Valibot, like JavaScript, counts an array as an object; a file table is never one.
  if (Array.isArray(files)) return 'malformed: files: expected an object of file paths, got an array';
  let n = 0;
  // for..in counts without building a key array first.
  for (const path in files) {
    if (++n > SNAPSHOT_MAX_FILES)
      return `malformed: more than ${SNAPSHOT_MAX_FILES} files (a capture has a few thousand at most)`;
    if (path.length > SNAPSHOT_MAX_PATH)
      return `malformed: a file path longer than ${SNAPSHOT_MAX_PATH} characters (${JSON.stringify(path.slice(0, 60))}...)`;
    let depth = 0;
    for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) depth++;
    if (depth > SNAPSHOT_MAX_DEPTH)
      return `malformed: a file path deeper than ${SNAPSHOT_MAX_DEPTH} levels (${JSON.stringify(path.slice(0, 60))}...)`;
  }
  return null;
}

const KERNEL_PATH = /^\/(proc|sys|boot)(\/[A-Za-z0-9_.:+,@-]+)+$/;
/**
 * Outside the kernel trees, only what the capture spec names: its files, and files below its trees (the boot
 * loader configuration: /etc/default/grub, /etc/default/grub.d/..., never /etc/shadow).
 */
const CAPTURED_PATH = /^(\/[A-Za-z0-9_.:+,@-]+)+$/;
const capturable = (path: string): boolean =>
  KERNEL_PATH.test(path) ||
  (CAPTURED_PATH.test(path) && (CAPTURE_FILES.includes(path) || CAPTURE_TREES.some((t) => path.startsWith(`${t}/`))));

/** The text base64 stands for (UTF-8), or null when it is not valid base64. */
function decodeBase64(b64: string): string | null {
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    return null;
  }
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

/**
 * A file path in a snapshot: absolute, no "." or ".." step, at most SNAPSHOT_MAX_DEPTH steps. Which paths a
 * snapshot may hold is narrower still (the kernel trees and what the capture spec names), checked in code.
 */
const SNAPSHOT_PATH = new RegExp(`^(?:/(?!\\.\\.?(?:/|$))[A-Za-z0-9_.:+,@-]+){1,${SNAPSHOT_MAX_DEPTH}}$`);
/** Base64's alphabet (whether its length is a multiple of 4 is checked in code: a 64 MiB regex would not run). */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const OSRELEASE = '/proc/sys/kernel/osrelease';
/** /proc/sys/kernel/osrelease as the kernel writes it: the release and a newline. */
const RELEASE_LINE = new RegExp(`${KERNEL_RELEASE.source.slice(0, -1)}\\n?$`);

const textEntry = v.strictObject({ text: text(SNAPSHOT_MAX_BYTES) });
const base64Entry = v.strictObject({ base64: matching(SNAPSHOT_MAX_BYTES, BASE64, 'base64 text') });
const errorEntry = v.strictObject({ error: v.picklist(['denied', 'error']) });
const fileEntry = v.pipe(
  v.union([textEntry, base64Entry, errorEntry]),
  v.description('{"text": ...}, {"base64": ...} or {"error": "denied" or "error"}'),
);

const releaseEntry = v.pipe(
  v.union([
    v.strictObject({ text: matching(200, RELEASE_LINE, 'a kernel release such as 6.8.0-45-generic') }),
    v.strictObject({
      base64: v.pipe(
        v.string(),
        v.maxLength(300),
        v.regex(BASE64),
        // Beyond what JSON Schema can state: what the base64 decodes to.
        v.check((b64) => RELEASE_LINE.test(decodeBase64(b64) ?? '')),
        v.description('base64 of a kernel release such as 6.8.0-45-generic'),
      ),
    }),
    errorEntry,
  ]),
  v.description('the kernel release ({"text": "6.8.0-45-generic\\n"}), its base64, or {"error": ...}'),
);

export const snapshotSchema = v.strictObject({
  format: v.literal(SNAPSHOT_FORMAT),
  version: v.literal(SNAPSHOT_VERSION),
  capturedAt: matching(40, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'a UTC time such as 2026-01-31T12:00:00Z'),
  host: v.nullable(text(255)),
  tool: v.optional(text(100)),
  files: v.pipe(
    v.objectWithRest({ [OSRELEASE]: v.optional(releaseEntry) }, fileEntry),
    v.maxEntries(SNAPSHOT_MAX_FILES),
    // For the JSON Schema export; checkSnapshot enforces the same pattern on every key.
    v.metadata({ propertyNames: { type: 'string', maxLength: SNAPSHOT_MAX_PATH, pattern: SNAPSHOT_PATH.source } }),
  ),
});

export type Snapshot = v.InferOutput<typeof snapshotSchema>;

/** Parses snapshot JSON text: the snapshot, or one line saying what is wrong with it. */
export function parseSnapshot(input: string): { ok: true; value: Snapshot } | { ok: false; error: string } {
  // Editors on some systems save JSON with a byte-order mark.
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.length > SNAPSHOT_MAX_BYTES) return { ok: false, error: `larger than ${SNAPSHOT_MAX_BYTES / 1048576} MiB` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: jsonParseProblem(text) };
  }
  return checkSnapshot(json);
}

/** Checks parsed snapshot JSON (from parseSnapshot, or parsed elsewhere): the snapshot, or one line. */
export function checkSnapshot(json: unknown): { ok: true; value: Snapshot } | { ok: false; error: string } {
  const fmt = (json as { format?: unknown } | null)?.format;
  if (fmt !== SNAPSHOT_FORMAT)
    return {
      ok: false,
      error: otherKind(json, 'snapshot') ?? `not a hugetune snapshot (no "format": "${SNAPSHOT_FORMAT}")`,
    };
  const version = (json as { version?: unknown }).version;
  if (typeof version === 'number' && version > SNAPSHOT_VERSION) {
    return {
      ok: false,
      error: `snapshot format version ${version} is newer than this hugetune reads (${SNAPSHOT_VERSION}): update hugetune`,
    };
  }
  const bounds = snapshotBoundsProblem(json);
  if (bounds) return { ok: false, error: bounds };
  const checked = validate(snapshotSchema, json);
  if (!checked.ok) return { ok: false, error: `malformed: ${checked.error}` };
  // The input's keys, not the output's: Valibot leaves out keys such as __proto__, which must be refused.
  for (const path of Object.keys((json as { files: object }).files)) {
    if (!SNAPSHOT_PATH.test(path) || !capturable(path)) {
      return { ok: false, error: `malformed: ${JSON.stringify(printable(path, 80))} is not a kernel file path` };
    }
    const entry = checked.value.files[path];
    if (entry && 'base64' in entry && entry.base64.length % 4 !== 0) {
      return { ok: false, error: `malformed: files[${JSON.stringify(printable(path, 80))}] is not valid base64` };
    }
  }
  return checked;
}

/** The snapshot as a file tree. */
export function snapshotFiles(snap: Snapshot, label: string): HostFiles {
  const map = new Map<string, FileRead>();
  for (const [path, entry] of Object.entries(snap.files)) {
    if ('text' in entry) map.set(path, { kind: 'text', text: entry.text });
    else if ('base64' in entry) {
      const text = decodeBase64(entry.base64);
      map.set(
        path,
        text === null ? { kind: 'error', message: 'not valid base64 in the snapshot' } : { kind: 'text', text },
      );
    } else
      map.set(
        path,
        entry.error === 'denied' ? { kind: 'denied' } : { kind: 'error', message: 'could not be read when captured' },
      );
  }
  const source: SourceInfo = { kind: 'snapshot', label };
  return new MemoryFiles(source, map);
}

/**
 * Every capturable path present in a tree, walking the capture spec. Symbolic links met on the walk are
 * left out, neither followed nor read (as the capture script does): in sysfs they lead out of the tree
 * (`memory_tierN/subsystem` -> /sys/bus/memory_tiering, which links back, so following them captures the
 * same files again under longer names), and a link in a fake root may point at any file on the machine.
 */
export function capturePaths(files: HostFiles): string[] {
  const out: string[] = [...CAPTURE_FILES];
  const walk = (dir: string, depth: number): void => {
    const l = files.list(dir);
    if (l.kind !== 'entries' || depth > 6) return;
    for (const name of l.names) {
      if (CAPTURE_SKIP.includes(name) || l.links?.includes(name)) continue;
      const path = `${dir}/${name}`;
      if (files.list(path).kind === 'entries') walk(path, depth + 1);
      else out.push(path);
    }
  };
  for (const tree of CAPTURE_TREES) walk(tree, 0);
  const nodes = files.list(NODE_DIR);
  if (nodes.kind === 'entries') {
    for (const name of nodes.names.filter((n) => /^node\d+$/.test(n) && !nodes.links?.includes(n))) {
      for (const f of CAPTURE_NODE_FILES) out.push(`${NODE_DIR}/${name}/${f}`);
      walk(`${NODE_DIR}/${name}/hugepages`, 0);
    }
  }
  return out;
}

/** Takes a snapshot of any file tree (the live machine, a fake root, the simulator). */
export function takeSnapshot(
  files: HostFiles,
  meta: { capturedAt: Date; host: string | null; tool: string },
  pids: readonly number[] = [],
): Snapshot {
  const out: Snapshot['files'] = {};
  const paths = capturePaths(files);
  for (const pid of pids) for (const f of CAPTURE_PROCESS_FILES) paths.push(`/proc/${pid}/${f}`);
  paths.push('/proc/config.gz');
  // Distributions without /proc/config.gz ship the config in /boot.
  const release = files.read('/proc/sys/kernel/osrelease');
  const bootConfig = release.kind === 'text' ? bootConfigPath(release.text.trim()) : null;
  // A release with "/" or ".." names no file under /boot: nothing is read for it.
  if (bootConfig !== null && files.read('/proc/config.gz').kind === 'missing') paths.push(bootConfig);
  for (const path of paths) {
    const r = files.read(path);
    if (r.kind === 'text') out[path] = { text: r.text };
    else if (r.kind === 'denied') out[path] = { error: 'denied' };
    else if (r.kind === 'error') out[path] = { error: 'error' };
  }
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    capturedAt: meta.capturedAt.toISOString(),
    host: meta.host,
    tool: meta.tool,
    files: out,
  };
}
