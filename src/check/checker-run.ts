/**
 * One running checker: its probe on the clock. It makes an attempt when its timer fires, never
 * two at once, and hands each outcome to the runner (health-checks.ts), which judges it and says
 * when to try next. A watchdog aborts a probe that overruns its own time limit by far.
 */
import type { Checker, RealServer, VirtualServer } from '../config/model.js';
import type { Clock, TimerHandle } from '../lib/clock.js';
import { newStats, type CheckerStats } from './checker-stats.js';
import type { CheckerType } from './checker-type.js';
import type { Pool } from './pool.js';
import type { Probe, ProbeOutcome, ProbeTarget } from './probe.js';
import type { PlannerChecker } from './reload-planner.js';
import type { CheckerState, VerdictTiming } from './verdict.js';

/** Extra time a probe gets past its own limit before the watchdog aborts it. */
const WATCHDOG_SLACK_MS = 5000;

/** The real server a checker works for: its place in its virtual server's pool. */
export interface ServerSlot {
  readonly vs: VirtualServer;
  readonly rs: RealServer;
  readonly pool: Pool;
  /** Its index in `vs.realServers` (the pool's member). */
  readonly index: number;
}

export interface RunEnv {
  readonly clock: Clock;
  /** An attempt ended (not cancelled): judge it, taking `tookMs` of clock time. */
  readonly judge: (run: CheckerRun, outcome: ProbeOutcome, tookMs: number) => void;
}

export class CheckerRun implements PlannerChecker {
  readonly timing: VerdictTiming;
  readonly stats: CheckerStats = newStats();
  /** A weight this checker set (misc_dynamic / FILE_CHECK), undone when it goes down. */
  dynamicWeight: number | undefined = undefined;
  private timer: TimerHandle | undefined = undefined;
  private attempting: AbortController | undefined = undefined;

  constructor(
    readonly checker: Checker,
    readonly type: CheckerType,
    private readonly probe: Probe,
    /** Where it belongs; a reload that keeps it moves it to the new config's server. */
    public slot: ServerSlot,
    /** What it checks (the probe's, and the texts'). */
    public target: ProbeTarget,
    public state: CheckerState,
    /** ha_suspend: it runs only while enabled. */
    public enabled: boolean,
    private readonly env: RunEnv,
  ) {
    this.timing = type.timing(checker);
  }

  /** The next attempt in `inMs` (instead of any planned one). */
  schedule(inMs: number): void {
    const { clock } = this.env;
    this.timer?.cancel();
    this.timer = clock.at(clock.now() + inMs, () => {
      this.timer = undefined;
      void this.attempt();
    });
  }

  /** No next attempt; one under way is aborted and not judged. */
  cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.attempting?.abort();
    this.attempting = undefined;
  }

  /** Stopped for good: cancelled and its probe released. */
  retire(): void {
    this.cancel();
    this.probe.close();
  }

  private async attempt(): Promise<void> {
    if (!this.enabled || this.attempting) return;
    const { clock } = this.env;
    const ctl = new AbortController();
    this.attempting = ctl;
    const watchdog = clock.at(
      clock.now() + this.type.attemptLimitMs(this.checker, this.target.vs) + WATCHDOG_SLACK_MS,
      () => ctl.abort(),
    );
    const startedMs = clock.now();
    let outcome: ProbeOutcome;
    try {
      outcome = await this.probe.attempt(ctl.signal);
    } catch (err) {
      // A probe must not throw; if one does, it is a failed attempt, not a dead daemon.
      outcome = { ok: false, reason: 'error', detail: `internal error: ${String(err)}` };
    } finally {
      watchdog.cancel();
    }
    if (this.attempting !== ctl) return; // cancelled (ha_suspend, reload or stop) meanwhile
    this.attempting = undefined;
    if (!this.enabled) return;
    this.env.judge(this, outcome, clock.now() - startedMs);
  }
}
