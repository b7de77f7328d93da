/**
 * The checker side of the daemon (keepalived's healthcheckers process): every checker of every
 * real server makes its attempts on its own schedule, verdict.ts turns attempts into up/down,
 * pool.ts turns those into table changes with quorum and the sorry server, and this file performs
 * the effects: the service table, keepalived's log lines, notify scripts and FIFO lines.
 *
 * - The first attempt comes after keepalived's 1 s bootstrap delay plus a random part of `warmup`
 *   (check_api.c register_checkers_thread()), so checks of many servers do not all start at once.
 * - An attempt never overlaps the next one of the same checker; a watchdog aborts a probe that
 *   overruns its own time limit by far.
 * - ha_suspend: the checkers of such a virtual server run only while its address is on this host.
 * - reload(): a new config on SIGHUP; what it still has keeps its state (reload.ts, Pool.reload()).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Checker, Config, RealServer, ScriptSpec, VirtualServer } from '../config/model.js';
import type { Clock, TimerHandle } from '../lib/clock.js';
import type { Logger } from 'pino';
import { formatRs, formatService } from './format.js';
import { Pool, type PoolEffect, type PoolMember, type ReloadMember } from './pool.js';
import type { CheckerType, Probe, ProbeDeps, ProbeOutcome, ProbeTarget } from './probe.js';
import {
  matchBy,
  migrateChecker,
  rsIdentity,
  sameChecker,
  sameCheckTarget,
  settleCheckers,
  vsIdentity,
} from './reload.js';
import type { ServiceTable } from './table.js';
import { initialChecker, verdict, type CheckerState, type VerdictTiming } from './verdict.js';
import { checkerAlertBody } from './alert-body.js';

/** keepalived BOOTSTRAP_DELAY: one second before the first attempt. */
const BOOTSTRAP_MS = 1000;
/** Extra time a probe gets past its own limit before the watchdog aborts it. */
const WATCHDOG_SLACK_MS = 5000;

/**
 * Upper bounds (ms) of the attempt-duration buckets in the status (Prometheus histogram `le`):
 * from a quick TCP connect on the LAN to a MISC_CHECK script near its timeout.
 */
export const CHECK_DURATION_BUCKETS_MS: readonly number[] = [
  5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000,
];

export interface CheckNotifier {
  checkerScript(spec: ScriptSpec, stopping: boolean): void;
  checkerLine(line: string): void;
  /** An SMTP alert for a checker's new verdict (virtual servers with smtp_alert). */
  realServerAlert?(rs: string, vs: string, rsAlive: boolean, body: string): void;
  /** An SMTP alert for a quorum change of a virtual server with smtp_alert. */
  quorumAlert?(vs: string, up: boolean, body: string): void;
  /** A real server came up or went down (`rs`), or the quorum changed (`rs` null): SNMP traps. */
  serviceChanged?(vs: string, rs: string | null): void;
}

export interface HealthCheckDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly table: ServiceTable;
  readonly notifier: CheckNotifier;
  readonly types: ReadonlyMap<string, CheckerType>;
  /** Values of root `track_file`s (FILE_CHECK). */
  readonly trackFileValue: (name: string) => number | undefined;
  /** Addresses on this host at start (for ha_suspend); addressChanged() keeps track after. */
  readonly localAddresses: ReadonlySet<string>;
  /** 0 <= x < 1 (warmup). */
  readonly random: () => number;
}

interface Run {
  /** Indexes in the current config (a reload renumbers a kept checker). */
  vs: number;
  rs: number;
  readonly checker: Checker;
  readonly type: CheckerType;
  readonly probe: Probe;
  target: ProbeTarget;
  readonly timing: VerdictTiming;
  state: CheckerState;
  timer: TimerHandle | undefined;
  attempt: AbortController | undefined;
  enabled: boolean;
  /** A weight this checker set (misc_dynamic / FILE_CHECK dynamic), undone when it goes down. */
  dynamicWeight: number | undefined;
  attempts: number;
  failures: number;
  last: ProbeOutcome | undefined;
  /** Judged attempts by result: `ok` or the failure reason. */
  readonly results: Map<string, number>;
  /** Clock time of judged attempts: count, sum, and counts per CHECK_DURATION_BUCKETS_MS bucket. */
  readonly duration: { count: number; sumMs: number; readonly buckets: number[] };
}

