/**
 * The host.sample stream as the machine views read it: the latest sample, rates from the last two, and whether
 * the stream still flows. Samples come every `intervalMs`; when none has come for three intervals, the server
 * is gone (or the connection is), and the views stop presenting figures as live.
 *
 * Rates only make sense where counters move with time: this machine and the simulator. A snapshot or a fake
 * root holds the counters of one moment, so there are no rates, only the counts as captured.
 */
import type { HostSample, HugetuneApi } from '../../../shared/api';
import type { SourceKind } from '../../../shared/host/files';
import { tlbRate, type TlbRate } from './rate';

/** How many missed ticks mean "gone": a busy server can be late by a tick, not by three. */
const MISSED_TICKS = 3;

export const hasRates = (kind: SourceKind): boolean => kind === 'live' || kind === 'sim';

export class LiveStore {
  latest = $state<HostSample | null>(null);
  previous = $state<HostSample | null>(null);
  tlb = $state<TlbRate | null>(null);
  /** Renderer clock of the last sample, for the staleness check. */
  lastArrival = $state<number | null>(null);
  lost = $state(false);
  private readonly off: () => void;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    api: HugetuneApi,
    readonly kind: SourceKind,
    readonly intervalMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.off = api.subscribe('host.sample', (s) => this.take(s));
    this.timer = setInterval(() => this.check(), Math.max(250, intervalMs));
  }

  get rates(): boolean {
    return hasRates(this.kind);
  }

  private take(s: HostSample): void {
    const prev = this.latest;
    this.previous = prev;
    this.latest = s;
    this.lastArrival = this.clock();
    this.lost = false;
    this.tlb = prev && this.rates ? tlbRate(prev, s) : null;
  }

  /** Called on a timer, and by tests with their own clock. */
  check(): void {
    const since = this.lastArrival === null ? null : this.clock() - this.lastArrival;
    this.lost = since !== null && since > MISSED_TICKS * this.intervalMs;
  }

  /** A call failed because the server could not be reached: the same as a stream gone quiet. */
  unreachable(): void {
    this.lost = true;
  }

  close(): void {
    this.off();
    clearInterval(this.timer);
  }
}
