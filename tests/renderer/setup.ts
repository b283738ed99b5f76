import 'vitest-canvas-mock';

// chart.js observes its container; jsdom has no layout, so a no-op observer is enough.
class ResizeObserverStub {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
globalThis.ResizeObserver ??= ResizeObserverStub as unknown as typeof ResizeObserver;
