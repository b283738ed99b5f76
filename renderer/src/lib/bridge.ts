/**
 * The renderer's one way to the machine: the Electron preload's frozen `window.hugetune`, or, in web mode,
 * the same API over HTTP and a server-sent event stream on the page's own origin.
 */
import type { ApiEvents, HugetuneApi } from '../../../shared/api';
import { unwrap, type Envelope } from '../../../shared/envelope';
import { SESSION_META } from '../../../shared/served-screen';
import { printable } from '../../../shared/text';

declare global {
  interface Window {
    hugetune?: HugetuneApi;
  }
}

const TOKEN_KEY = 'hugetune.token';
const SESSION_KEY = 'hugetune.session';
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * This tab's session id. The server keeps one source per session (what a tab opened stays in that tab) and
 * shares its call and stream slots out per session. Kept in sessionStorage, so a reload keeps the tab's
 * source and another tab starts on the server's own.
 */
export function sessionId(store: Storage | null = globalThis.sessionStorage ?? null): string {
  const kept = store?.getItem(SESSION_KEY);
  if (kept && SESSION_ID.test(kept)) return kept;
  const id = crypto.randomUUID();
  store?.setItem(SESSION_KEY, id);
  return id;
}

/** The session the server made for this page when it served it with its first screen; null for a plain page. */
export function servedSession(doc: Document): string | null {
  const id = doc.querySelector(`meta[name="${SESSION_META}"]`)?.getAttribute('content');
  return id && SESSION_ID.test(id) ? id : null;
}

/** What the page calls the API with, in web mode. */
export interface PageAccess {
  token: string | null;
  session: string;
  /**
   * Keeps both for a reload of this tab and takes the token out of the address bar: once the first call has
   * left, or the screen the page came with is painted (./page-start).
   */
  keep: () => void;
}

/**
 * The web-mode access token and this tab's session. The token arrives once in the printed URL (`?token=`, or
 * `#token=` from older links), is removed from the address bar as soon as the page is up, and lives in
 * sessionStorage: per origin, so per port, and per tab, so a reload keeps working while no other server on
 * 127.0.0.1 ever sees it (a cookie would be sent to every port). A new tab needs the printed URL again.
 *
 * Opened from the printed URL, the page starts a session of its own, as a new tab does: the one the server made
 * when it served the page with its first screen (its id in a meta tag), else a new id. It knows both without
 * touching sessionStorage (`store` is only called when needed): a page's first use of storage, even taking
 * `window.sessionStorage`, waits on the browser process for milliseconds, which neither the first call nor the
 * first paint need wait for. A reload reads what the tab kept.
 */
export function pageAccess(
  loc: Location = window.location,
  store: () => Storage = () => window.sessionStorage,
  hist: History = window.history,
  doc: Document = document,
): PageAccess {
  const query = new URLSearchParams(loc.search);
  const given = query.get('token') ?? new URLSearchParams(loc.hash.replace(/^#/, '')).get('token');
  if (!given) {
    const kept = store();
    return { token: kept.getItem(TOKEN_KEY), session: sessionId(kept), keep: () => undefined };
  }
  const session = servedSession(doc) ?? crypto.randomUUID();
  return {
    token: given,
    session,
    keep: () => {
      // The address bar first: the token leaves it even should storage refuse.
      query.delete('token');
      const search = query.toString();
      hist.replaceState(hist.state, '', `${loc.pathname}${search ? `?${search}` : ''}`);
      try {
        const kept = store();
        kept.setItem(TOKEN_KEY, given);
        kept.setItem(SESSION_KEY, session);
      } catch {
        // Storage refused (full, or turned off): this page goes on; a reload needs the printed URL again.
      }
    },
  };
}

/** Error text from the server quotes files and input: never with characters a page would hide or reorder. */
function cleanError(e: unknown): never {
  if (e instanceof Error) e.message = printable(e.message, { max: 2000 });
  throw e;
}

/** An envelope's value, or its error with printable text (an envelope may also come inside another's value). */
export function unwrapPrintable<T>(env: Envelope<T>): T {
  try {
    return unwrap(env);
  } catch (e) {
    return cleanError(e);
  }
}

const RETRY_MS = 2000;

export function httpApi(base = '', token: string | null = null, session: string = sessionId()): HugetuneApi {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  auth['x-hugetune-client'] = session;
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let streaming = false;

  const deliver = (block: string): void => {
    let name = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length === 0) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data.join('\n'));
    } catch {
      return;
    }
    for (const l of listeners.get(name) ?? []) l(payload);
  };

  // EventSource cannot send a header, so the stream is read with fetch; like EventSource it reconnects.
  const stream = async (): Promise<void> => {
    for (;;) {
      try {
        const res = await fetch(`${base}/api/events?session=${encodeURIComponent(session)}`, {
          headers: auth,
          cache: 'no-store',
        });
        // A missing or wrong token will not get better by asking again; the calls report it.
        if (res.status === 401 || res.status === 403) return;
        if (res.ok && res.body) {
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buf = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buf += value;
            let end: number;
            while ((end = buf.search(/\r?\n\r?\n/)) >= 0) {
              deliver(buf.slice(0, end));
              buf = buf.slice(end).replace(/^\r?\n\r?\n/, '');
            }
          }
        }
      } catch {
        // The server went away or the network dropped: try again below.
      }
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  };

  return {
    async call(method, args) {
      const res = await fetch(`${base}/api/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ method, args }),
        credentials: 'omit',
      });
      if (!res.ok && res.headers.get('content-type')?.startsWith('application/json') !== true) {
        cleanError(new Error(`${res.status} ${res.statusText}: ${(await res.text()).trim()}`));
      }
      const body = (await res.json().catch(cleanError)) as Envelope<never>;
      return unwrapPrintable(body);
    },
    subscribe<E extends keyof ApiEvents>(event: E, listener: (payload: ApiEvents[E]) => void) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      const l = listener as (payload: unknown) => void;
      listeners.get(event)!.add(l);
      if (!streaming) {
        streaming = true;
        void stream();
      }
      return () => {
        listeners.get(event)?.delete(l);
      };
    },
  };
}

/** The API this page talks to, and what to do once its first call has left (see pageAccess). */
export function connectApi(): { api: HugetuneApi; keep: () => void } {
  if (window.hugetune) return { api: window.hugetune, keep: () => undefined };
  const access = pageAccess();
  return { api: httpApi('', access.token, access.session), keep: access.keep };
}
