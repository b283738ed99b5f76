/**
 * A session made ahead while a page loads (web mode's `prepare`): the next new tab takes it, on a simulated
 * machine or a record with its first screen made then; one not taken soon is dropped; and the page, served
 * without the token, never makes the server read this machine.
 */
import { describe, expect, it } from 'vitest';
import { dispatch, type FirstScreen } from '../../shared/api';
import type { Envelope } from '../../shared/envelope';
import { openSim } from '../../electron/host/sim-source';
import { SimMachine } from '../../shared/sim/machine';
import { findProfile } from '../../shared/sim/profiles';
import { SimFiles } from '../../shared/sim/source';
import { SessionMap, SPARE_MS, webSessions } from '../../electron/server/sessions';
import type { HostFiles } from '../../shared/host/files';
import { countedFiles, fixtureFiles, VM } from '../helpers';
import { apiCall, rawRequest, startTestServer, TOKEN } from '../mocks/web-server';
import { CLIENT_HEADER, tabKey } from '../../electron/server/limits';
import { SCREEN_DATA_ID, SESSION_META } from '../../shared/served-screen';

describe('the session map made ahead', () => {
  it('gives the spare to the next new key only, once, and only while it is fresh', () => {
    let now = 0;
    let made = 0;
    const dropped: string[] = [];
    const m = new SessionMap<string>(
      (k) => k,
      (v) => dropped.push(v),
      8,
      60_000,
      () => now,
      () => `spare-${++made}`,
    );
    m.prepare();
    m.prepare(); // a fresh spare is kept, not made again
    expect(made).toBe(1);
    m.get('old');
    expect(m.get('old')).toBe('spare-1');
    expect(m.get('new')).toBe('new');
    m.prepare();
    now += SPARE_MS;
    // Too old to be shown as the machine now: dropped, and the new key gets a session of its own.
    expect(m.get('late')).toBe('late');
    expect(dropped).toEqual(['spare-2']);
    m.prepare();
    m.clear();
    expect(dropped).toContain('spare-3');
  });
  it('does nothing ahead without a way to make a spare', () => {
    const m = new SessionMap<string>(
      (k) => k,
      () => undefined,
    );
    m.prepare();
    expect(m.get('a')).toBe('a');
  });
});

describe('web sessions made ahead', () => {
  it('give the next new tab the session made ahead: its own copy of a simulated machine, taken then', () => {
    const base = openSim('strix-halo-128g');
    let forks = 0;
    const counted: HostFiles = {
      source: base.source,
      read: (p) => base.read(p),
      list: (d) => base.list(d),
      fork: () => {
        forks++;
        return base.fork?.() ?? base;
      },
    };
    const sessions = webSessions(counted);
    try {
      sessions.prepare();
      expect(forks).toBe(1);
      const tab = sessions.get('tab');
      expect(forks).toBe(1);
      expect(sessions.get('other')).not.toBe(tab);
      expect(forks).toBe(2);
    } finally {
      sessions.clear();
    }
  });
  it("answer the new tab's first app.firstScreen with the screen made when the page was served", async () => {
    let now = 0;
    const machine = new SimMachine(findProfile('xeon-2s-768g')!);
    machine.advance(3600);
    const sessions = webSessions(new SimFiles(machine, { clock: () => now }));
    const tlb = async (tab: string): Promise<number | null> => {
      const env = (await dispatch(sessions.get(tab).handlers, 'app.firstScreen', {})) as Envelope<FirstScreen>;
      return env.ok && env.value.report.ok ? env.value.report.value.tlb.total : null;
    };
    try {
      const atServe = await tlb('reference'); // a session of its own, at the moment the page is served
      sessions.prepare();
      now += 60_000; // a simulated minute on, the machine's counters have moved
      expect(await tlb('tab')).toBe(atServe);
      expect(await tlb('later')).toBeGreaterThan(atServe!);
    } finally {
      sessions.clear();
    }
  });
  it('drop the screen made ahead once the session has done anything else', async () => {
    const sessions = webSessions(openSim('strix-halo-128g'));
    try {
      sessions.prepare();
      const tab = sessions.get('tab').handlers;
      const hvo = '/proc/sys/vm/hugetlb_optimize_vmemmap';
      expect((await dispatch(tab, 'setup.apply', { writes: [{ path: hvo, value: '1' }] })).ok).toBe(true);
      const env = (await dispatch(tab, 'app.firstScreen', {})) as Envelope<FirstScreen>;
      // The screen made ahead had HVO off; this one is the machine after the change.
      expect(env.ok && env.value.report.ok && env.value.report.value.hvo.enabled).toBe(true);
    } finally {
      sessions.clear();
    }
  });
});

