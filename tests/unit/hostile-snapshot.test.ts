/** A crafted snapshot is refused at once, and while it is being refused the web server keeps answering. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers } from '../../electron/host/handlers';
import { loadSnapshot } from '../../electron/host/snapshot-load';
import type { RunningServer } from '../../electron/server/server';
import { parseSnapshot } from '../../shared/host/snapshot';
import { fixtureFiles, VM } from '../helpers';
import { apiCall, startTestServer } from '../mocks/web-server';

/** Many keys, each a long chain of directories: every level of every key would become a directory entry. */
function deepKeySnapshot(keys: number, depth: number): string {
  const files: Record<string, { text: string }> = {};
  const chain = '/a'.repeat(depth);
  for (let i = 0; i < keys; i++) files[`/proc${chain}/f${i}`] = { text: '' };
  return JSON.stringify({
    format: 'hugetune-snapshot',
    version: 1,
    capturedAt: '2026-01-01T00:00:00Z',
    host: null,
    tool: 'x',
    files,
  });
}

const deep = deepKeySnapshot(2000, 1000); // ~4 MB
const many = deepKeySnapshot(30_000, 1);

describe('hostile snapshots', () => {
  it('deep, long and too many keys are refused with one line, before a file tree is built', async () => {
    const errorOf = (text: string) => {
      const r = parseSnapshot(text);
      return r.ok ? null : r.error;
    };
    expect(errorOf(deep)).toMatch(/longer than 255 characters/);
    expect(errorOf(many)).toMatch(/more than 20000 files/);
    await expect(loadSnapshot(deep, 'deep.json')).rejects.toThrow(
      /^snapshot deep\.json: malformed: a file path longer than 255 characters/,
    );
    await expect(loadSnapshot(many, 'many.json')).rejects.toThrow(/^snapshot many\.json: malformed: more than 20000/);
    await expect(loadSnapshot(deepKeySnapshot(1, 40), 'levels.json')).rejects.toThrow(/deeper than 16 levels/);
  });

  it('is parsed off the main thread: the event loop turns while the snapshot is read', async () => {
    const order: string[] = [];
    const h = createHandlers(new ActiveSource(fixtureFiles(VM)), 'web');
    const opening = Promise.resolve(h['source.openSnapshot']({ name: 'deep.json', text: deep })).catch(() => {
      order.push('refused');
    });
    // Parsed in the caller's thread, the refusal would be settled before this callback could run.
    setImmediate(() => order.push('turn'));
    await opening;
    expect(order).toEqual(['turn', 'refused']);
  });

  it('a reader that takes too long is stopped and the snapshot refused', async () => {
    await expect(loadSnapshot(deep, 'slow.json', 0)).rejects.toThrow(/^snapshot slow\.json: took longer than 0 s/);
  });

  describe('over web mode', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(() => server?.close());

    const call = async (method: string, args: unknown) =>
      JSON.parse((await apiCall(server, method, args)).body) as { ok: boolean; error?: { message: string } };

    it('refuses the snapshot and answers another client in the meantime', async () => {
      const order: string[] = [];
      const opening = call('source.openSnapshot', { name: 'deep.json', text: deep }).then((r) => {
        order.push('snapshot');
        return r;
      });
      // Sent after the snapshot's request is on its way: a frozen event loop would answer it only afterwards.
      const info = call('app.info', {}).then((r) => {
        order.push('info');
        return r;
      });
      const [refused, answered] = await Promise.all([opening, info]);
      expect(refused.ok).toBe(false);
      expect(refused.error?.message).toMatch(/^snapshot deep\.json: malformed: a file path longer than 255/);
      expect(answered.ok).toBe(true);
      expect(order).toEqual(['info', 'snapshot']);
      // Nothing changed: the source is still the fixture.
      const state = await call('source.get', {});
      expect(JSON.stringify(state)).not.toContain('deep.json');
    });
  });
});
