/**
 * The renderer's one way to the machine: the Electron preload's frozen `window.hugetune`, or, in web mode,
 * the same API over HTTP and server-sent events on the page's own origin.
 */
import { unwrap, type ApiEvents, type Envelope, type HugetuneApi } from '../../../shared/api';

declare global {
  interface Window {
    hugetune?: HugetuneApi;
  }
}

export function httpApi(base = ''): HugetuneApi {
  let source: EventSource | null = null;
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  const ensureStream = (name: string): void => {
    source ??= new EventSource(`${base}/api/events`);
    if (listeners.has(name)) return;
    listeners.set(name, new Set());
    source.addEventListener(name, (e: MessageEvent<string>) => {
      let payload: unknown;
      try {
        payload = JSON.parse(e.data);
      } catch {
        return;
      }
      for (const l of listeners.get(name) ?? []) l(payload);
    });
  };

  return {
    async call(method, args) {
      const res = await fetch(`${base}/api/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method, args }),
        credentials: 'same-origin',
      });
      if (!res.ok && res.headers.get('content-type')?.startsWith('application/json') !== true) {
        throw new Error(`${res.status} ${res.statusText}: ${(await res.text()).trim()}`);
      }
      return unwrap((await res.json()) as Envelope<never>);
    },
    subscribe<E extends keyof ApiEvents>(event: E, listener: (payload: ApiEvents[E]) => void) {
      ensureStream(event);
      const l = listener as (payload: unknown) => void;
      listeners.get(event)!.add(l);
      return () => {
        listeners.get(event)?.delete(l);
      };
    },
  };
}

export function connectApi(): HugetuneApi {
  return window.hugetune ?? httpApi();
}
