/**
 * wrr: ip_vs_wrr.c. IPVS steps a current weight `cw` down from the maximum weight by the gcd of
 * the weights; each pass over the destination list takes, in list order, every available
 * destination whose weight is at least `cw`. Weights 4/3/2 give A A B A B C A B C (counts 4/3/2
 * interleaved), not a naive expansion A A A A B B B C C.
 *
 * As the kernel does since the fix for weights changed between passes, the maximum is lowered by
 * (gcd - 1) so the last pass runs with cw = 1. Any change (add, remove, weight) resets the position
 * to the list head and clamps cw (ip_vs_wrr_dest_changed); overload changes do not.
 */
import type { Client, Destination, Service } from '../model.js';
import type { Scheduler } from '../scheduler.js';

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** ip_vs_wrr_gcd_weight(): gcd of the positive weights, 1 when there are none. */
function gcdWeight(dests: readonly Destination[]): number {
  let g = 0;
  for (const d of dests) if (d.weight > 0) g = g > 0 ? gcd(d.weight, g) : d.weight;
  return g > 0 ? g : 1;
}

/** ip_vs_wrr_max_weight(). */
function maxWeight(dests: readonly Destination[]): number {
  let w = 0;
  for (const d of dests) if (d.weight > w) w = d.weight;
  return w;
}

export class WeightedRoundRobinScheduler implements Scheduler {
  /** mark->cl: the last pick, null for the list head. */
  private last: Destination | null = null;
  /** mark->cw, mark->mw, mark->di. */
  private cw = 0;
  private mw = 0;
  private di = 1;
  private initialised = false;

  /** ip_vs_wrr_init_svc() on first use, ip_vs_wrr_dest_changed() afterwards. */
  update(svc: Service): void {
    this.last = null;
    this.di = gcdWeight(svc.dests);
    this.mw = maxWeight(svc.dests) - (this.di - 1);
    if (!this.initialised || this.cw > this.mw || this.cw === 0) this.cw = this.mw;
    else if (this.di > 1) this.cw = Math.trunc(this.cw / this.di) * this.di + 1;
    this.initialised = true;
  }

  /** ip_vs_wrr_schedule(). */
  schedule(svc: Service, _client: Client, _nowMs: number): Destination | null {
    if (!this.initialised) this.update(svc);
    if (this.mw === 0) return null;
    const dests = svc.dests;
    const last = this.last;
    let pos = last === null ? -1 : dests.indexOf(last);
    const lastIsHead = pos < 0;
    let stop: Destination | null = null;
    let lastPass = false;
    let restarted = false;
    for (;;) {
      for (pos++; pos < dests.length; pos++) {
        const dest = dests[pos];
        if (dest === undefined) continue;
        if (!dest.overloaded && dest.weight >= this.cw) {
          this.last = dest;
          return dest;
        }
        if (dest === stop) {
          this.last = dest;
          return null;
        }
      }
      pos = -1;
      this.cw -= this.di;
      if (this.cw <= 0) {
        this.cw = this.mw;
        // Every destination was already tried at cw = 1 (a last pass, or one pass from the head).
        if (lastPass || lastIsHead) {
          this.last = null;
          return null;
        }
        restarted = true;
      }
      lastPass = this.cw <= this.di;
      // The first cw = 1 pass only covered the entries after `last`: now cover those up to it.
      if (lastPass && restarted && !lastIsHead) stop = last;
    }
  }
}
