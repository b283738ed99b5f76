/**
 * Web mode as the tests meet it: `hugetune serve` on a free loopback port over the untuned fixture machine, with
 * a one-line page standing in for the built renderer, and requests to it with the Host header and token set.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers } from '../../electron/host/handlers';
import { Sampler } from '../../electron/host/sampler';
import { startServer, type RunningServer, type ServeOptions } from '../../electron/server/server';
import { fixtureFiles, VM } from '../helpers';

export const TOKEN = 'test-token-123';
const PAGE_SOURCE = join(import.meta.dirname, '..', '..', 'renderer', 'index.html');

/**
 * Starts the server (options override the defaults); `close` also removes the stand-in renderer directory.
 * Call it in `beforeAll`, not while the file is collected, so a filtered run leaves nothing behind.
 */
export async function startTestServer(options: Partial<ServeOptions> = {}): Promise<RunningServer> {
  const rendererDir = mkdtempSync(join(tmpdir(), 'hugetune-renderer-'));
  try {
    // The page's source, with its policy tag: the server takes its CSP from there.
    writeFileSync(join(rendererDir, 'index.html'), readFileSync(PAGE_SOURCE));
    const files = fixtureFiles(VM);
    const server = await startServer({
      port: 0,
      handlers: createHandlers(new ActiveSource(files), 'web'),
      sampler: new Sampler(() => files, 50),
      rendererDir,
      token: TOKEN,
      ...options,
    });
    return {
      url: server.url,
      port: server.port,
      token: server.token,
      close: async () => {
        await server.close();
        rmSync(rendererDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(rendererDir, { recursive: true, force: true });
    throw e;
  }
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request as given, so a test controls the Host, Origin and Authorization headers exactly. */
export function rawRequest(
  server: RunningServer,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method,
        headers: { host: `127.0.0.1:${server.port}`, ...headers },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
      },
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** An API call as the renderer's bridge sends it: JSON to POST /api/call, with the token unless `headers` say otherwise. */
export function apiCall(
  server: RunningServer,
  method: string,
  args: unknown = {},
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
): Promise<RawResponse> {
  return rawRequest(
    server,
    '/api/call',
    { 'content-type': 'application/json', ...headers },
    'POST',
    JSON.stringify({ method, args }),
  );
}
