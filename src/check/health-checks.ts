/**
 * The checker side of the daemon (keepalived's healthcheckers process): every checker of every
 * real server makes its attempts on its own schedule (checker-run.ts), verdict.ts turns attempts
 * into up/down, pool.ts turns those into table changes with quorum and the sorry server, and
 * pool-effects.ts performs them: the service table, keepalived's log lines, notify scripts and
 * FIFO lines. Each checker type's own rules come from its definition (checker-type.ts).
 *
 * - The first attempt comes after keepalived's 1 s bootstrap delay plus a random part of `warmup`
 *   (check_api.c register_checkers_thread()), so checks of many servers do not all start at once.
 * - ha_suspend: the checkers of such a virtual server run only while its address is on this host
 *   (ha-suspend.ts).
 * - reload(): a new config on SIGHUP; reload-planner.ts says what is kept, restarted, started and
 *   stopped, and Pool.reload() what the table does.
 */
import type { Checker, Config, RealServer, VirtualServer } from '../config/model.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from 'pino';
import { CheckerRun, type ServerSlot } from './checker-run.js';
import { carryStats, countAttempt } from './checker-stats.js';
import { effectiveCheckers, type CheckerType } from './checker-type.js';
import { formatRs, formatService } from './format.js';
import { LocalAddresses, suspendsOn } from './ha-suspend.js';
import { Pool, type PoolEffect, type PoolView, type ReloadMember } from './pool.js';
import { applyPoolEffects, type CheckNotifier } from './pool-effects.js';
import type { ServiceState } from './announce.js';
import type { ProbeDeps, ProbeOutcome, ProbeTarget } from './probe.js';
import {
  planReload,
  virtualServerChanges,
  type CheckReloadReport,
  type ServerPlan,
} from './reload-planner.js';
import { serviceStatus, type VirtualServerStatus } from './status-view.js';
import type { ServiceTable } from './table.js';
import { initialChecker, verdict, type CheckerState } from './verdict.js';

/** keepalived BOOTSTRAP_DELAY: one second before the first attempt. */
const BOOTSTRAP_MS = 1000;

export interface HealthCheckDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly table: ServiceTable;
  readonly notifier: CheckNotifier;
  /** The checker types by keyword (checker-types.ts checkerTypes()); a checker of a type not here is not run. */
  readonly types: ReadonlyMap<string, CheckerType>;
  /** Values of root `track_file`s (FILE_CHECK). */
  readonly trackFileValue: (name: string) => number | undefined;
  /** Addresses on this host at start (for ha_suspend); addressChanged() keeps track after. */
  readonly localAddresses: ReadonlySet<string>;
  /** 0 <= x < 1 (warmup). */
  readonly random: () => number;
  /** `announce_table`: told the quorum states after every change (route-announcer.ts). */
  readonly announcer?: QuorumListener;
}

/** What health-driven route announcement needs from the checkers (RouteAnnouncer). */
export interface QuorumListener {
  update(services: readonly ServiceState[], groups: Config['virtualServerGroups']): void;
  /** The checkers stop; called before the pools empty. */
  stop(): void;
}

/** A running real server: its place in the pool, and its checkers in its config's order. */
interface ServerRun {
  readonly slot: ServerSlot;
  readonly rs: RealServer;
  readonly checkers: CheckerRun[];
}

/** A running virtual server: its pool, and its real servers in its config's order. */
interface ServiceRun {
  readonly vs: VirtualServer;
  readonly pool: Pool;
  readonly servers: ServerRun[];
}

export class HealthChecks {
  private config: Config;
  private services: ServiceRun[];
  private started = false;
  private stopped = false;
  /** A reload is under way: the route announcer hears the outcome once, at its end. */
  private reloading = false;
  private readonly local: LocalAddresses;

  constructor(
    config: Config,
    private readonly deps: HealthCheckDeps,
  ) {
    this.config = config;
    this.services = this.idleServices(config);
    this.local = new LocalAddresses(deps.localAddresses);
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const deps = this.probeDeps();
    const runs: CheckerRun[] = [];
    const down: number[][] = [];
    this.services = this.config.virtualServers.map((vs) => {
      const service: ServiceRun = { vs, pool: new Pool(vs), servers: [] };
      down.push(
        vs.realServers.map((rs, index) => {
          this.warnUnsupported(vs, rs);
          const server = this.newServer(service, rs, index);
          for (const checker of this.checkersOf(rs))
            server.checkers.push(this.newRun(checker, server.slot, initialChecker(checker.alpha), deps));
          runs.push(...server.checkers);
          return server.checkers.filter((x) => !x.state.up).length;
        }),
      );
      return service;
    });
    this.services.forEach((s, v) => this.applyTo(s.vs, s.pool.init(down[v] ?? [])));
    this.announce();
    for (const run of runs) this.activate(run);
  }