export interface CheckerStatus {
  readonly type: string;
  readonly target: string;
  readonly up: boolean;
  readonly enabled: boolean;
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

export interface VirtualServerStatus {
  readonly name: string;
  readonly quorumUp: boolean;
  readonly sorryActive: boolean;
  readonly liveWeight: number;
  readonly realServers: readonly {
    readonly name: string;
    readonly alive: boolean;
    readonly inTable: boolean;
    readonly weight: number;
    readonly checkers: readonly CheckerStatus[];
  }[];
}

/** How often a FILE_CHECK looks at its (already watched) file; keepalived reacts to each change. */
const FILE_CHECK_POLL_MS = 1000;

function timingOf(c: Checker): VerdictTiming {
  const http = c.type === 'HTTP_GET' || c.type === 'SSL_GET';
  if (c.type === 'FILE_CHECK') {
    // track_file.c: a file checker has no retries; its state follows the file's value.
    const every = Math.min(c.delayLoopMs, FILE_CHECK_POLL_MS);
    return { retry: 0, delayBeforeRetryMs: every, delayLoopMs: every, downDelayMs: every };
  }
  return {
    retry: c.retry,
    delayBeforeRetryMs: c.delayBeforeRetryMs,
    delayLoopMs: c.delayLoopMs,
    downDelayMs: http ? Math.max(c.delayLoopMs, c.delayBeforeRetryMs) : c.delayLoopMs,
  };
}

/** How long one attempt may take at most, by the checker's own limits. */
function attemptLimitMs(c: Checker, vs: VirtualServer): number {
  // misc_timeout 0 (unset) means the virtual server's delay_loop (check_misc.c misc_check_thread()).
  if (c.type === 'MISC_CHECK') return c.timeoutMs > 0 ? c.timeoutMs : vs.delayLoopMs;
  if (c.type === 'HTTP_GET' || c.type === 'SSL_GET') return c.connectTimeoutMs * Math.max(1, c.urls.length);
  // SMTP: connect, greeting, HELO, reply, QUIT, reply: connect_timeout each (check_smtp.c).
  if (c.type === 'SMTP_CHECK') return c.connectTimeoutMs * 6;
  return c.connectTimeoutMs;
}

export class HealthChecks {
  private config: Config;
  private pools: Pool[];
  private runs: Run[] = [];
  private started = false;
  private stopped = false;
  /** Addresses on this host (ha_suspend), as the VIP changes reported them. */
  private readonly local: Set<string>;

  constructor(
    config: Config,
    private readonly deps: HealthCheckDeps,
  ) {
    this.config = config;
    this.pools = config.virtualServers.map((vs) => new Pool(vs));
    this.local = new Set(deps.localAddresses);
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const deps = this.probeDeps();
    this.config.virtualServers.forEach((vs, v) => {
      vs.realServers.forEach((rs, r) => {
        for (const checker of this.checkersOf(rs)) {
          const type = this.typeOf(checker, vs, rs);
          if (type) this.runs.push(this.newRun(v, r, checker, type, deps, initialChecker(checker.alpha)));
        }
      });
    });
    // Checkers that start down, per virtual server and real server (one pass: 10,000 real servers
    // must not cost 10,000 scans of every run).
    const downs = new Map<string, number>();
    for (const x of this.runs)
      if (!x.state.up) downs.set(`${x.vs}/${x.rs}`, (downs.get(`${x.vs}/${x.rs}`) ?? 0) + 1);
    this.pools.forEach((pool, v) => {
      const vs = pool.vs;
      const down = vs.realServers.map((_, r) => downs.get(`${v}/${r}`) ?? 0);
      this.apply(v, pool.init(down));
    });
    for (const run of this.runs) this.activate(run);
  }

