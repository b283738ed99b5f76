/**
 * The source is per browser session: each tab sends its own id (kept in its sessionStorage), and gets its own
 * ActiveSource, handler table and sampler, so a snapshot opened in one tab never changes what another shows.
 * The map is bounded: at most `max` sessions, the least recently used going first, and a session unused for
 * `idleMs` is dropped — except while it has an open event stream (a tab left open on the Monitor).
 *
 * A page being loaded is about to start a session: the server makes one ahead while the browser is still
 * starting the page (`prepare`), and the next new session takes it. On a simulated machine or a record of one,
 * its first screen is made then too; this machine is never read for it: the page is served without the
 * token, and nothing that reads this machine runs for a request without it.
 */
import type { FirstScreen, Handlers } from '../../shared/api';
import { UserError } from '../../shared/errors';
import type { HostFiles } from '../../shared/host/files';
import { ActiveSource } from '../host/active-source';
import { createHandlers, SAMPLE_INTERVAL_MS, type HandlerOptions } from '../host/handlers';
import { Sampler } from '../host/sampler';

export interface Session {
  readonly source: ActiveSource;
  readonly handlers: Handlers;
  readonly sampler: Sampler;
}

interface Entry<T> {
  value: T;
  lastUsed: number;
  /** Calls to `get` for it, the one that made it included. */
  uses: number;
  /** Open event streams: a session with one is in use however long ago its last call was. */
  streams: number;
}

/**
 * How long a session made ahead waits for a new tab: a page asks for its first screen within a fraction of a
 * second of being served, and one not taken by then was for a reload (a tab with a session of its own) or a
 * page that never called; a first screen made ahead is not shown as the machine now once older than this.
 */
export const SPARE_MS = 2000;

/** A bounded map of sessions, least recently used first. */
export class SessionMap<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private spare: { value: T; madeAt: number } | null = null;

  constructor(
    private readonly make: (key: string) => T,
    private readonly dispose: (value: T) => void,
    readonly max = 64,
    readonly idleMs = 30 * 60_000,
    private readonly clock: () => number = Date.now,
    /** How a session is made ahead, before its key is known. */
    private readonly makeSpare?: () => T,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Makes a session ahead for the next new key, unless a fresh one is waiting: at most one is kept, so
   * pages loaded without ever calling cost one session's making per SPARE_MS.
   */
  prepare(): void {
    if (!this.makeSpare) return;
    const now = this.clock();
    if (this.spare && now - this.spare.madeAt < SPARE_MS) return;
    this.dropSpare();
    const spare = { value: this.makeSpare(), madeAt: now };
    this.spare = spare;
    // Not kept past its use: a page that never called (a reload in a tab with its own session) leaves none.
    setTimeout(() => {
      if (this.spare === spare) this.dropSpare();
    }, SPARE_MS).unref();
  }

  /** The session made ahead, if it is still fresh; it is no one's spare after this. */
  private takeSpare(now: number): T | null {
    const spare = this.spare;
    if (!spare || now - spare.madeAt >= SPARE_MS) return null;
    this.spare = null;
    return spare.value;
  }

  private dropSpare(): void {
    if (this.spare) this.dispose(this.spare.value);
    this.spare = null;
  }

  /** The session for a key, made (or taken from the spare) when there is none; marks it used. */
  get(key: string): T {
    const now = this.clock();
    let e = this.entries.get(key);
    if (e) this.entries.delete(key);
    else e = { value: this.takeSpare(now) ?? this.make(key), lastUsed: now, uses: 0, streams: 0 };
    e.lastUsed = now;
    e.uses++;
    this.entries.set(key, e);
    this.evict(now);
    return e.value;
  }

  /**
   * Drops the session for `key` unless something uses it again within `ms`: one made for a page that was sent
   * with it (the printed URL's) and whose page never called (a load cut short, a client that is not a
   * browser), so it does not stand for half an hour among a person's tabs.
   */
  dropUnlessUsed(key: string, ms: number): void {
    const e = this.entries.get(key);
    if (!e) return;
    const uses = e.uses;
    setTimeout(() => {
      if (this.entries.get(key) === e && e.uses === uses && e.streams === 0) this.drop(key, e);
    }, ms).unref();
  }

  /** Holds a session while an event stream is open; the function ends the hold. */
  hold(key: string): () => void {
    const e = this.entries.get(key);
    if (!e) return () => undefined;
    e.streams++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      e.streams--;
      e.lastUsed = this.clock();
    };
  }

  private evict(now: number): void {
    if (this.spare && now - this.spare.madeAt >= SPARE_MS) this.dropSpare();
    // A map of at most a few dozen entries: a full pass per call costs nothing measurable.
    for (const [key, e] of this.entries) {
      if (e.streams === 0 && now - e.lastUsed >= this.idleMs) this.drop(key, e);
    }
    while (this.entries.size > this.max) {
      let victim: [string, Entry<T>] | undefined;
      for (const kv of this.entries) {
        if (kv[1].streams === 0) {
          victim = kv;
          break;
        }
      }
      victim ??= this.entries.entries().next().value!;
      this.drop(victim[0], victim[1]);
    }
  }

  private drop(key: string, e: Entry<T>): void {
    this.entries.delete(key);
    this.dispose(e.value);
  }

  clear(): void {
    for (const e of this.entries.values()) this.dispose(e.value);
    this.entries.clear();
    this.dropSpare();
  }
}

