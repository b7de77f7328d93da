/**
 * What a SIGHUP reload does to the running checkers (keepalived 2.2.7 check/ipwrapper.c
 * clear_diff_services(), clear_diff_rs(), migrate_checkers(); check/check_*.c `compare`). Pure:
 * the running virtual servers, real servers and checkers plus the new config in, a plan out;
 * health-checks.ts performs it (the pool's effects, probes started and stopped).
 *
 * - Virtual and real servers are paired by identity (identity.ts), never by position: reordered
 *   servers keep their state, and of two duplicates the first takes the first.
 * - A virtual server gone stops its checkers; a new one starts as at start-up.
 * - Of a kept virtual server, real servers gone stop their checkers; new ones start as at
 *   start-up (alpha checkers down, check_new_rs_state()).
 * - The checkers of a kept real server are paired by their type's compare (sameTarget): the same
 *   settings and the same inputs around them (sameProbeInputs): `keep`, running on untouched;
 *   the same target with other settings: `restart` with the verdict carried over
 *   (migrateChecker()); none: `start`, up as keepalived starts new checkers on a reload. Then
 *   settleCheckers() applies the end of migrate_checkers().
 */
import { isDeepStrictEqual } from 'node:util';
import type { Checker, Config, RealServer, VirtualServer } from '../config/model.js';
import { effectiveCheckers, type CheckerRules } from './checker-type.js';
import { formatRs } from './format.js';
import { matchBy, rsIdentity, vsIdentity } from './identity.js';
import { initialChecker, type CheckerState } from './verdict.js';

/** What the planner reads of a running checker. */
export interface PlannerChecker {
  /** The checker as it runs (effectiveCheckers()). */
  readonly checker: Checker;
  readonly state: CheckerState;
  /** A weight it set (misc_dynamic, FILE_CHECK), or undefined. */
  readonly dynamicWeight: number | undefined;
}

/** A running real server: its config and its checkers. */
export interface PlannerServer<R extends PlannerChecker> {
  readonly rs: RealServer;
  readonly checkers: readonly R[];
}

/** A running virtual server: its config and its real servers, in its config's order. */
export interface PlannerService<S> {
  readonly vs: VirtualServer;
  readonly servers: readonly S[];
}

export interface PlannerEnv<S> {
  /** A checker type's rules, or undefined for a type the runner does not run. */
  readonly rules: (type: Checker['type']) => CheckerRules | undefined;
  /** The running real server is alive (its pool's view). */
  readonly alive: (server: S) => boolean;
}

export type CheckerStep<R> =
  /** The same checker with the same inputs: it runs on untouched (state, schedule, counters). */
  | { readonly kind: 'keep'; readonly run: R }
  /** The same target with other settings: a new probe, with `state` and the counters carried. */
  | {
      readonly kind: 'restart';
      readonly from: R;
      readonly checker: Checker;
      readonly state: CheckerState;
      readonly dynamicWeight: number | undefined;
    }
  /** A new checker. */
  | { readonly kind: 'start'; readonly checker: Checker; readonly state: CheckerState };

export interface ServerPlan<R, S> {
  readonly rs: RealServer;
  /** The same real server running now, or null: a new one. */
  readonly from: S | null;
  /** Its checkers in the new config's order. */
  readonly checkers: readonly CheckerStep<R>[];
  /** Its running checkers the new config no longer has. */
  readonly stop: readonly R[];
  /** How many of its checkers are down after the reload. */
  readonly failed: number;
  /** Its effective weight: the configured one, or what a dynamic checker set. */
  readonly weight: number;
}

export interface ServicePlan<R, S, V> {
  readonly vs: VirtualServer;
  /** The same virtual server running now, or null: a new one. */
  readonly from: V | null;
  /** Real servers of `from` the new config no longer has, in their order. */
  readonly removedServers: readonly S[];
  /** Its real servers in the new config's order. */
  readonly servers: readonly ServerPlan<R, S>[];
}

/** A real server by keepalived's names. */
export interface RsName {
  readonly vs: string;
  readonly rs: string;
}

/** What a reload kept, started and stopped. */
export interface CheckReloadReport {
  readonly virtualServers: {
    readonly kept: readonly string[];
    readonly added: readonly string[];
    readonly removed: readonly string[];
  };
  readonly realServers: {
    readonly kept: number;
    readonly added: readonly RsName[];
    readonly removed: readonly RsName[];
  };
  readonly checkers: {
    /** The same settings: running on, untouched. */
    readonly kept: number;
    /** The same target with other settings: restarted, with its verdict carried over. */
    readonly restarted: number;
    /** New (a new real server, or a new or different target): started as at start-up. */
    readonly started: number;
    readonly stopped: number;
  };
}

