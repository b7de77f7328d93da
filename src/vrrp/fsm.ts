/**
 * The VRRP state machine of one instance, as a pure step function:
 * `step(router, event, nowMs) → { router, effects, drop? }`.
 *
 * RFC 5798 (VRRPv3) and RFC 3768 (VRRPv2) are the protocol; keepalived 2.2.7 decides where they
 * leave room (vrrp.c vrrp_state_backup(), vrrp_state_master_rx(), vrrp_state_goto_master(),
 * vrrp_state_leave_master(), vrrp_scheduler.c; notes in docs/vrrp.md). The main differences from
 * the RFC, all keepalived's:
 * - every instance starts in BACKUP; only the address owner (255) takes over at once;
 * - a BACKUP never answers and has no address tie-break: it accepts equal priority;
 * - preemption is not immediate: a BACKUP stops accepting lower-priority adverts and takes over
 *   when its Master_Down_Interval runs out (after preempt_delay, counted from the first
 *   lower-priority advert);
 * - a MASTER answers a lower-priority advert and re-sends gratuitous ARPs (garp_lower_prio_*);
 * - priority 0 is sent on shutdown and when a MASTER faults (twice, as keepalived does).
 *
 * Timers are absolute deadlines (`arm {timer, atMs}`), one per name; the driver keeps one handle
 * per name. Durations are milliseconds, to the microsecond (keepalived's Skew_Time is 609.375 ms
 * at priority 100).
 */
import type { IpFamily } from '../lib/ip.js';
import type { GarpSettings } from '../config/model.js';
import { compareIp } from '../lib/ip.js';
import {
  checkAdvert,
  packetDropCounter,
  type InstanceDrop,
  type InstanceDropReason,
} from './advert-check.js';
import type { Advert, PacketDropReason, VrrpVersion } from './packet.js';
import { newStats, type VrrpStats } from './stats.js';
import { masterDownIntervalMs, skewTimeMs } from './timers.js';
import {
  evaluateTracking,
  OWNER_PRIORITY,
  sameTracker,
  trackerKey,
  type FaultCause,
  type TrackedObject,
  type TrackerConfig,
  type TrackerStatus,
} from './tracking.js';

export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP';

/** One handle per name in the driver. */
export type TimerName =
  /** BACKUP: Master_Down_Interval (or Skew_Time after a priority-0 advert) ran out. */
  | 'masterDown'
  /** MASTER: time to advertise. */
  | 'advert'
  /** MASTER: the second GARP burst, garp_master_delay after taking over (one-shot). */
  | 'garpDelay'
  /** MASTER: the second lower-priority GARP burst, garp_lower_prio_delay after it. */
  | 'garpLowerPrio'
  /** MASTER (keepalived-ts): re-announce once the lower-priority router has gone quiet. */
  | 'garpReannounce';

/**
 * keepalived-ts, beyond keepalived: a router that wrongly took over sends its GARP burst about when
 * we answer its advert with ours, and a client can end up pointing at its MAC after it yields
 * (keepalived: blackholed until garp_lower_prio_delay, 5 s). A MASTER therefore announces again
 * this long after the last lower-priority advert it heard, so the LAN's last GARP is its own.
 */
const REANNOUNCE_QUIET_MS = 100;

export interface RouterConfig {
  readonly name: string;
  readonly vrid: number;
  readonly version: VrrpVersion;
  readonly family: IpFamily;
  readonly basePriority: number;
  readonly advertIntervalMs: number;
  /** keepalived's initial wantstate: `state MASTER`, or priority 255. */
  readonly wantMaster: boolean;
  readonly nopreempt: boolean;
  readonly preemptDelayMs: number;
  readonly downTimerAdverts: number;
  readonly garp: GarpSettings;
  readonly lowerPrioNoAdvert: boolean;
  readonly higherPrioSendAdvert: boolean;
  /** The addresses in our adverts (canonical text). */
  readonly vips: readonly string[];
  readonly authType: 0 | 1 | 2;
  readonly password: string;
  readonly skipCheckAdvAddr: boolean;
  readonly unicastPeers: readonly {
    readonly address: string;
    readonly minTtl: number;
    readonly maxTtl: number;
  }[];
  readonly checkUnicastSrc: boolean;
  /** Our advert source address: the equal-priority tie-break compares it (null: FAULT). */
  readonly sourceAddress: string | null;
  readonly trackers: readonly TrackerConfig[];
  /** unicast_fault_no_peer without peers: never runs. */
  readonly configFault: boolean;
  readonly syncGroup: string | null;
}

