/** Web mode's access rules and API bridge, over real HTTP on loopback. */
import { EventEmitter } from 'node:events';
import { request, type ClientRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostSample } from '../../shared/api';
import { eventSink } from '../../electron/server/limits';
import type { RunningServer } from '../../electron/server/server';
import { apiCall, rawRequest, startTestServer } from '../mocks/web-server';

let server: RunningServer;
let base: string;

beforeAll(async () => {
  server = await startTestServer();
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server?.close());

const raw = (path: string, headers: Record<string, string> = {}, method = 'GET', body?: string) =>
  rawRequest(server, path, headers, method, body);

const auth = { authorization: 'Bearer test-token-123' };
const call = (method: string, args: unknown = {}, headers: Record<string, string> = auth) =>
  apiCall(server, method, args, headers);

describe('web mode access', () => {
  it('binds to loopback and prints a URL with the token in its query', () => {
    expect(server.url).toBe(`${base}/?token=test-token-123`);
  });
  it('refuses API calls without a token (401) and with a wrong one (403)', async () => {
    expect((await call('host.report', {}, {})).status).toBe(401);
    expect((await raw('/api/events')).status).toBe(401);
    expect((await call('host.report', {}, { authorization: 'Bearer nope' })).status).toBe(403);
    expect((await raw('/api/events', { authorization: 'Bearer nope' })).status).toBe(403);
    expect((await raw('/api/nothing', auth)).status).toBe(404);
  });
  it('takes the token from the Authorization header only: never a cookie or the query', async () => {
    const cookie = { cookie: `hugetune_token_${server.port}=test-token-123; hugetune_token=test-token-123` };
    expect((await call('host.report', {}, cookie)).status).toBe(401);
    expect(
      (await raw('/api/call?token=test-token-123', { 'content-type': 'application/json' }, 'POST', '{}')).status,
    ).toBe(401);
    expect((await raw('/api/events?token=test-token-123')).status).toBe(401);
  });
  it('serves the page without the token, with its CSP as a header only, and never sets a cookie', async () => {
    for (const path of ['/', '/?token=nope', '/?token=test-token-123']) {
      const page = await raw(path);
      expect(page.status).toBe(200);
      expect(page.headers['set-cookie']).toBeUndefined();
      expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(page.body).not.toMatch(/http-equiv="Content-Security-Policy"/i);
      // The first screen comes in the page only with the right token.
      expect(page.body.includes('id="hugetune-first-screen"')).toBe(path === '/?token=test-token-123');
    }
    expect((await call('host.report')).headers['set-cookie']).toBeUndefined();
  });
  it('refuses cross-origin requests and foreign Host headers even with the token', async () => {
    expect((await call('host.report', {}, { ...auth, origin: 'https://evil.example' })).status).toBe(403);
    expect((await call('host.report', {}, { ...auth, origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await call('host.report', {}, { ...auth, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await call('host.report', {}, { ...auth, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await raw('/', { ...auth, host: 'evil.example:80' })).status).toBe(403);
    expect((await raw('/', { host: 'evil.example:80' })).status).toBe(403);
    expect((await raw('/', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
  });
  it('serves nothing outside the renderer directory', async () => {
    expect((await raw('/../../etc/passwd', auth)).status).toBe(404);
    expect((await raw('/%2e%2e/%2e%2e/etc/passwd', auth)).status).toBe(404);
  });
});

describe('web mode API', () => {
  it('answers calls with envelopes', async () => {
    const r = await call('host.report');
    expect(r.status).toBe(200);
    const env = JSON.parse(r.body) as { ok: boolean; value: { kernel: { release: string } } };
    expect(env.ok).toBe(true);
    expect(env.value.kernel.release).toBe('6.18.44-fc-v595');
    const bad = JSON.parse((await call('host.report', { x: 1 })).body) as { ok: boolean; error: { code: string } };
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });
  it('rejects non-JSON bodies and non-POST calls', async () => {
    expect((await raw('/api/call', { ...auth, 'content-type': 'text/plain' }, 'POST', '{}')).status).toBe(415);
    expect((await raw('/api/call', auth)).status).toBe(405);
    expect((await raw('/api/call', { ...auth, 'content-type': 'application/json' }, 'POST', '{nope')).status).toBe(400);
  });
  it('streams samples over server-sent events', async () => {
    const res = await fetch(`${base}/api/events`, { headers: auth });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: host.sample')) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    const data = /data: (.*)/.exec(text)![1]!;
    // A fake root is captured files, not a running kernel: the stream says so rather than sending zero rates.
    const sample = JSON.parse(data) as HostSample;
    expect(sample).toMatchObject({ seq: 1, live: false, rates: { tlb: null }, tlbTotal: null });
    expect(sample.reason).toMatch(/not a running kernel/);
  });
});

describe('web mode fairness', () => {
  let fair: RunningServer;
  const internalErrors: unknown[] = [];
  beforeAll(async () => {
    fair = await startTestServer({
      onInternalError: (e) => internalErrors.push(e),
      timeouts: { headersMs: 300, requestMs: 400, checkEveryMs: 50 },
    });
  });
  afterAll(async () => {
    await fair?.close();
  });

  const headersFor = (tab: string, extra: Record<string, string> = {}) => ({
    host: `127.0.0.1:${fair.port}`,
    ...auth,
    'x-hugetune-client': tab,
    ...extra,
  });
  /** Opens an event stream and resolves with its status, keeping it open until the returned request is destroyed. */
  const stream = (tab: string) =>
    new Promise<{ status: number; req: ClientRequest }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: fair.port, path: '/api/events', headers: headersFor(tab) },
        (res) => resolve({ status: res.statusCode ?? 0, req }),
      );
      req.on('error', () => {});
      req.once('error', reject);
      req.end();
    });
  /** A call whose body never finishes: it holds a call slot while it is open. */
  const stalledCall = (tab: string) => {
    const req = request({
      host: '127.0.0.1',
      port: fair.port,
      path: '/api/call',
      method: 'POST',
      headers: headersFor(tab, { 'content-type': 'application/json', 'content-length': '1000' }),
    });
    req.on('error', () => {});
    req.write('{"method":');
    return req;
  };
  const fullCall = (tab: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: fair.port,
          path: '/api/call',
          method: 'POST',
          headers: headersFor(tab, { 'content-type': 'application/json' }),
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ method: 'app.info', args: {} }));
    });

  it('limits event streams per client: a tab with four open does not lock another out', async () => {
    const mine = await Promise.all([1, 2, 3, 4].map(() => stream('tab-a')));
    expect(mine.map((s) => s.status)).toEqual([200, 200, 200, 200]);
    const fifth = await stream('tab-a');
    expect(fifth.status).toBe(503);
    const other = await stream('tab-b');
    expect(other.status).toBe(200);
    for (const s of [...mine, fifth, other]) s.req.destroy();
  });

  it('limits calls per client: stalled uploads from one tab leave the others their calls', async () => {
    const stalled = [1, 2, 3, 4].map(() => stalledCall('tab-c'));
    // Once the four stalled requests have reached the server, the tab has no call left; another tab has.
    while ((await fullCall('tab-c')) !== 503);
    expect(await fullCall('tab-d')).toBe(200);
    // Abandoned uploads are the client's doing, not an internal error; their slots come back.
    for (const r of stalled) r.destroy();
    while ((await fullCall('tab-c')) !== 200) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 20));
    expect(internalErrors).toEqual([]);
  });

  it('closes a connection whose headers or body never finish, without an internal error', async () => {
    const answer = (text: string) =>
      new Promise<string>((resolve) => {
        const sock = connect(fair.port, '127.0.0.1');
        let got = '';
        sock.on('data', (d: Buffer) => (got += d.toString('utf8')));
        sock.on('error', () => {});
        sock.on('close', () => resolve(got));
        sock.write(text);
      });
    const host = `Host: 127.0.0.1:${fair.port}\r\n`;
    expect(await answer(`GET / HTTP/1.1\r\n${host}`)).toMatch(/^HTTP\/1\.1 408/);
    const body = await answer(
      `POST /api/call HTTP/1.1\r\n${host}Authorization: Bearer test-token-123\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"method":',
    );
    expect(body === '' || body.startsWith('HTTP/1.1 408')).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(internalErrors).toEqual([]);
  });
});

describe('event stream backpressure', () => {
  it('drops samples while the socket buffer is full, and sends again once it drains', () => {
    const res = new EventEmitter() as EventEmitter & { write: (t: string) => boolean };
    const written: string[] = [];
    let full = false;
    res.write = (t: string) => {
      written.push(t);
      return !full;
    };
    const sink = eventSink(res as unknown as Parameters<typeof eventSink>[0]);
    expect(sink.send('a')).toBe(true);
    full = true;
    expect(sink.send('b')).toBe(true); // accepted into the buffer, which is now full
    expect(sink.send('c')).toBe(false);
    expect(sink.send('d')).toBe(false);
    full = false;
    res.emit('drain');
    expect(sink.send('e')).toBe(true);
    expect(written).toEqual(['a', 'b', 'e']);
  });
});
