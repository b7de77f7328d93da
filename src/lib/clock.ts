/**
 * Time for the drivers: the pure core takes `nowMs` as an argument; drivers get it, and their
 * timers, from a Clock. host/system-clock.ts is the real one; tests use test/fakes/fake-clock.ts.
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