  /**
   * A new config (SIGHUP, already validated): keepalived's reload_check_thread() →
   * clear_diff_services(), init_services(), register_checkers_thread(), on the running state.
   * - A virtual server gone: its checkers stop and it leaves the table (`Removing Virtual Server`,
   *   its real servers `Removing service ...` with their down notifies).
   * - A kept virtual server (same key, reload.ts): its real servers gone leave the table (`service
   *   ... no longer exist`); kept ones keep their state (alive, in the table, weight) and are not
   *   touched in the table unless something about them changed; new ones start as at start-up.
   *   Its new settings apply (quorum, hysteresis, sorry server, weights, inhibit_on_failure).
   * - Checkers of a kept real server: with the same settings they run on untouched (state,
   *   retries, schedule, counters); with the same target but other settings (retry, delay_loop,
   *   ...) they restart with their verdict carried over (migrate_checkers()); new ones start
   *   as keepalived starts them on a reload (up, or down if alpha while the server is down).
   * - A new virtual server starts as at start-up.
   * lb_algo, persistence and the listeners are the dispatcher's (Dispatcher.reload()).
   */
  reload(config: Config): CheckReloadReport {
    const old = this.config;
    const vsFrom = matchBy(old.virtualServers, config.virtualServers, vsIdentity);
    const report = {
      virtualServers: { kept: [] as string[], added: [] as string[], removed: [] as string[] },
      realServers: { kept: 0, added: [] as RsName[], removed: [] as RsName[] },
      checkers: { kept: 0, restarted: 0, started: 0, stopped: 0 },
    };
    const keptVs = new Set(vsFrom.filter((o): o is number => o !== null));
    old.virtualServers.forEach((vs, v) => {
      if (!keptVs.has(v)) report.virtualServers.removed.push(vs.display);
    });
    config.virtualServers.forEach((vs, v) => {
      const o = vsFrom[v] ?? null;
      if (o === null) report.virtualServers.added.push(vs.display);
      else report.virtualServers.kept.push(vs.display);
    });
    if (this.stopped) return report;
    this.config = config;
    if (!this.started) {
      this.pools = config.virtualServers.map((vs) => new Pool(vs));
      return report;
    }
    const oldPools = this.pools;
    const oldRuns = this.runs;
    const retire = (run: Run): void => {
      this.cancel(run);
      run.probe.close();
    };

    // Gone virtual servers first (clear_diff_services() runs before init_services()).
    old.virtualServers.forEach((vs, v) => {
      if (keptVs.has(v)) return;
      for (const run of oldRuns) {
        if (run.vs !== v) continue;
        retire(run);
        report.checkers.stopped++;
      }
      const pool = oldPools[v];
      if (pool) this.applyTo(vs, pool.retire());
    });

    const deps = this.probeDeps();
    const pools: Pool[] = [];
    const runs: Run[] = [];
    const started: Run[] = [];
    const kept: Run[] = [];
    config.virtualServers.forEach((vs, v) => {
      const pool = new Pool(vs);
      pools.push(pool);
      const o = vsFrom[v] ?? null;
      const oldVs = o === null ? undefined : old.virtualServers[o];
      const oldPool = o === null ? undefined : oldPools[o];
      if (o === null || !oldVs || !oldPool) {
        const down = vs.realServers.map((rs, r) => {
          const made = this.freshRuns(v, r, vs, rs, deps, (c) => initialChecker(c.alpha));
          runs.push(...made);
          started.push(...made);
          return made.filter((x) => !x.state.up).length;
        });
        this.applyTo(vs, pool.init(down));
        return;
      }
      const rsFrom = matchBy(oldVs.realServers, vs.realServers, rsIdentity);
      const keptRs = new Set(rsFrom.filter((x): x is number => x !== null));
      oldVs.realServers.forEach((rs, r) => {
        if (keptRs.has(r)) return;
        report.realServers.removed.push({ vs: oldVs.display, rs: formatRs(rs, oldVs) });
        for (const run of oldRuns) {
          if (run.vs !== o || run.rs !== r) continue;
          retire(run);
          report.checkers.stopped++;
        }
        this.applyTo(oldVs, oldPool.removeServer(r));
      });
      this.applyTo(oldVs, oldPool.releaseSorry(vs));
      const oldView = oldPool.view();
      const members: ReloadMember[] = vs.realServers.map((rs, r): ReloadMember => {
        const or = rsFrom[r] ?? null;
        const oldRs = or === null ? undefined : oldVs.realServers[or];
        if (or === null || !oldRs) {
          report.realServers.added.push({ vs: vs.display, rs: formatRs(rs, vs) });
          // check_new_rs_state(): a new server's alpha checkers start down, as at start-up.
          const made = this.freshRuns(v, r, vs, rs, deps, (c) => initialChecker(c.alpha));
          runs.push(...made);
          started.push(...made);
          return { old: null, failed: made.filter((x) => !x.state.up).length };
        }
        report.realServers.kept++;
        const previous = oldRuns.filter((x) => x.vs === o && x.rs === or);
        const claimed = new Set<Run>();
        const next: { run: Run; kept: boolean; restarted: boolean }[] = [];
        for (const checker of this.checkersOf(rs)) {
          const type = this.typeOf(checker, vs, rs);
          if (!type) continue;
          const prev = previous.find((x) => !claimed.has(x) && sameCheckTarget(x.checker, checker));
          if (prev) claimed.add(prev);
          if (prev && sameChecker(prev.checker, checker) && this.sameProbeInputs(old, oldVs, oldRs, vs, rs)) {
            prev.vs = v;
            prev.rs = r;
            prev.target = this.targetOf(vs, rs, checker);
            next.push({ run: prev, kept: true, restarted: false });
            continue;
          }
          const state = prev ? migrateChecker(prev.state, timingOf(checker).retry) : initialChecker(false);
          const run = this.newRun(v, r, checker, type, deps, state);
          if (prev) {
            this.carryOver(prev, run, rs.weight - oldRs.weight);
            retire(prev);
          }
          next.push({ run, kept: false, restarted: prev !== undefined });
        }
        for (const x of previous) {
          if (claimed.has(x)) continue;
          retire(x);
          report.checkers.stopped++;
        }
        const states = settleCheckers(
          oldView.realServers[or]?.alive ?? false,
          next.map(({ run, kept }) => ({
            state: run.state,
            kept,
            alpha: run.checker.alpha,
            retry: run.timing.retry,
          })),
        );
        next.forEach((x, i) => {
          x.run.state = states[i] ?? x.run.state;
          runs.push(x.run);
          if (x.kept) kept.push(x.run);
          else started.push(x.run);
          if (x.restarted) report.checkers.restarted++;
        });
        let weight = rs.weight;
        for (const x of next) if (x.run.dynamicWeight !== undefined) weight = x.run.dynamicWeight;
        return { old: or, failed: next.filter((x) => !x.run.state.up).length, weight };
      });
      this.applyTo(vs, pool.reload(oldPool, members));
    });
    report.checkers.kept = kept.length;
    report.checkers.started = started.length - report.checkers.restarted;
    this.pools = pools;
    this.runs = runs;
    // ha_suspend may have been set or cleared on a kept virtual server.
    for (const run of kept) {
      const enabled = this.enabledFor(run.target.vs);
      if (enabled === run.enabled) continue;
      run.enabled = enabled;
      this.logActivation(run);
      if (enabled) this.schedule(run, BOOTSTRAP_MS);
      else this.cancel(run);
    }
    for (const run of started) this.activate(run);
    return report;
  }

