/**
 * Samples the counters that change over time at a fixed interval and fans each sample out to every listener.
 * Keeps the last `windowMs` of samples in a ring, so a page that reloads (or a second window) gets the recent
 * past from `history()` and joins the stream where it left off; it keeps sampling for `lingerMs` after the
 * last listener leaves for the same reason. A switch of source starts a new history.
 */
import type { HostSample, MonitorHistory } from '../../shared/api';
import type { HostFiles } from '../../shared/host/files';
import { MonitorReader } from './monitor/reader';
import { Ring } from './monitor/ring';

/** Ten minutes of history: the longest window the Monitor view offers. */
export const HISTORY_WINDOW_MS = 10 * 60_000;

/** The timer functions the sampler uses; tests drive ticks by hand through their own. */
export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface SamplerOptions {
  windowMs?: number;
  /** How long sampling goes on with nobody listening (default: the window). */
  lingerMs?: number;
  clock?: () => number;
  timers?: Timers;
}

type Listener = (s: HostSample) => void;

/** A copy of each sample for one receiver: the CPU list only when it differs from what that receiver has. */
function forReceiver(s: HostSample, had: number[] | null): HostSample {
  return s.cpus !== null && s.cpus === had ? { ...s, cpus: null } : s;
}

export class Sampler {
  private readonly listeners = new Map<Listener, { cpus: number[] | null }>();
  private timer: unknown = null;
  private linger: unknown = null;
  private reader: MonitorReader | null = null;
  private seq = 0;
  readonly windowMs: number;
  private readonly lingerMs: number;
  private readonly clock: () => number;
  private readonly timers: Timers;
  private readonly ring: Ring<HostSample>;

  constructor(
    private readonly files: () => HostFiles,
    readonly intervalMs: number,
    opts: SamplerOptions = {},
  ) {
    this.windowMs = opts.windowMs ?? HISTORY_WINDOW_MS;
    this.lingerMs = opts.lingerMs ?? this.windowMs;
    this.clock = opts.clock ?? Date.now;
    this.timers = opts.timers ?? realTimers;
    this.ring = new Ring(Math.max(1, Math.ceil(this.windowMs / intervalMs)));
  }

  /** The reader for the current source; a new source (switched in the app) drops the old history. */
  private current(): MonitorReader {
    const files = this.files();
    if (this.reader?.files !== files) {
      this.reader = new MonitorReader(files);
      this.ring.clear();
    }
    return this.reader;
  }

  subscribe(listener: Listener): () => void {
    const state = { cpus: null as number[] | null };
    this.listeners.set(listener, state);
    if (this.linger !== null) {
      this.timers.clearTimeout(this.linger);
      this.linger = null;
    }
    if (this.timer === null) {
      this.timer = this.timers.setInterval(() => this.tick(), this.intervalMs);
      this.tick();
    } else {
      // Sampling already: the newcomer gets the latest sample now (pages de-duplicate by seq).
      const reader = this.current();
      const latest = this.ring.last() ?? this.stamp(reader.read(this.now()));
      this.deliver(listener, state, latest);
    }
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0 || this.timer === null) return;
      this.linger = this.timers.setTimeout(() => this.stop(), this.lingerMs);
    };
  }

  private now(): number {
    return this.files().now?.() ?? this.clock();
  }

  private stamp(body: Omit<HostSample, 'seq'>): HostSample {
    return { seq: ++this.seq, ...body };
  }

  private deliver(l: Listener, state: { cpus: number[] | null }, s: HostSample): void {
    const out = forReceiver(s, state.cpus);
    if (s.cpus !== null) state.cpus = s.cpus;
    l(out);
  }

  /** Takes one reading and sends it to every listener (the timer calls this; the bench calls it directly). */
  tick(): HostSample {
    const reader = this.current();
    const sample = this.stamp(reader.read(this.now()));
    if (sample.live) this.ring.push(sample);
    for (const [l, state] of this.listeners) this.deliver(l, state, sample);
    return sample;
  }

  history(): MonitorHistory {
    const reader = this.current();
    const samples: HostSample[] = [];
    let had: number[] | null = null;
    for (let i = 0; i < this.ring.length; i++) {
      const s = this.ring.at(i)!;
      samples.push(forReceiver(s, had));
      if (s.cpus !== null) had = s.cpus;
    }
    return {
      intervalMs: this.intervalMs,
      windowMs: this.windowMs,
      source: { ...reader.files.source },
      live: reader.reason === null,
      reason: reader.reason,
      samples,
    };
  }

  stop(): void {
    if (this.timer !== null) this.timers.clearInterval(this.timer);
    if (this.linger !== null) this.timers.clearTimeout(this.linger);
    this.timer = null;
    this.linger = null;
  }
}
