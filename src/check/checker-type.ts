/**
 * What one checker type is, in one place (as keepalived 2.2.7 keeps each checker's functions in
 * its own check/check_*.c): its probe, its timing, how long an attempt may take, which checker of
 * a reloaded config is the same one, and keepalived's texts for it. Each type's definition lives
 * in its probe file (src/check/probes/<type>.ts); checker-types.ts gathers them, typed so that a
 * checker type of the config model without a definition does not compile.
 *
 * This file is pure: the shared pieces several definitions are made of.
 */
import type { Checker, Config, VirtualServer } from '../config/model.js';
import type { Probe, ProbeDeps, ProbeOutcome, ProbeTarget } from './probe.js';
import type { VerdictTiming } from './verdict.js';

/** keepalived's log texts for a checker type's transitions (the check_*.c files' log_message() calls). */
export interface CheckerTexts {
  /** The checker went up (or passed its first check), e.g. `TCP connection to X success.`; '' if
   *  keepalived logs nothing. */
  up(display: string, target: ProbeTarget, checker: Checker): string;
  /** The checker went down; `retries` is the number made (0: none or first run). */
  down(display: string, retries: number, target: ProbeTarget, last: ProbeOutcome, checker: Checker): string;
  /**
   * The body of the SMTP alert for a new verdict (the checker's smtp_alert() call), word for
   * word; `failure` is the failed attempt's reason.
   */
  alert(up: boolean, failure: string | undefined): string;
}

export interface CheckerType<C extends Checker = Checker> {
  readonly type: C['type'];
  readonly texts: CheckerTexts;
  /** A probe for one checker of one real server (one attempt at a time). */
  create(checker: C, target: ProbeTarget, deps: ProbeDeps): Probe;
  /** Retries and delays for verdict.ts, from the checker's settings. */
  timing(checker: C): VerdictTiming;
  /** How long one attempt may take at most by the checker's own limits (the watchdog adds slack). */
  attemptLimitMs(checker: C, vs: VirtualServer): number;
  /**
   * keepalived's `compare` for the type: is `b` (same type, new config) the checker `a` was?
   * What it probes (where, with what timeout, which URLs or script), not how often or how many
   * retries: such a checker keeps its verdict on a reload (migrate_checkers()).
   */
  sameTarget(a: C, b: C): boolean;
  /** The checker as it runs, with what the config gives it from elsewhere (FILE_CHECK's weight). */
  effective?(checker: C, config: Config): C;
  /**
   * The weight a dynamic checker set is an offset from the real server's configured weight, so a
   * reload that changes that weight moves it too (FILE_CHECK); otherwise it is absolute
   * (misc_dynamic: the script's status - 2).
   */
  readonly relativeWeight?: boolean;
}

/** keepalived compare_conn_opts(): destination, source, interface, connect_timeout, fwmark. */
export function sameConnection(a: Checker, b: Checker): boolean {
  return (
    a.connectIp === b.connectIp &&
    a.connectPort === b.connectPort &&
    a.bindTo === b.bindTo &&
    a.bindPort === b.bindPort &&
    a.bindIf === b.bindIf &&
    a.connectTimeoutMs === b.connectTimeoutMs &&
    a.fwmark === b.fwmark
  );
}

/** The usual timing: retries `delay_before_retry` apart; a down checker is tried every delay_loop. */
export function loopTiming(c: Checker): VerdictTiming {
  return {
    retry: c.retry,
    delayBeforeRetryMs: c.delayBeforeRetryMs,
    delayLoopMs: c.delayLoopMs,
    downDelayMs: c.delayLoopMs,
  };
}

/** One connection within connect_timeout is the whole attempt. */
export const connectLimitMs = (c: Checker): number => c.connectTimeoutMs;

/** The alert body most checkers send (check_tcp.c, check_udp.c, check_ping.c): `=> WHAT succeed|failed on service <=`. */
export const alertText =
  (what: string) =>
  (up: boolean): string =>
    `=> ${what} ${up ? 'succeed' : 'failed'} on service <=`;

/** What the reload planner needs of a checker type (the pure part of its definition). */
export type CheckerRules = Pick<CheckerType, 'sameTarget' | 'timing' | 'effective' | 'relativeWeight'>;

/**
 * A real server's checkers as they run: those whose type `rules` knows (the runner warns about
 * the others), each as its type completes it from the config (FILE_CHECK's weight).
 */
export function effectiveCheckers(
  checkers: readonly Checker[],
  config: Config,
  rules: (type: Checker['type']) => CheckerRules | undefined,
): Checker[] {
  const out: Checker[] = [];
  for (const c of checkers) {
    const r = rules(c.type);
    if (r) out.push(r.effective ? r.effective(c, config) : c);
  }
  return out;
}