export interface Router {
  readonly config: RouterConfig;
  readonly state: VrrpState;
  /** keepalived's wantstate: what the instance would do outside a sync group. */
  readonly wantState: 'MASTER' | 'BACKUP' | 'FAULT';
  /** The configured priority, except that an owner meeting another owner drops to 254. */
  readonly basePriority: number;
  readonly effectivePriority: number;
  /** By trackerKey(). */
  readonly trackerStatus: Readonly<Record<string, TrackerStatus>>;
  /** What faults the instance; FAULT while non-empty. */
  readonly faults: readonly FaultCause[];
  /** Weight-0 scripts with no result yet: FAULT (silently) until they report. */
  readonly initScripts: readonly TrackedObject[];
  /** Master_Adver_Interval: learned from the master's adverts in VRRPv3. */
  readonly masterAdverIntervalMs: number;
  readonly masterAddress: string | null;
  readonly masterPriority: number;
  /**
   * The master resigned (a priority-0 advert): the down timer runs Skew_Time, and the takeover
   * when it runs out is 'priority-zero' (keepalived's next_master_reason PRIORITY).
   */
  readonly masterResigned: boolean;
  /** preempt_delay: when lower-priority adverts stop being accepted (null: not started). */
  readonly preemptAtMs: number | null;
  readonly vipSet: boolean;
  readonly garpRefreshAtMs: number | null;
  /** Armed timers (absolute deadlines). */
  readonly timers: Readonly<Partial<Record<TimerName, number>>>;
  readonly stats: Readonly<VrrpStats>;
}

export type Event =
  | { readonly kind: 'start' }
  /** A decoded advert for our VRID, with its IP source and TTL/hop limit. */
  | { readonly kind: 'advert'; readonly advert: Advert; readonly source: string; readonly ttl: number }
  /** A packet for our VRID that the decoder rejected: counted, dropped. */
  | { readonly kind: 'invalid'; readonly reason: PacketDropReason; readonly detail: string }
  /** A timer fired. For masterDown in a sync group: whether the group lets this member take over. */
  | { readonly kind: 'timer'; readonly timer: TimerName; readonly groupAllowsMaster?: boolean }
  | { readonly kind: 'tracker'; readonly tracker: TrackedObject; readonly status: TrackerStatus }
  | { readonly kind: 'shutdown' }
  /**
   * SIGHUP with this instance kept. `trackerStatus` (by trackerKey()) seeds the trackers the
   * instance did not have before (statuses it already has are kept).
   */
  | {
      readonly kind: 'reload';
      readonly config: RouterConfig;
      readonly trackerStatus?: Readonly<Record<string, TrackerStatus>>;
    }
  /** The sync group moves this member (vrrp_sync_master/backup/fault). */
  | { readonly kind: 'sync'; readonly to: 'MASTER' | 'BACKUP' | 'FAULT' };

export type TransitionReason =
  | 'init'
  /** BACKUP → MASTER: the down timer ran out (no advert, or a lower-priority master preempted). */
  | 'master-down'
  /** BACKUP → MASTER: Skew_Time after the master resigned with a priority-0 advert (RFC 5798 §6.4.2). */
  | 'priority-zero'
  | 'higher-priority'
  | 'fault'
  | 'fault-cleared'
  | 'sync'
  | 'shutdown';

/** What a transition's log line and `detail` say, as data (log-text.ts renders it). */
export type TransitionDetail =
  | { readonly kind: 'none' }
  /** What faults the instance, in tracker order (empty: only scripts without a result yet). */
  | { readonly kind: 'faults'; readonly faults: readonly FaultCause[] }
  /** The advert that took a MASTER down (higher priority, or the same from a higher address). */
  | { readonly kind: 'advert'; readonly source: string; readonly priority: number; readonly ours: number }
  /** The sync group that moved this member. */
  | { readonly kind: 'group'; readonly group: string };

