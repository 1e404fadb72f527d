/**
 * Rendering at most once per animation frame: socket events and answers only change state and mark
 * what they touched; the DOM is written in one requestAnimationFrame callback. Under thousands of
 * events a second the page then does one bounded piece of work per frame (and none in a hidden tab).
 */
export class FrameScheduler<Part extends string> {
  private readonly dirty = new Set<Part>();
  private pending = 0;
  /** How long the renders took: a few numbers, for the load test and anyone curious (window.reeltimeFrames). */
  readonly meter = { frames: 0, totalMs: 0, maxMs: 0, over16: 0 };

  constructor(private readonly render: (parts: ReadonlySet<Part>) => void) {}

  mark(...parts: Part[]): void {
    for (const p of parts) this.dirty.add(p);
    if (!this.pending) this.pending = requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.pending = 0;
    const parts = new Set(this.dirty);
    this.dirty.clear();
    const started = performance.now();
    this.render(parts);
    const ms = performance.now() - started;
    this.meter.frames++;
    this.meter.totalMs += ms;
    this.meter.maxMs = Math.max(this.meter.maxMs, ms);
    if (ms > 16) this.meter.over16++;
  }
}

/** Calls `fn` at most once per `ms`: the last call within a period runs at its end. */
export function throttled(ms: number, fn: () => void): () => void {
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer !== undefined) return;
    const wait = last + ms - performance.now();
    if (wait <= 0) {
      last = performance.now();
      fn();
      return;
    }
    timer = setTimeout(() => {
      timer = undefined;
      last = performance.now();
      fn();
    }, wait);
  };
}
