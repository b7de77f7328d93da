/**
 * keepalived `--signum=SIGFUNC`: the number of the signal that asks the daemon for SIGFUNC, for
 * scripts such as `kill -s $(keepalived-ts --signum=RELOAD) $(cat /run/keepalived-ts.pid)`.
 * keepalived 2.2.7 lib/signals.c get_signum(): the names are case-sensitive; an unknown one is
 * "Unknown sigfunc NAME" on stderr and exit 1. Pure.
 */

/**
 * Linux numbers; the real-time ones as glibc numbers them (SIGRTMIN 34, SIGRTMAX 64), the same as
 * daemon/dump-signals.ts SIGNAL_JSON and SIGNAL_STATS_CLEAR.
 */
const SIGNUMS: Readonly<Record<string, number>> = {
  /** SIGTERM */
  STOP: 15,
  /** SIGHUP */
  RELOAD: 1,
  /** SIGUSR1: keepalived.data */
  DATA: 10,
  /** SIGUSR2: keepalived.stats */
  STATS: 12,
  /** SIGRTMAX - 1 (lib/signals.h SIGSTATS_CLEAR) */
  STATS_CLEAR: 63,
  /** SIGRTMIN + 2 (lib/signals.h SIGJSON; keepalived built with --enable-json) */
  JSON: 36,
};

/** The number, or null for a name keepalived does not know. */
export function signum(sigfunc: string): number | null {
  return Object.hasOwn(SIGNUMS, sigfunc) ? (SIGNUMS[sigfunc] ?? null) : null;
}
