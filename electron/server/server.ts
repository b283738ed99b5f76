/**
 * Web mode: the built renderer and the API over HTTP on 127.0.0.1, for headless servers and for machines
 * where the Electron window cannot start. The same handler table as the Electron IPC serves every call.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dispatch, type FirstScreen, type Handlers } from '../../shared/api';
import { SNAPSHOT_MAX_BYTES } from '../../shared/host/snapshot';
import type { Sampler } from '../host/sampler';
import { bearerToken, hostAllowed, newToken, originAllowed, sameToken } from './auth';
import { scanJson } from '../../shared/json-scan';
import { parseJsonOffThread } from '../host/parse-worker';
import { BodyAborted, Budget, clientKey, eventSink, Slots, tabKey } from './limits';
import { servedPage } from './served-page';
import { pickedThemeIn } from '../../shared/served-screen';
import { SERVED_SESSION_CLAIM_MS } from './sessions';
import { loadStatic } from './static';
import { currentPageCsp, pageCsp } from '../page-csp';

/**
 * Web mode's policy: the page's own (its meta tag, with the start script's hash), and what only a header can
 * say: no other page may frame it.
 */
const withFrameAncestors = (page: string): string => `${page}; frame-ancestors 'none'`;

export function webCsp(rendererDir: string): string {
  return withFrameAncestors(pageCsp(rendererDir));
}

// A call may carry a snapshot the user opened; JSON escaping can at most double its text.
const MAX_BODY = 2 * SNAPSHOT_MAX_BYTES + 1024 * 1024;
/**
 * Bytes of request bodies held at once, over every client: one largest body and change. Eight clients each
 * sending 120 MB would otherwise hold a gigabyte before any of it is looked at; past the budget a call is
 * answered 503 at once and its bytes are not read.
 */
const BODY_BUDGET = MAX_BODY + 64 * 1024 * 1024;
/** Bodies above this are parsed in the worker (./parse-worker), so a large call never stalls the others. */
const PARSE_INLINE_MAX = 256 * 1024;
/**
 * A call is a method name and its arguments; the deepest argument (a profile) is a few levels deep, and the
 * longest string is a snapshot's text.
 */
const CALL_LIMITS = { maxDepth: 32, maxEntries: 100_000, maxValues: 1_000_000, maxString: SNAPSHOT_MAX_BYTES };
const CALL_PARSE_DEADLINE_MS = 5000;

/** A person has a few tabs open; more than this at once is something else. */
const MAX_CALLS = 16;
const MAX_STREAMS = 16;
/** One tab needs a few calls and one stream; more from one client would crowd the others out. */
const MAX_CALLS_PER_CLIENT = 4;
const MAX_STREAMS_PER_CLIENT = 4;
/**
 * A request's headers and body come from a browser on this machine: seconds are plenty, even for the largest
 * snapshot, and a client that trickles bytes must not hold a call slot for long.
 */
const HEADERS_TIMEOUT_MS = 5000;
/**
 * How long the page opened from the printed URL waits for its first screen before it goes without one (its
 * start script then asks for it, and the app shows its loading state): the page itself must not hang on a
 * slow read of the machine.
 */
const SERVED_SCREEN_MS = 1500;

/** Settles with null after `ms`, keeping no process alive. */
const deadline = (ms: number): Promise<null> => new Promise((ok) => setTimeout(() => ok(null), ms).unref());
const REQUEST_TIMEOUT_MS = 10_000;

/** What answers one browser session's calls and streams. */
export interface SessionParts {
  handlers: Handlers;
  sampler: Sampler;
}

