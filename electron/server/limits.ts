/**
 * Fair shares in web mode. Calls and event streams are counted per browser session as well as in total, so
 * one tab (or one stuck upload loop) cannot take every slot; and a stream whose reader has stopped reading
 * loses samples instead of queueing them in this process's memory.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Header the page sends with a random id per tab; every client holds the same access token. */
export const CLIENT_HEADER = 'x-hugetune-client';
const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether `id` is a tab id a page may send (a session the server makes for a page is one too). */
export const isClientId = (id: string): boolean => CLIENT_ID.test(id);

/** The key of the session a tab id names. */
export const tabKey = (id: string): string => `tab:${id}`;

/**
 * Who a request is from, for sharing and for its session: the page's tab id (a header, or `?session=` on an
 * event stream), else the connection's address (without the port).
 */
export function clientKey(req: IncomingMessage, url?: URL): string {
  const id = req.headers[CLIENT_HEADER] ?? url?.searchParams.get('session') ?? undefined;
  if (typeof id === 'string' && isClientId(id)) return tabKey(id);
  return `addr:${req.socket.remoteAddress ?? '?'}`;
}

/**
 * Bytes of request bodies in flight: at most `total` over all clients and `perClient` for one. Each call takes
 * its bytes as they arrive and gives all of them back when its response closes.
 */
export class Budget {
  private held = 0;
  private readonly byClient = new Map<string, number>();

  constructor(
    readonly total: number,
    readonly perClient: number,
  ) {}

  get inFlight(): number {
    return this.held;
  }

  canTake(client: string, bytes: number): boolean {
    return this.held + bytes <= this.total && (this.byClient.get(client) ?? 0) + bytes <= this.perClient;
  }

  /** Takes bytes for the client; false (and nothing taken) when either limit would be passed. */
  take(client: string, bytes: number): boolean {
    if (!this.canTake(client, bytes)) return false;
    this.held += bytes;
    this.byClient.set(client, (this.byClient.get(client) ?? 0) + bytes);
    return true;
  }

  giveBack(client: string, bytes: number): void {
    this.held -= bytes;
    const left = (this.byClient.get(client) ?? 0) - bytes;
    if (left > 0) this.byClient.set(client, left);
    else this.byClient.delete(client);
  }

  /** A share of the budget for one call: takes as bytes arrive, and gives all of it back once. */
  account(client: string): { take(bytes: number): boolean; release(): void } {
    let taken = 0;
    let released = false;
    return {
      take: (bytes) => {
        if (released || !this.take(client, bytes)) return false;
        taken += bytes;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.giveBack(client, taken);
      },
    };
  }
}

/** At most `total` held at once, and at most `perClient` by any one client. */
export class Slots {
  private held = 0;
  private readonly byClient = new Map<string, number>();

  constructor(
    readonly total: number,
    readonly perClient: number,
  ) {}

  /** Takes a slot for the client and gives the function that returns it (once), or null when none is free. */
  take(client: string): (() => void) | null {
    const mine = this.byClient.get(client) ?? 0;
    if (this.held >= this.total || mine >= this.perClient) return null;
    this.held++;
    this.byClient.set(client, mine + 1);
    let returned = false;
    return () => {
      if (returned) return;
      returned = true;
      this.held--;
      const n = (this.byClient.get(client) ?? 1) - 1;
      if (n <= 0) this.byClient.delete(client);
      else this.byClient.set(client, n);
    };
  }
}

/**
 * Writes events to a stream, dropping them while the socket's buffer is full (write() said so) until it
 * drains: samples are a live view, and the next one replaces a missed one.
 */
export function eventSink(res: Pick<ServerResponse, 'write' | 'once'>): { send(text: string): boolean } {
  let blocked = false;
  return {
    send(text: string): boolean {
      if (blocked) return false;
      if (!res.write(text)) {
        blocked = true;
        res.once('drain', () => {
          blocked = false;
        });
      }
      return true;
    },
  };
}

/** A request body that ended early: the client went away, which is no fault of the server. */
export class BodyAborted extends Error {}