  /** ha_suspend: an address of this host appeared or went (a VIP set or removed). */
  addressChanged(address: string, present: boolean): void {
    if (present) this.local.add(address);
    else this.local.delete(address);
    for (const run of this.runs) {
      const vs = run.target.vs;
      if (!vs.haSuspend || !this.matches(vs, address) || run.enabled === present) continue;
      run.enabled = present;
      this.deps.log.info(
        { event: 'check.activate', rs: formatRs(run.target.rs, vs), vs: vs.display, enabled: present },
        `${present ? 'A' : 'Dea'}ctivating healthchecker for service ${formatRs(run.target.rs, vs)} for VS ${vs.display}`,
      );
      if (present) this.schedule(run, 0);
      else this.cancel(run);
    }
  }

  /** Stop every checker and clear the table (keepalived clear_services()). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const run of this.runs) {
      this.cancel(run);
      run.probe.close();
    }
    this.pools.forEach((pool, v) => this.apply(v, pool.stop()));
  }

  status(): VirtualServerStatus[] {
    return this.pools.map((pool, v) => {
      const view = pool.view();
      return {
        name: pool.vs.display,
        quorumUp: view.quorumUp,
        sorryActive: view.sorryActive,
        liveWeight: pool.liveWeight(),
        realServers: pool.vs.realServers.map((rs, r) => ({
          name: formatRs(rs, pool.vs),
          alive: view.realServers[r]?.alive ?? false,
          inTable: view.realServers[r]?.inTable ?? false,
          weight: view.realServers[r]?.weight ?? 0,
          checkers: this.runs
            .filter((x) => x.vs === v && x.rs === r)
            .map((x) => ({
              type: x.checker.type,
              target: x.target.display,
              up: x.state.up,
              enabled: x.enabled,
              attempts: x.attempts,
              failures: x.failures,
              last: x.last ? (x.last.ok ? 'ok' : `${x.last.reason}: ${x.last.detail}`) : null,
              results: Object.fromEntries(x.results),
              duration: {
                count: x.duration.count,
                sumMs: x.duration.sumMs,
                buckets: CHECK_DURATION_BUCKETS_MS.map((leMs, i) => ({
                  leMs,
                  count: x.duration.buckets[i] ?? 0,
                })),
              },
            })),
        })),
      };
    });
  }

  private probeDeps(): ProbeDeps {
    return {
      global: this.config.globalDefs,
      ssl: this.config.ssl,
      trackFileValue: this.deps.trackFileValue,
      log: this.deps.log,
    };
  }

  /** A real server's checkers as they run (FILE_CHECK weights resolved). */
  private checkersOf(rs: RealServer): Checker[] {
    return rs.checkers.map((c) => this.withFileWeight(c));
  }

