/**
 * Per-key event rate limiting for failures that can come by the thousand (every client of a dead
 * real server): the first one is reported at once, the rest of the next second as one event with
 * their count. The exact numbers are in the stats either way.
 */
const EVENT_WINDOW_MS = 1000;

interface Window {
  count: number;
  latest: (count: number) => void;
}

export class RateLimitedEvents {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly windowMs = EVENT_WINDOW_MS) {}

  /** `report(count)` now if `key` is quiet, else once at the end of its window with the total. */
  note(key: string, report: (count: number) => void): void {
    const open = this.windows.get(key);
    if (open !== undefined) {
      open.count++;
      open.latest = report;
      return;
    }
    report(1);
    const window: Window = { count: 0, latest: report };
    this.windows.set(key, window);
    const timer = setTimeout(() => {
      this.windows.delete(key);
      if (window.count > 0) window.latest(window.count);
    }, this.windowMs);
    timer.unref();
  }
}
