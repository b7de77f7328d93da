/**
 * fo and ovf (ip_vs_fo.c, ip_vs_ovf.c): both send everything to the highest-weight available
 * destination (the first one in list order on a tie; weight 0 never).
 * fo: overloaded destinations are skipped.
 * ovf: also skipped while the destination's active connections exceed its weight, so the traffic
 * overflows to the next-highest weight (a destination with activeconns == weight still qualifies).
 */
import type { Client, Destination, Service } from '../model.js';
import type { Scheduler } from '../scheduler.js';

/** ip_vs_fo_schedule(). */
export class WeightedFailoverScheduler implements Scheduler {
  schedule(svc: Service, _client: Client, _nowMs: number): Destination | null {
    let best: Destination | null = null;
    let bestWeight = 0;
    for (const dest of svc.dests) {
      if (!dest.overloaded && dest.weight > bestWeight) {
        best = dest;
        bestWeight = dest.weight;
      }
    }
    return best;
  }

  update(_svc: Service): void {}
}

/** ip_vs_ovf_schedule(). */
export class OverflowScheduler implements Scheduler {
  schedule(svc: Service, _client: Client, _nowMs: number): Destination | null {
    let best: Destination | null = null;
    let bestWeight = 0;
    for (const dest of svc.dests) {
      const w = dest.weight;
      if (dest.overloaded || dest.activeConns > w || w === 0) continue;
      if (best === null || w > bestWeight) {
        best = dest;
        bestWeight = w;
      }
    }
    return best;
  }

  update(_svc: Service): void {}
}