export interface CheckReloadPlan<R, S, V> {
  /** Running virtual servers the new config no longer has, in their order. */
  readonly removed: readonly V[];
  /** The new config's virtual servers, in its order. */
  readonly services: readonly ServicePlan<R, S, V>[];
  readonly report: CheckReloadReport;
}

/** The virtual servers a reload keeps, adds and removes (by identity). */
export function virtualServerChanges(old: Config, next: Config): CheckReloadReport['virtualServers'] {
  const from = matchBy(old.virtualServers, next.virtualServers, vsIdentity);
  const kept = new Set(from.filter((o): o is number => o !== null));
  return {
    kept: next.virtualServers.filter((_, v) => from[v] !== null).map((vs) => vs.display),
    added: next.virtualServers.filter((_, v) => from[v] === null).map((vs) => vs.display),
    removed: old.virtualServers.filter((_, v) => !kept.has(v)).map((vs) => vs.display),
  };
}

/** Every setting equal: the checker runs on untouched. */
const sameChecker = (a: Checker, b: Checker): boolean => isDeepStrictEqual(a, b);

/** What a probe reads besides its checker is the same: it can go on as it is. */
function sameProbeInputs(
  old: Config,
  oldVs: VirtualServer,
  oldRs: RealServer,
  next: Config,
  vs: VirtualServer,
  rs: RealServer,
): boolean {
  return (
    oldVs.display === vs.display &&
    oldVs.virtualhost === vs.virtualhost &&
    oldVs.delayLoopMs === vs.delayLoopMs &&
    oldRs.virtualhost === rs.virtualhost &&
    oldRs.weight === rs.weight &&
    old.globalDefs.enableScriptSecurity === next.globalDefs.enableScriptSecurity &&
    isDeepStrictEqual(old.globalDefs.scriptUser, next.globalDefs.scriptUser) &&
    isDeepStrictEqual(old.ssl, next.ssl)
  );
}

/**
 * The state a checker the new config still has (its type's sameTarget) starts with
 * (migrate_checkers()): its verdict if it had one; retries made so far, but at most `retry - 1`
 * of the new `retry` so that one more failure is needed before it goes down, and none when it
 * has no retries any more. One that never reached a verdict starts as a new one does on reload:
 * up, not run.
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

const stepState = <R extends PlannerChecker>(s: CheckerStep<R>): CheckerState =>
  s.kind === 'keep' ? s.run.state : s.state;

const stepChecker = <R extends PlannerChecker>(s: CheckerStep<R>): Checker =>
  s.kind === 'keep' ? s.run.checker : s.checker;

/** A new real server: its checkers start as at start-up (alpha ones down). */
function freshServer<R extends PlannerChecker, S>(
  rs: RealServer,
  next: Config,
  env: PlannerEnv<S>,
): ServerPlan<R, S> {
  const checkers = effectiveCheckers(rs.checkers, next, env.rules).map((checker): CheckerStep<R> => ({
    kind: 'start',
    checker,
    state: initialChecker(checker.alpha),
  }));
  return {
    rs,
    from: null,
    checkers,
    stop: [],
    failed: checkers.filter((s) => !stepState(s).up).length,
    weight: rs.weight,
  };
}

