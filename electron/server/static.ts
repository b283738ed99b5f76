/**
 * Serves the built renderer from one directory, never outside it, compressed when the browser accepts it.
 * Text files are compressed once (brotli and gzip, on first request) and kept with the file's size and mtime,
 * so a rebuilt file is compressed again and every later request costs a stat and a map lookup.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { dropMetaCsp } from '../page-csp';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Worth compressing: text, and more than a packet's worth. PNG and WOFF2 are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json']);
const MIN_COMPRESS_BYTES = 1024;

export type Encoding = 'br' | 'gzip';

export interface StaticFile {
  body: Buffer;
  type: string;
  /** How `body` is encoded; null for the file as it is. */
  encoding: Encoding | null;
  /** Whether the answer depends on Accept-Encoding (the response then carries Vary: Accept-Encoding). */
  varies: boolean;
}

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

interface Cached {
  size: number;
  mtimeMs: number;
  raw: Buffer;
  encoded: Partial<Record<Encoding, Promise<Buffer>>>;
}
const cache = new Map<string, Cached>();

/** The encoding to send for an Accept-Encoding header: brotli, else gzip, else none; `;q=0` refuses one. */
export function pickEncoding(header: string | undefined): Encoding | null {
  if (!header) return null;
  const accepted = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    if (name) accepted.set(name.trim(), q ? Number(q[1]) : 1);
  }
  const ok = (e: string): boolean => (accepted.get(e) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return null;
}

function encode(c: Cached, e: Encoding): Promise<Buffer> {
  c.encoded[e] ??=
    e === 'br'
      ? brotli(c.raw, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: c.raw.length,
          },
        })
      : gz(c.raw, { level: 9 });
  return c.encoded[e];
}

export interface StaticOptions {
  /**
   * The server sends the page's Content-Security-Policy as a header: its HTML goes without the policy tag
   * (../page-csp: dropMetaCsp).
   */
  cspInHeader?: boolean;
}

export async function loadStatic(
  dir: string,
  urlPath: string,
  acceptEncoding?: string,
  opts: StaticOptions = {},
): Promise<StaticFile | null> {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath === '/' ? '/index.html' : urlPath);
  } catch {
    return null;
  }
  const full = normalize(join(dir, rel));
  if (!full.startsWith(normalize(dir + sep)) || rel.includes('\0')) return null;
  const ext = extname(full);
  const type = TYPES[ext];
  if (!type) return null;
  const page = ext === '.html' && opts.cspInHeader === true;
  const key = page ? `${full}\0csp-in-header` : full;
  let c: Cached;
  try {
    const st = await stat(full);
    if (!st.isFile()) return null;
    const hit = cache.get(key);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) c = hit;
    else {
      const bytes = await readFile(full);
      const raw = page ? Buffer.from(dropMetaCsp(bytes.toString('utf8')), 'utf8') : bytes;
      c = { size: st.size, mtimeMs: st.mtimeMs, raw, encoded: {} };
      cache.set(key, c);
    }
  } catch {
    return null;
  }
  const varies = COMPRESSIBLE.has(ext) && c.raw.length >= MIN_COMPRESS_BYTES;
  const encoding = varies ? pickEncoding(acceptEncoding) : null;
  if (!encoding) return { body: c.raw, type, encoding: null, varies };
  return { body: await encode(c, encoding), type, encoding, varies };
}