/**
 * How long a tab's sampler goes on once its page has gone (its event stream closed): long enough for a reload
 * to join the history where it left off. Not the shared sampler's ten minutes: every closed tab's machine (its
 * own copy of a simulated one, at 4,096 CPUs a tree written every second) would go on being read that long.
 */
export const SESSION_LINGER_MS = 30_000;

/**
 * How long the session made for a page sent with its first screen waits for that page's app to call: it does
 * within a second or two once the page is painted; one not claimed by then is dropped.
 */
export const SERVED_SESSION_CLAIM_MS = 30_000;

/**
 * Sessions that may hold a source of their own (an opened snapshot is as large as its file) at once. A tab
 * past this is told so when it opens one; no other tab's source is dropped to make room.
 */
export const MAX_OWN_SOURCES = 8;

/**
 * Web mode's sessions: each starts on the source the server was started with; a simulated machine as its own
 * copy of it, taken when the session starts.
 */
export function webSessions(
  initial: HostFiles,
  opts: HandlerOptions = {},
  max?: number,
  maxOwn = MAX_OWN_SOURCES,
): SessionMap<Session> {
  const own = new Set<ActiveSource>();
  const guard = (source: ActiveSource, next: HostFiles): void => {
    if (next === source.initial) {
      own.delete(source);
      return;
    }
    if (!own.has(source) && own.size >= maxOwn)
      throw new UserError(
        `${maxOwn} tabs already show a snapshot or simulated machine of their own; go back to the server's source in one of them first`,
        'failed',
      );
    own.add(source);
  };
  const make = (): Session => {
    // A simulated machine is the session's own: settings applied in one tab are not in another's machine.
    const source = new ActiveSource(initial.fork?.() ?? initial, guard);
    const sampler = new Sampler(() => source.current, SAMPLE_INTERVAL_MS, { lingerMs: SESSION_LINGER_MS });
    return { source, handlers: createHandlers(source, 'web', { ...opts, sampler }), sampler };
  };
  return new SessionMap<Session>(
    make,
    (s) => {
      s.sampler.stop();
      own.delete(s.source);
    },
    max,
    undefined,
    undefined,
    // This machine is read only for a call that carries the token; a simulated machine or a record of one
    // reads nothing of it, and its first screen is made ahead too.
    initial.source.kind === 'live'
      ? make
      : () => {
          const s = make();
          return { ...s, handlers: screenAhead(s.handlers) };
        },
  );
}

/**
 * A session's handlers with its first screen made now, before anyone asks: the session's first call, if it is
 * `app.firstScreen` (a page starting), is answered with it; any other first call drops it, so it is never
 * shown after the session has done something. Made in the time the browser takes to start the page, it
 * leaves the server free for the page's own requests when they come.
 */
function screenAhead(handlers: Handlers): Handlers {
  // Called now, not in a later task: the files are read here, for the moment the page was served.
  let ahead: Promise<FirstScreen> | null = Promise.resolve(handlers['app.firstScreen']({}));
  // A failure is the caller's, if one takes it (dispatch makes it an error envelope); not an unhandled one.
  ahead.catch(() => undefined);
  const wrapped: Record<string, (args: unknown) => unknown> = {};
  for (const [method, handler] of Object.entries(handlers) as [string, (args: unknown) => unknown][]) {
    wrapped[method] = (args) => {
      const screen = ahead;
      ahead = null;
      return method === 'app.firstScreen' && screen ? screen : handler(args);
    };
  }
  return wrapped as unknown as Handlers;
}
