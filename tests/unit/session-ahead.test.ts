/**
 * A session made ahead while a page loads (web mode's `prepare`): the next new tab takes it, with its first
 * screen computed before the tab asked; it is never taken stale, and it answers nothing but that first call.
 */
import { describe, expect, it } from 'vitest';
import { dispatch, type FirstScreen } from '../../shared/api';
import type { Envelope } from '../../shared/envelope';
import { openSim } from '../../electron/host/sim-source';
import { SessionMap, SPARE_MS, webSessions } from '../../electron/server/sessions';
import { fixtureFiles, VM } from '../helpers';
import { apiCall, rawRequest, startTestServer, TOKEN } from '../mocks/web-server';

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
  it("answer the new tab's first app.firstScreen with the screen computed ahead, equal to a fresh one", async () => {
    const sessions = webSessions(fixtureFiles(VM));
    try {
      sessions.prepare();
      const ahead = (await dispatch(sessions.get('tab').handlers, 'app.firstScreen', {})) as Envelope<FirstScreen>;
      const fresh = (await dispatch(sessions.get('other').handlers, 'app.firstScreen', {})) as Envelope<FirstScreen>;
      expect(ahead.ok && fresh.ok).toBe(true);
      // A fixture root never changes: the screen made ahead is the one a new session makes now.
      expect(ahead).toEqual(fresh);
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
      // The screen computed ahead had HVO off; this one is the machine after the change.
      expect(env.ok && env.value.report.ok && env.value.report.value.hvo.enabled).toBe(true);
    } finally {
      sessions.clear();
    }
  });
});

describe('web mode', () => {
  it('makes a session ahead each time it serves the page, and for nothing else', async () => {
    const sessions = webSessions(fixtureFiles(VM));
    let prepared = 0;
    const counted = {
      get: (key: string) => sessions.get(key),
      hold: (key: string) => sessions.hold(key),
      clear: () => sessions.clear(),
      prepare: () => {
        prepared++;
        sessions.prepare();
      },
    };
    const server = await startTestServer({ sessions: counted });
    try {
      for (const path of ['/favicon.svg', '/nothing.js', '/api/call']) await rawRequest(server, path);
      await rawRequest(server, '/', {}, 'HEAD');
      expect(prepared).toBe(0);
      expect((await rawRequest(server, '/')).status).toBe(200);
      await expect.poll(() => prepared).toBe(1);
      const env = await apiCall(server, 'app.firstScreen', {}, { authorization: `Bearer ${TOKEN}` });
      expect((JSON.parse(env.body) as Envelope<FirstScreen>).ok).toBe(true);
    } finally {
      await server.close();
    }
  });
});