  /** The checker's type, or undefined (logged) when keepalived-ts cannot run it. */
  private typeOf(checker: Checker, vs: VirtualServer, rs: RealServer): CheckerType | undefined {
    const type = this.deps.types.get(checker.type);
    if (!type) {
      this.deps.log.warn(
        { event: 'check.unsupported', type: checker.type, rs: formatRs(rs, vs) },
        `keepalived-ts: ${checker.type} is not supported - real server ${formatRs(rs, vs)} is not checked by it`,
      );
    }
    return type;
  }

  private targetOf(vs: VirtualServer, rs: RealServer, checker: Checker): ProbeTarget {
    return {
      vs,
      rs,
      display: formatService(
        checker.connectIp,
        vs.key.kind === 'fwmark' ? null : vs.protocol,
        checker.connectPort,
      ),
    };
  }

  /** A checker of real server `r` of virtual server `v` (indexes in the current config). */
  private newRun(
    v: number,
    r: number,
    checker: Checker,
    type: CheckerType,
    deps: ProbeDeps,
    state: CheckerState,
  ): Run {
    const vs = this.config.virtualServers[v];
    const rs = vs?.realServers[r];
    if (!vs || !rs) throw new RangeError(`no real server ${r} in virtual server ${v}`);
    const target = this.targetOf(vs, rs, checker);
    return {
      vs: v,
      rs: r,
      checker,
      type,
      probe: type.create(checker, target, deps),
      target,
      timing: timingOf(checker),
      state,
      timer: undefined,
      attempt: undefined,
      enabled: this.enabledFor(vs),
      dynamicWeight: undefined,
      attempts: 0,
      failures: 0,
      last: undefined,
      results: new Map(),
      duration: { count: 0, sumMs: 0, buckets: CHECK_DURATION_BUCKETS_MS.map(() => 0) },
    };
  }

