/**
 * Web mode: the built renderer and the API over HTTP on 127.0.0.1, for headless servers and for machines
 * where the Electron window cannot start. The same handler table as the Electron IPC serves every call.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dispatch, type Handlers } from '../../shared/api';
import { SNAPSHOT_MAX_BYTES } from '../../shared/host/snapshot';
import type { Sampler } from '../host/sampler';
import { bearerToken, hostAllowed, newToken, originAllowed, sameToken } from './auth';
import { BodyAborted, clientKey, eventSink, Slots } from './limits';
import { loadStatic } from './static';

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// A call may carry a snapshot the user opened; JSON escaping can at most double its text.
const MAX_BODY = 2 * SNAPSHOT_MAX_BYTES + 1024 * 1024;

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
const REQUEST_TIMEOUT_MS = 10_000;

export interface ServeOptions {
  port: number;
  handlers: Handlers;
  sampler: Sampler;
  rendererDir: string;
  token?: string;
  onInternalError?: (e: unknown) => void;
  /** Tests shorten the request deadlines; defaults as above. */
  timeouts?: { headersMs: number; requestMs: number; checkEveryMs: number };
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('content-security-policy', CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) return null;
      chunks.push(chunk);
    }
  } catch {
    // The client closed the connection mid-body (or timed out): nothing to answer, nothing went wrong here.
    throw new BodyAborted();
  }
  if (!req.complete) throw new BodyAborted();
  return Buffer.concat(chunks).toString('utf8');
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? newToken();
  let port = 0;
  const calls = new Slots(MAX_CALLS, MAX_CALLS_PER_CLIENT);
  const streams = new Slots(MAX_STREAMS, MAX_STREAMS_PER_CLIENT);
  const sockets = new Set<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    securityHeaders(res);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!hostAllowed(req, port)) return send(res, 403, 'Forbidden: unexpected Host header\n');
    if (!originAllowed(req, port)) return send(res, 403, 'Forbidden: cross-origin request\n');

    // The built renderer is the same public code as the installed files and carries no data: it loads without
    // the token (a browser navigation cannot send a header). Everything that reads the machine is under /api/.
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
      const free = calls.take(clientKey(req));
      if (!free) return send(res, 503, 'Busy: too many calls at once\n');
      res.once('close', free);
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return send(res, 415, 'Unsupported Media Type: send application/json\n');
      }
      const body = await readBody(req);
      if (body === null) return send(res, 413, 'Payload Too Large\n');
      let msg: unknown;
      try {
        msg = JSON.parse(body);
      } catch {
        return send(
          res,
          400,
          JSON.stringify({ ok: false, error: { code: 'bad-request', message: 'body is not JSON' } }),
          'application/json',
        );
      }
      const { method, args } = (typeof msg === 'object' && msg !== null ? msg : {}) as {
        method?: unknown;
        args?: unknown;
      };
      const env = await dispatch(opts.handlers, method, args, opts.onInternalError);
      return send(res, 200, JSON.stringify(env), 'application/json');
    }

    if (url.pathname === '/api/events') {
      if (req.method !== 'GET') return send(res, 405, 'Method Not Allowed\n');
      const free = streams.take(clientKey(req));
      if (!free) return send(res, 503, 'Busy: too many event streams\n');
      res.once('close', free);
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': hugetune events\n\n');
      const sink = eventSink(res);
      const off = opts.sampler.subscribe((sample) => {
        sink.send(`event: host.sample\ndata: ${JSON.stringify(sample)}\n\n`);
      });
      req.on('close', off);
      return;
    }

    if (url.pathname.startsWith('/api/')) return send(res, 404, 'Not Found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method Not Allowed\n');
    const file = await loadStatic(opts.rendererDir, url.pathname, req.headers['accept-encoding']);
    if (!file) return send(res, 404, 'Not Found\n');
    res.writeHead(200, {
      'content-type': file.type,
      'cache-control': file.type.startsWith('text/html') ? 'no-store' : 'max-age=3600',
      'content-length': file.body.length,
      ...(file.encoding ? { 'content-encoding': file.encoding } : {}),
      ...(file.varies ? { vary: 'Accept-Encoding' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
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
    // In the fragment: the browser never sends it, so it reaches no server log and no other request.
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        opts.sampler.stop();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
