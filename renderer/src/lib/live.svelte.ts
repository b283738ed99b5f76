/**
 * The host.sample stream as the machine views read it: the figures of the latest sample, and whether the
 * stream still flows. Samples come every `intervalMs`; when none has come for three intervals, the server is
 * gone (or the connection is), and the views stop presenting figures as live.
 *
 * Rates only make sense where counters move with time: this machine and the simulator. A snapshot or a fake
 * root holds the counters of one moment, so there are no rates, only the counts as captured.
 */
import type { HostSample, HugetuneApi } from '../../../shared/api';
import type { SourceKind } from '../../../shared/host/files';
import { sampleFigures, type SampleFigures } from './sample-figures';

/** How many missed ticks mean "gone": a busy server can be late by a tick, not by three. */
const MISSED_TICKS = 3;

export const hasRates = (kind: SourceKind): boolean => kind === 'live' || kind === 'sim';

export class LiveStore {
  figures = $state<SampleFigures | null>(null);
  /** Renderer clock of the last sample, for the staleness check. */
  lastArrival = $state<number | null>(null);
  lost = $state(false);
  readonly rates: boolean;
  private cpus: number[] | null = null;
  private readonly off: () => void;
  private readonly timer: ReturnType<typeof setInterval> | undefined;

  /** With no API (the server rendering the first screen) the store stays as it starts: no samples yet. */
  constructor(
    api: HugetuneApi | null,
    readonly kind: SourceKind,
    readonly intervalMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.rates = hasRates(kind);
    this.off = api ? api.subscribe('host.sample', (s) => this.take(s)) : () => {};
    this.timer = api ? setInterval(() => this.check(), Math.max(250, intervalMs)) : undefined;
  }

  private take(s: HostSample): void {
    this.cpus = s.cpus ?? this.cpus;
    const f = sampleFigures(s, this.cpus);
    // A captured source has counts, never rates, whatever a sample says.
    this.figures = this.rates ? f : { ...f, tlb: null, thp: null };
    this.lastArrival = this.clock();
    this.lost = false;
  }

  /** Called on a timer, and by tests with their own clock. */
  check(): void {
    const since = this.lastArrival === null ? null : this.clock() - this.lastArrival;
    this.lost = since !== null && since > MISSED_TICKS * this.intervalMs;
  }

  close(): void {
    this.off();
    clearInterval(this.timer);
  }
}
