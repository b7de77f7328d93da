/**
 * The chaos schedule (pure): a seeded PRNG turns (seed, length of the run) into a list of faults,
 * each with its target, how long it holds and how long the lab settles afterwards. The same seed
 * and options always give the same schedule; the harness prints the seed so a run can be replayed.
 *
 * The schedule names directors by their place in the trio (1 = priority 150, the master whenever
 * everything is up; 2 = 120; 3 = 100), so a fault aimed at director 1 hits the master: every fault
 * is followed by a settle period long enough for director 1 to take its place back.
 */

export type FaultKind = 'kill' | 'freeze' | 'link' | 'loss' | 'partition' | 'reload-storm' | 'rs-down';

export const FAULT_KINDS: readonly FaultKind[] = [
  'kill',
  'freeze',
  'link',
  'loss',
  'partition',
  'reload-storm',
  'rs-down',
];

export interface FaultPlan {
  /** 1-based position in the schedule. */
  readonly index: number;
  readonly kind: FaultKind;
  /**
   * kill, freeze, link, partition, reload-storm: the director (1-3); rs-down: the real server
   * (1-2); loss: 0 (every director's adverts).
   */
  readonly target: number;
  /** How long the fault holds before it is lifted (reload-storm: how long the storm lasts). */
  readonly holdMs: number;
  /** loss: the share of VRRP frames the bridge drops. */
  readonly lossPercent?: number;
  /** After the fault is lifted (a killed director is running again): quiet time before the next. */
  readonly settleMs: number;
}

export interface ScheduleOptions {
  /** Plan faults until their estimated time (hold + settle + overhead) reaches this. */
  readonly budgetMs: number;
  /** Master_Adver_Interval: holds and settle periods scale with it. */
  readonly advertIntervalMs: number;
  /** Kinds to draw from (default: all); the first faults cover each kind once, in seeded order. */
  readonly kinds?: readonly FaultKind[];
  /** Estimated time a restart takes (a killed director, a real server): counts against the budget. */
  readonly restartMs?: number;
}

/** mulberry32: a small, fast 32-bit PRNG; values in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A seed from text: decimal or 0x-hex; anything else is hashed (FNV-1a), so any word works. */
export function parseSeed(text: string): number {
  if (/^\d+$/.test(text)) return Number(text) >>> 0;
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16) >>> 0;
  let h = 0x811c9dc5;
  for (const ch of text) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  return h;
}

/** Relative weights when drawing a kind after every kind has had its turn. */
const WEIGHTS: Readonly<Record<FaultKind, number>> = {
  kill: 2,
  freeze: 2,
  link: 1.5,
  loss: 1.5,
  partition: 1.5,
  'reload-storm': 1,
  'rs-down': 1,
};

/**
 * Holds in advert intervals (at 0.2 s: kill 1-2.5 s, freeze 0.3-2.5 s, ...). A freeze is
 * sometimes shorter than Master_Down_Interval (about 3.5 intervals): the backups must not move.
 */
const HOLD: Readonly<Record<FaultKind, readonly [number, number]>> = {
  kill: [5, 12.5],
  freeze: [1.5, 12.5],
  link: [2.5, 12.5],
  loss: [10, 20],
  partition: [5, 15],
  'reload-storm': [5, 5],
  'rs-down': [7.5, 15],
};

/** Settle after the lift: a restarted director waits Master_Down_Interval, then preempts. */
const SETTLE_INTERVALS = 10;

export function makeSchedule(seed: number, o: ScheduleOptions): FaultPlan[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const between = (lo: number, hi: number): number => lo + rand() * (hi - lo);
  const kinds = o.kinds ?? FAULT_KINDS;
  if (kinds.length === 0) throw new RangeError('makeSchedule: no fault kinds');
  const restartMs = o.restartMs ?? 1500;
  const adv = o.advertIntervalMs;

  // Each kind once first (Fisher-Yates on a copy), then weighted draws.
  const firstRound = [...kinds];
  for (let i = firstRound.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [firstRound[i], firstRound[j]] = [firstRound[j] as FaultKind, firstRound[i] as FaultKind];
  }
  const total = kinds.reduce((sum, k) => sum + WEIGHTS[k], 0);
  const draw = (): FaultKind => {
    let x = rand() * total;
    for (const k of kinds) {
      x -= WEIGHTS[k];
      if (x < 0) return k;
    }
    return kinds[kinds.length - 1] as FaultKind;
  };
  // The master (director 1) half of the time, each backup a quarter.
  const director = (): number => pick([1, 1, 2, 3]);

  const plan: FaultPlan[] = [];
  let spent = 0;
  for (;;) {
    const kind = plan.length < firstRound.length ? (firstRound[plan.length] as FaultKind) : draw();
    const [lo, hi] = HOLD[kind];
    const holdMs = Math.round(between(lo, hi) * adv);
    const settleMs = SETTLE_INTERVALS * adv;
    const target = kind === 'loss' ? 0 : kind === 'rs-down' ? pick([1, 2]) : director();
    const cost = holdMs + settleMs + (kind === 'kill' || kind === 'rs-down' ? restartMs : 0);
    if (plan.length > 0 && spent + cost > o.budgetMs) break;
    spent += cost;
    plan.push({
      index: plan.length + 1,
      kind,
      target,
      holdMs,
      ...(kind === 'loss' ? { lossPercent: 10 + Math.floor(rand() * 41) } : {}),
      settleMs,
    });
  }
  return plan;
}

/** One line per fault, for the log: `#3 freeze director 1 for 1840 ms, settle 2000 ms`. */
export function describeFault(f: FaultPlan): string {
  const what =
    f.kind === 'loss'
      ? `loss ${f.lossPercent ?? 0}% of VRRP`
      : f.kind === 'rs-down'
        ? `rs-down real server ${f.target}`
        : `${f.kind} director ${f.target}`;
  return `#${f.index} ${what} for ${f.holdMs} ms, settle ${f.settleMs} ms`;
}