  private freshRuns(
    v: number,
    r: number,
    vs: VirtualServer,
    rs: RealServer,
    deps: ProbeDeps,
    state: (c: Checker) => CheckerState,
  ): Run[] {
    const out: Run[] = [];
    for (const checker of this.checkersOf(rs)) {
      const type = this.typeOf(checker, vs, rs);
      if (type) out.push(this.newRun(v, r, checker, type, deps, state(checker)));
    }
    return out;
  }

  /**
   * A restarted checker keeps its counters, and the weight a dynamic one set (migrate_misc_check());
   * FILE_CHECK's weight is relative to the configured one, so it moves with it.
   */
  private carryOver(from: Run, to: Run, configuredDelta: number): void {
    to.attempts = from.attempts;
    to.failures = from.failures;
    to.last = from.last;
    for (const [k, n] of from.results) to.results.set(k, n);
    to.duration.count = from.duration.count;
    to.duration.sumMs = from.duration.sumMs;
    from.duration.buckets.forEach((n, i) => (to.duration.buckets[i] = n));
    if (from.dynamicWeight !== undefined)
      to.dynamicWeight = from.dynamicWeight + (to.checker.type === 'FILE_CHECK' ? configuredDelta : 0);
  }

  /** What a probe reads besides its checker is the same: it can go on as it is. */
  private sameProbeInputs(
    old: Config,
    oldVs: VirtualServer,
    oldRs: RealServer,
    vs: VirtualServer,
    rs: RealServer,
  ): boolean {
    const g = this.config.globalDefs;
    return (
      oldVs.display === vs.display &&
      oldVs.virtualhost === vs.virtualhost &&
      oldVs.delayLoopMs === vs.delayLoopMs &&
      oldRs.virtualhost === rs.virtualhost &&
      oldRs.weight === rs.weight &&
      old.globalDefs.enableScriptSecurity === g.enableScriptSecurity &&
      isDeepStrictEqual(old.globalDefs.scriptUser, g.scriptUser) &&
      isDeepStrictEqual(old.ssl, this.config.ssl)
    );
  }

  private enabledFor(vs: VirtualServer): boolean {
    return !vs.haSuspend || this.addressPresent(vs);
  }

  private logActivation(run: Run): void {
    const { vs, rs } = run.target;
    this.deps.log.info(
      {
        event: 'check.activate',
        rs: formatRs(rs, vs),
        vs: vs.display,
        checker: run.checker.type,
        enabled: run.enabled,
      },
      `${run.enabled ? 'A' : 'Dea'}ctivating healthchecker for service ${formatRs(rs, vs)} for VS ${vs.display}`,
    );
  }

  /** register_checkers_thread(): logged, and the first attempt after the bootstrap delay plus warmup. */
  private activate(run: Run): void {
    this.logActivation(run);
    const warmup = run.checker.warmupMs > 0 ? this.deps.random() * run.checker.warmupMs : 0;
    if (run.enabled) this.schedule(run, BOOTSTRAP_MS + warmup);
  }

  /** A FILE_CHECK without its own weight takes its track_file's (keepalived file_end_handler()). */
  private withFileWeight(c: Checker): Checker {
    if (c.type !== 'FILE_CHECK' || c.weight !== null) return c;
    const tf = this.config.trackFiles.find((f) => f.name === c.trackFile);
    return tf ? { ...c, weight: tf.weight, reverse: tf.weightReverse } : c;
  }

