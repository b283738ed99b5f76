/**
 * Web mode against many clients: one source per browser session, a bounded session map, a budget of body
 * bytes in flight, and the server's peak memory while eight clients each send 120 MB at once.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureSnapshot } from '../../electron/host/snapshot-io';
import { Budget } from '../../electron/server/limits';
import { startServer, type RunningServer } from '../../electron/server/server';
import { SessionMap, webSessions } from '../../electron/server/sessions';
import { SNAPSHOT_MAX_BYTES } from '../../shared/host/snapshot';
import { findProfile } from '../../shared/sim/profiles';
import { CLI, fixtureFiles, VM, VM_TUNED } from '../helpers';

describe('the session map', () => {
  it('keeps at most max sessions, dropping the least recently used, and drops idle ones', () => {
    let now = 0;
    const dropped: string[] = [];
    const m = new SessionMap<string>(
      (k) => k,
      (v) => dropped.push(v),
      3,
      1000,
      () => now,
    );
    m.get('a');
    m.get('b');
    m.get('c');
    m.get('a'); // a is now the most recent
    m.get('d');
    expect(dropped).toEqual(['b']);
    now = 5000;
    m.get('e');
    expect(dropped.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(m.size).toBe(1);
  });
  it('keeps a session with an open stream however long it is idle', () => {
    let now = 0;
    const m = new SessionMap<string>(
      (k) => k,
      () => undefined,
      8,
      1000,
      () => now,
    );
    m.get('monitor');
    const release = m.hold('monitor');
    now = 10_000;
    m.get('other');
    expect(m.has('monitor')).toBe(true);
    release();
    now = 20_000;
    m.get('other');
    expect(m.has('monitor')).toBe(false);
  });
});

describe('the body budget', () => {
  it('limits bytes in flight in total and per client, and gives a call its bytes back once', () => {
    const b = new Budget(100, 60);
    const a1 = b.account('a');
    expect(a1.take(50)).toBe(true);
    expect(b.account('a').take(20)).toBe(false); // a would hold 70 > 60
    const c = b.account('c');
    expect(c.take(50)).toBe(true);
    expect(b.account('d').take(1)).toBe(false); // 101 > 100 in all
    a1.release();
    a1.release();
    expect(b.inFlight).toBe(50);
    expect(b.account('d').take(50)).toBe(true);
  });
});

describe('one source per browser session', () => {
  let server: RunningServer;
  let rendererDir = '';
  beforeAll(async () => {
    rendererDir = mkdtempSync(join(tmpdir(), 'hugetune-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>hugetune</title>');
    server = await startServer({ port: 0, sessions: webSessions(fixtureFiles(VM)), rendererDir, token: 't-123' });
  });
  afterAll(async () => {
    await server?.close();
    if (rendererDir) rmSync(rendererDir, { recursive: true, force: true });
  });

  const call = (session: string | null, method: string, args: unknown = {}) =>
    new Promise<{ ok: boolean; value?: { current: { kind: string; label: string } } }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/call',
          method: 'POST',
          headers: {
            host: `127.0.0.1:${server.port}`,
            authorization: 'Bearer t-123',
            'content-type': 'application/json',
            ...(session ? { 'x-hugetune-client': session } : {}),
          },
        },
        (res) => {
          let d = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (d += c));
          res.on('end', () => resolve(JSON.parse(d) as { ok: boolean }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ method, args }));
    });

  it('a snapshot opened in one session leaves the others on the source the server started with', async () => {
    const text = JSON.stringify(captureSnapshot(fixtureFiles(VM_TUNED), true));
    const opened = await call('tab-a', 'source.openSnapshot', { name: 'box.json', text });
    expect(opened.value?.current.kind).toBe('snapshot');
    expect((await call('tab-a', 'source.get')).value?.current.label).toMatch(/box\.json/);
    expect((await call('tab-b', 'source.get')).value?.current.kind).toBe('root');
    expect((await call(null, 'source.get')).value?.current.kind).toBe('root');
  });

  it('a bounded number of sessions hold a source of their own; one more is told why, nobody loses theirs', async () => {
    const sessions = webSessions(fixtureFiles(VM), {}, 64, 2);
    const open = (key: string) =>
      Promise.resolve().then(() =>
        sessions.get(key).handlers['source.openSim']({ profile: findProfile('small-laptop')! }),
      );
    await open('a');
    await open('b');
    await expect(open('c')).rejects.toThrow(/2 tabs already show a snapshot or simulated machine of their own/);
    expect(sessions.get('a').source.current.source.kind).toBe('sim');
    await sessions.get('a').handlers['source.reset']({});
    await open('c');
    expect(sessions.get('c').source.current.source.kind).toBe('sim');
    sessions.clear();
  });
});

describe('bodies in flight', () => {
  it('eight clients sending 120 MB at once: one is read, the rest wait their turn, memory stays bounded', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--json', '--sim', 'small-laptop'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve) =>
        createInterface({ input: child.stdout }).once('line', resolve),
      );
      const { port, token } = JSON.parse(line) as { port: number; token: string };
      const size = 120_000_000;
      const head = Buffer.from('{"method":"source.openSnapshot","args":{"name":"x.json","text":"');
      const tail = Buffer.from('"}}');
      const chunk = Buffer.alloc(1 << 20, 0x20);
      const send = (i: number) =>
        new Promise<number>((resolve) => {
          const req = request(
            {
              host: '127.0.0.1',
              port,
              path: '/api/call',
              method: 'POST',
              headers: {
                host: `127.0.0.1:${port}`,
                authorization: `Bearer ${token}`,
                'content-type': 'application/json',
                'content-length': size,
                'x-hugetune-client': `client-${i}`,
              },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          );
          req.on('error', () => resolve(-1));
          req.write(head);
          let left = size - head.length - tail.length;
          const pump = (): void => {
            while (left > 0) {
              const n = Math.min(left, chunk.length);
              left -= n;
              if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
                req.once('drain', pump);
                return;
              }
            }
            req.end(tail);
          };
          pump();
        });
      const statuses = await Promise.all(Array.from({ length: 8 }, (_, i) => send(i)));
      const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]);
      // A body read is refused (its text is longer than any snapshot); the others are told to wait (503), or,
      // on a machine slow enough that one finished before the next arrived, read and refused in turn; a client
      // still writing when its refusal closes the connection sees a reset (-1). None is accepted.
      expect(statuses.every((s) => s === 503 || s === 400 || s === 408 || s === -1)).toBe(true);
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
      // Under twice the largest body a call may have, plus 100 MiB.
      const maxBody = 2 * SNAPSHOT_MAX_BYTES + 1024 * 1024;
      expect(peakKiB * 1024).toBeLessThan(2 * maxBody + 100 * 1024 * 1024);
    } finally {
      child.kill('SIGTERM');
    }
  }, 120_000);
});
