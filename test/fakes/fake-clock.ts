/**
 * The one fake clock of the tests: time moves only when a test says so, and what is due runs in
 * time order (ties in the order scheduled). The drivers take it through the Clock port
 * (src/lib/clock.ts) with asClock().
 */
import type { Clock } from '../../src/lib/clock.js';

export interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

/** A clock whose time moves only when told to; `advanceTo` fires what is due, in order. */
export class FakeClock {
  now = 0;
  private queue: Scheduled[] = [];
  private seq = 0;

  schedule(at: number, run: () => void): Scheduled {
    const item: Scheduled = { at: Math.max(at, this.now), seq: this.seq++, run, cancelled: false };
    this.queue.push(item);
    return item;
  }

  /** When the next pending item is due (undefined: nothing pending). */
  nextAt(): number | undefined {
    let at: number | undefined;
    for (const item of this.queue) if (!item.cancelled && (at === undefined || item.at < at)) at = item.at;
    return at;
  }

  advanceTo(t: number): void {
    for (;;) {
      let next: Scheduled | undefined;
      for (const item of this.queue) {
        if (item.cancelled || item.at > t) continue;
        if (!next || item.at < next.at || (item.at === next.at && item.seq < next.seq)) next = item;
      }
      if (!next) break;
      this.queue = this.queue.filter((i) => i !== next && !i.cancelled);
      this.now = next.at;
      next.run();
    }
    this.now = t;
  }

  /** This clock as the Clock port the drivers take (src/lib/clock.ts). */
  asClock(): Clock {
    return {
      now: () => this.now,
      at: (atMs, fn) => {
        const item = this.schedule(atMs, fn);
        return { cancel: () => (item.cancelled = true) };
      },
    };
  }
}
