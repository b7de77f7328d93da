/**
 * The cache lblc and lblcr keep (ip_vs_lblc.c, ip_vs_lblcr.c): entries keyed by the packet's
 * destination address in a 1024-bucket hash table (hash_32(ntohl(addr_fold), 10)), new entries at
 * the head of their bucket, with the kernels' garbage collection. A periodic timer runs every 60 s
 * (CHECK_EXPIRE_INTERVAL) from the scheduler's creation; every 30th run (COUNT_FOR_FULL_EXPIRATION,
 * so every 30 min) drops the entries unused for `expirationMs` (the lblc_expiration /
 * lblcr_expiration sysctls, default 24 h); and while the table holds more than 16 × 1024 entries
 * (max_size) the other runs drop entries unused for 6 min (ENTRY_TIMEOUT), bucket by bucket from a
 * rover, until (entries - max_size) × 4/3 are gone (at most max_size / 2).
 *
 * Pure: there is no timer. The runs that fell due up to `nowMs` are replayed, in order, at the next
 * call; the schedule's origin is the first call's time (the kernel's init_service).
 */
import { addressFold, hash32 } from './hash.js';

const LOCALITY_TAB_BITS = 10;
const TAB_SIZE = 1 << LOCALITY_TAB_BITS;
const TAB_MASK = TAB_SIZE - 1;
const CHECK_EXPIRE_INTERVAL_MS = 60_000;
const ENTRY_TIMEOUT_MS = 6 * 60_000;
export const DEFAULT_EXPIRATION_MS = 24 * 60 * 60_000;
const COUNT_FOR_FULL_EXPIRATION = 30;
const MAX_SIZE = TAB_SIZE * 16;

export interface LocalityEntry {
  readonly address: string;
  lastUseMs: number;
}

export class LocalityTable<E extends LocalityEntry> {
  private readonly buckets: E[][] = Array.from({ length: TAB_SIZE }, () => []);
  private count = 0;
  private rover = 0;
  private counter = 1;
  private nextCheckMs: number | null = null;

  constructor(private readonly expirationMs: number) {}

  get size(): number {
    return this.count;
  }

  /** ip_vs_lblc_get() / ip_vs_lblcr_get(). */
  get(address: string): E | undefined {
    return this.buckets[bucketOf(address)]?.find((e) => e.address === address);
  }

  /** ip_vs_lblc_hash(): at the head of its bucket. */
  add(entry: E): void {
    this.buckets[bucketOf(entry.address)]?.unshift(entry);
    this.count++;
  }

  remove(entry: E): void {
    const bucket = this.buckets[bucketOf(entry.address)];
    const i = bucket?.indexOf(entry) ?? -1;
    if (bucket !== undefined && i >= 0) {
      bucket.splice(i, 1);
      this.count--;
    }
  }

  /** Replays the periodic timer runs due by `nowMs` (ip_vs_lblc_check_expire). */
  runTimers(nowMs: number): void {
    this.nextCheckMs ??= nowMs + CHECK_EXPIRE_INTERVAL_MS;
    while (this.nextCheckMs <= nowMs) {
      this.checkExpire(this.nextCheckMs);
      this.nextCheckMs += CHECK_EXPIRE_INTERVAL_MS;
    }
  }

  private checkExpire(nowMs: number): void {
    if (this.counter % COUNT_FOR_FULL_EXPIRATION === 0) {
      // ip_vs_lblc_full_check(): entries unused for the expiration time.
      this.sweep((e) => nowMs >= e.lastUseMs + this.expirationMs, Infinity);
      this.counter = 1;
      return;
    }
    if (this.count <= MAX_SIZE) {
      this.counter++;
      return;
    }
    const goal = Math.min(Math.trunc(((this.count - MAX_SIZE) * 4) / 3), Math.trunc(MAX_SIZE / 2));
    this.sweep((e) => nowMs >= e.lastUseMs + ENTRY_TIMEOUT_MS, goal);
  }

  /** Bucket by bucket after the rover; stops after the bucket in which `goal` was reached. */
  private sweep(stale: (e: E) => boolean, goal: number): void {
    let j = this.rover;
    for (let i = 0; i < TAB_SIZE; i++) {
      j = (j + 1) & TAB_MASK;
      const bucket = this.buckets[j] ?? [];
      const kept = bucket.filter((e) => !stale(e));
      const dropped = bucket.length - kept.length;
      this.buckets[j] = kept;
      this.count -= dropped;
      goal -= dropped;
      if (goal <= 0) break;
    }
    this.rover = j;
  }
}

function bucketOf(address: string): number {
  return hash32(addressFold(address), LOCALITY_TAB_BITS);
}
