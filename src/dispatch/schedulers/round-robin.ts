/**
 * rr: ip_vs_rr.c. The scheduler remembers the destination it chose last (IPVS's sched_data list
 * position) and continues after it, wrapping over the list, so the position survives weight changes
 * and additions. When the remembered destination is removed, the position moves to the entry that
 * preceded it (ip_vs_rr_del_dest), so the next pick is the removed entry's successor.
 */
import type { Client, Destination, Service } from '../model.js';
import type { Scheduler } from '../scheduler.js';
import { isAvailable } from './dest-state.js';

export class RoundRobinScheduler implements Scheduler {
  /** The last pick; null is the list head (ip_vs_rr_init_svc). */
  private last: Destination | null = null;
  /** The destination order at the last update, to find a removed entry's predecessor. */
  private order: readonly Destination[] = [];

  /** ip_vs_rr_schedule(): the first available destination after the last pick, the last pick included. */
  schedule(svc: Service, _client: Client, _nowMs: number): Destination | null {
    const dests = svc.dests;
    const n = dests.length;
    const start = this.last === null ? -1 : dests.indexOf(this.last);
    // From the head one pass over the list; from position k: k+1 … n-1, 0 … k.
    for (let i = 1; i <= n; i++) {
      const dest = dests[(start + i) % n];
      if (dest !== undefined && isAvailable(dest)) {
        this.last = dest;
        return dest;
      }
    }
    return null;
  }

  /** ip_vs_rr_del_dest(): a removed last pick hands the position to its nearest surviving predecessor. */
  update(svc: Service): void {
    const last = this.last;
    if (last !== null && !svc.dests.includes(last)) {
      this.last = null;
      for (let i = this.order.indexOf(last) - 1; i >= 0; i--) {
        const prev = this.order[i];
        if (prev !== undefined && svc.dests.includes(prev)) {
          this.last = prev;
          break;
        }
      }
    }
    this.order = svc.dests.slice();
  }
}
