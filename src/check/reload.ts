/**
 * What a SIGHUP reload keeps on the checker side (keepalived 2.2.7 check/ipwrapper.c
 * clear_diff_services(), clear_diff_rs(), migrate_checkers(); check/check_*.c `compare`). Pure:
 * which virtual servers, real servers and checkers of the new config are the old ones, and the
 * state a carried-over checker starts with. health-checks.ts performs the result.
 *
 * - A virtual server is the same when its key is (vs_iseq(): address, port and protocol; fwmark
 *   and family; group name). The protocol and family are part of the group key too, so two
 *   virtual servers on one group stay apart.
 * - A real server is the same when its address and port are (rs_iseq()).
 * - A checker is the same when its type's `compare` says so: what it probes (where it connects,
 *   with what timeout, which URLs, which script...), not how often or how many retries. Such a
 *   checker keeps its verdict; a checker that is new, or whose compare differs, starts again.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Checker, RealServer, VirtualServer } from '../config/model.js';
import type { CheckerState } from './verdict.js';

/** The key a virtual server is matched by across a reload. */
export function vsIdentity(vs: VirtualServer): string {
  const k = vs.key;
  switch (k.kind) {
    case 'address':
      return `address ${k.address} ${vs.protocol} ${k.port}`;
    case 'fwmark':
      return `fwmark ${k.fwmark} ${vs.family}`;
    case 'group':
      return `group ${k.group} ${vs.protocol} ${vs.family}`;
  }
}

/** The key a real server is matched by within a virtual server. */
export const rsIdentity = (rs: RealServer): string => `${rs.address} ${rs.port}`;

/**
 * For each item of `next`, the index of the same item in `old` (or null: new). Each old item
 * is used once: of two duplicates, the first takes the first.
 */
export function matchBy<T>(old: readonly T[], next: readonly T[], key: (x: T) => string): (number | null)[] {
  const free = new Map<string, number[]>();
  old.forEach((x, i) => {
    const k = key(x);
    const list = free.get(k) ?? [];
    list.push(i);
    free.set(k, list);
  });
  return next.map((x) => free.get(key(x))?.shift() ?? null);
}

/** keepalived compare_conn_opts(): destination, source, interface, connect_timeout, fwmark. */
function sameConnection(a: Checker, b: Checker): boolean {
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

/**
 * keepalived's per-type `compare` (check_tcp.c compare_tcp_check(), check_http.c
 * compare_http_check(), check_misc.c compare_misc_check(), ...): is `b` the checker `a` was?
 * FILE_CHECK has no compare in keepalived, which sets a new one from the file's current value
 * (set_track_file_checkers_down()); the old verdict is that value, so the same file, weight and
 * direction count as the same checker here.
 */
export function sameCheckTarget(a: Checker, b: Checker): boolean {
  switch (a.type) {
    case 'TCP_CHECK':
    case 'UDP_CHECK':
    case 'PING_CHECK':
      return b.type === a.type && sameConnection(a, b);
    case 'HTTP_GET':
    case 'SSL_GET':
      return (
        b.type === a.type &&
        sameConnection(a, b) &&
        a.virtualhost === b.virtualhost &&
        isDeepStrictEqual(a.urls, b.urls)
      );
    case 'SMTP_CHECK':
      return b.type === a.type && sameConnection(a, b) && a.heloName === b.heloName;
    case 'DNS_CHECK':
      return b.type === a.type && sameConnection(a, b) && a.queryType === b.queryType && a.name === b.name;
    case 'MISC_CHECK':
      return b.type === a.type && a.dynamic === b.dynamic && isDeepStrictEqual(a.script, b.script);
    case 'FILE_CHECK':
      return (
        b.type === a.type &&
        a.trackFile === b.trackFile &&
        a.weight === b.weight &&
        a.reverse === b.reverse &&
        a.dynamic === b.dynamic
      );
  }
}

/** Every setting equal: the checker runs on untouched. */
export const sameChecker = (a: Checker, b: Checker): boolean => isDeepStrictEqual(a, b);

/**
 * The state a checker the new config still has (sameCheckTarget) starts with (migrate_checkers()):
 * its verdict if it had one; retries made so far, but at most `retry - 1` of the new `retry` so
 * that one more failure is needed before it goes down, and none when it has no retries any more.
 * One that never reached a verdict starts as a new one does on reload: up, not run.
 */
export function migrateChecker(old: CheckerState, retry: number): CheckerState {
  const retries = old.retries > 0 && retry > 0 ? Math.min(old.retries, retry - 1) : 0;
  return old.hasRun ? { up: old.up, hasRun: true, retries } : { up: true, hasRun: false, retries };
}

export interface ReloadedChecker {
  readonly state: CheckerState;
  /** Kept untouched (sameChecker): its state is not adjusted. */
  readonly kept: boolean;
  readonly alpha: boolean;
  /** Its retry count (the verdict timing's). */
  readonly retry: number;
}

/**
 * The checkers of a kept real server after migration (the end of migrate_checkers()): when one
 * of them has failed, or the server is down and none has run, the ones that have not run yet
 * start down if alpha, and one failure is enough to take them down.
 */
export function settleCheckers(rsAlive: boolean, checkers: readonly ReloadedChecker[]): CheckerState[] {
  const failed = checkers.some((c) => c.state.hasRun && !c.state.up);
  const anyRun = checkers.some((c) => c.state.hasRun);
  if (!failed && (rsAlive || anyRun)) return checkers.map((c) => c.state);
  return checkers.map((c) =>
    c.kept || c.state.hasRun
      ? c.state
      : { up: c.alpha ? false : c.state.up, hasRun: false, retries: c.retry },
  );
}