/** What keepalived logs that is neither a transition nor a drop, as data (log-text.ts renders it). */
export type Notice =
  /** A MASTER heard a lower priority; `answered`: it sends its advert (not lower_prio_no_advert). */
  | {
      readonly what: 'lower-priority-advert';
      readonly source: string;
      readonly priority: number;
      readonly ours: number;
      readonly answered: boolean;
    }
  | { readonly what: 'priority-zero-received' }
  | { readonly what: 'own-address' }
  | { readonly what: 'owner-conflict' }
  | { readonly what: 'sync-wait'; readonly group: string };

export type Effect =
  | { readonly kind: 'send'; readonly priority: number }
  | { readonly kind: 'arm'; readonly timer: TimerName; readonly atMs: number }
  | { readonly kind: 'cancel'; readonly timer: TimerName }
  | { readonly kind: 'vips'; readonly action: 'add' | 'del' }
  /** A burst of `repeat` rounds of gratuitous ARP / unsolicited NA for every VIP. */
  | { readonly kind: 'garp'; readonly repeat: number }
  /** Unicast: a gratuitous ARP/NA for our own address on leaving FAULT (keepalived). */
  | { readonly kind: 'garpOwnAddress' }
  | {
      readonly kind: 'transition';
      readonly from: VrrpState;
      readonly to: VrrpState;
      readonly reason: TransitionReason;
      readonly detail: TransitionDetail;
      /** keepalived sends no notification (FAULT only because scripts have not run yet). */
      readonly silent: boolean;
    }
  | { readonly kind: 'priority'; readonly from: number; readonly to: number }
  | ({ readonly kind: 'notice' } & Notice);

export type DropReason =
  | PacketDropReason
  | InstanceDropReason
  /** BACKUP: a lower-priority advert while preempting (keepalived logs it). */
  | 'lower-priority'
  /** FAULT, INIT or STOP: adverts are not looked at. */
  | 'not-listening'
  /** A timer or event that does not apply in this state. */
  | 'not-applicable'
  /** The kernel dropped it before we read it: the socket's receive buffer was full (SO_RXQ_OVFL). */
  | 'socket-overflow';

/**
 * A dropped packet or event. What keepalived words (a lower-priority advert, the instance checks)
 * comes as data for log-text.ts; the decoder's rejections and ignored events carry their text.
 */
export type Drop =
  | { readonly reason: 'lower-priority'; readonly source: string; readonly priority: number }
  | InstanceDrop
  | {
      readonly reason: Exclude<DropReason, 'lower-priority' | InstanceDropReason>;
      readonly detail: string;
    };

export interface StepResult {
  readonly router: Router;
  readonly effects: readonly Effect[];
  readonly drop?: Drop;
}

const ALL_TIMERS: readonly TimerName[] = [
  'masterDown',
  'advert',
  'garpDelay',
  'garpLowerPrio',
  'garpReannounce',
];

export function newRouter(config: RouterConfig): Router {
  const tracking = evaluateTracking(config.basePriority, config.trackers, {}, config.configFault);
  return {
    config,
    state: 'INIT',
    wantState: config.wantMaster ? 'MASTER' : 'BACKUP',
    basePriority: config.basePriority,
    effectivePriority: tracking.effectivePriority,
    trackerStatus: {},
    faults: tracking.faults,
    initScripts: tracking.initScripts,
    masterAdverIntervalMs: config.advertIntervalMs,
    masterAddress: null,
    masterPriority: 0,
    masterResigned: false,
    preemptAtMs: null,
    vipSet: false,
    garpRefreshAtMs: null,
    timers: {},
    stats: newStats(),
  };
}

/** Master_Down_Interval with this router's current priority and learned interval. */
function masterDownMs(r: Router): number {
  return masterDownIntervalMs(
    r.config.version,
    r.effectivePriority,
    r.masterAdverIntervalMs,
    r.config.downTimerAdverts,
  );
}

const skewMs = (r: Router): number =>
  skewTimeMs(r.config.version, r.effectivePriority, r.masterAdverIntervalMs);

const NO_DETAIL: TransitionDetail = { kind: 'none' };

const faultDetail = (faults: readonly FaultCause[]): TransitionDetail => ({ kind: 'faults', faults });

/** Tracking's faults, and no source address (the interface has no usable address). */
function faultsOf(config: RouterConfig, tracked: readonly FaultCause[]): readonly FaultCause[] {
  return config.sourceAddress === null ? [...tracked, { kind: 'no-source-address' }] : tracked;
}

