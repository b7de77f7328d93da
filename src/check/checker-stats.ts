/**
 * What the status view, metrics and dumps count for each checker: its attempts, failures, the
 * last outcome, attempts by result and a histogram of how long they took. Counted by the runner
 * (health-checks.ts) as each attempt is judged, carried over when a reload restarts the checker.
 */
import type { ProbeOutcome } from './probe.js';

/**
 * Upper bounds (ms) of the attempt-duration buckets in the status (Prometheus histogram `le`):
 * from a quick TCP connect on the LAN to a MISC_CHECK script near its timeout.
 */
const CHECK_DURATION_BUCKETS_MS: readonly number[] = [
  5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000,
];

export interface CheckerStats {
  attempts: number;
  failures: number;
  last: ProbeOutcome | undefined;
  /** Judged attempts by result: `ok` or the failure reason. */
  readonly results: Map<string, number>;
  /** Clock time of judged attempts: count, sum, and counts per CHECK_DURATION_BUCKETS_MS bucket. */
  readonly duration: { count: number; sumMs: number; readonly buckets: number[] };
}

/** How the status document shows a checker's counters. */
export interface CheckerStatsView {
  readonly attempts: number;
  readonly failures: number;
  readonly last: string | null;
  /** Attempts by result: `ok`, or the failure reason (`refused`, `timeout`, `http-status`, ...). */
  readonly results: Readonly<Record<string, number>>;
  /** How long the attempts took; `buckets` are cumulative (attempts that took at most `leMs`). */
  readonly duration: {
    readonly count: number;
    readonly sumMs: number;
    readonly buckets: readonly { readonly leMs: number; readonly count: number }[];
  };
}

export function newStats(): CheckerStats {
  return {
    attempts: 0,
    failures: 0,
    last: undefined,
    results: new Map(),
    duration: { count: 0, sumMs: 0, buckets: CHECK_DURATION_BUCKETS_MS.map(() => 0) },
  };
}

/** Count one judged attempt that took `tookMs`. */
export function countAttempt(s: CheckerStats, outcome: ProbeOutcome, tookMs: number): void {
  s.attempts++;
  if (!outcome.ok) s.failures++;
  s.last = outcome;
  const result = outcome.ok ? 'ok' : outcome.reason;
  s.results.set(result, (s.results.get(result) ?? 0) + 1);
  const d = s.duration;
  d.count++;
  d.sumMs += tookMs;
  // Cumulative, as Prometheus buckets are: an attempt counts in every bucket it fits.
  CHECK_DURATION_BUCKETS_MS.forEach((leMs, i) => {
    if (tookMs <= leMs) d.buckets[i] = (d.buckets[i] ?? 0) + 1;
  });
}

/** A restarted checker keeps its counters (migrate_checkers() keeps the checker's history). */
export function carryStats(from: CheckerStats, to: CheckerStats): void {
  to.attempts = from.attempts;
  to.failures = from.failures;
  to.last = from.last;
  for (const [k, n] of from.results) to.results.set(k, n);
  to.duration.count = from.duration.count;
  to.duration.sumMs = from.duration.sumMs;
  from.duration.buckets.forEach((n, i) => (to.duration.buckets[i] = n));
}

export function statsView(s: CheckerStats): CheckerStatsView {
  return {
    attempts: s.attempts,
    failures: s.failures,
    last: s.last ? (s.last.ok ? 'ok' : `${s.last.reason}: ${s.last.detail}`) : null,
    results: Object.fromEntries(s.results),
    duration: {
      count: s.duration.count,
      sumMs: s.duration.sumMs,
      buckets: CHECK_DURATION_BUCKETS_MS.map((leMs, i) => ({ leMs, count: s.duration.buckets[i] ?? 0 })),
    },
  };
}
