/** The real Clock: performance.now() (monotonic) and the event loop's timers. */
import type { Clock, TimerHandle } from '../lib/clock.js';

export class SystemClock implements Clock {
  now(): number {
    return performance.now();
  }

  at(atMs: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, atMs - this.now()));
    return { cancel: () => clearTimeout(t) };
  }
}