/** Accumulates the next router state and the effects of one step. */
class Step {
  effects: Effect[] = [];
  stats: VrrpStats;
  timers: Partial<Record<TimerName, number>>;

  constructor(
    public router: Router,
    readonly now: number,
  ) {
    this.stats = { ...router.stats };
    this.timers = { ...router.timers };
  }

  set(patch: Partial<Omit<Router, 'stats' | 'timers'>>): void {
    this.router = { ...this.router, ...patch };
  }

  arm(timer: TimerName, atMs: number): void {
    this.timers[timer] = atMs;
    this.effects.push({ kind: 'arm', timer, atMs });
  }

  cancel(timer: TimerName): void {
    if (this.timers[timer] === undefined) return;
    delete this.timers[timer];
    this.effects.push({ kind: 'cancel', timer });
  }

  send(priority: number): void {
    this.effects.push({ kind: 'send', priority });
    this.stats.advert_sent++;
  }

  transition(
    to: VrrpState,
    reason: TransitionReason,
    detail: TransitionDetail = NO_DETAIL,
    silent = false,
  ): void {
    this.effects.push({ kind: 'transition', from: this.router.state, to, reason, detail, silent });
    this.set({ state: to, masterResigned: false });
  }

  notice(notice: Notice): void {
    this.effects.push({ kind: 'notice', ...notice });
  }

  done(drop?: Drop): StepResult {
    const router = { ...this.router, stats: this.stats, timers: this.timers };
    return drop ? { router, effects: this.effects, drop } : { router, effects: this.effects };
  }
}

export function step(router: Router, ev: Event, nowMs: number): StepResult {
  const s = new Step(router, nowMs);
  switch (ev.kind) {
    case 'start':
      return start(s);
    case 'advert':
      return advert(s, ev.advert, ev.source, ev.ttl);
    case 'invalid':
      return invalid(s, ev.reason, ev.detail);
    case 'timer':
      return timer(s, ev.timer, ev.groupAllowsMaster);
    case 'tracker':
      return tracker(s, ev.tracker, ev.status);
    case 'shutdown':
      return shutdown(s);
    case 'reload':
      return reload(s, ev.config, ev.trackerStatus ?? {});
    case 'sync':
      return sync(s, ev.to);
  }
}

const notApplicable = (s: Step, what: string): StepResult =>
  s.done({ reason: 'not-applicable', detail: `${what} in state ${s.router.state}` });

/** keepalived vrrp_init_state(): everyone starts in BACKUP; the address owner takes over at once. */
function start(s: Step): StepResult {
  const r = s.router;
  if (r.state !== 'INIT') return notApplicable(s, 'start');
  const tracking = evaluateTracking(r.basePriority, r.config.trackers, r.trackerStatus, r.config.configFault);
  const faults = faultsOf(r.config, tracking.faults);
  s.set({ faults, initScripts: tracking.initScripts, effectivePriority: tracking.effectivePriority });
  // keepalived logs "(VI_1) removing VIPs." at start: whatever an earlier run left is removed.
  s.effects.push({ kind: 'vips', action: 'del' });
  if (
    faults.length === 0 &&
    tracking.initScripts.length === 0 &&
    r.config.wantMaster &&
    r.basePriority === OWNER_PRIORITY
  ) {
    // The owner: BACKUP with a 1 µs down timer, no log, no notification (vrrp_init_state()).
    s.set({ state: 'BACKUP', wantState: 'MASTER' });
    s.arm('masterDown', s.now + 0.001);
    return s.done();
  }
  if (faults.length > 0 || tracking.initScripts.length > 0) {
    s.set({ wantState: 'FAULT' });
    s.transition('FAULT', 'init', faultDetail(faults), faults.length === 0);
    return s.done();
  }
  s.transition('BACKUP', 'init');
  s.arm('masterDown', s.now + masterDownMs(s.router));
  return s.done();
}

/** keepalived vrrp_check_packet() rejected it before the instance checks: a counter, no more. */
function invalid(s: Step, reason: PacketDropReason, detail: string): StepResult {
  const counter = packetDropCounter(reason);
  if (counter) s.stats[counter]++;
  return s.done({ reason, detail });
}

