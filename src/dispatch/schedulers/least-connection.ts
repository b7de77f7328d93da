/**
 * lc and wlc (ip_vs_lc.c, ip_vs_wlc.c): the destination with the least connection overhead
 * ((active << 8) + inactive, see dest-state.ts), for wlc relative to its weight. Both walk the
 * destination list in order and replace the candidate only on a strictly smaller load, so ties go to
 * the earlier destination.
 */
import type { Client, Destination, Service } from '../model.js';
import type { Scheduler } from '../scheduler.js';
import { connOverhead, isAvailable } from './dest-state.js';

/** ip_vs_lc_schedule(): least overhead among available destinations; weights only gate (0: never). */
export class LeastConnectionScheduler implements Scheduler {
  schedule(svc: Service, _client: Client, _nowMs: number): Destination | null {
    let least: Destination | null = null;
    let leastOverhead = 0;
    for (const dest of svc.dests) {
      if (!isAvailable(dest)) continue;
      const overhead = connOverhead(dest);
      if (least === null || overhead < leastOverhead) {
        least = dest;
        leastOverhead = overhead;
      }
    }
    return least;
  }

  update(_svc: Service): void {}
}

/**
 * ip_vs_wlc_schedule(), also __ip_vs_lblc_schedule() and __ip_vs_lblcr_schedule(): least
 * overhead/weight, compared without division as `leastOverhead * dest.weight > overhead *
 * least.weight` (sed passes its own overhead). The first available destination seeds the search; later ones are skipped only when
 * overloaded, as a weight-0 one can never win the comparison.
 */
export function weightedLeastConnection(
  dests: readonly Destination[],
  overheadOf: (dest: Destination) => number = connOverhead,
): Destination | null {
  let i = 0;
  let least: Destination | undefined;
  for (; i < dests.length; i++) {
    least = dests[i];
    if (least !== undefined && isAvailable(least)) break;
  }
  if (least === undefined || i === dests.length) return null;
  let leastOverhead = overheadOf(least);
  for (i++; i < dests.length; i++) {
    const dest = dests[i];
    if (dest === undefined || dest.overloaded) continue;
    const overhead = overheadOf(dest);
    if (leastOverhead * dest.weight > overhead * least.weight) {
      least = dest;
      leastOverhead = overhead;
    }
  }
  return least;
}

export class WeightedLeastConnectionScheduler implements Scheduler {
  schedule(svc: Service, _client: Client, _nowMs: number): Destination | null {
    return weightedLeastConnection(svc.dests);
  }

  update(_svc: Service): void {}
}
