/**
 * sh: ip_vs_sh.c. A 256-bucket table (IP_VS_SH_TAB_BITS = 8) is filled by walking the destination
 * list round and round, each destination taking `weight` consecutive buckets (weight 0 or 1: one
 * bucket; ip_vs_sh_reassign). Any add, remove or weight change refills the table from the start,
 * so sh is not a consistent hash: removing one server can move clients of the others.
 * The client address (and with sh-port / flag-2 its source port) is hashed with
 * ip_vs_sh_hashkey(): hash_32(port + ntohl(addr_fold), 8), as kernels since 4.x do (older kernels
 * multiplied by 2654435761 instead; the buckets differ, the behaviour does not).
 * A bucket whose destination has weight 0 or is overloaded gives no destination, unless sh-fallback
 * (flag-1): then ip_vs_sh_get_fallback() probes hash(addr, port, offset) for offsets starting at the
 * original bucket until an available destination turns up.
 */
import type { Client, Destination, Service } from '../model.js';
import type { Scheduler } from '../scheduler.js';
import { isAvailable } from './dest-state.js';
import { addressFold, hash32 } from './hash.js';
import { hasFlag } from './packet-address.js';

const SH_TAB_BITS = 8;
const SH_TAB_SIZE = 1 << SH_TAB_BITS;
const SH_TAB_MASK = SH_TAB_SIZE - 1;

/** ip_vs_sh_hashkey(). */
function shHashKey(address: string, port: number, offset: number): number {
  return (offset + hash32((port + addressFold(address)) >>> 0, SH_TAB_BITS)) & SH_TAB_MASK;
}

/** ip_vs_sh_reassign(): `weight` consecutive buckets per destination, round the list. */
function fillWeightedBuckets(dests: readonly Destination[], size: number): (Destination | null)[] {
  const table = new Array<Destination | null>(size).fill(null);
  if (dests.length === 0) return table;
  let p = 0;
  let count = 0;
  for (let i = 0; i < size; i++) {
    const dest = dests[p] as Destination;
    table[i] = dest;
    if (++count >= dest.weight) {
      p = (p + 1) % dests.length;
      count = 0;
    }
  }
  return table;
}

export class SourceHashingScheduler implements Scheduler {
  private table: (Destination | null)[] | null = null;
  private readonly fallback: boolean;
  private readonly usePort: boolean;

  constructor(flags: readonly string[]) {
    this.fallback = hasFlag(flags, 'fallback', 'sh');
    this.usePort = hasFlag(flags, 'port', 'sh');
  }

  /** ip_vs_sh_dest_changed(). */
  update(svc: Service): void {
    this.table = fillWeightedBuckets(svc.dests, SH_TAB_SIZE);
  }

  /** ip_vs_sh_schedule(): ip_vs_sh_get(), or ip_vs_sh_get_fallback() with sh-fallback. */
  schedule(svc: Service, client: Client, _nowMs: number): Destination | null {
    this.table ??= fillWeightedBuckets(svc.dests, SH_TAB_SIZE);
    const table = this.table;
    const port = this.usePort ? client.port : 0;
    const ihash = shHashKey(client.address, port, 0);
    const first = table[ihash] ?? null;
    if (first === null || isAvailable(first)) return first;
    if (!this.fallback) return null;
    for (let offset = 0; offset < SH_TAB_SIZE; offset++) {
      const roffset = (offset + ihash) % SH_TAB_SIZE;
      const dest = table[shHashKey(client.address, port, roffset)] ?? null;
      if (dest === null) return null;
      if (isAvailable(dest)) return dest;
    }
    return null;
  }
}