function advert(s: Step, a: Advert, source: string, ttl: number): StepResult {
  const r = s.router;
  if (r.state !== 'BACKUP' && r.state !== 'MASTER') {
    return s.done({ reason: 'not-listening', detail: `advert from ${source} in state ${r.state}` });
  }
  const master = r.state === 'MASTER';
  const check = checkAdvert(a, source, ttl, {
    version: r.config.version,
    authType: r.config.authType,
    password: r.config.password,
    advertIntervalMs: r.config.advertIntervalMs,
    vips: r.config.vips,
    // skip_check_adv_addr: the known master's adverts are not compared (keepalived: BACKUP only).
    checkAddresses: master || !(r.config.skipCheckAdvAddr && source === r.masterAddress),
    peers: r.config.unicastPeers.length > 0 && r.config.checkUnicastSrc ? r.config.unicastPeers : null,
  });
  if (!check.ok) {
    if (check.counter) s.stats[check.counter]++;
    if (check.counted) s.stats.advert_rcvd++;
    // Unlike keepalived (vrrp_dispatcher_read() resets the MASTER's advert timer after every
    // packet for its VRID), a rejected advert leaves the schedule alone: otherwise anyone on the
    // LAN silences the MASTER with one wrong-password advert per interval, and the BACKUP takes
    // over (test/netns/vrrp-fuzz.test.ts).
    return s.done(check.drop);
  }
  s.stats.advert_rcvd++;
  if (a.priority === 0) s.stats.pri_zero_rcvd++;
  return master ? masterReceives(s, a, source) : backupReceives(s, a, source);
}

/** keepalived vrrp_state_backup(). */
function backupReceives(s: Step, a: Advert, source: string): StepResult {
  const r = s.router;
  if (a.priority === 0) {
    // RFC 5798 §6.4.2: the master resigned; take over after Skew_Time.
    s.notice({ what: 'priority-zero-received' });
    s.arm('masterDown', s.now + skewMs(r));
    s.set({ masterResigned: true });
    return s.done();
  }
  const ours = r.effectivePriority;
  const delaying = r.config.preemptDelayMs > 0 && (r.preemptAtMs === null || r.preemptAtMs > s.now);
  if (r.config.nopreempt || a.priority >= ours || delaying) {
    if (r.config.version === 3) s.set({ masterAdverIntervalMs: a.advertIntervalMs });
    let preemptAtMs = r.preemptAtMs;
    if (a.priority >= ours) preemptAtMs = null;
    else if (preemptAtMs === null && r.config.preemptDelayMs > 0)
      preemptAtMs = s.now + r.config.preemptDelayMs;
    s.set({
      masterAddress: source,
      masterPriority: a.priority,
      preemptAtMs,
      wantState: 'BACKUP',
      masterResigned: false,
    });
    s.arm('masterDown', s.now + masterDownMs(s.router));
    return s.done();
  }
  // keepalived: the takeover that follows is preempted, not a resignation.
  s.set({ masterAddress: source, masterResigned: false });
  return s.done({ reason: 'lower-priority', source, priority: a.priority });
}

/** keepalived vrrp_state_master_rx(). */
function masterReceives(s: Step, a: Advert, source: string): StepResult {
  const r = s.router;
  const cmp = r.config.sourceAddress === null ? 0 : compareIp(source, r.config.sourceAddress);
  let ours = r.effectivePriority;
  const rearm = (): void => {
    if (!r.config.lowerPrioNoAdvert) s.arm('advert', s.now + r.config.advertIntervalMs);
  };
  if (
    a.priority === 0 ||
    (r.config.higherPrioSendAdvert && (a.priority > ours || (a.priority === ours && cmp > 0)))
  ) {
    s.send(ours);
  }
  if (a.priority === 0) {
    rearm();
    return s.done();
  }
  if (a.priority === ours) {
    if (cmp === 0) {
      s.notice({ what: 'own-address' });
      rearm();
      return s.done();
    }
    if (ours === OWNER_PRIORITY) {
      s.notice({ what: 'owner-conflict' });
      s.set({ basePriority: OWNER_PRIORITY - 1, effectivePriority: OWNER_PRIORITY - 1 });
      ours = OWNER_PRIORITY - 1;
    }
  }
  if (a.priority < ours || (a.priority === ours && cmp < 0)) {
    s.notice({
      what: 'lower-priority-advert',
      source,
      priority: a.priority,
      ours,
      answered: !r.config.lowerPrioNoAdvert,
    });
    if (!r.config.lowerPrioNoAdvert) s.send(ours);
    if (r.config.garp.lowerPrioRepeat > 0) {
      s.effects.push({ kind: 'garp', repeat: r.config.garp.lowerPrioRepeat });
      if (r.config.garp.lowerPrioDelayMs > 0) s.arm('garpLowerPrio', s.now + r.config.garp.lowerPrioDelayMs);
      // Re-armed by every further lower-priority advert: it fires once that router has yielded.
      s.arm('garpReannounce', s.now + REANNOUNCE_QUIET_MS);
    }
    rearm();
    return s.done();
  }
  // Higher priority, or the same with a higher address: RFC 5798 §6.4.3, become BACKUP.
  if (r.config.version === 3) s.set({ masterAdverIntervalMs: a.advertIntervalMs });
  s.set({ masterPriority: a.priority });
  leaveMaster(s, 'BACKUP', 'higher-priority', { kind: 'advert', source, priority: a.priority, ours }, 0);
  s.set({ wantState: 'BACKUP' });
  return s.done();
}

