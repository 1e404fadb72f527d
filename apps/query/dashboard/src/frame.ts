/**
 * Rendering at most once per animation frame: socket events and answers only change state and mark
 * what they touched; the DOM is written in one requestAnimationFrame callback. Under thousands of
 * events a second the page then does one bounded piece of work per frame (and none in a hidden tab).
 */
export class FrameScheduler<Part extends string> {
  private readonly dirty = new Set<Part>();
  private pending = 0;

  constructor(private readonly render: (parts: ReadonlySet<Part>) => void) {}

  mark(...parts: Part[]): void {
    for (const p of parts) this.dirty.add(p);
    if (!this.pending) this.pending = requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.pending = 0;
    const parts = new Set(this.dirty);
    this.dirty.clear();
    this.render(parts);
  }
}
