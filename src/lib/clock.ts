/**
 * Time for the drivers: the pure core takes `nowMs` as an argument; drivers get it, and their
 * timers, from a Clock. SystemClock is the real one; tests use test/fakes/fake-clock.ts.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds, monotonic (to the microsecond). */
  now(): number;
  /** Run `fn` at `atMs` (a Clock time), or at once if it is past. */
  at(atMs: number, fn: () => void): TimerHandle;
}

export class SystemClock implements Clock {
  now(): number {
    return performance.now();
  }

  at(atMs: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, atMs - this.now()));
    return { cancel: () => clearTimeout(t) };
  }
}
