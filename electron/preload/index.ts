/**
 * Exposes the API to the renderer as one frozen object, `window.hugetune`. Never ipcRenderer itself, never
 * the raw IPC event.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ApiEvents, HugetuneApi } from '../../shared/api';
import { unwrap, type Envelope } from '../../shared/envelope';

const CALL = 'hugetune:call';
const SUBSCRIBE = 'hugetune:subscribe';
const EVENT = 'hugetune:event';

const listeners = new Map<string, Set<(payload: unknown) => void>>();

ipcRenderer.on(EVENT, (_event, name: unknown, payload: unknown) => {
  if (typeof name !== 'string') return;
  for (const l of listeners.get(name) ?? []) l(payload);
});

const api: HugetuneApi = {
  async call(method, args) {
    const env = (await ipcRenderer.invoke(CALL, method, args)) as Envelope<never>;
    return unwrap(env);
  },
  subscribe<E extends keyof ApiEvents>(event: E, listener: (payload: ApiEvents[E]) => void) {
    let set = listeners.get(event);
    if (!set) {
      set = new Set();
      listeners.set(event, set);
      ipcRenderer.send(SUBSCRIBE, event);
    }
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => {
      set.delete(l);
    };
  },
};

contextBridge.exposeInMainWorld('hugetune', Object.freeze(api));
