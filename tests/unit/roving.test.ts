/** Keyboard movement in a tab list or the sidebar. */
import { describe, expect, it } from 'vitest';
import { rovingTarget } from '../../renderer/src/lib/roving';

describe('rovingTarget', () => {
  it('steps and wraps along its own axis, goes to the ends on Home and End, and ignores other keys', () => {
    expect(rovingTarget('ArrowRight', 0, 3, 'horizontal')).toBe(1);
    expect(rovingTarget('ArrowRight', 2, 3, 'horizontal')).toBe(0);
    expect(rovingTarget('ArrowLeft', 0, 3, 'horizontal')).toBe(2);
    expect(rovingTarget('ArrowDown', 1, 3, 'vertical')).toBe(2);
    expect(rovingTarget('ArrowUp', 0, 3, 'vertical')).toBe(2);
    expect(rovingTarget('Home', 2, 3, 'vertical')).toBe(0);
    expect(rovingTarget('End', 0, 3, 'horizontal')).toBe(2);
    // The other axis's arrows are not this list's.
    expect(rovingTarget('ArrowDown', 0, 3, 'horizontal')).toBeNull();
    expect(rovingTarget('ArrowRight', 0, 3, 'vertical')).toBeNull();
    expect(rovingTarget('Enter', 0, 3, 'vertical')).toBeNull();
    expect(rovingTarget('ArrowRight', 0, 0, 'horizontal')).toBeNull();
  });
});
