/**
 * How a page starts in web mode: the token and session it calls with, and where its first screen comes from
 * (the page itself, when the server sent it with that screen; else one call).
 */
import { describe, expect, it } from 'vitest';
import type { FirstScreen, HugetuneApi } from '../../shared/api';
import { SCREEN_DATA_ID, SESSION_META, jsonForScript, type ServedScreen } from '../../shared/served-screen';
import { pageAccess } from '../../renderer/src/lib/bridge';
import { readServedScreen, startFirstCalls } from '../../renderer/src/lib/first-calls';

const SERVED = '0d9c7a52-3c3e-4f0e-9a57-2f1f0e0b6f11';

/** A page's document with `head` and `body` as the server sent them. */
function page(head: string, body = ''): Document {
  const doc = document.implementation.createHTMLDocument('t');
  doc.head.innerHTML = head;
  doc.body.innerHTML = body;
  return doc;
}

function place(href: string): { loc: Location; store: Storage; hist: History; replaced: string[] } {
  const url = new URL(href);
  const replaced: string[] = [];
  const data = new Map<string, string>();
  const store = {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
  } as unknown as Storage;
  const hist = { state: null, replaceState: (_s: unknown, _t: string, u: string) => void replaced.push(u) };
  return { loc: url as unknown as Location, store, hist: hist as unknown as History, replaced };
}

const screen: ServedScreen = {
  info: { version: 'x' } as unknown as FirstScreen['info'],
  source: { current: { kind: 'sim', label: 'simulated a' } } as unknown as FirstScreen['source'],
  report: { ok: true, value: { kernel: {} } } as unknown as FirstScreen['report'],
};

function countingApi(): { api: HugetuneApi; calls: string[] } {
  const calls: string[] = [];
  const api = {
    call: (method: string) => {
      calls.push(method);
      return Promise.resolve({ ...screen, html: '<p>from the call</p>' });
    },
    subscribe: () => () => undefined,
  } as unknown as HugetuneApi;
  return { api, calls };
}

describe('the page in web mode', () => {
  it('opened from the printed URL, calls under the session the server made for it and keeps both', () => {
    const p = place('http://127.0.0.1:7788/?token=secret&x=1');
    const doc = page(`<meta name="${SESSION_META}" content="${SERVED}" />`);
    const access = pageAccess(p.loc, () => p.store, p.hist, doc);
    expect(access).toMatchObject({ token: 'secret', session: SERVED });
    // Nothing kept before `keep`, which the page calls once it is parsed.
    expect(p.store.getItem('hugetune.token')).toBeNull();
    access.keep();
    expect(p.store.getItem('hugetune.token')).toBe('secret');
    expect(p.store.getItem('hugetune.session')).toBe(SERVED);
    expect(p.replaced).toEqual(['/?x=1']);
  });

  it('makes a session of its own for an older #token= link, or a page served without one', () => {
    const pages = [page(''), page(`<meta name="${SESSION_META}" content='"><b>' />`)];
    for (const href of ['http://127.0.0.1:7788/#token=secret', 'http://127.0.0.1:7788/?token=secret']) {
      for (const doc of pages) {
        const p = place(href);
        const access = pageAccess(p.loc, () => p.store, p.hist, doc);
        expect(access.token).toBe('secret');
        expect(access.session).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        access.keep();
        expect(p.replaced).toEqual(['/']);
        expect(p.store.getItem('hugetune.session')).toBe(access.session);
      }
    }
  });

  it('takes the token out of the address bar even when storage refuses it', () => {
    const p = place('http://127.0.0.1:7788/?token=secret');
    const refusing = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    } as unknown as Storage;
    const access = pageAccess(p.loc, () => refusing, p.hist, page(''));
    expect(() => access.keep()).not.toThrow();
    expect(p.replaced).toEqual(['/']);
  });

  it('on a reload (no token in the address), calls with what the tab kept', () => {
    const p = place('http://127.0.0.1:7788/');
    p.store.setItem('hugetune.token', 'kept');
    p.store.setItem('hugetune.session', 'tab-1');
    expect(pageAccess(p.loc, () => p.store, p.hist, page(''))).toMatchObject({ token: 'kept', session: 'tab-1' });
  });

  it('takes its first screen from the page when it came with it, and calls nothing for it', async () => {
    const doc = page(
      '',
      `<div id="app"><p>screen</p></div><script type="application/json" id="${SCREEN_DATA_ID}">${jsonForScript(screen)}</script>`,
    );
    const { api, calls } = countingApi();
    const first = startFirstCalls(api, Promise.resolve(readServedScreen(doc)));
    expect(await first.source).toEqual(screen.source);
    expect(await first.info).toEqual(screen.info);
    expect(await first.report).toEqual({ kernel: {} });
    // Its HTML is in #app already: nothing to put there.
    expect(await first.html).toBe('');
    expect(calls).toEqual([]);
  });

  it('asks for its first screen when the page has none, or its data block cannot be read', async () => {
    for (const block of [
      '',
      `<script type="application/json" id="${SCREEN_DATA_ID}">{"info":</script>`,
      `<script type="application/json" id="${SCREEN_DATA_ID}">{"info":1}</script>`,
    ]) {
      const doc = page('', `<div id="app"></div>${block}`);
      expect(readServedScreen(doc)).toBeNull();
      const { api, calls } = countingApi();
      const first = startFirstCalls(api, Promise.resolve(readServedScreen(doc)));
      expect(await first.html).toBe('<p>from the call</p>');
      expect(calls).toEqual(['app.firstScreen']);
    }
    const { api, calls } = countingApi();
    await startFirstCalls(api).source;
    expect(calls).toEqual(['app.firstScreen']);
  });
});
