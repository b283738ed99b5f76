/**
 * Where a key moves focus in a row or column of controls (a tab list, the sidebar), as the WAI-ARIA patterns
 * have it: the next and previous keys step and wrap, Home and End go to the ends. Null for any other key.
 */
export function rovingTarget(key: string, at: number, count: number, axis: 'horizontal' | 'vertical'): number | null {
  if (count === 0) return null;
  const [next, prev] = axis === 'horizontal' ? ['ArrowRight', 'ArrowLeft'] : ['ArrowDown', 'ArrowUp'];
  if (key === next) return (at + 1) % count;
  if (key === prev) return (at - 1 + count) % count;
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  return null;
}