  /**
   * A new config (SIGHUP, already validated): keepalived's reload_check_thread() →
   * clear_diff_services(), init_services(), register_checkers_thread(), on the running state.
   * reload-planner.ts pairs what the new config still has (by identity and each type's compare);
   * this performs the plan, gone virtual servers first (clear_diff_services() runs before
   * init_services()):
   * - a virtual server gone: its checkers stop and it leaves the table (`Removing Virtual
   *   Server`, its real servers `Removing service ...` with their down notifies);
   * - of a kept one, real servers gone leave the table (`service ... no longer exist`); kept ones
   *   keep their state (alive, in the table, weight), untouched in the table unless something
   *   about them changed; new ones start as at start-up; its new settings apply (quorum,
   *   hysteresis, sorry server, weights, inhibit_on_failure);
   * - checkers kept run on untouched; restarted ones get a new probe with their verdict and
   *   counters carried over; new ones start (logged, then bootstrap delay and warmup);
   * - a new virtual server starts as at start-up.
   * lb_algo, persistence and the listeners are the dispatcher's (Dispatcher.reload()).
   */
  reload(config: Config): CheckReloadReport {
    const old = this.config;
    if (this.stopped || !this.started) {
      if (!this.stopped) {
        this.config = config;
        this.services = this.idleServices(config);
      }
      return {
        virtualServers: virtualServerChanges(old, config),
        realServers: { kept: 0, added: [], removed: [] },
        checkers: { kept: 0, restarted: 0, started: 0, stopped: 0 },
      };
    }
    // One view per pool: a reload of 10,000 real servers must not build 10,000 views.
    const views = new Map<Pool, PoolView>();
    const alive = ({ slot }: ServerRun): boolean => {
      let view = views.get(slot.pool);
      if (!view) views.set(slot.pool, (view = slot.pool.view()));
      return view.realServers[slot.index]?.alive ?? false;
    };
    const plan = planReload<CheckerRun, ServerRun, ServiceRun>(
      { config: old, services: this.services },
      config,
      { rules: (type) => this.deps.types.get(type), alive },
    );
    this.config = config;
    this.reloading = true;
    const started: CheckerRun[] = [];
    try {
      const deps = this.probeDeps();

      for (const service of plan.removed) {
        for (const server of service.servers) for (const run of server.checkers) run.retire();
        this.applyTo(service.vs, service.pool.retire());
      }

      const kept: CheckerRun[] = [];
      this.services = plan.services.map((p) => {
        const service: ServiceRun = { vs: p.vs, pool: new Pool(p.vs), servers: [] };
        const from = p.from;
        if (from) {
          for (const gone of p.removedServers) {
            for (const run of gone.checkers) run.retire();
            this.applyTo(from.vs, from.pool.removeServer(gone.slot.index));
          }
          this.applyTo(from.vs, from.pool.releaseSorry(p.vs));
        }
        p.servers.forEach((sp, index) => {
          this.warnUnsupported(p.vs, sp.rs);
          this.performServer(sp, this.newServer(service, sp.rs, index), deps, kept, started);
        });
        if (!from) this.applyTo(p.vs, service.pool.init(p.servers.map((s) => s.failed)));
        else {
          const members = p.servers.map((s): ReloadMember =>
            s.from
              ? { old: s.from.slot.index, failed: s.failed, weight: s.weight }
              : { old: null, failed: s.failed },
          );
          this.applyTo(p.vs, service.pool.reload(from.pool, members));
        }
        return service;
      });

      // ha_suspend may have been set or cleared on a kept virtual server.
      for (const run of kept) {
        const enabled = this.local.enabledFor(run.slot.vs);
        if (enabled === run.enabled) continue;
        run.enabled = enabled;
        this.logActivation(run);
        if (enabled) run.schedule(BOOTSTRAP_MS);
        else run.cancel();
      }
    } finally {
      // Whatever happened, the route announcer hears the outcome (a throw must not silence it).
      this.reloading = false;
    }
    this.announce();
    for (const run of started) this.activate(run);
    return plan.report;
  }

