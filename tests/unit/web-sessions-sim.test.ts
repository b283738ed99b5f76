/** Web mode on a simulated machine: each browser session has its own machine, so a setting applied in one tab is not in another. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../shared/api';
import type { Report } from '../../shared/host/report';
import { openSim } from '../../electron/host/sim-source';
import { SESSION_LINGER_MS, webSessions } from '../../electron/server/sessions';
import { SAMPLE_INTERVAL_MS } from '../../electron/host/handlers';
import { countedFiles } from '../helpers';

const HVO = '/proc/sys/vm/hugetlb_optimize_vmemmap';

describe('web sessions on a simulated machine', () => {
  it('gives each session its own machine: what one applies, another does not see', async () => {
    const sessions = webSessions(openSim('strix-halo-128g'));
    try {
      const one = sessions.get('tab-one').handlers;
      const two = sessions.get('tab-two').handlers;
      const applied = await dispatch(one, 'setup.apply', { writes: [{ path: HVO, value: '1' }] });
      expect(applied.ok).toBe(true);
      const hvo = async (h: typeof one): Promise<boolean | null> => {
        const r = await dispatch(h, 'host.report', {});
        return r.ok ? (r.value as Report).hvo.enabled : null;
      };
      expect(await hvo(one)).toBe(true);
      expect(await hvo(two)).toBe(false);
      // A session that starts later starts from the server's machine, not from one a tab changed.
      expect(await hvo(sessions.get('tab-three').handlers)).toBe(false);
    } finally {
      sessions.clear();
    }
  });
});

describe("a web session's sampler", () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  it('goes on for a reload once its page has gone, then stops reading the machine', () => {
    vi.useFakeTimers();
    // The session's machine, reads counted (a simulated machine: a record of one has no rates to sample).
    const { files: counted, reads } = countedFiles(openSim('strix-halo-128g'));
    const sessions = webSessions(counted);
    try {
      const off = sessions.get('tab').sampler.subscribe(() => undefined);
      off(); // the tab is closed (or reloading)
      let before = reads();
      vi.advanceTimersByTime(SESSION_LINGER_MS - SAMPLE_INTERVAL_MS);
      expect(reads()).toBeGreaterThan(before); // a reload within this time joins a history without a gap
      vi.advanceTimersByTime(2 * SAMPLE_INTERVAL_MS);
      before = reads();
      vi.advanceTimersByTime(10 * 60_000);
      expect(reads()).toBe(before);
    } finally {
      sessions.clear();
    }
  });
});
