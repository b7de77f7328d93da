/**
 * Resolves once every promise already started has settled, as far as they depend on nothing but
 * other promises: Node drains the whole microtask queue (chains included) before it runs an
 * immediate. Tests wait on this instead of awaiting `Promise.resolve()` a magic number of times.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** What runTimersTo needs of a fake clock (test/fakes/fake-clock.ts). */
interface SteppedClock {
  nextAt(): number | undefined;
  advanceTo(t: number): void;
}

/**
 * Run a fake clock's timers up to `t`, one due time at a time, letting the work each one started
 * settle before the next fires (a checker's attempt finishes before its next timer).
 */
export async function runTimersTo(clock: SteppedClock, t: number): Promise<void> {
  for (;;) {
    const next = clock.nextAt();
    if (next === undefined || next > t) break;
    clock.advanceTo(next);
    await settle();
  }
  clock.advanceTo(t);
}
