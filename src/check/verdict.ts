/**
 * One checker's verdict from its attempts: the shared reducer for every checker type (keepalived
 * check_tcp.c tcp_epilog(), check_http.c epilog(), check_misc.c misc_check_child_thread() share
 * it, with small differences noted below). Pure: an outcome in, the new state, the transition
 * and the delay before the next attempt out.
 *
 * - A checker starts up, or down with `alpha`; it has not "run" until its first verdict.
 * - A success while down (or on the first run) brings it up at once.
 * - A failure while up (or on the first run) is retried `retry` times, `delay_before_retry` apart;
 *   the failure after the last retry takes it down.
 * - A down checker is tried every `delay_loop` (HTTP_GET/SSL_GET: the longer of delay_loop and
 *   delay_before_retry), without retries: one success brings it back.
 *
 * keepalived's TCP_CHECK also runs its retry burst while down; that only changes how often a dead
 * server is probed, not any verdict, and is not kept.
 */

export interface VerdictTiming {
  readonly retry: number;
  readonly delayBeforeRetryMs: number;
  readonly delayLoopMs: number;
  /** Delay after a failure while down (delay_loop; HTTP: max(delay_loop, delay_before_retry)). */
  readonly downDelayMs: number;
}

export interface CheckerState {
  readonly up: boolean;
  /** keepalived's has_run: a verdict was reached at least once. */
  readonly hasRun: boolean;
  /** Retries made in the current failure run (keepalived retry_it). */
  readonly retries: number;
}

export type Transition =
  /** Went up, or passed its first check (`wasUp` tells which). */
  | { readonly kind: 'up'; readonly wasUp: boolean }
  /** Went down after `retries` retries, or failed its first check (`wasUp` false with alpha). */
  | { readonly kind: 'down'; readonly wasUp: boolean; readonly retries: number };

export interface VerdictStep {
  readonly state: CheckerState;
  readonly transition: Transition | null;
  /** When to make the next attempt, from now. */
  readonly nextInMs: number;
  /** A failed attempt that is retried (logged only with log_all_failures). */
  readonly retrying: boolean;
}

export function initialChecker(alpha: boolean): CheckerState {
  return { up: !alpha, hasRun: false, retries: 0 };
}

export function verdict(state: CheckerState, ok: boolean, t: VerdictTiming): VerdictStep {
  const live = state.up || !state.hasRun;
  if (ok) {
    const transition: Transition | null = live && state.hasRun ? null : { kind: 'up', wasUp: state.up };
    return {
      state: { up: true, hasRun: true, retries: 0 },
      transition,
      nextInMs: t.delayLoopMs,
      retrying: false,
    };
  }
  if (!live) {
    return { state: { ...state, retries: 0 }, transition: null, nextInMs: t.downDelayMs, retrying: false };
  }
  if (state.retries < t.retry) {
    return {
      state: { ...state, retries: state.retries + 1 },
      transition: null,
      nextInMs: t.delayBeforeRetryMs,
      retrying: true,
    };
  }
  return {
    state: { up: false, hasRun: true, retries: 0 },
    transition: { kind: 'down', wasUp: state.up, retries: state.retries },
    nextInMs: t.delayLoopMs,
    retrying: false,
  };
}