  /** ha_suspend: an address of this host appeared or went (a VIP set or removed). */
  addressChanged(address: string, present: boolean): void {
    this.local.changed(address, present);
    for (const run of this.runs()) {
      const vs = run.target.vs;
      if (!suspendsOn(vs, address) || run.enabled === present) continue;
      run.enabled = present;
      this.deps.log.info(
        { event: 'check.activate', rs: formatRs(run.target.rs, vs), vs: vs.display, enabled: present },
        `${present ? 'A' : 'Dea'}ctivating healthchecker for service ${formatRs(run.target.rs, vs)} for VS ${vs.display}`,
      );
      if (present) run.schedule(0);
      else run.cancel();
    }
  }

  /** Stop every checker and clear the table (keepalived clear_services()). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    // Before the pools empty: with --dont-release-ipvs the routes stay (route-announcer.ts).
    this.deps.announcer?.stop();
    for (const run of this.runs()) run.retire();
    for (const s of this.services) this.applyTo(s.vs, s.pool.stop());
  }

  status(): VirtualServerStatus[] {
    return this.services.map((s) => serviceStatus(s.pool, (r) => s.servers[r]?.checkers ?? []));
  }

  /** Pools with no checkers running (before start()). */
  private idleServices(config: Config): ServiceRun[] {
    return config.virtualServers.map((vs) => {
      const service: ServiceRun = { vs, pool: new Pool(vs), servers: [] };
      vs.realServers.forEach((rs, index) => this.newServer(service, rs, index));
      return service;
    });
  }

  private newServer(service: ServiceRun, rs: RealServer, index: number): ServerRun {
    const server: ServerRun = { slot: { vs: service.vs, rs, pool: service.pool, index }, rs, checkers: [] };
    service.servers.push(server);
    return server;
  }

  private *runs(): Generator<CheckerRun> {
    for (const s of this.services) for (const server of s.servers) yield* server.checkers;
  }

  /** One real server of the plan: its checkers kept (moved here), restarted, started or stopped. */
  private performServer(
    plan: ServerPlan<CheckerRun, ServerRun>,
    server: ServerRun,
    deps: ProbeDeps,
    kept: CheckerRun[],
    started: CheckerRun[],
  ): void {
    for (const step of plan.checkers) {
      if (step.kind === 'keep') {
        const run = step.run;
        run.slot = server.slot;
        run.target = this.targetOf(server.slot.vs, server.rs, run.checker);
        server.checkers.push(run);
        kept.push(run);
        continue;
      }
      const run = this.newRun(step.checker, server.slot, step.state, deps);
      if (step.kind === 'restart') {
        // migrate_checkers(): the counters, and the weight a dynamic checker set, carry over.
        carryStats(step.from.stats, run.stats);
        run.dynamicWeight = step.dynamicWeight;
        step.from.retire();
      }
      server.checkers.push(run);
      started.push(run);
    }
    for (const run of plan.stop) run.retire();
  }

  private probeDeps(): ProbeDeps {
    return {
      global: this.config.globalDefs,
      ssl: this.config.ssl,
      trackFileValue: this.deps.trackFileValue,
      log: this.deps.log,
    };
  }

  /** A real server's checkers as they run (unsupported types left out, FILE_CHECK weights resolved). */
  private checkersOf(rs: RealServer): Checker[] {
    return effectiveCheckers(rs.checkers, this.config, (t) => this.deps.types.get(t));
  }