/** A real server of a kept virtual server that was there before: its checkers paired and migrated. */
function keptServer<R extends PlannerChecker, S extends PlannerServer<R>>(
  from: S,
  fromVs: VirtualServer,
  rs: RealServer,
  vs: VirtualServer,
  old: Config,
  next: Config,
  env: PlannerEnv<S>,
): ServerPlan<R, S> {
  const claimed = new Set<R>();
  const inputsSame = sameProbeInputs(old, fromVs, from.rs, next, vs, rs);
  const steps: CheckerStep<R>[] = [];
  for (const checker of effectiveCheckers(rs.checkers, next, env.rules)) {
    const rules = env.rules(checker.type);
    if (!rules) continue;
    const prev = from.checkers.find(
      (x) => !claimed.has(x) && x.checker.type === checker.type && rules.sameTarget(x.checker, checker),
    );
    if (prev) claimed.add(prev);
    if (prev && inputsSame && sameChecker(prev.checker, checker)) {
      steps.push({ kind: 'keep', run: prev });
      continue;
    }
    if (!prev) {
      // keepalived starts a checker new to a running server up (alpha applies in settleCheckers()).
      steps.push({ kind: 'start', checker, state: initialChecker(false) });
      continue;
    }
    // misc_dynamic's weight is absolute; FILE_CHECK's moves with the configured weight.
    const delta = rules.relativeWeight ? rs.weight - from.rs.weight : 0;
    steps.push({
      kind: 'restart',
      from: prev,
      checker,
      state: migrateChecker(prev.state, rules.timing(checker).retry),
      dynamicWeight: prev.dynamicWeight === undefined ? undefined : prev.dynamicWeight + delta,
    });
  }
  const states = settleCheckers(
    env.alive(from),
    steps.map((s) => {
      const checker = stepChecker(s);
      return {
        state: stepState(s),
        kept: s.kind === 'keep',
        alpha: checker.alpha,
        retry: env.rules(checker.type)?.timing(checker).retry ?? 0,
      };
    }),
  );
  const checkers = steps.map((s, i): CheckerStep<R> => {
    const state = states[i] ?? stepState(s);
    return s.kind === 'keep' ? s : { ...s, state };
  });
  let weight = rs.weight;
  for (const s of checkers) {
    const w = s.kind === 'keep' ? s.run.dynamicWeight : s.kind === 'restart' ? s.dynamicWeight : undefined;
    if (w !== undefined) weight = w;
  }
  return {
    rs,
    from,
    checkers,
    stop: from.checkers.filter((x) => !claimed.has(x)),
    failed: checkers.filter((s) => !stepState(s).up).length,
    weight,
  };
}

/**
 * The plan for reloading `next` over the running `services` (of config `old`, in its order).
 * Stopped, kept, restarted and started checkers are counted in the report.
 */
export function planReload<R extends PlannerChecker, S extends PlannerServer<R>, V extends PlannerService<S>>(
  old: { readonly config: Config; readonly services: readonly V[] },
  next: Config,
  env: PlannerEnv<S>,
): CheckReloadPlan<R, S, V> {
  const vsFrom = matchBy(
    old.services.map((s) => s.vs),
    next.virtualServers,
    vsIdentity,
  );
  const keptVs = new Set(vsFrom.filter((o): o is number => o !== null));
  const removed = old.services.filter((_, i) => !keptVs.has(i));
  const realServers = { kept: 0, added: [] as RsName[], removed: [] as RsName[] };
  const services = next.virtualServers.map((vs, v): ServicePlan<R, S, V> => {
    const o = vsFrom[v] ?? null;
    const from = o === null ? undefined : old.services[o];
    if (!from) {
      return {
        vs,
        from: null,
        removedServers: [],
        servers: vs.realServers.map((rs) => freshServer(rs, next, env)),
      };
    }
    const rsFrom = matchBy(
      from.servers.map((s) => s.rs),
      vs.realServers,
      rsIdentity,
    );
    const keptRs = new Set(rsFrom.filter((x): x is number => x !== null));
    const removedServers = from.servers.filter((_, r) => !keptRs.has(r));
    for (const s of removedServers)
      realServers.removed.push({ vs: from.vs.display, rs: formatRs(s.rs, from.vs) });
    const servers = vs.realServers.map((rs, r) => {
      const or = rsFrom[r] ?? null;
      const was = or === null ? undefined : from.servers[or];
      if (!was) {
        realServers.added.push({ vs: vs.display, rs: formatRs(rs, vs) });
        return freshServer<R, S>(rs, next, env);
      }
      realServers.kept++;
      return keptServer<R, S>(was, from.vs, rs, vs, old.config, next, env);
    });
    return { vs, from, removedServers, servers };
  });

  const checkers = { kept: 0, restarted: 0, started: 0, stopped: 0 };
  for (const service of removed) for (const s of service.servers) checkers.stopped += s.checkers.length;
  for (const service of services) {
    for (const s of service.removedServers) checkers.stopped += s.checkers.length;
    for (const server of service.servers) {
      checkers.stopped += server.stop.length;
      for (const step of server.checkers) {
        if (step.kind === 'keep') checkers.kept++;
        else if (step.kind === 'restart') checkers.restarted++;
        else checkers.started++;
      }
    }
  }
  return {
    removed,
    services,
    report: { virtualServers: virtualServerChanges(old.config, next), realServers, checkers },
  };
}
