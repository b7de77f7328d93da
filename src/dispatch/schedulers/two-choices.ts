/**
 * twos: ip_vs_twos.c, power of two random choices. Two random numbers r1, r2 in [0, total weight]
 * (inclusive: the kernel draws modulo total + 1) each select a destination by walking the list and
 * subtracting weights until r <= 0; the second choice wins when its overhead/weight is strictly lower
 * (`weight2 * overhead1 > weight1 * overhead2`). Weight 0 and overloaded destinations are skipped.
 * The random source is injected (uint32 values) so tests are deterministic.
 */
import type { Client, Destination, Service } from '../model.js';
import type { Scheduler } from '../scheduler.js';
import { connOverhead, isAvailable } from './dest-state.js';

/** A source of uniformly distributed integers in [0, 2^32). */
export type RandomU32 = () => number;

export const mathRandomU32: RandomU32 = () => Math.floor(Math.random() * 0x1_0000_0000);

export class TwoChoicesScheduler implements Scheduler {
  constructor(private readonly random: RandomU32 = mathRandomU32) {}

  /** ip_vs_twos_schedule(). */
  schedule(svc: Service, _client: Client, _nowMs: number): Destination | null {
    let total = 0;
    let choice1: Destination | null = null;
    for (const dest of svc.dests) {
      if (isAvailable(dest)) {
        total += dest.weight;
        choice1 = dest;
      }
    }
    if (choice1 === null) return null;
    total += 1;
    let r1 = (this.random() >>> 0) % total;
    let r2 = (this.random() >>> 0) % total;
    let choice2: Destination | null = null;
    let weight1 = -1;
    let weight2 = -1;
    let overhead1 = 0;
    let overhead2 = 0;
    for (const dest of svc.dests) {
      if (!isAvailable(dest)) continue;
      r1 -= dest.weight;
      r2 -= dest.weight;
      if (r1 <= 0 && weight1 === -1) {
        choice1 = dest;
        weight1 = dest.weight;
        overhead1 = connOverhead(dest);
      }
      if (r2 <= 0 && weight2 === -1) {
        choice2 = dest;
        weight2 = dest.weight;
        overhead2 = connOverhead(dest);
      }
      if (weight1 !== -1 && weight2 !== -1) break;
    }
    if (choice2 !== null && weight2 * overhead1 > weight1 * overhead2) return choice2;
    return choice1;
  }

  update(_svc: Service): void {}
}
