/**
 * sed and nq (ip_vs_sed.c, ip_vs_nq.c): the expected delay of a new connection on a destination is
 * (activeconns + 1) / weight; inactive connections do not count. sed takes the smallest, compared
 * as `leastDelay * dest.weight > delay * least.weight` (ties go to the earlier destination). nq first
 * takes the first available destination with no active connection at all, else does as sed.
 *
 * Worked example: weights 1/2/3 with 1/2/3 active connections give delays 2/1, 3/2, 4/3: C.
 */
import type { Client, Destination, Service } from '../model.js';
import type { Scheduler } from '../scheduler.js';
import { isAvailable } from './dest-state.js';
import { weightedLeastConnection } from './least-connection.js';

/** ip_vs_sed_dest_overhead() / ip_vs_nq_dest_overhead(). */
function expectedOverhead(dest: Destination): number {
  return dest.activeConns + 1;
}

/** ip_vs_sed_schedule(). */
export class ShortestExpectedDelayScheduler implements Scheduler {
  schedule(svc: Service, _client: Client, _nowMs: number): Destination | null {
    return weightedLeastConnection(svc.dests, expectedOverhead);
  }

  update(_svc: Service): void {}
}

/** ip_vs_nq_schedule(). */
export class NeverQueueScheduler implements Scheduler {
  schedule(svc: Service, _client: Client, _nowMs: number): Destination | null {
    let least: Destination | null = null;
    let leastOverhead = 0;
    for (const dest of svc.dests) {
      if (!isAvailable(dest)) continue;
      const overhead = expectedOverhead(dest);
      if (dest.activeConns === 0) return dest;
      if (least === null || leastOverhead * dest.weight > overhead * least.weight) {
        least = dest;
        leastOverhead = overhead;
      }
    }
    return least;
  }

  update(_svc: Service): void {}
}
