/**
 * When the Monitor's plots draw. A sample only marks them due; they are drawn together in the next animation
 * frame, so a hidden tab (which gets no frames) draws nothing and catches up in one frame when shown again.
 *
 * A plot is drawn per sample only while at least `SEEN` of it is on screen. Below that it is not drawn, and
 * what little of it shows is blanked (the `data-offscreen` attribute, which the plot's CSS hides), so nobody
 * looks at stale pixels; once it is back above `SEEN` it is drawn at once and shown again.
 */

export interface Plot {
  /** Draws the plot from its data now. */
  draw(): void;
}

/** The share of a plot that must be on screen for it to be drawn per sample: a sliver at the edge is not. */
export const SEEN = 1 / 3;

export class Painter {
  private readonly due = new Set<Plot>();
  private readonly away = new Set<Plot>();
  private readonly plots = new Map<Element, Plot>();
  private readonly observer: IntersectionObserver | null;
  private frame: number | null = null;
  private drawn = 0;

  constructor() {
    // No IntersectionObserver (a test DOM): every plot counts as on screen.
    this.observer =
      typeof IntersectionObserver === 'function'
        ? new IntersectionObserver((entries) => this.seen(entries), { threshold: [0, SEEN] })
        : null;
  }

  /** Draws `plot` only while enough of `el` is on screen; returns the function that stops watching. */
  watch(el: Element, plot: Plot): () => void {
    this.plots.set(el, plot);
    this.observer?.observe(el);
    return () => {
      this.observer?.unobserve(el);
      this.plots.delete(el);
      this.due.delete(plot);
      this.away.delete(plot);
    };
  }

  /** Marks plots to draw in the next frame (every watched plot when none is named). */
  invalidate(...plots: Plot[]): void {
    for (const p of plots.length > 0 ? plots : this.plots.values()) this.due.add(p);
    if (this.frame === null) this.frame = requestAnimationFrame(() => this.flush());
  }

  /** Draws what is due and on screen now (the frame callback; tests call it directly). */
  flush(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    if (this.due.size === 0) return;
    performance.mark('monitor-draw-start');
    for (const p of this.due) {
      if (this.away.has(p)) continue;
      this.due.delete(p);
      p.draw();
    }
    performance.measure('monitor-draw', 'monitor-draw-start');
    performance.clearMarks('monitor-draw-start');
    // The browser keeps every measure: bound them, so a monitor left open for days does not grow.
    if (++this.drawn % 2000 === 0) performance.clearMeasures('monitor-draw');
  }

  /** Whether `plot` is drawn per sample now (enough of it on screen). */
  onScreen(plot: Plot): boolean {
    return !this.away.has(plot);
  }

  private seen(entries: IntersectionObserverEntry[]): void {
    for (const e of entries) {
      const p = this.plots.get(e.target);
      if (!p) continue;
      const shown = e.isIntersecting && e.intersectionRatio >= SEEN - 1e-3;
      if (shown && this.away.delete(p)) {
        // Drawn before it is shown again: the pixels a user sees are never older than the latest sample.
        if (this.due.delete(p)) p.draw();
        e.target.removeAttribute('data-offscreen');
      } else if (!shown && !this.away.has(p)) {
        this.away.add(p);
        e.target.setAttribute('data-offscreen', '');
      }
    }
  }

  destroy(): void {
    this.observer?.disconnect();
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    this.due.clear();
  }
}
