/**
 * A stand-in for the 'electron' module in unit tests: records what the main process registers so tests can
 * drive IPC handlers, navigation events and permission handlers directly.
 */
import { EventEmitter } from 'node:events';

type Handler = (...args: unknown[]) => unknown;

export const ipcMain = {
  handlers: new Map<string, Handler>(),
  listeners: new Map<string, Handler>(),
  handle(channel: string, fn: Handler): void {
    this.handlers.set(channel, fn);
  },
  on(channel: string, fn: Handler): void {
    this.listeners.set(channel, fn);
  },
};

export const session = {
  defaultSession: {
    permissionRequestHandler: null as Handler | null,
    permissionCheckHandler: null as Handler | null,
    setPermissionRequestHandler(fn: Handler): void {
      this.permissionRequestHandler = fn;
    },
    setPermissionCheckHandler(fn: Handler): void {
      this.permissionCheckHandler = fn;
    },
  },
};

export const shell = {
  opened: [] as string[],
  openExternal(url: string): Promise<void> {
    this.opened.push(url);
    return Promise.resolve();
  },
};

class MockApp extends EventEmitter {
  sandboxEnabled = false;
  isPackaged = false;
  enableSandbox(): void {
    this.sandboxEnabled = true;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  quit(): void {}
  exit(): void {}
}
export const app = new MockApp();

export class MockWebContents extends EventEmitter {
  static nextId = 1;
  id = MockWebContents.nextId++;
  sent: unknown[][] = [];
  windowOpenHandler: ((d: { url: string }) => { action: string }) | null = null;
  destroyed = false;
  devToolsOpen = false;
  openDevTools(): void {
    this.devToolsOpen = true;
    this.emit('devtools-opened');
  }
  closeDevTools(): void {
    this.devToolsOpen = false;
  }
  setWindowOpenHandler(fn: (d: { url: string }) => { action: string }): void {
    this.windowOpenHandler = fn;
  }
  send(...args: unknown[]): void {
    this.sent.push(args);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class BrowserWindow extends EventEmitter {
  static windows: BrowserWindow[] = [];
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.windows;
  }
  webContents = new MockWebContents();
  loaded: string | null = null;
  constructor(readonly options: Record<string, unknown>) {
    super();
    BrowserWindow.windows.push(this);
  }
  loadFile(path: string): Promise<void> {
    this.loaded = path;
    return Promise.resolve();
  }
  show(): void {}
}

export const dialog = { showErrorBox(): void {} };
export const Menu = {
  applicationMenu: undefined as { template: unknown[] } | null | undefined,
  buildFromTemplate(template: unknown[]): { template: unknown[] } {
    return { template };
  },
  setApplicationMenu(menu: { template: unknown[] } | null): void {
    this.applicationMenu = menu;
  },
};
export const protocol = {
  privileged: [] as unknown[],
  handlers: new Map<string, Handler>(),
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    this.privileged.push(...schemes);
  },
  handle(scheme: string, fn: Handler): void {
    this.handlers.set(scheme, fn);
  },
};
export const net = { fetch: (url: string): Promise<Response> => Promise.resolve(new Response(url)) };
export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, value: unknown): void {
    this.exposed.set(key, value);
  },
};
export const ipcRenderer = {
  invoke: (): Promise<unknown> => Promise.resolve({ ok: true, value: null }),
  send: (): void => {},
  on: (): void => {},
};

export default { app, BrowserWindow, ipcMain, Menu, session, shell, dialog, contextBridge, ipcRenderer, protocol, net };