export interface ServeOptions {
  port: number;
  /** One table and sampler for every client; or, with `sessions`, one per browser session. */
  handlers?: Handlers;
  sampler?: Sampler;
  /** The parts for a session key (see ./sessions), and a hold that keeps the session while a stream is open. */
  sessions?: {
    get(key: string): SessionParts;
    hold(key: string): () => void;
    clear(): void;
    /** Makes a session ahead for the next new tab, called once the page has been sent (./sessions). */
    prepare?(): void;
    /** Drops a session made for a page sent with it, unless its page uses it within `ms` (./sessions). */
    dropUnlessUsed?(key: string, ms: number): void;
  };
  rendererDir: string;
  token?: string;
  onInternalError?: (e: unknown) => void;
  /** Tests shorten the request deadlines; defaults as above. */
  timeouts?: { headersMs: number; requestMs: number; checkEveryMs: number; servedScreenMs?: number };
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  // Encoded once: given a string, Node measures its UTF-8 length for the header and then encodes it again.
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': bytes.length });
  res.end(bytes);
}

/** Answers and closes the connection: the rest of a body that is refused is not worth reading. */
function closeAfter(res: ServerResponse, status: number, body: string): void {
  res.setHeader('connection', 'close');
  send(res, status, body);
  res.once('finish', () => res.socket?.destroySoon());
}

export function securityHeaders(res: ServerResponse, csp: string): void {
  res.setHeader('content-security-policy', csp);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
}

/**
 * Reads a request body into one buffer of its own (so it can move to the parser worker without a copy), taking
 * its bytes from the budget as they arrive: null when it is larger than MAX_BODY, 'busy' when the budget is
 * spent. The bytes are given back when the response closes.
 */
async function readBody(
  req: IncomingMessage,
  share: { take(bytes: number): boolean },
  declared: number,
): Promise<Uint8Array | null | 'busy'> {
  // Written straight into one buffer of the declared length (grown only for a body sent without one), so a
  // body is held once, never as chunks and a copy at the same time.
  let body = new Uint8Array(declared > 0 ? declared : 64 * 1024);
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      if (size + chunk.length > MAX_BODY) return null;
      // Bytes within the declared length were taken up front; only what goes past it is taken now.
      const beyond = size + chunk.length - Math.max(declared, size);
      if (beyond > 0 && !share.take(beyond)) return 'busy';
      if (size + chunk.length > body.length) {
        const grown = new Uint8Array(Math.min(MAX_BODY, Math.max(body.length * 2, size + chunk.length)));
        grown.set(body.subarray(0, size));
        body = grown;
      }
      body.set(chunk, size);
      size += chunk.length;
    }
  } catch {
    // The client closed the connection mid-body (or timed out): nothing to answer, nothing went wrong here.
    throw new BodyAborted();
  }
  if (!req.complete) throw new BodyAborted();
  return size === body.length ? body : body.slice(0, size);
}