function timer(s: Step, name: TimerName, groupAllowsMaster: boolean | undefined): StepResult {
  const r = s.router;
  const due = r.timers[name];
  if (due === undefined) return notApplicable(s, `timer ${name} (not armed)`);
  delete s.timers[name];
  switch (name) {
    case 'masterDown':
      if (r.state !== 'BACKUP') return notApplicable(s, 'masterDown');
      s.set({ wantState: 'MASTER' });
      if (r.config.syncGroup !== null && groupAllowsMaster === false) {
        s.notice({ what: 'sync-wait', group: r.config.syncGroup });
        s.arm('masterDown', s.now + masterDownMs(r));
        return s.done();
      }
      gotoMaster(s, r.masterResigned ? 'priority-zero' : 'master-down');
      return s.done();
    case 'advert':
      if (r.state !== 'MASTER') return notApplicable(s, 'advert');
      s.send(r.effectivePriority);
      if (r.vipSet && r.garpRefreshAtMs !== null && s.now > r.garpRefreshAtMs) {
        s.effects.push({ kind: 'garp', repeat: r.config.garp.masterRefreshRepeat });
        s.set({ garpRefreshAtMs: s.now + r.config.garp.masterRefreshMs });
      }
      s.arm('advert', s.now + r.config.advertIntervalMs);
      return s.done();
    case 'garpDelay':
      if (r.vipSet && r.config.garp.masterRepeat > 0)
        s.effects.push({ kind: 'garp', repeat: r.config.garp.masterRepeat });
      return s.done();
    case 'garpLowerPrio':
    case 'garpReannounce':
      if (r.vipSet) s.effects.push({ kind: 'garp', repeat: r.config.garp.lowerPrioRepeat });
      return s.done();
  }
}

/**
 * keepalived vrrp_state_goto_master() + vrrp_state_become_master(): the advert goes first (so
 * the old master drops the VIPs before our GARPs), then the VIPs and a GARP burst.
 */
function gotoMaster(s: Step, reason: TransitionReason, detail: TransitionDetail = NO_DETAIL): void {
  const r = s.router;
  s.cancel('masterDown');
  s.send(r.effectivePriority);
  s.transition('MASTER', reason, detail);
  s.set({ wantState: 'MASTER', vipSet: true, preemptAtMs: null });
  s.effects.push({ kind: 'vips', action: 'add' });
  s.stats.become_master++;
  const g = r.config.garp;
  if (g.masterRepeat > 0) s.effects.push({ kind: 'garp', repeat: g.masterRepeat });
  s.set({ garpRefreshAtMs: g.masterRefreshMs > 0 ? s.now + g.masterRefreshMs : null });
  if (g.masterDelayMs > 0) s.arm('garpDelay', s.now + g.masterDelayMs);
  s.arm('advert', s.now + r.config.advertIntervalMs);
}

/**
 * keepalived vrrp_state_leave_master(): `priorityZero` adverts first (FAULT: 2, shutdown: 1),
 * then the VIPs go.
 */
