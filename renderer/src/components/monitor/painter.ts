/**
 * When the Monitor's plots draw. A sample only marks them due; they are drawn together in the next animation
 * frame, so a hidden tab (which gets no frames) draws nothing and catches up in one frame when shown again.
 *
 * A plot is drawn per sample only while at least `SEEN` of it is on screen. Below that it is not drawn; once
 * it has missed a sample it is blanked (the `data-offscreen` attribute, which the plot's CSS hides) as soon as
 * it is within `NEAR` of the viewport, before any of it can show, so nobody looks at stale pixels. Back above
 * `SEEN`, it is drawn at once and shown again.
 */

export interface Plot {
  /** Draws the plot from its data now. */
  draw(): void;
}

/** The share of a plot that must be on screen for it to be drawn per sample: a sliver at the edge is not. */
export const SEEN = 1 / 3;

/** How near the viewport a stale plot is blanked: more than a frame's worth of fast scrolling. */
export const NEAR = '200px 0px';

export class Painter {
  private readonly due = new Set<Plot>();
  private readonly away = new Set<Plot>();
  private readonly near = new Set<Plot>();
  private readonly plots = new Map<Element, Plot>();
  private readonly elements = new Map<Plot, Element>();
  private readonly observer: IntersectionObserver | null;
  private readonly nearby: IntersectionObserver | null;
  private frame: number | null = null;
  private drawn = 0;

  constructor() {
    // No IntersectionObserver (a test DOM): every plot counts as on screen.
    const io = typeof IntersectionObserver === 'function';
    this.observer = io ? new IntersectionObserver((entries) => this.seen(entries), { threshold: [0, SEEN] }) : null;
    this.nearby = io ? new IntersectionObserver((entries) => this.approach(entries), { rootMargin: NEAR }) : null;
  }

  /** Draws `plot` only while enough of `el` is on screen; returns the function that stops watching. */
  watch(el: Element, plot: Plot): () => void {
    this.plots.set(el, plot);
    this.elements.set(plot, el);
    this.observer?.observe(el);
    this.nearby?.observe(el);
    return () => {
      this.observer?.unobserve(el);
      this.nearby?.unobserve(el);
      this.plots.delete(el);
      this.elements.delete(plot);
      this.due.delete(plot);
      this.away.delete(plot);
      this.near.delete(plot);
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
      if (this.away.has(p)) {
        if (this.near.has(p)) this.blank(p);
        continue;
      }
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

  /** Hides a plot that has missed a sample (it is shown again when drawn). */
  private blank(p: Plot): void {
    this.elements.get(p)?.setAttribute('data-offscreen', '');
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
      } else if (!shown) {
        this.away.add(p);
        if (this.due.has(p) && e.isIntersecting) this.blank(p);
      }
    }
  }

  private approach(entries: IntersectionObserverEntry[]): void {
    for (const e of entries) {
      const p = this.plots.get(e.target);
      if (!p) continue;
      if (!e.isIntersecting) {
        this.near.delete(p);
        continue;
      }
      this.near.add(p);
      if (this.due.has(p) && this.away.has(p)) this.blank(p);
    }
  }

  destroy(): void {
    this.observer?.disconnect();
    this.nearby?.disconnect();
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    this.due.clear();
  }
}
