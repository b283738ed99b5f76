/**
 * When the Monitor's plots draw: once per frame, never while mostly off screen, and never showing a stale
 * picture (driven with a stand-in IntersectionObserver; jsdom has none).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Painter, SEEN } from '../../renderer/src/components/monitor/painter';

type Callback = (entries: IntersectionObserverEntry[]) => void;

class FakeObserver {
  static all: FakeObserver[] = [];
  readonly targets = new Set<Element>();
  constructor(
    readonly callback: Callback,
    readonly options: IntersectionObserverInit = {},
  ) {
    FakeObserver.all.push(this);
  }
  observe(el: Element): void {
    this.targets.add(el);
  }
  unobserve(el: Element): void {
    this.targets.delete(el);
  }
  disconnect(): void {
    this.targets.clear();
  }
}

/** Tells both observers where `el` is: `ratio` of it on screen, and whether it is within the near margin. */
function place(el: Element, ratio: number, near: boolean): void {
  for (const o of FakeObserver.all) {
    if (!o.targets.has(el)) continue;
    const isNear = o.options.rootMargin !== undefined;
    const isIntersecting = isNear ? near : ratio > 0;
    o.callback([{ target: el, isIntersecting, intersectionRatio: isNear ? (near ? 1 : 0) : ratio } as never]);
  }
}

describe('Painter', () => {
  beforeEach(() => {
    FakeObserver.all = [];
    vi.stubGlobal('IntersectionObserver', FakeObserver);
    vi.stubGlobal('requestAnimationFrame', () => 1);
    vi.stubGlobal('cancelAnimationFrame', () => undefined);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('draws what a sample changed in the next frame, once, however many samples came before it', () => {
    const painter = new Painter();
    const el = document.createElement('canvas');
    const draw = vi.fn();
    const plot = { draw };
    painter.watch(el, plot);
    painter.invalidate(plot);
    painter.invalidate(plot);
    expect(draw).not.toHaveBeenCalled();
    painter.flush();
    expect(draw).toHaveBeenCalledTimes(1);
    painter.flush();
    expect(draw).toHaveBeenCalledTimes(1);
    painter.destroy();
  });

  it('skips a plot mostly off screen, blanks it before it can be seen stale, and draws it the moment it shows', () => {
    const painter = new Painter();
    const el = document.createElement('canvas');
    const plot = { draw: vi.fn() };
    painter.watch(el, plot);
    place(el, 0, false);
    painter.invalidate(plot);
    painter.flush();
    expect(plot.draw).not.toHaveBeenCalled();
    // Far away: nobody can see it, so its picture stays as it was.
    expect(el.hasAttribute('data-offscreen')).toBe(false);
    // Scrolled near the viewport with a sample missed: blanked before any of it shows.
    place(el, 0, true);
    expect(el.hasAttribute('data-offscreen')).toBe(true);
    // A sliver on screen: still not drawn, still blank.
    place(el, SEEN / 2, true);
    painter.invalidate(plot);
    painter.flush();
    expect(plot.draw).not.toHaveBeenCalled();
    expect(el.hasAttribute('data-offscreen')).toBe(true);
    // Enough on screen: drawn at once, then shown.
    place(el, SEEN, true);
    expect(plot.draw).toHaveBeenCalledTimes(1);
    expect(el.hasAttribute('data-offscreen')).toBe(false);
    painter.invalidate(plot);
    painter.flush();
    expect(plot.draw).toHaveBeenCalledTimes(2);
    painter.destroy();
  });

  it('a plot that missed nothing is neither blanked nor redrawn when it comes back', () => {
    const painter = new Painter();
    const el = document.createElement('canvas');
    const plot = { draw: vi.fn() };
    painter.watch(el, plot);
    place(el, 0, true);
    place(el, 1, true);
    expect(plot.draw).not.toHaveBeenCalled();
    expect(el.hasAttribute('data-offscreen')).toBe(false);
    painter.destroy();
  });
});