/** A call's JSON: scanned for its shape's limits first; parsed here when small, in the worker when large. */
async function parseCall(body: Uint8Array): Promise<{ json: unknown } | { error: string }> {
  if (body.length <= PARSE_INLINE_MAX) {
    const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
    const problem = scanJson(text, CALL_LIMITS);
    if (problem !== null) return { error: `body refused before parsing: ${problem}` };
    try {
      return { json: JSON.parse(text) };
    } catch {
      return { error: 'body is not JSON' };
    }
  }
  const r = await parseJsonOffThread(body, {
    limits: CALL_LIMITS,
    maxChars: MAX_BODY,
    deadlineMs: CALL_PARSE_DEADLINE_MS,
    heapMiB: 768,
  });
  return 'error' in r ? { error: `body ${r.error.replace(/^not JSON.*/, 'is not JSON')}` } : r;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? newToken();
  let port = 0;
  const calls = new Slots(MAX_CALLS, MAX_CALLS_PER_CLIENT);
  const streams = new Slots(MAX_STREAMS, MAX_STREAMS_PER_CLIENT);
  const budget = new Budget(BODY_BUDGET, MAX_BODY);
  const sockets = new Set<Socket>();
  const shared: SessionParts | null =
    opts.handlers && opts.sampler ? { handlers: opts.handlers, sampler: opts.sampler } : null;
  const sessions = opts.sessions;
  if (!sessions && !shared) throw new Error('startServer needs handlers and a sampler, or sessions');
  const partsFor = (key: string): SessionParts => (sessions ? sessions.get(key) : shared!);
  const pagePolicy = currentPageCsp(opts.rendererDir);
  let closed = false;

  /**
   * The page with its first screen in it (./served-page), for the request that opens the printed URL: its query
   * carries the token, so this is the one page request allowed to read the machine. False when the plain page
   * is to go instead (no token or a wrong one, a browser only prefetching, every call slot taken): that page
   * asks for its first screen itself, and a wrong token is then told so by the API.
   */
  const sendPageWithScreen = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const given = url.searchParams.get('token');
    if (given === null || !sameToken(given, token)) return false;
    // A page the browser only fetches ahead (typing in the address bar) may never be shown: no session for it.
    if (/prefetch|prerender/i.test(String(req.headers['sec-purpose'] ?? req.headers['purpose'] ?? ''))) return false;
    const plain = await loadStatic(opts.rendererDir, '/', undefined, { cspInHeader: true });
    const session = randomUUID();
    // In the theme the person picked, if the app has told this browser's cookie (the OS's otherwise).
    const page = plain && servedPage(plain.body.toString('utf8'), session, pickedThemeIn(req.headers.cookie));
    if (!page) return false;
    const client = tabKey(session);
    const free = calls.take(client);
    if (!free) return false;
    res.writeHead(200, {
      'content-type': plain.type,
      // The machine's figures: never kept by the browser. A reload gets the plain page (the address has lost
      // the token by then), which asks for them.
      'cache-control': 'no-store',
    });
    // The head now: the browser starts the page's renderer and fetches its stylesheet and scripts meanwhile.
    // Not compressed: made for this one response and sent over loopback, where compressing it would cost
    // more time than its bytes take (a tunnel from another machine can compress: ssh -C).
    res.write(page.head);
    let screen: FirstScreen | null = null;
    try {
      // Out on the socket before the screen is made, which holds this thread.
      await new Promise<void>((ok) => setImmediate(ok));
      const made = dispatch(partsFor(client).handlers, 'app.firstScreen', {}, opts.onInternalError);
      const env = await Promise.race([made, deadline(opts.timeouts?.servedScreenMs ?? SERVED_SCREEN_MS)]);
      screen = env?.ok ? (env.value as FirstScreen) : null;
    } catch (e) {
      opts.onInternalError?.(e);
    } finally {
      free();
    }
    // Without a screen (none made in time, or it failed) the page is whole all the same, and its start script
    // asks for the screen itself.
    res.end(page.rest(screen));
    sessions?.dropUnlessUsed?.(client, SERVED_SESSION_CLAIM_MS);
    return true;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    securityHeaders(res, withFrameAncestors(pagePolicy()));
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!hostAllowed(req, port)) return send(res, 403, 'Forbidden: unexpected Host header\n');
    if (!originAllowed(req, port)) return send(res, 403, 'Forbidden: cross-origin request\n');

    // The built renderer is the same public code as the installed files and carries no data: it loads without
    // the token (a browser navigation cannot send a header). What reads the machine is under /api/, and the page
    // itself only when the printed URL's query brings the token (sendPageWithScreen).
    if (url.pathname.startsWith('/api/')) {
      const given = bearerToken(req);
      if (given === null) {
        return send(
          res,
          401,
          'Unauthorized: open the URL that `hugetune serve` printed (it carries the access token).\n',
        );
      }
      if (!sameToken(given, token)) return send(res, 403, 'Forbidden: wrong access token\n');
    }

    if (url.pathname === '/api/call') {
      if (req.method !== 'POST') return send(res, 405, 'Method Not Allowed\n');
      const client = clientKey(req, url);
      const free = calls.take(client);
      if (!free) return send(res, 503, 'Busy: too many calls at once\n');
      res.once('close', free);
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return send(res, 415, 'Unsupported Media Type: send application/json\n');
      }
      // A declared length is checked before a byte is read; a body without one is counted as it arrives.
      const declared = Number(req.headers['content-length'] ?? 0);
      if (!Number.isSafeInteger(declared) || declared < 0) return closeAfter(res, 400, 'Bad Request\n');
      if (declared > MAX_BODY) return closeAfter(res, 413, 'Payload Too Large\n');
      const share = budget.account(client);
      res.once('close', () => share.release());
      // The declared length is taken from the budget before a byte is read, so calls arriving together cannot
      // all pass the check and then all be read.
      if (declared > 0 && !share.take(declared))
        return closeAfter(res, 503, 'Busy: too much data in flight; try again shortly\n');
      const body = await readBody(req, share, declared);
      if (body === null) return closeAfter(res, 413, 'Payload Too Large\n');
      if (body === 'busy') return closeAfter(res, 503, 'Busy: too much data in flight; try again shortly\n');
      const msg = await parseCall(body);
      if ('error' in msg) {
        return send(
          res,
          400,
          JSON.stringify({ ok: false, error: { code: 'bad-request', message: msg.error } }),
          'application/json',
        );
      }
      const { method, args } = (typeof msg.json === 'object' && msg.json !== null ? msg.json : {}) as {
        method?: unknown;
        args?: unknown;
      };
      const env = await dispatch(partsFor(client).handlers, method, args, opts.onInternalError);
      return send(res, 200, JSON.stringify(env), 'application/json');
    }

    if (url.pathname === '/api/events') {
      if (req.method !== 'GET') return send(res, 405, 'Method Not Allowed\n');
      const client = clientKey(req, url);
      const free = streams.take(client);
      if (!free) return send(res, 503, 'Busy: too many event streams\n');
      res.once('close', free);
      const { sampler } = partsFor(client);
      if (sessions) res.once('close', sessions.hold(client));
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': hugetune events\n\n');
      const sink = eventSink(res);
      const off = sampler.subscribe((sample) => {
        sink.send(`event: host.sample\ndata: ${JSON.stringify(sample)}\n\n`);
      });
      req.on('close', off);
      return;
    }

    if (url.pathname.startsWith('/api/')) return send(res, 404, 'Not Found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method Not Allowed\n');
    const isPage = url.pathname === '/' || url.pathname === '/index.html';
    if (isPage && req.method === 'GET' && (await sendPageWithScreen(req, res, url))) return;
    // The page's policy is in the header set above: its HTML goes without the policy tag (../page-csp).
    const file = await loadStatic(opts.rendererDir, url.pathname, req.headers['accept-encoding'], {
      cspInHeader: true,
    });
    if (!file) return send(res, 404, 'Not Found\n');
    res.writeHead(200, {
      'content-type': file.type,
      'cache-control': file.type.startsWith('text/html') ? 'no-store' : 'max-age=3600',
      'content-length': file.body.length,
      ...(file.encoding ? { 'content-encoding': file.encoding } : {}),
      ...(file.varies ? { vary: 'Accept-Encoding' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
    // The page will ask for its first screen as soon as the browser has started it, some tens of
    // milliseconds from now, in which this server would otherwise sit idle.
    if (file.type.startsWith('text/html') && req.method === 'GET' && sessions?.prepare) {
      const prepare = sessions.prepare.bind(sessions);
      setImmediate(() => {
        if (closed) return;
        try {
          prepare();
        } catch (e) {
          opts.onInternalError?.(e);
        }
      });
    }
  };

  const t = opts.timeouts ?? { headersMs: HEADERS_TIMEOUT_MS, requestMs: REQUEST_TIMEOUT_MS, checkEveryMs: 1000 };
  const options = {
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    // Node checks the two deadlines above only this often (30 s by default).
    connectionsCheckingInterval: t.checkEveryMs,
  };
  const server: Server = createServer(options, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof BodyAborted) {
        res.destroy();
        return;
      }
      opts.onInternalError?.(e);
      if (!res.headersSent) send(res, 500, 'Internal Server Error\n');
      else res.end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only, by design: there is no option to bind elsewhere.
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    // In the query, so the request that opens the page may carry its first screen back; the page then takes it
    // out of the address bar. It goes to this server only: the page sends no referrer, and keeps no log.
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        shared?.sampler.stop();
        sessions?.clear();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