  private addressPresent(vs: VirtualServer): boolean {
    return [...this.local].some((a) => this.matches(vs, a));
  }

  private matches(vs: VirtualServer, address: string): boolean {
    return vs.key.kind === 'address' && vs.key.address === address;
  }

  private schedule(run: Run, inMs: number): void {
    run.timer?.cancel();
    run.timer = this.deps.clock.at(this.deps.clock.now() + inMs, () => {
      run.timer = undefined;
      void this.attempt(run);
    });
  }

  private cancel(run: Run): void {
    run.timer?.cancel();
    run.timer = undefined;
    run.attempt?.abort();
    run.attempt = undefined;
  }

  private async attempt(run: Run): Promise<void> {
    if (this.stopped || !run.enabled || run.attempt) return;
    const ctl = new AbortController();
    run.attempt = ctl;
    const watchdog = this.deps.clock.at(
      this.deps.clock.now() + attemptLimitMs(run.checker, run.target.vs) + WATCHDOG_SLACK_MS,
      () => ctl.abort(),
    );
    const startedMs = this.deps.clock.now();
    let outcome: ProbeOutcome;
    try {
      outcome = await run.probe.attempt(ctl.signal);
    } catch (err) {
      // A probe must not throw; if one does, it is a failed attempt, not a dead daemon.
      outcome = { ok: false, reason: 'error', detail: `internal error: ${String(err)}` };
    } finally {
      watchdog.cancel();
    }
    if (run.attempt !== ctl) return; // cancelled (ha_suspend or stop) meanwhile
    run.attempt = undefined;
    if (this.stopped || !run.enabled) return;
    this.judge(run, outcome, this.deps.clock.now() - startedMs);
  }

  private judge(run: Run, outcome: ProbeOutcome, tookMs: number): void {
    run.attempts++;
    run.last = outcome;
    const result = outcome.ok ? 'ok' : outcome.reason;
    run.results.set(result, (run.results.get(result) ?? 0) + 1);
    const d = run.duration;
    d.count++;
    d.sumMs += tookMs;
    // Cumulative, as Prometheus buckets are: an attempt counts in every bucket it fits.
    CHECK_DURATION_BUCKETS_MS.forEach((leMs, i) => {
      if (tookMs <= leMs) d.buckets[i] = (d.buckets[i] ?? 0) + 1;
    });
    const { vs, rs } = run.target;
    const fields = {
      vs: vs.display,
      rs: formatRs(rs, vs),
      checker: run.checker.type,
      target: run.target.display,
    };
    if (!outcome.ok) {
      run.failures++;
      if (run.checker.logAllFailures || this.config.globalDefs.checkerLogAllFailures)
        this.deps.log.info({ event: 'check.attempt', ...fields, reason: outcome.reason }, outcome.detail);
    }
    const before = run.state;
    const step = verdict(before, outcome.ok, run.timing);
    run.state = step.state;
    const pool = this.pools[run.vs];
    if (!pool) return;
    if (outcome.ok && outcome.weight !== undefined && outcome.weight !== run.dynamicWeight) {
      run.dynamicWeight = outcome.weight;
      this.apply(run.vs, pool.weight(run.rs, outcome.weight));
    }
    const t = step.transition;
    if (t) {
      if (t.kind === 'up') {
        // keepalived logs nothing when some checkers (DNS_CHECK) go up: the event still counts.
        const text = run.type.texts.up(run.target.display, run.target, run.checker);
        this.deps.log.info(
          { event: 'check.up', ...fields },
          text || `${run.checker.type} on service ${run.target.display} up`,
        );
      } else {
        const reason = outcome.ok ? undefined : outcome.reason;
        this.deps.log.info(
          { event: 'check.down', ...fields, ...(reason ? { reason } : {}), retries: t.retries },
          run.type.texts.down(run.target.display, t.retries, run.target, outcome, run.checker),
        );
        if (run.dynamicWeight !== undefined) {
          run.dynamicWeight = undefined;
          this.apply(run.vs, pool.weight(run.rs, rs.weight));
        }
      }
      const alive = t.kind === 'up';
      const rsWasAlive = pool.view().realServers[run.rs]?.alive;
      this.apply(run.vs, pool.checker(run.rs, alive, before.up, !before.hasRun, run.checker.alpha));
      const rsAlive = pool.view().realServers[run.rs]?.alive ?? alive;
      // keepalived mails every change of a checker's verdict for a real server with smtp_alert
      // (its own setting, else its virtual server's), saying whether the server is up: not the
      // first verdict of a checker that started up (non-alpha), which confirms it; with
      // no_checker_emails only a change that took the real server up or down (check_tcp.c).
      if (
        alive !== before.up &&
        (rs.smtpAlert ?? this.config.virtualServers[run.vs]?.smtpAlert) &&
        (rsWasAlive !== rsAlive || !this.config.globalDefs.noCheckerEmails)
      )
        this.deps.notifier.realServerAlert?.(
          fields.rs,
          fields.vs,
          rsAlive,
          checkerAlertBody(run.checker.type, alive, outcome.ok ? undefined : outcome.reason),
        );
    }
    this.schedule(run, step.nextInMs);
  }