function leaveMaster(
  s: Step,
  to: 'BACKUP' | 'FAULT',
  reason: TransitionReason,
  detail: TransitionDetail,
  priorityZero: number,
): void {
  for (let i = 0; i < priorityZero; i++) s.send(0);
  s.effects.push({ kind: 'vips', action: 'del' });
  for (const t of ['advert', 'garpDelay', 'garpLowerPrio', 'garpReannounce'] as const) s.cancel(t);
  s.set({ vipSet: false, preemptAtMs: null, garpRefreshAtMs: null });
  s.stats.release_master++;
  s.transition(to, reason, detail);
  if (to === 'BACKUP') s.arm('masterDown', s.now + masterDownMs(s.router));
}

function tracker(s: Step, tracked: TrackedObject, status: TrackerStatus): StepResult {
  const r = s.router;
  const key = trackerKey(tracked);
  if (!r.config.trackers.some((t) => sameTracker(t, tracked)))
    return notApplicable(s, `tracker ${key} (not tracked)`);
  const trackerStatus = { ...r.trackerStatus, [key]: status };
  const t = evaluateTracking(r.basePriority, r.config.trackers, trackerStatus, r.config.configFault);
  const faults = faultsOf(r.config, t.faults);
  const wasDown = r.faults.length > 0 || r.initScripts.length > 0;
  const isDown = faults.length > 0 || t.initScripts.length > 0;
  const oldDown = masterDownMs(r);
  s.set({ trackerStatus, faults, initScripts: t.initScripts });
  if (t.effectivePriority !== r.effectivePriority) {
    s.effects.push({ kind: 'priority', from: r.effectivePriority, to: t.effectivePriority });
    s.set({ effectivePriority: t.effectivePriority });
    // keepalived: a BACKUP's running down timer moves by the change; a MASTER sends nothing now.
    const due = s.timers.masterDown;
    if (r.state === 'BACKUP' && due !== undefined && !isDown)
      s.arm('masterDown', due + (masterDownMs(s.router) - oldDown));
  }
  if (r.state === 'INIT' || r.state === 'STOP') return s.done();
  if (faults.length > 0 && r.faults.length === 0) downInstance(s, faults, r.initScripts.length > 0);
  else if (wasDown && !isDown && r.state === 'FAULT') tryUp(s);
  return s.done();
}

/**
 * keepalived down_instance(): the first fault. `wasSilent`: the instance sat in FAULT only while
 * its scripts had not reported, without a notification; now it gets one.
 */
function downInstance(s: Step, faults: readonly FaultCause[], wasSilent: boolean): void {
  const detail = faultDetail(faults);
  const r = s.router;
  s.set({ wantState: 'FAULT', masterAdverIntervalMs: r.config.advertIntervalMs });
  if (r.state === 'MASTER') {
    // keepalived sends priority 0 twice here; pri_zero_sent counts one of them.
    leaveMaster(s, 'FAULT', 'fault', detail, 2);
    s.stats.pri_zero_sent++;
  } else if (r.state !== 'FAULT' || wasSilent) {
    s.cancel('masterDown');
    s.transition('FAULT', 'fault', detail);
  }
}

/** keepalived try_up_instance() + vrrp_state_leave_fault(). */
function tryUp(s: Step): void {
  const r = s.router;
  s.set({ masterAdverIntervalMs: r.config.advertIntervalMs });
  if (r.config.unicastPeers.length > 0) s.effects.push({ kind: 'garpOwnAddress' });
  if (r.config.wantMaster && r.basePriority === OWNER_PRIORITY && r.wantState !== 'BACKUP') {
    gotoMaster(s, 'fault-cleared');
    return;
  }
  s.set({ wantState: 'BACKUP', preemptAtMs: null });
  s.transition('BACKUP', 'fault-cleared');
  s.arm('masterDown', s.now + masterDownMs(s.router));
}

/** keepalived restore_vrrp_interfaces() + notify_shutdown(): only a MASTER sends priority 0. */
function shutdown(s: Step): StepResult {
  const r = s.router;
  if (r.state === 'STOP') return notApplicable(s, 'shutdown');
  if (r.state === 'MASTER') {
    s.send(0);
    s.stats.pri_zero_sent++;
    s.effects.push({ kind: 'vips', action: 'del' });
    s.set({ vipSet: false });
  }
  for (const t of ALL_TIMERS) s.cancel(t);
  s.transition('STOP', 'shutdown');
  return s.done();
}

