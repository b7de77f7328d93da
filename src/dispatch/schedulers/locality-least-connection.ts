/**
 * lblc: ip_vs_lblc.c, locality-based least-connection. The packet's destination address (the VIP
 * for an address service, packet-address.ts) is remembered with the real server chosen for it; the
 * entry is reused while that server is still in the service, has weight > 0, and is not "overloaded"
 * in lblc's own sense: more active connections than its weight while some server of the service has
 * fewer than half its weight (activeconns * 2 < weight). Otherwise wlc picks anew and the entry is
 * replaced. Entries expire as locality-table.ts describes. (IP_VS_DEST_F_OVERLOAD is not checked
 * for a cached destination, only by the wlc pick, as in the kernel.)
 */
import type { Client, Destination, Service } from '../model.js';
import type { Scheduler } from '../scheduler.js';
import { weightedLeastConnection } from './least-connection.js';
import { DEFAULT_EXPIRATION_MS, LocalityTable } from './locality-table.js';
import { packetDestination } from './packet-address.js';

/** is_overloaded() of ip_vs_lblc.c / ip_vs_lblcr.c. */
export function isLocalityOverloaded(dest: Destination, svc: Service): boolean {
  if (dest.activeConns <= dest.weight) return false;
  return svc.dests.some((d) => d.activeConns * 2 < d.weight);
}

interface LblcEntry {
  readonly address: string;
  readonly dest: Destination;
  lastUseMs: number;
}

export class LocalityLeastConnectionScheduler implements Scheduler {
  private readonly table: LocalityTable<LblcEntry>;

  constructor(expirationMs = DEFAULT_EXPIRATION_MS) {
    this.table = new LocalityTable(expirationMs);
  }

  /** Cached entries (for status and tests). */
  get entries(): number {
    return this.table.size;
  }

  /** ip_vs_lblc_schedule(). */
  schedule(svc: Service, client: Client, nowMs: number): Destination | null {
    this.table.runTimers(nowMs);
    const address = packetDestination(svc, client);
    const entry = this.table.get(address);
    if (entry !== undefined) {
      entry.lastUseMs = nowMs;
      const dest = entry.dest;
      // IP_VS_DEST_F_AVAILABLE: a removed destination is no longer in the list.
      if (svc.dests.includes(dest) && dest.weight > 0 && !isLocalityOverloaded(dest, svc)) return dest;
    }
    const dest = weightedLeastConnection(svc.dests);
    if (dest === null) return null;
    // ip_vs_lblc_new(): keep an entry that already points there, else replace it.
    if (entry === undefined || entry.dest !== dest) {
      if (entry !== undefined) this.table.remove(entry);
      this.table.add({ address, dest, lastUseMs: nowMs });
    }
    return dest;
  }

  update(_svc: Service): void {}
}
