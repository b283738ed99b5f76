/** The desktop app keeps one source per window: a snapshot opened in one window changes nothing in another. */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ipcMain } from '../mocks/electron';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers } from '../../electron/host/handlers';
import { Sampler } from '../../electron/host/sampler';
import { CHANNELS, registerIpc } from '../../electron/main/ipc';
import { APP_INDEX_URL } from '../../electron/main/trust';
import { findProfile } from '../../shared/sim/profiles';
import { fixtureFiles, VM } from '../helpers';

class Sender extends EventEmitter {
  constructor(readonly id: number) {
    super();
  }
}

describe('one source per window', () => {
  const files = fixtureFiles(VM);
  let made = 0;
  registerIpc(() => {
    made++;
    const source = new ActiveSource(files);
    return { handlers: createHandlers(source, 'electron'), sampler: new Sampler(() => source.current, 1000) };
  });
  const invoke = ipcMain.handlers.get(CHANNELS.call)!;
  const call = (sender: Sender, method: string, args: unknown = {}) =>
    invoke({ senderFrame: { url: APP_INDEX_URL }, sender }, method, args) as Promise<{
      ok: boolean;
      value: { current: { kind: string } };
    }>;

  it('switches only the window that asked, and forgets a window once it is closed', async () => {
    const [one, two] = [new Sender(1), new Sender(2)];
    const opened = await call(one, 'source.openSim', { profile: findProfile('small-laptop') });
    expect(opened.value.current.kind).toBe('sim');
    expect((await call(one, 'source.get')).value.current.kind).toBe('sim');
    expect((await call(two, 'source.get')).value.current.kind).toBe('root');
    expect(made).toBe(2);
    one.emit('destroyed');
    // A window with the same id later is a new window: it starts on the app's source.
    expect((await call(new Sender(1), 'source.get')).value.current.kind).toBe('root');
    expect(made).toBe(3);
  });
});