/**
 * SIGHUP with this instance kept (keepalived vrrp.c vrrp_complete_init() + restore_vrrp_state(),
 * vrrp_scheduler.c vrrp_init_state()/vrrp_init_instance_sands()): the new config replaces the old
 * one and the state carries over.
 * - Tracker statuses are kept for trackers still configured; `seed` gives the new ones theirs.
 * - A MASTER stays MASTER: its VIPs are made sure of (the driver adds only the missing ones), no
 *   GARP burst, and it advertises at once (reload_master: sands = now); a BACKUP restarts its
 *   down timer.
 * - If the new config faults the instance it goes to FAULT as at run time; a FAULT instance whose
 *   faults are gone comes up as when they clear (keepalived: "Entering BACKUP STATE (init)").
 *   A state that does not change sends no notification.
 */
function reload(s: Step, config: RouterConfig, seed: Readonly<Record<string, TrackerStatus>>): StepResult {
  const r = s.router;
  const trackerStatus: Record<string, TrackerStatus> = {};
  for (const t of config.trackers) {
    const key = trackerKey(t);
    const status = r.trackerStatus[key] ?? seed[key];
    if (status !== undefined) trackerStatus[key] = status;
  }
  const t = evaluateTracking(config.basePriority, config.trackers, trackerStatus, config.configFault);
  const faults = faultsOf(config, t.faults);
  const isDown = faults.length > 0 || t.initScripts.length > 0;
  s.set({
    config,
    basePriority: config.basePriority,
    masterAdverIntervalMs: config.advertIntervalMs,
    trackerStatus,
    faults,
    initScripts: t.initScripts,
    // The down timer starts again at its full length below.
    masterResigned: false,
  });
  if (t.effectivePriority !== r.effectivePriority) {
    s.effects.push({ kind: 'priority', from: r.effectivePriority, to: t.effectivePriority });
    s.set({ effectivePriority: t.effectivePriority });
  }
  if (r.state === 'INIT' || r.state === 'STOP') return s.done();
  if (r.state === 'FAULT') {
    if (!isDown) tryUp(s);
    return s.done();
  }
  if (isDown) {
    downInstance(s, [...faults, ...t.initScripts], false);
    return s.done();
  }
  if (r.state === 'MASTER') {
    s.effects.push({ kind: 'vips', action: 'add' });
    s.send(s.router.effectivePriority);
    s.arm('advert', s.now + config.advertIntervalMs);
    // The refresh schedule runs on; it starts or stops if garp_master_refresh was changed.
    const refreshMs = config.garp.masterRefreshMs;
    s.set({ garpRefreshAtMs: refreshMs > 0 ? (r.garpRefreshAtMs ?? s.now + refreshMs) : null });
  } else {
    s.arm('masterDown', s.now + masterDownMs(s.router));
  }
  return s.done();
}

/** keepalived vrrp_sync_master() / vrrp_sync_backup() / vrrp_sync_fault() on one member. */
function sync(s: Step, to: 'MASTER' | 'BACKUP' | 'FAULT'): StepResult {
  const r = s.router;
  if (r.state === 'STOP' || r.state === to) return notApplicable(s, `sync to ${to}`);
  s.set({ wantState: to });
  const group: TransitionDetail = { kind: 'group', group: r.config.syncGroup ?? '' };
  if (to === 'MASTER') {
    if (r.faults.length > 0) return notApplicable(s, 'sync to MASTER while faulted');
    gotoMaster(s, 'sync', group);
  } else if (to === 'BACKUP') {
    if (r.faults.length > 0) return notApplicable(s, 'sync to BACKUP while faulted');
    if (r.state === 'MASTER') leaveMaster(s, 'BACKUP', 'sync', group, 0);
    else {
      s.set({ preemptAtMs: null, masterAdverIntervalMs: r.config.advertIntervalMs });
      s.transition('BACKUP', 'sync', group);
      s.arm('masterDown', s.now + masterDownMs(s.router));
    }
  } else if (r.state === 'MASTER') {
    // A member faulted: one priority-0 advert, not counted (keepalived vrrp_sync_fault()).
    leaveMaster(s, 'FAULT', 'sync', group, 1);
  } else {
    s.cancel('masterDown');
    s.transition('FAULT', 'sync', group);
  }
  return s.done();
}