  /** Log the checkers of `rs` keepalived-ts cannot run (a type without a definition). */
  private warnUnsupported(vs: VirtualServer, rs: RealServer): void {
    for (const checker of rs.checkers) {
      if (this.deps.types.has(checker.type)) continue;
      this.deps.log.warn(
        { event: 'check.unsupported', type: checker.type, rs: formatRs(rs, vs) },
        `keepalived-ts: ${checker.type} is not supported - real server ${formatRs(rs, vs)} is not checked by it`,
      );
    }
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

  private newRun(checker: Checker, slot: ServerSlot, state: CheckerState, deps: ProbeDeps): CheckerRun {
    const type = this.deps.types.get(checker.type);
    if (!type) throw new RangeError(`no checker type ${checker.type}`);
    const target = this.targetOf(slot.vs, slot.rs, checker);
    return new CheckerRun(
      checker,
      type,
      type.create(checker, target, deps),
      slot,
      target,
      state,
      this.local.enabledFor(slot.vs),
      { clock: this.deps.clock, judge: (run, outcome, tookMs) => this.judge(run, outcome, tookMs) },
    );
  }

  private logActivation(run: CheckerRun): void {
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
  private activate(run: CheckerRun): void {
    this.logActivation(run);
    const warmup = run.checker.warmupMs > 0 ? this.deps.random() * run.checker.warmupMs : 0;
    if (run.enabled) run.schedule(BOOTSTRAP_MS + warmup);
  }

  private judge(run: CheckerRun, outcome: ProbeOutcome, tookMs: number): void {
    if (this.stopped) return;
    countAttempt(run.stats, outcome, tookMs);
    const { vs, rs } = run.target;
    // Built only for a line that is logged: most attempts change nothing and log nothing.
    const fields = (): { vs: string; rs: string; checker: string; target: string } => ({
      vs: vs.display,
      rs: formatRs(rs, vs),
      checker: run.checker.type,
      target: run.target.display,
    });
    if (!outcome.ok && (run.checker.logAllFailures || this.config.globalDefs.checkerLogAllFailures))
      this.deps.log.info({ event: 'check.attempt', ...fields(), reason: outcome.reason }, outcome.detail);
    const before = run.state;
    const step = verdict(before, outcome.ok, run.timing);
    run.state = step.state;
    const { pool, index } = run.slot;
    const slotVs = run.slot.vs;
    if (outcome.ok && outcome.weight !== undefined && outcome.weight !== run.dynamicWeight) {
      run.dynamicWeight = outcome.weight;
      this.applyTo(slotVs, pool.weight(index, outcome.weight));
    }
    const t = step.transition;
    if (t) {
      const texts = run.type.texts;
      if (t.kind === 'up') {
        // keepalived logs nothing when some checkers (DNS_CHECK) go up: the event still counts.
        const text = texts.up(run.target.display, run.target, run.checker);
        this.deps.log.info(
          { event: 'check.up', ...fields() },
          text || `${run.checker.type} on service ${run.target.display} up`,
        );
      } else {
        const reason = outcome.ok ? undefined : outcome.reason;
        this.deps.log.info(
          { event: 'check.down', ...fields(), ...(reason ? { reason } : {}), retries: t.retries },
          texts.down(run.target.display, t.retries, run.target, outcome, run.checker),
        );
        if (run.dynamicWeight !== undefined) {
          run.dynamicWeight = undefined;
          this.applyTo(slotVs, pool.weight(index, rs.weight));
        }
      }
      const alive = t.kind === 'up';
      const rsWasAlive = pool.view().realServers[index]?.alive;
      this.applyTo(slotVs, pool.checker(index, alive, before.up, !before.hasRun, run.checker.alpha));
      const rsAlive = pool.view().realServers[index]?.alive ?? alive;
      // keepalived mails every change of a checker's verdict for a real server with smtp_alert
      // (its own setting, else its virtual server's), saying whether the server is up: not the
      // first verdict of a checker that started up (non-alpha), which confirms it; with
      // no_checker_emails only a change that took the real server up or down (check_tcp.c).
      if (
        alive !== before.up &&
        (rs.smtpAlert ?? slotVs.smtpAlert) &&
        (rsWasAlive !== rsAlive || !this.config.globalDefs.noCheckerEmails)
      )
        this.deps.notifier.realServerAlert?.(
          formatRs(rs, vs),
          vs.display,
          rsAlive,
          texts.alert(alive, outcome.ok ? undefined : outcome.reason),
        );
    }
    run.schedule(step.nextInMs);
  }

  private applyTo(vs: VirtualServer, effects: readonly PoolEffect[]): void {
    applyPoolEffects(this.deps, vs, effects);
    if (this.started && effects.some((e) => e.kind === 'log' && e.event.startsWith('check.quorum.')))
      this.announce();
  }

  /** The quorum states to the route announcer (announce_table). */
  private announce(): void {
    if (!this.deps.announcer || this.stopped || this.reloading) return;
    this.deps.announcer.update(
      this.services.map((s) => ({ vs: s.vs, up: s.pool.view().quorumUp })),
      this.config.virtualServerGroups,
    );
  }
}