  private apply(v: number, effects: readonly PoolEffect[]): void {
    const vs = this.config.virtualServers[v];
    if (vs) this.applyTo(vs, effects);
  }

  /** Perform a pool's effects; `vs` is the config its member indexes refer to. */
  private applyTo(vs: VirtualServer, effects: readonly PoolEffect[]): void {
    for (const e of effects) {
      switch (e.kind) {
        case 'set':
          this.deps.table.set(vs, this.destination(vs, e.member), e.weight);
          break;
        case 'remove':
          this.deps.table.remove(vs, this.destination(vs, e.member));
          break;
        case 'log':
          this.deps.log.info({ event: e.event, ...e.fields }, e.msg);
          if (e.event === 'check.rs.up' || e.event === 'check.rs.down')
            this.deps.notifier.serviceChanged?.(
              vs.display,
              typeof e.fields.rs === 'string' ? e.fields.rs : null,
            );
          else if (e.event === 'check.quorum.up' || e.event === 'check.quorum.down') {
            this.deps.notifier.serviceChanged?.(vs.display, null);
            if (vs.smtpAlert) this.quorumMail(vs, e.event === 'check.quorum.up', e.msg, e.fields);
          }
          break;
        case 'script':
          this.deps.notifier.checkerScript(e.script, e.stopping);
          break;
        case 'fifo':
          this.deps.notifier.checkerLine(e.line);
          break;
      }
    }
  }

  /**
   * keepalived's quorum mail body (ipwrapper.c update_quorum_state()): `=> Gained quorum
   * Q+H=T <= W <=`, with "Lost quorum" or "Starting with quorum up/down" as the case is, and the
   * same arithmetic in all four.
   */
  private quorumMail(
    vs: VirtualServer,
    up: boolean,
    msg: string,
    fields: Readonly<Record<string, string | number | boolean>>,
  ): void {
    const what = msg.startsWith('Starting')
      ? `Starting with quorum ${up ? 'up' : 'down'}`
      : up
        ? 'Gained quorum'
        : 'Lost quorum';
    const body = `=> ${what} ${vs.quorum}+${vs.hysteresis}=${String(fields.threshold)} <= ${String(fields.weight)} <=`;
    this.deps.notifier.quorumAlert?.(vs.display, up, body);
  }

  private destination(
    vs: VirtualServer,
    member: PoolMember,
  ): { address: string; port: number; sorry: boolean } {
    if (member === 'sorry') {
      const s = vs.sorryServer;
      return { address: s?.address ?? '', port: s?.port ?? 0, sorry: true };
    }
    const rs: RealServer | undefined = vs.realServers[member];
    return { address: rs?.address ?? '', port: rs?.port ?? 0, sorry: false };
  }
}
