/**
 * lblcr: ip_vs_lblcr.c, locality-based least-connection with replication. Like lblc, but each
 * destination address maps to a set of real servers (newest first). A connection goes to the set
 * member with the least overhead/weight (ip_vs_dest_set_min: overloaded, weight-0 or removed members
 * skipped); when there is none, or it is overloaded in lblc's sense (lblc's is_overloaded: active >
 * weight while some server has active * 2 < weight), wlc picks a server over the whole service and
 * it joins the set. When the set has more than one member and has not changed for `expirationMs`
 * (lblcr_expiration, default 24 h), its most loaded member (ip_vs_dest_set_max) leaves it. Entries
 * expire as locality-table.ts describes.
 */
import type { Client, Destination, Service } from '../model.js';
import type { Scheduler } from '../scheduler.js';
import { connOverhead } from './dest-state.js';
import { weightedLeastConnection } from './least-connection.js';
import { isLocalityOverloaded } from './locality-least-connection.js';
import { DEFAULT_EXPIRATION_MS, LocalityTable } from './locality-table.js';
import { packetDestination } from './packet-address.js';

interface LblcrEntry {
  readonly address: string;
  /** The destination set, newest first (list_add_rcu). */
  readonly set: Destination[];
  lastModMs: number;
  lastUseMs: number;
}

/** ip_vs_dest_set_min(). */
function setMin(set: readonly Destination[], svc: Service): Destination | null {
  const usable = (d: Destination): boolean => svc.dests.includes(d);
  let i = 0;
  let least: Destination | undefined;
  for (; i < set.length; i++) {
    least = set[i];
    if (least === undefined || least.overloaded) continue;
    if (least.weight > 0 && usable(least)) break;
  }
  if (least === undefined || i >= set.length) return null;
  let leastOverhead = connOverhead(least);
  for (i++; i < set.length; i++) {
    const dest = set[i];
    if (dest === undefined || dest.overloaded) continue;
    const overhead = connOverhead(dest);
    if (leastOverhead * dest.weight > overhead * least.weight && usable(dest)) {
      least = dest;
      leastOverhead = overhead;
    }
  }
  return least;
}

/** ip_vs_dest_set_max(). */
function setMax(set: readonly Destination[]): Destination | null {
  let i = 0;
  let most: Destination | undefined;
  for (; i < set.length; i++) {
    most = set[i];
    if (most !== undefined && most.weight > 0) break;
  }
  if (most === undefined || i >= set.length) return null;
  let mostOverhead = connOverhead(most);
  for (i++; i < set.length; i++) {
    const dest = set[i];
    if (dest === undefined) continue;
    const overhead = connOverhead(dest);
    if (mostOverhead * dest.weight < overhead * most.weight && dest.weight > 0) {
      most = dest;
      mostOverhead = overhead;
    }
  }
  return most;
}

export class LocalityReplicationScheduler implements Scheduler {
  private readonly table: LocalityTable<LblcrEntry>;

  constructor(private readonly expirationMs = DEFAULT_EXPIRATION_MS) {
    this.table = new LocalityTable(expirationMs);
  }

  /** The destination set of `address`, newest first (for status and tests). */
  setOf(address: string): readonly Destination[] {
    return this.table.get(address)?.set ?? [];
  }

  /** ip_vs_lblcr_schedule(). */
  schedule(svc: Service, client: Client, nowMs: number): Destination | null {
    this.table.runTimers(nowMs);
    const address = packetDestination(svc, client);
    const entry = this.table.get(address);
    if (entry === undefined) {
      const dest = weightedLeastConnection(svc.dests);
      if (dest === null) return null;
      this.table.add({ address, set: [dest], lastModMs: nowMs, lastUseMs: nowMs });
      return dest;
    }
    entry.lastUseMs = nowMs;
    let dest = setMin(entry.set, svc);
    // Shrink a set that has not changed for the expiration time (time_after: strictly later).
    if (entry.set.length > 1 && nowMs > entry.lastModMs + this.expirationMs) {
      const most = setMax(entry.set);
      if (most !== null) {
        entry.set.splice(entry.set.indexOf(most), 1);
        entry.lastModMs = nowMs;
      }
    }
    if (dest !== null && !isLocalityOverloaded(dest, svc)) return dest;
    dest = weightedLeastConnection(svc.dests);
    if (dest === null) return null;
    if (!entry.set.includes(dest)) {
      entry.set.unshift(dest);
      entry.lastModMs = nowMs;
    }
    return dest;
  }

  /**
   * Nothing to do: like the kernel's trashed destinations (IP_VS_DEST_F_AVAILABLE cleared), removed
   * ones stay in the sets but ip_vs_dest_set_min() passes them over.
   */
  update(_svc: Service): void {}
}