/** Web mode over `files` with one session per tab, counting the sessions it makes ahead (and making them). */
async function liveServer(files: HostFiles) {
  const sessions = webSessions(files);
  let prepared = 0;
  const spy = {
    get: (key: string) => sessions.get(key),
    hold: (key: string) => sessions.hold(key),
    clear: () => sessions.clear(),
    prepare: () => {
      prepared++;
      sessions.prepare();
    },
  };
  return { sessions, prepared: () => prepared, server: await startTestServer({ sessions: spy }) };
}

describe('web mode', () => {
  it('makes a session ahead each time it serves the page, for nothing else, and reads nothing of this machine', async () => {
    // This machine as the server's source (its files from a capture, so no test reads the real one).
    const { files: live, reads } = countedFiles(fixtureFiles(VM), { kind: 'live', label: 'this machine' });
    const { prepared, server } = await liveServer(live);
    try {
      for (const path of ['/favicon.svg', '/nothing.js', '/api/call']) await rawRequest(server, path);
      await rawRequest(server, '/', {}, 'HEAD');
      expect(prepared()).toBe(0);
      expect((await rawRequest(server, '/')).status).toBe(200);
      await expect.poll(prepared).toBe(1);
      // The page comes without the token: nothing of this machine is read until a call brings it.
      expect(reads()).toBe(0);
    } finally {
      await server.close();
    }
  });
  it('reads a simulated machine or a record ahead, and only those', () => {
    const { files: record, reads } = countedFiles(fixtureFiles(VM));
    expect(record.source.kind).not.toBe('live');
    const sessions = webSessions(record);
    try {
      sessions.prepare();
      expect(reads()).toBeGreaterThan(0);
    } finally {
      sessions.clear();
    }
  });

  it('opened with the token (the printed URL), sends the page with its session made and its first screen in it', async () => {
    const { files: live, reads } = countedFiles(fixtureFiles(VM), { kind: 'live', label: 'this machine' });
    const { sessions, prepared, server } = await liveServer(live);
    try {
      // A wrong token gets the plain page, and reads nothing: the API tells that page the token is wrong.
      const wrong = await rawRequest(server, '/?token=nope');
      expect(wrong.body).not.toContain(`<meta name="${SESSION_META}"`);
      expect(reads()).toBe(0);
      await expect.poll(prepared).toBe(1);
      const page = await rawRequest(server, `/?token=${TOKEN}`);
      expect(page.status).toBe(200);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.headers['set-cookie']).toBeUndefined();
      const id = new RegExp(`<meta name="${SESSION_META}" content="([^"]+)"`).exec(page.body)?.[1];
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      // That session exists and is the one that read the machine; no spare is made for a next tab.
      expect(sessions.has(tabKey(id!))).toBe(true);
      expect(reads()).toBeGreaterThan(0);
      await new Promise((ok) => setImmediate(ok));
      expect(prepared()).toBe(1);
      const block = new RegExp(`<script type="application/json" id="${SCREEN_DATA_ID}">([^<]*)</script>`).exec(
        page.body,
      );
      const data = JSON.parse(block![1]!) as Omit<FirstScreen, 'html'>;
      expect(data.report.ok).toBe(true);
      expect(data.source.current.kind).toBe('live');
      expect(page.body).toMatch(
        /<div id="app"><!--\[-->[\s\S]*data-testid="card-memory"[\s\S]*<\/div><script type="application\/json"/,
      );
      // A call under that session is answered from it, with the token as ever.
      const call = await apiCall(server, 'source.get', {}, { authorization: `Bearer ${TOKEN}`, [CLIENT_HEADER]: id! });
      expect(call.status).toBe(200);
      expect(sessions.size).toBe(1);
      // Sent as it is made (over loopback), even to a browser that accepts compression.
      const br = await rawRequest(server, `/?token=${TOKEN}`, { 'accept-encoding': 'br' });
      expect(br.headers['content-encoding']).toBeUndefined();
      expect(br.body).toContain(`id="${SCREEN_DATA_ID}"`);
    } finally {
      await server.close();
    }
  });
});
