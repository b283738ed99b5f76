/**
 * The Monitor's colours, taken from the app's CSS variables so both themes colour the charts; each has a
 * fallback for a page without them. `onThemeChange` tells charts to repaint when the theme switches (the OS
 * preference, or a class or attribute on the root element).
 */

export interface MonitorColors {
  fg: string;
  muted: string;
  grid: string;
  bg: string;
  /** Line colours, in the order charts take them. */
  lines: string[];
}

function cssVar(style: CSSStyleDeclaration, names: readonly string[], fallback: string): string {
  for (const n of names) {
    const v = style.getPropertyValue(n).trim();
    if (v) return v;
  }
  return fallback;
}

export function monitorColors(el: Element = document.documentElement): MonitorColors {
  const s = getComputedStyle(el);
  return {
    fg: cssVar(s, ['--fg', '--ink'], '#1b2733'),
    muted: cssVar(s, ['--muted', '--fg-muted'], '#5b6b7b'),
    grid: cssVar(s, ['--line', '--border'], '#dde3ea'),
    bg: cssVar(s, ['--card', '--surface', '--bg'], '#ffffff'),
    lines: [
      cssVar(s, ['--chart-1', '--accent'], '#1d3557'),
      cssVar(s, ['--chart-2', '--bad', '--danger'], '#c8553d'),
      cssVar(s, ['--chart-3', '--ok'], '#2a9d8f'),
      cssVar(s, ['--chart-4', '--warn'], '#e9c46a'),
    ],
  };
}

/** Calls `fn` when the theme may have changed; returns the function that stops listening. */
export function onThemeChange(fn: () => void): () => void {
  const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
  mq?.addEventListener('change', fn);
  const obs = new MutationObserver(fn);
  obs.observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'data-theme'] });
  return () => {
    mq?.removeEventListener('change', fn);
    obs.disconnect();
  };
}

/** A CSS colour as [r, g, b] (any syntax the browser knows), through a 1×1 canvas. */
export function rgbOf(color: string): [number, number, number] {
  const c = document.createElement('canvas').getContext('2d');
  if (!c) return [0, 0, 0];
  c.fillStyle = '#000';
  c.fillStyle = color;
  c.fillRect(0, 0, 1, 1);
  const d = c.getImageData(0, 0, 1, 1).data;
  return [d[0]!, d[1]!, d[2]!];
}
