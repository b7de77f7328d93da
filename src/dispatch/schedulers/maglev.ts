/**
 * mh: ip_vs_mh.c, Maglev hashing (Eisenbud et al., NSDI 2016, §3.4). Each destination gets a
 * permutation of the lookup table positions from two hashes of its address and port (offset, skip);
 * the destinations then take turns claiming their next free preferred position until the table is
 * full, a destination taking (last_weight / gcd) >> rshift turns per round so the share follows the
 * weight (rshift keeps weight/gcd within IP_VS_MH_TAB_BITS = 6 bits). Removing a destination only
 * moves the clients that were on it, plus a few more.
 *
 * Kernel parity: the table has the kernel's default size 4093 (CONFIG_IP_VS_MH_TAB_INDEX 12, not
 * the paper's 65537), hashes with hsiphash and the kernel's fixed keys (hash.ts), and works from
 * each destination's last non-zero weight (dest->last_weight, tracked here per scheduler), so that
 * quiescing a server (weight 0) keeps the table as it is: its clients get no destination, or with
 * mh-fallback (flag-1) the next available entry of hashkey(addr, port, offset) for growing offsets.
 * mh-port (flag-2) adds the client's source port to the key.
 */
import type { Client, Destination, Service } from '../model.js';
import type { Scheduler } from '../scheduler.js';
import { isAvailable } from './dest-state.js';
import { addressFold, hsiphashKey, hsiphashU32, type HsiphashKey } from './hash.js';
import { hasFlag } from './packet-address.js';

/** primes[CONFIG_IP_VS_MH_TAB_INDEX - 8] with the default index 12. */
export const MH_TAB_SIZE = 4093;
const MH_TAB_BITS = 6;

/** generate_hash_secret(): fixed keys, so every director builds the same table. */
const HASH1 = hsiphashKey(2654435761n, 2654435761n);
const HASH2 = hsiphashKey(2654446892n, 2654446892n);

/** ip_vs_mh_hashkey(): hsiphash of the u32 offset + port + ntohl(addr_fold). */
function mhHashKey(address: string, port: number, key: HsiphashKey, offset: number): number {
  return hsiphashU32((offset + port + addressFold(address)) >>> 0, key);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** fls(): the 1-based index of the highest set bit, 0 for 0. */
function fls(x: number): number {
  return x === 0 ? 0 : 32 - Math.clz32(x);
}

/** ip_vs_mh_permutate() + ip_vs_mh_populate() from the destinations and their last weights. */
export function buildMaglevTable(
  dests: readonly Destination[],
  lastWeight: (d: Destination) => number,
  size = MH_TAB_SIZE,
): (Destination | null)[] {
  const table = new Array<Destination | null>(size).fill(null);
  // ip_vs_mh_gcd_weight(), ip_vs_mh_shift_weight()
  let g = 0;
  let max = 0;
  for (const d of dests) {
    const w = lastWeight(d);
    if (w > 0) g = g > 0 ? gcd(w, g) : w;
    if (w > max) max = w;
  }
  if (g < 1) return table;
  const rshift = Math.max(0, fls(Math.trunc(max / g)) - MH_TAB_BITS);
  const setup = dests.map((d) => {
    const offset = mhHashKey(d.address, d.port, HASH1, 0) % size;
    const skip = (mhHashKey(d.address, d.port, HASH2, 0) % (size - 1)) + 1;
    const lw = lastWeight(d);
    const turns = Math.trunc(lw / g) >> rshift || (lw !== 0 ? 1 : 0);
    return { dest: d, skip, perm: offset, turns };
  });
  const taken = new Uint8Array(size);
  let n = 0;
  let turnsUsed = 0;
  for (;;) {
    for (let i = 0; i < setup.length;) {
      const s = setup[i];
      if (s === undefined) break;
      if (s.turns < 1) {
        i++;
        continue;
      }
      while (taken[s.perm] === 1) {
        s.perm += s.skip;
        if (s.perm >= size) s.perm -= size;
      }
      taken[s.perm] = 1;
      table[s.perm] = s.dest;
      if (++n === size) return table;
      if (++turnsUsed >= s.turns) {
        turnsUsed = 0;
        i++;
      }
    }
  }
}

export class MaglevScheduler implements Scheduler {
  private table: (Destination | null)[] | null = null;
  /** dest->last_weight: the weight at add time, then the latest non-zero weight. */
  private readonly lastWeights = new WeakMap<Destination, number>();
  private readonly fallback: boolean;
  private readonly usePort: boolean;

  constructor(flags: readonly string[]) {
    this.fallback = hasFlag(flags, 'fallback', 'mh');
    this.usePort = hasFlag(flags, 'port', 'mh');
  }

  /** ip_vs_mh_dest_changed(). */
  update(svc: Service): void {
    for (const d of svc.dests) {
      if (!this.lastWeights.has(d) || d.weight !== 0) this.lastWeights.set(d, d.weight);
    }
    this.table = buildMaglevTable(svc.dests, (d) => this.lastWeights.get(d) ?? d.weight);
  }

  /** ip_vs_mh_schedule(): ip_vs_mh_get(), or ip_vs_mh_get_fallback() with mh-fallback. */
  schedule(svc: Service, client: Client, _nowMs: number): Destination | null {
    if (this.table === null) this.update(svc);
    const table = this.table ?? [];
    const port = this.usePort ? client.port : 0;
    const ihash = mhHashKey(client.address, port, HASH1, 0) % MH_TAB_SIZE;
    const first = table[ihash] ?? null;
    if (first === null || isAvailable(first)) return first;
    if (!this.fallback) return null;
    for (let offset = 0; offset < MH_TAB_SIZE; offset++) {
      const roffset = (offset + ihash) % MH_TAB_SIZE;
      const dest = table[mhHashKey(client.address, port, HASH1, roffset) % MH_TAB_SIZE] ?? null;
      if (dest === null) return null;
      if (isAvailable(dest)) return dest;
    }
    return null;
  }
}
