/** Timers that fire only when a test says so, for the sampler: no test waits on the wall clock. */
import type { Timers } from '../../electron/host/sampler';

export interface ManualTimers extends Timers {
  /** Runs every interval callback once (one tick of each running interval). */
  fireIntervals(): void;
  /** Runs every pending timeout. */
  fireTimeouts(): void;
  readonly running: { intervals: number; timeouts: number };
}

export function manualTimers(): ManualTimers {
  let next = 1;
  const intervals = new Map<number, () => void>();
  const timeouts = new Map<number, () => void>();
  return {
    setInterval(fn) {
      intervals.set(next, fn);
      return next++;
    },
    clearInterval(h) {
      intervals.delete(h as number);
    },
    setTimeout(fn) {
      timeouts.set(next, fn);
      return next++;
    },
    clearTimeout(h) {
      timeouts.delete(h as number);
    },
    fireIntervals() {
      for (const fn of [...intervals.values()]) fn();
    },
    fireTimeouts() {
      const due = [...timeouts.entries()];
      for (const [h, fn] of due) {
        timeouts.delete(h);
        fn();
      }
    },
    get running() {
      return { intervals: intervals.size, timeouts: timeouts.size };
    },
  };
}
