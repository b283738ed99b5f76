/**
 * The renderer's one way to the machine: the Electron preload's frozen `window.hugetune`, or, in web mode,
 * the same API over HTTP and a server-sent event stream on the page's own origin.
 */
import { unwrap, type ApiEvents, type Envelope, type HugetuneApi } from '../../../shared/api';

declare global {
  interface Window {
    hugetune?: HugetuneApi;
  }
}

const TOKEN_KEY = 'hugetune.token';

/**
 * The web-mode access token. It arrives once in the printed URL (`#token=`, or `?token=` from older links),
 * is removed from the address bar at once, and lives in sessionStorage: per origin, so per port, and per tab,
 * so a reload keeps working while no other server on 127.0.0.1 ever sees it (a cookie would be sent to every
 * port). A new tab needs the printed URL again.
 */
export function takeToken(
  loc: Location = window.location,
  store: Storage = window.sessionStorage,
  hist: History = window.history,
): string | null {
  const fromHash = new URLSearchParams(loc.hash.replace(/^#/, '')).get('token');
  const query = new URLSearchParams(loc.search);
  const given = fromHash ?? query.get('token');
  if (given) {
    store.setItem(TOKEN_KEY, given);
    query.delete('token');
    const search = query.toString();
    hist.replaceState(hist.state, '', `${loc.pathname}${search ? `?${search}` : ''}`);
  }
  return store.getItem(TOKEN_KEY);
}

const RETRY_MS = 2000;

export function httpApi(base = '', token: string | null = null): HugetuneApi {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  // Every tab holds the same token; this id lets the server share its call and stream slots out per tab.
  auth['x-hugetune-client'] = crypto.randomUUID();
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
        const res = await fetch(`${base}/api/events`, { headers: auth, cache: 'no-store' });
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
        throw new Error(`${res.status} ${res.statusText}: ${(await res.text()).trim()}`);
      }
      return unwrap((await res.json()) as Envelope<never>);
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

export function connectApi(): HugetuneApi {
  return window.hugetune ?? httpApi('', takeToken());
}
