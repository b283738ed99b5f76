/**
 * JSON from other people's hands (a snapshot, a profile, a large web request) is parsed in a worker thread
 * with a deadline: JSON.parse of tens of megabytes, and whatever a crafted file makes of it, must never stall
 * the process that serves every other call. The worker first scans the text against the input's limits
 * (shared/json-scan) so a structure too deep or too large is refused before JSON.parse builds any of it.
 */
import { Worker } from 'node:worker_threads';
import { type JsonLimits, jsonParseProblem, scanJson } from '../../shared/json-scan';
import { SNAPSHOT_MAX_DEPTH, SNAPSHOT_MAX_FILES, SNAPSHOT_MAX_PATH } from '../../shared/host/snapshot';

// Plain JavaScript evaluated in the worker: it cannot import modules, so the scanner travels as its own
// source text, and the bounds of a snapshot's file table (shared/host/snapshot.ts snapshotBoundsProblem) are
// repeated here with the same limits, as a first gate before the table is sent back.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const scanJson = (${scanJson.toString()});
const jsonParseProblem = (${jsonParseProblem.toString()});
function snapshotTable(json) {
  const files = json && typeof json === 'object' ? json.files : undefined;
  if (!files || typeof files !== 'object') return null;
  let n = 0;
  for (const path in files) {
    if (++n > ${SNAPSHOT_MAX_FILES}) return 'malformed: more than ${SNAPSHOT_MAX_FILES} files (a capture has a few thousand at most)';
    if (path.length > ${SNAPSHOT_MAX_PATH}) return 'malformed: a file path longer than ${SNAPSHOT_MAX_PATH} characters (' + JSON.stringify(path.slice(0, 60)) + '...)';
    let depth = 0;
    for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) depth++;
    if (depth > ${SNAPSHOT_MAX_DEPTH}) return 'malformed: a file path deeper than ${SNAPSHOT_MAX_DEPTH} levels (' + JSON.stringify(path.slice(0, 60)) + '...)';
  }
  return null;
}
parentPort.once('message', (msg) => {
  const { limits, maxChars, snapshot } = msg;
  // The bytes are let go as soon as they are text, so a large input is held twice only for that moment.
  let input = msg.input;
  msg.input = null;
  let text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  input = null;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length > maxChars) return parentPort.postMessage({ error: 'larger than ' + Math.round(maxChars / 1048576) + ' MiB' });
  const problem = scanJson(text, limits);
  if (problem) return parentPort.postMessage({ error: 'refused before parsing: ' + problem });
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    // V8's message quotes the text near the fault; this says where it is instead.
    return parentPort.postMessage({ error: jsonParseProblem(text) });
  }
  text = null;
  if (snapshot) {
    const bad = snapshotTable(json);
    if (bad) return parentPort.postMessage({ error: bad });
  }
  parentPort.postMessage({ json });
});
`;

export type Parsed = { json: unknown } | { error: string };

export interface ParseOptions {
  limits: JsonLimits;
  /** Most characters the text may have (after decoding). */
  maxChars: number;
  deadlineMs: number;
  /** Check a snapshot's file table in the worker too, so only a table within bounds is sent back. */
  snapshot?: boolean;
  /** The worker's heap, in MiB: a refused input ends the worker, not the process. */
  heapMiB?: number;
}

/**
 * Parses JSON text (or its UTF-8 bytes, which are handed over without a copy) in a worker; the value, or why
 * it was refused. Never rejects.
 */
export function parseJsonOffThread(input: string | Uint8Array, o: ParseOptions): Promise<Parsed> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      resourceLimits: { maxOldGenerationSizeMb: o.heapMiB ?? 1024 },
    });
    let done = false;
    const finish = (r: Parsed): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(r);
    };
    const timer = setTimeout(
      () => finish({ error: `took longer than ${o.deadlineMs / 1000} s to read, so it was refused` }),
      o.deadlineMs,
    );
    worker.once('message', (m: Parsed) => finish(m));
    worker.once('error', (e: Error) =>
      // Out of memory in the worker ends the worker, not the process.
      finish({ error: `could not be read (${e.message})` }),
    );
    worker.once('exit', () => finish({ error: 'could not be read (the reader stopped)' }));
    const msg = { input, limits: o.limits, maxChars: o.maxChars, snapshot: o.snapshot === true };
    // Bytes read for this parse move to the worker instead of being copied. A Buffer may share a pool with
    // other Buffers, so only a plain Uint8Array (which owns its memory) is moved.
    if (typeof input !== 'string' && !Buffer.isBuffer(input)) worker.postMessage(msg, [input.buffer as ArrayBuffer]);
    else worker.postMessage(msg);
  });
}
