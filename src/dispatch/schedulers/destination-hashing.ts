/**
 * dh: ip_vs_dh.c. A 256-bucket table filled with the destinations in list order, one bucket each,
 * round and round (weights play no part; ip_vs_dh_reassign), refilled when a destination is added
 * or removed. The key is the packet's destination address (packet-address.ts: the VIP for an address
 * service), hashed with hash_32(ntohl(addr_fold), 8) as current kernels do. A bucket whose
 * destination has weight 0 or is overloaded gives no destination; there is no fallback.
 */
import type { Client, Destination, Service } from '../model.js';
import type { Scheduler } from '../scheduler.js';
import { isAvailable } from './dest-state.js';
import { addressFold, hash32 } from './hash.js';
import { packetDestination } from './packet-address.js';

const DH_TAB_BITS = 8;
const DH_TAB_SIZE = 1 << DH_TAB_BITS;

/** ip_vs_dh_hashkey(). */
function dhHashKey(address: string): number {
  return hash32(addressFold(address), DH_TAB_BITS);
}

function fillRoundRobin(dests: readonly Destination[]): (Destination | null)[] {
  const table = new Array<Destination | null>(DH_TAB_SIZE).fill(null);
  if (dests.length === 0) return table;
  for (let i = 0; i < DH_TAB_SIZE; i++) table[i] = dests[i % dests.length] ?? null;
  return table;
}

export class DestinationHashingScheduler implements Scheduler {
  private table: (Destination | null)[] | null = null;

  /** ip_vs_dh_dest_changed(). */
  update(svc: Service): void {
    this.table = fillRoundRobin(svc.dests);
  }

  /** ip_vs_dh_schedule(). */
  schedule(svc: Service, client: Client, _nowMs: number): Destination | null {
    this.table ??= fillRoundRobin(svc.dests);
    const dest = this.table[dhHashKey(packetDestination(svc, client))] ?? null;
    return dest !== null && isAvailable(dest) ? dest : null;
  }
}
