/**
 * IPC registration: the handler table behind one channel. Every message is checked for its sender frame
 * (read synchronously, before any await) and its arguments, and answered with an envelope.
 */
import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebFrameMain } from 'electron';
import { dispatch, type Envelope, type Handlers } from '../../shared/api';
import type { Sampler } from '../host/sampler';
import { isAppUrl } from './trust';

export const CHANNELS = { call: 'hugetune:call', subscribe: 'hugetune:subscribe', event: 'hugetune:event' } as const;

function trusted(frame: WebFrameMain | null): boolean {
  return frame !== null && isAppUrl(frame.url);
}

/** What answers one window: its handler table (over its own source) and its sampler. */
export interface WindowParts {
  handlers: Handlers;
  sampler: Sampler;
}

type Sender = IpcMainInvokeEvent['sender'];

/**
 * Registers the channels. Given a factory, every window gets its own parts, made on its first message and
 * dropped when it closes, so a snapshot opened in one window changes nothing in another; given a handler
 * table and a sampler, every window shares them.
 */
export function registerIpc(handlers: Handlers | (() => WindowParts), sharedSampler?: Sampler): void {
  const perWindow = new Map<number, WindowParts>();
  const partsOf = (sender: Sender | undefined): WindowParts => {
    if (typeof handlers !== 'function') return { handlers, sampler: sharedSampler! };
    const id = sender?.id ?? 0;
    let parts = perWindow.get(id);
    if (!parts) {
      const made = handlers();
      parts = made;
      perWindow.set(id, made);
      sender?.once('destroyed', () => {
        made.sampler.stop();
        perWindow.delete(id);
      });
    }
    return parts;
  };

  ipcMain.handle(
    CHANNELS.call,
    (event: IpcMainInvokeEvent, method: unknown, args: unknown): Promise<Envelope<unknown>> | Envelope<unknown> => {
      if (!trusted(event.senderFrame)) {
        return { ok: false, error: { code: 'forbidden', message: 'request from a frame that is not the app' } };
      }
      return dispatch(partsOf(event.sender).handlers, method, args, (e) =>
        console.error('hugetune: internal error', e),
      );
    },
  );

  const subscribed = new Set<number>();
  ipcMain.on(CHANNELS.subscribe, (event: IpcMainEvent, name: unknown) => {
    if (!trusted(event.senderFrame) || name !== 'host.sample') return;
    const contents = event.sender;
    if (subscribed.has(contents.id)) return;
    subscribed.add(contents.id);
    const off = partsOf(contents).sampler.subscribe((sample) => {
      if (!contents.isDestroyed()) contents.send(CHANNELS.event, 'host.sample', sample);
    });
    contents.once('destroyed', () => {
      subscribed.delete(contents.id);
      off();
    });
  });
}
