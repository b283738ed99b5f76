/**
 * Web mode's page for the printed URL when its first screen cannot be had: the page still comes whole (its
 * start script then asks for the screen), within a deadline, and gives its call slot back; a browser only
 * prefetching the URL gets the plain page; the policy header is the page's own policy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Handlers } from '../../shared/api';
import { SCREEN_DATA_ID, SESSION_META } from '../../shared/served-screen';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers } from '../../electron/host/handlers';
import { metaCsp } from '../../electron/page-csp';
import type { RunningServer } from '../../electron/server/server';
import { SessionMap } from '../../electron/server/sessions';
import { fixtureFiles, VM } from '../helpers';
import { rawRequest, startTestServer, TOKEN } from '../mocks/web-server';

const PAGE_POLICY = metaCsp(readFileSync(join(import.meta.dirname, '..', '..', 'renderer', 'index.html'), 'utf8'))!;

function withScreen(screen: Handlers['app.firstScreen']): Handlers {
  return { ...createHandlers(new ActiveSource(fixtureFiles(VM)), 'web'), 'app.firstScreen': screen };
}

/** The page as served: whether it came with a session made for it, and with its screen. */
async function served(server: RunningServer, headers: Record<string, string> = {}) {
  const page = await rawRequest(server, `/?token=${TOKEN}`, headers);
  expect(page.status).toBe(200);
  expect(page.body).toMatch(/<\/html>\s*$/);
  return {
    session: page.body.includes(`<meta name="${SESSION_META}"`),
    screen: page.body.includes(`id="${SCREEN_DATA_ID}"`),
    emptyApp: page.body.includes('<div id="app"></div>'),
    policy: page.headers['content-security-policy'],
  };
}

describe('the page for the printed URL', () => {
  let server: RunningServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('comes whole without its screen when the screen fails, and the page asks for it', async () => {
    server = await startTestServer({
      handlers: withScreen(() => {
        throw new Error('the machine could not be read');
      }),
      onInternalError: () => undefined,
    });
    expect(await served(server)).toMatchObject({ session: true, screen: false, emptyApp: true });
  });

  it('does not wait past its deadline for a screen, and gives the call slot back each time', async () => {
    server = await startTestServer({
      handlers: withScreen(() => new Promise(() => undefined)),
      timeouts: { headersMs: 5000, requestMs: 10_000, checkEveryMs: 1000, servedScreenMs: 50 },
    });
    // More pages than there are call slots (16): each still comes with its session, so each slot came back.
    for (let i = 0; i < 18; i++) expect(await served(server)).toMatchObject({ session: true, screen: false });
  });

  it('is the plain page for a browser only prefetching it, and carries the page policy as its header', async () => {
    server = await startTestServer();
    expect(await served(server, { 'sec-purpose': 'prefetch;prerender' })).toMatchObject({ session: false });
    const full = await served(server);
    expect(full).toMatchObject({ session: true, screen: true });
    for (const path of ['/', '/?token=nope'])
      expect((await rawRequest(server, path)).headers['content-security-policy']).toBe(
        `${PAGE_POLICY}; frame-ancestors 'none'`,
      );
    expect(full.policy).toBe(`${PAGE_POLICY}; frame-ancestors 'none'`);
  });
});

describe('a session made for a page sent with it', () => {
  afterEach(() => vi.useRealTimers());

  it('is dropped unless its page uses it or holds a stream on it in time', () => {
    vi.useFakeTimers();
    const dropped: string[] = [];
    const m = new SessionMap<string>(
      (k) => k,
      (v) => dropped.push(v),
    );
    for (const k of ['never', 'called', 'streaming']) {
      m.get(k);
      m.dropUnlessUsed(k, 1000);
    }
    m.get('called');
    const release = m.hold('streaming');
    vi.advanceTimersByTime(1000);
    expect(dropped).toEqual(['never']);
    expect(m.has('called') && m.has('streaming')).toBe(true);
    release();
  });
});
