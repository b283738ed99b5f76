/** The top bar's source name: a fake root's path is cut at its start, so its last directories stay in view. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SOURCE_LABEL_MAX, shortSourceLabel } from '../../renderer/src/lib/source-label';

const root = (label: string) => ({ kind: 'root', label });

describe('the source name in the top bar', () => {
  it('keeps the last directories of a long fake root, after an ellipsis', () => {
    const label = 'fake root /work/main/tests/fixtures/hosts/vm-x86_64-6.18-2cpu-tuned';
    expect(shortSourceLabel(root(label))).toBe('fake root …/hosts/vm-x86_64-6.18-2cpu-tuned');
    expect(shortSourceLabel(root('fake root /srv/a'))).toBe('fake root /srv/a');
  });
  it('leaves every other name whole (a snapshot file name may hold a slash)', () => {
    const long = `snapshot a/${'b'.repeat(60)}.json (host redacted)`;
    expect(shortSourceLabel({ kind: 'snapshot', label: long })).toBe(long);
    expect(shortSourceLabel({ kind: 'sim', label: 'simulator: xeon-2s-768g' })).toBe('simulator: xeon-2s-768g');
  });
  it('fits the bar unless the last directory alone is longer, and always ends as the path does', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9._-]{1,30}$/), { minLength: 1, maxLength: 12 }), (dirs) => {
        const label = `fake root /${dirs.join('/')}`;
        const short = shortSourceLabel(root(label));
        const last = dirs.at(-1)!;
        expect(label.endsWith(short.replace(/^fake root (…\/)?/, ''))).toBe(true);
        expect(short.endsWith(last)).toBe(true);
        if (label.length <= SOURCE_LABEL_MAX) expect(short).toBe(label);
        else expect(short.length <= SOURCE_LABEL_MAX || short === `fake root …/${last}`).toBe(true);
      }),
    );
  });
});
