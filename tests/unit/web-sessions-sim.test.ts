/** Web mode on a simulated machine: each browser session has its own machine, so a setting applied in one tab is not in another. */
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../shared/api';
import type { Report } from '../../shared/host/report';
import { openSim } from '../../electron/host/sim-source';
import { webSessions } from '../../electron/server/sessions';

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
