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

export function registerIpc(handlers: Handlers, sampler: Sampler): void {
  ipcMain.handle(
    CHANNELS.call,
    (event: IpcMainInvokeEvent, method: unknown, args: unknown): Promise<Envelope<unknown>> | Envelope<unknown> => {
      if (!trusted(event.senderFrame)) {
        return { ok: false, error: { code: 'forbidden', message: 'request from a frame that is not the app' } };
      }
      return dispatch(handlers, method, args, (e) => console.error('hugetune: internal error', e));
    },
  );

  const subscribed = new Set<number>();
  ipcMain.on(CHANNELS.subscribe, (event: IpcMainEvent, name: unknown) => {
    if (!trusted(event.senderFrame) || name !== 'host.sample') return;
    const contents = event.sender;
    if (subscribed.has(contents.id)) return;
    subscribed.add(contents.id);
    const off = sampler.subscribe((sample) => {
      if (!contents.isDestroyed()) contents.send(CHANNELS.event, 'host.sample', sample);
    });
    contents.once('destroyed', () => {
      subscribed.delete(contents.id);
      off();
    });
  });
}
