/**
 * The driver of one vrrp_instance: it owns the state machine's timers on the clock and performs
 * its effects through the ports (docs/architecture.md: one driver per instance). The decisions are all
 * in src/vrrp/fsm.ts; this file only does what they say, in keepalived's order:
 *
 * - adverts go out at once (the advert precedes the VIPs, so the old master lets go first);
 * - VIP changes, GARP bursts and notifications run one after another on an ordered queue, so a
 *   GARP is never sent for an address that is not yet there and `notify_master` runs after the
 *   VIPs are set (keepalived vrrp_state_become_master(): VIPs, GARPs, then notifies);
 * - every state change is one `vrrp.transition` event whose `msg` is keepalived's text.
 */
import type { VrrpInstance } from '../config/model.js';
import type { Clock, TimerHandle } from '../lib/clock.js';
import { formatIp, parseIp } from '../lib/ip.js';
import type { RuleSyntax } from '../config/route-syntax.js';
import type { AddressSpec, Announcer, RouteTable, Rtnl } from '../net/ports.js';
import type { RouteSpec } from '../net/rtnl-routes.js';
import {
  newRouter,
  step,
  type Drop,
  type DropReason,
  type Effect,
  type Event,
  type Router,
  type RouterConfig,
  type TimerName,
  type TransitionDetail,
  type TransitionReason,
  type VrrpState,
} from '../vrrp/fsm.js';
import {
  dropLine,
  noticeLine,
  transitionDetailText,
  transitionLine,
  transitionPreamble,
} from '../vrrp/log-text.js';
import { decodeAdvert, encodeAdvert } from '../vrrp/packet.js';
import type { ReceivedMeta } from '../lib/ip.js';
import { sameTracker, trackerKey, type TrackedObject, type TrackerStatus } from '../vrrp/tracking.js';
import { RateLimitedLog, type Logger } from './log.js';

/** An address to announce after takeover (GARP for IPv4, unsolicited NA for IPv6). */
export interface AnnounceTarget {
  readonly ifindex: number;
  readonly ifname: string;
  readonly mac: Uint8Array;
  readonly family: 'inet' | 'inet6';
  readonly address: string;
  /** IPv6: the NA's router flag (keepalived sets it when the interface forwards). */
  readonly router: boolean;
}

/** Everything about the host that the instance needs, resolved at start-up. */
export interface InstanceWiring {
  readonly inst: VrrpInstance;
  readonly router: RouterConfig;
  readonly ifname: string;
  readonly ifindex: number;
  /** Our advert source (4 or 16 bytes). */
  readonly source: Uint8Array;
  /** Where adverts go: the multicast group, or each unicast peer. */
  readonly destinations: readonly Uint8Array[];
  /** virtual_ipaddress and virtual_ipaddress_excluded, resolved to interfaces. */
  readonly vips: readonly AddressSpec[];
  readonly announce: readonly AnnounceTarget[];
  /** Our own address, announced when leaving FAULT in unicast mode (keepalived). */
  readonly ownAddress: AnnounceTarget | null;
  /** virtual_routes and virtual_rules, set with the VIPs and removed with them. */
  readonly routes?: readonly RouteSpec[];
  readonly rules?: readonly RuleSyntax[];
  /** Lines of virtual_routes/virtual_rules that cannot be applied, and why. */
  readonly routeErrors?: readonly string[];
}

export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';

/**
 * What makes two VIPs the same address across a reload: keepalived compare_ipaddress()
 * (vrrp_ipaddress.c) compares family, address, prefix length, scope, interface and label; a
 * change of anything else (broadcast, peer, flags, lifetimes) keeps the address as it is.
 */
function vipKey(spec: AddressSpec): string {
  return `${spec.family} ${spec.address}/${spec.prefixLength} dev ${spec.index} scope ${spec.scope} label ${spec.label ?? ''}`;
}

/** An address on one interface (leftover clearing must spare what another instance holds). */
export const heldKey = (spec: Pick<AddressSpec, 'index' | 'address'>): string =>
  `${spec.index} ${spec.address}`;

/** notify scripts and FIFO lines (src/daemon/notify.ts). */
export interface InstanceNotifier {
  instance(inst: VrrpInstance, state: NotifyState, priority: number): void;
  /** A MASTER got a lower-priority advert (notify_master_rx_lower_pri, FIFO MASTER_RX_LOWER_PRI). */
  masterRxLowerPri(inst: VrrpInstance, priority: number): void;
  /** The effective priority changed (FIFO MASTER_PRIORITY/BACKUP_PRIORITY with notify_priority_changes). */
  priorityChanged(inst: VrrpInstance, state: NotifyState, priority: number): void;
}

export interface InstancePorts {
  readonly clock: Clock;
  readonly log: Logger;
  readonly rtnl: Rtnl;
  readonly announcer: Announcer;
  readonly notifier: InstanceNotifier;
  /** Put a VRRP message on the wire to `dst`. */
  send(payload: Uint8Array, dst: Uint8Array): void;
  /**
   * Hand over, now, the VRRP messages already waiting on our socket (they come back through
   * receive()). Without it the driver trusts the event loop's order.
   */
  receivePending?(): void;
  /** Addresses this instance just set or removed (the checkers' ha_suspend follows them). */
  vipsChanged?(addresses: readonly string[], present: boolean): void;
  /** keepalived -V/--dont-release-vrrp: a stopping MASTER leaves its VIPs in place. */
  readonly keepVipsOnStop?: boolean;
  /** Where virtual_routes and virtual_rules go (none: they are not applied). */
  readonly routes?: RouteTable;
}

export interface InstanceHooks {
  /** For a sync group member whose down timer ran out: may it take over? (undefined: no group) */
  groupAllowsMaster(name: string): boolean | undefined;
  /** After every state change; `reason` 'sync' when its sync group ordered it. */
  transitioned(name: string, from: VrrpState, to: VrrpState, reason: TransitionReason): void;
}

export class VrrpInstanceDriver {
  private router: Router;
  private readonly timers = new Map<TimerName, TimerHandle>();
  private io: Promise<void> = Promise.resolve();
  private readonly limited: RateLimitedLog;
  private readonly name: string;
  private vipList: string;
  private lastTransition: number | undefined;
  private lastMasterReason: TransitionReason | undefined;
  /** The VIPs this instance has set, by vipKey() (keepalived's per-address `set` flag). */
  private readonly installed = new Map<string, AddressSpec>();
  /** Start-up clearing leaves these alone (addresses another instance holds; see heldKey()). */
  private spare: ReadonlySet<string> = new Set();
  /** Removed by a reload: notify DELETED instead of STOP, and the VIPs go even with -V. */
  private removing = false;
  /** Received packets dropped, by reason: all of them, also those keepalived's counters leave out. */
  private readonly dropCounts: Partial<Record<DropReason, number>> = {};
  private accepted = 0;

  constructor(
    private wired: InstanceWiring,
    private readonly ports: InstancePorts,
    private readonly hooks: InstanceHooks,
  ) {
    this.router = newRouter(wired.router);
    this.name = wired.inst.name;
    this.limited = new RateLimitedLog(() => ports.clock.now());
    this.vipList = wired.vips.map((v) => v.address).join(', ');
  }

  get state(): VrrpState {
    return this.router.state;
  }

  get snapshot(): Router {
    return this.router;
  }

  get wiring(): InstanceWiring {
    return this.wired;
  }

  /** Received packets dropped so far, by reason (the status document's `drops`). */
  get drops(): Readonly<Partial<Record<DropReason, number>>> {
    return this.dropCounts;
  }

  /** Adverts for our VRID that passed every check (the status document's `advertsAccepted`). */
  get advertsAccepted(): number {
    return this.accepted;
  }

  /** Why this instance last became MASTER (SNMP's new-master reason); undefined before it did. */
  get masterReason(): TransitionReason | undefined {
    return this.lastMasterReason;
  }

  /** Clock time of the last state change (keepalived's last_transition); undefined before any. */
  get lastTransitionMs(): number | undefined {
    return this.lastTransition;
  }

  /**
   * V8 compiles a function when it is first called: run the takeover path once on a scratch
   * router (effects discarded, nothing sent) so the first real failover does not pay for it.
   */
  private warmUp(): void {
    let r = step(newRouter(this.wired.router), { kind: 'start' }, 0).router;
    r = step(r, { kind: 'timer', timer: 'masterDown' }, 60_000).router;
    step(r, { kind: 'timer', timer: 'advert' }, 120_000);
    this.encode(r.effectivePriority, this.wired.destinations[0] ?? this.wired.source);
  }

  /**
   * Remove this instance's VIPs left on the interface by a previous run that died without cleaning
   * up (keepalived 2.2.7 vrrp.c: vipset forced on start, then vrrp_restore_interfaces_startup()), so
   * a restarted BACKUP does not answer for the VIP. Addresses that are not there are no error.
   */
  async clearLeftoverVips(
    spare: ReadonlySet<string> = new Set(),
    present?: ReadonlySet<string>,
  ): Promise<void> {
    this.spare = spare;
    const left = this.wired.vips.filter((v) => !spare.has(heldKey(v)) && (present?.has(heldKey(v)) ?? true));
    // keepalived logs its init removal the same way; only said when something was really there.
    if (present && left.length > 0)
      this.ports.log.info(
        {
          event: 'vrrp.vips.removed',
          instance: this.name,
          vips: left.map((v) => v.address).join(', '),
          leftover: true,
        },
        `(${this.name}) removing VIPs.`,
      );
    for (const spec of left) await this.ports.rtnl.deleteAddress(spec).catch(() => undefined);
  }

  /**
   * Start with the trackers' current statuses, by trackerKey() (interfaces up/down, files read so
   * far).
   */
  start(initial: Readonly<Record<string, TrackerStatus>>): void {
    this.warmUp();
    for (const t of this.router.config.trackers) {
      const status = initial[trackerKey(t)];
      if (status !== undefined)
        this.handle({ kind: 'tracker', tracker: { kind: t.kind, name: t.name }, status });
    }
    this.handle({ kind: 'start' });
    // The start's VIP removal is queued before this: from now on every VIP of ours is ours to remove.
    this.enqueue(() => {
      this.spare = new Set();
    });
  }

  /**
   * SIGHUP with this instance kept (keepalived vrrp.c clear_diff_vrrp()): the new wiring and
   * RouterConfig replace the old ones and the state carries over (src/vrrp/fsm.ts reload).
   * - VIPs we had set that the new config no longer has are removed, each logged as keepalived
   *   does (clear_diff_vrrp_vip(): "ip address X/N dev D, no longer exist");
   * - a MASTER adds the VIPs it does not have yet and leaves the others alone (restore_vrrp_state()
   *   adds only addresses not `set`), advertises at once and sends no GARP burst for the VIPs it
   *   kept; when it did add one, the added ones get garp_master_repeat rounds of GARP/NA.
   *   (keepalived 2.2.7 then announces every address of the instance, "a bit over the top" in its
   *   own words; we announce only the new ones.)
   * - trackers it already had keep their status; `seed` gives new ones theirs.
   * Resolves when the VIP changes are done (not the GARPs that follow).
   */
  reload(w: InstanceWiring, seed: Readonly<Record<string, TrackerStatus>>): Promise<void> {
    const next = new Set(w.vips.map(vipKey));
    const gone = [...this.installed]
      .filter(([key]) => !next.has(key))
      .map(([, spec]) => ({
        spec,
        dev: this.wired.announce.find((t) => t.ifindex === spec.index)?.ifname ?? String(spec.index),
      }));
    this.wired = w;
    this.vipList = w.vips.map((v) => v.address).join(', ');
    this.cachedAddresses = undefined;
    if (gone.length > 0) this.enqueue(() => this.dropVips(gone));
    let before: ReadonlySet<string> = new Set();
    this.enqueue(() => {
      before = new Set(this.installed.keys());
    });
    this.handle({ kind: 'reload', config: w.router, trackerStatus: seed });
    // The queue so far; it never rejects (enqueue() logs failures).
    const applied = this.io;
    this.enqueue(async () => {
      if (this.router.state !== 'MASTER') return;
      const added = w.vips.filter((v) => this.installed.has(vipKey(v)) && !before.has(vipKey(v)));
      const targets = w.announce.filter((t) =>
        added.some((v) => v.index === t.ifindex && v.address === t.address),
      );
      if (targets.length > 0) await this.garpBurst(this.router.config.garp.masterRepeat, targets);
    });
    return applied;
  }

  /** The VIPs this instance has set now. */
  installedVips(): readonly AddressSpec[] {
    return [...this.installed.values()];
  }

  tracks(tracker: TrackedObject): boolean {
    return this.router.config.trackers.some((t) => sameTracker(t, tracker));
  }

  tracker(tracker: TrackedObject, status: TrackerStatus): void {
    if (this.tracks(tracker) && this.router.trackerStatus[trackerKey(tracker)] !== status)
      this.handle({ kind: 'tracker', tracker, status });
  }

  sync(to: 'MASTER' | 'BACKUP' | 'FAULT'): void {
    this.handle({ kind: 'sync', to });
  }

  /** A VRRP message for our VRID from the socket. */
  receive(payload: Uint8Array, meta: ReceivedMeta): void {
    const decoded = decodeAdvert(payload, meta);
    const source = formatIp(meta.src);
    if (!decoded.ok) {
      this.handle({ kind: 'invalid', reason: decoded.reason, detail: decoded.detail }, source);
      return;
    }
    if (this.handle({ kind: 'advert', advert: decoded.advert, source, ttl: meta.ttl }, source))
      this.accepted++;
  }

  /**
   * The kernel dropped `count` packets for our VRID because the socket buffer was full (a flood
   * the daemon could not read fast enough): counted as `socket-overflow`, logged at a limited rate.
   */
  overflowed(count: number): void {
    this.dropCounts['socket-overflow'] = (this.dropCounts['socket-overflow'] ?? 0) + count;
    this.limited.maybe('socket-overflow', (suppressed) =>
      this.ports.log.warn(
        { event: 'vrrp.drop', instance: this.name, reason: 'socket-overflow', count, suppressed },
        `(${this.name}) receive buffer full: the kernel dropped ${count} VRRP packet(s)`,
      ),
    );
  }

  /** SIGTERM: priority 0 if MASTER, VIPs removed; resolves when the queue is drained. */
  async shutdown(): Promise<void> {
    this.handle({ kind: 'shutdown' });
    await this.idle();
  }

  /**
   * A reload dropped this instance (keepalived vrrp.c clear_diff_vrrp()): a MASTER sends priority
   * 0 and removes its VIPs, with -V too (vrrp_restore_interface() releases them when
   * DONT_RELEASE_VRRP is set); the notification is DELETED, reported as FAULT unless
   * notify_deleted is set, and none for an instance already in FAULT without notify_deleted.
   * Resolves when the queue is drained; dispose() follows.
   */
  async remove(): Promise<void> {
    this.removing = true;
    await this.shutdown();
  }

  /** Resolves when every queued VIP change, GARP and notification has been done. */
  async idle(): Promise<void> {
    for (;;) {
      const pending = this.io;
      await pending;
      if (pending === this.io) return;
    }
  }

  /** One event through the state machine; `from` is the sender of a received packet. False: dropped. */
  private handle(ev: Event, from?: string): boolean {
    const res = step(this.router, ev, this.ports.clock.now());
    this.router = res.router;
    if (res.drop) {
      if (from !== undefined) this.dropCounts[res.drop.reason] = (this.dropCounts[res.drop.reason] ?? 0) + 1;
      this.logDrop(res.drop, from);
    }
    this.apply(res.effects);
    return res.drop === undefined;
  }

  private logDrop(drop: Drop, from: string | undefined): void {
    const { reason } = drop;
    const where = from === undefined ? {} : { from };
    const msg = dropLine(this.name, drop);
    if (reason === 'not-applicable' || reason === 'not-listening') {
      this.ports.log.debug({ event: 'vrrp.ignored', instance: this.name, reason, ...where }, msg);
      return;
    }
    // Discarding a lower priority while preempting is the protocol working, not bad input.
    const lower = reason === 'lower-priority';
    this.limited.maybe(reason, (suppressed) =>
      this.ports.log[lower ? 'info' : 'warn'](
        { event: lower ? 'vrrp.preempting' : 'vrrp.drop', instance: this.name, reason, ...where, suppressed },
        msg,
      ),
    );
  }

  private apply(effects: readonly Effect[]): void {
    const after: (() => void)[] = [];
    for (const e of effects) {
      switch (e.kind) {
        case 'send':
          this.sendAdvert(e.priority);
          break;
        case 'arm':
          this.arm(e.timer, e.atMs);
          break;
        case 'cancel':
          this.timers.get(e.timer)?.cancel();
          this.timers.delete(e.timer);
          break;
        case 'vips':
          if (
            e.action === 'del' &&
            this.router.state === 'STOP' &&
            this.ports.keepVipsOnStop === true &&
            !this.removing
          ) {
            this.ports.log.info(
              { event: 'vrrp.vips.kept', instance: this.name, vips: this.vipList },
              `(${this.name}) leaving VIPs in place (--dont-release-vrrp)`,
            );
            break;
          }
          this.enqueue(() => this.vips(e.action));
          break;
        case 'garp':
          this.enqueue(() => this.garpBurst(e.repeat));
          break;
        case 'garpOwnAddress':
          if (this.wired.ownAddress) {
            const own = this.wired.ownAddress;
            this.ports.log.info(`${this.name}: sending gratuitous ARP for ${own.address}`);
            this.enqueue(() => this.announceOne(own));
          }
          break;
        case 'transition':
          after.push(this.transition(e.from, e.to, e.reason, e.detail, e.silent));
          break;
        case 'priority': {
          this.ports.log.info(
            { event: 'vrrp.priority', instance: this.name, from: e.from, to: e.to },
            `(${this.name}) Changing effective priority from ${e.from} to ${e.to}`,
          );
          const state = this.router.state;
          if (state === 'MASTER' || state === 'BACKUP' || state === 'FAULT')
            after.push(() =>
              this.enqueue(() => this.ports.notifier.priorityChanged(this.wired.inst, state, e.to)),
            );
          break;
        }
        case 'notice':
          this.ports.log.info(
            { event: 'vrrp.notice', instance: this.name, what: e.what },
            noticeLine(this.name, e),
          );
          if (e.what === 'lower-priority-advert') {
            const priority = this.router.effectivePriority;
            after.push(() =>
              this.enqueue(() => this.ports.notifier.masterRxLowerPri(this.wired.inst, priority)),
            );
          }
          break;
      }
    }
    for (const f of after) f();
  }

  /** Logs the change now; returns what runs after this step's other effects. */
  private transition(
    from: VrrpState,
    to: VrrpState,
    reason: TransitionReason,
    why: TransitionDetail,
    silent: boolean,
  ): () => void {
    const r = this.router;
    if (from !== to) this.lastTransition = this.ports.clock.now();
    if (to === 'MASTER') this.lastMasterReason = reason;
    const preamble = transitionPreamble(this.name, to, reason, why);
    if (preamble !== null) this.ports.log.info(preamble);
    const detail = transitionDetailText(why);
    this.ports.log.info(
      {
        event: 'vrrp.transition',
        instance: this.name,
        from,
        to,
        reason,
        priority: r.effectivePriority,
        ...(detail ? { detail } : {}),
        ...(r.masterAddress ? { master: r.masterAddress } : {}),
      },
      transitionLine(this.name, to, reason),
    );
    return () => {
      if (from === to) return;
      this.hooks.transitioned(this.name, from, to, reason);
      if (!silent && to !== 'INIT') {
        const priority = this.router.effectivePriority;
        const inst = this.wired.inst;
        if (to === 'STOP' && this.removing) {
          if (from !== 'FAULT' || inst.notifyDeleted !== null)
            this.enqueue(() => this.ports.notifier.instance(inst, 'DELETED', priority));
          return;
        }
        this.enqueue(() => this.ports.notifier.instance(inst, to, priority));
      }
    };
  }

  /**
   * One handle per timer. Before the down timer takes a BACKUP to MASTER, the adverts already
   * queued on the socket are read: after SIGSTOP/SIGCONT (or a VM pause, or a long stall) Node
   * runs expired timers before it polls sockets, so the timer would fire although the master's
   * adverts arrived in time, and the BACKUP would take over for a moment, VIPs and GARPs
   * included (chaos harness, test/chaos). keepalived reads ready sockets before it expires
   * timers. An advert read here re-arms (or cancels) the timer: then this expiry is stale.
   */
  private arm(timer: TimerName, atMs: number): void {
    this.timers.get(timer)?.cancel();
    const handle: TimerHandle = this.ports.clock.at(atMs, () => {
      if (timer === 'masterDown' && this.ports.receivePending) {
        this.ports.receivePending();
        if (this.timers.get(timer) !== handle) return;
      }
      this.timers.delete(timer);
      const allows = timer === 'masterDown' ? this.hooks.groupAllowsMaster(this.name) : undefined;
      this.handle({ kind: 'timer', timer, ...(allows === undefined ? {} : { groupAllowsMaster: allows }) });
      if (timer === 'masterDown') this.ports.log.debug(`(${this.name}) Receive advertisement timeout`);
    });
    this.timers.set(timer, handle);
  }

  private encode(priority: number, dst: Uint8Array): Uint8Array {
    const c = this.router.config;
    return encodeAdvert({
      version: c.version,
      vrid: c.vrid,
      priority,
      family: c.family,
      addresses: this.advertAddresses(),
      advertIntervalMs: c.advertIntervalMs,
      authType: c.authType,
      ...(c.authType === 1 ? { authData: passwordBytes(c.password) } : {}),
      src: this.wired.source,
      dst,
    });
  }

  private sendAdvert(priority: number): void {
    for (const dst of this.wired.destinations) this.ports.send(this.encode(priority, dst), dst);
    if (priority === 0) this.ports.log.info(`(${this.name}) sent 0 priority`);
  }

  private cachedAddresses: Uint8Array[] | undefined;

  private advertAddresses(): Uint8Array[] {
    this.cachedAddresses ??= this.router.config.vips.map((v) => ipBytes(v));
    return this.cachedAddresses;
  }

  private enqueue(task: () => void | Promise<void>): void {
    this.io = this.io.then(task).catch((err: unknown) => {
      this.ports.log.error(
        { event: 'vrrp.io-error', instance: this.name, err },
        `(${this.name}) ${(err as Error).message}`,
      );
    });
  }

  /**
   * The addresses first, the log line after: on a takeover every millisecond counts. `add` sets
   * only the VIPs not set yet (keepalived netlink_iplist()); `del` removes them all.
   */
  private async vips(action: 'add' | 'del'): Promise<void> {
    const todo = this.wired.vips.filter((spec) =>
      action === 'add' ? !this.installed.has(vipKey(spec)) : !this.spare.has(heldKey(spec)),
    );
    if (todo.length === 0) {
      if (action === 'add') await this.routesAndRules('add');
      return;
    }
    const failures: string[] = [];
    const done: string[] = [];
    // keepalived vrrp_restore_interface(): rules, then routes, then addresses; the reverse to add
    // (a route may use a VIP as its source).
    if (action === 'del') await this.routesAndRules('del');
    for (const spec of todo) {
      try {
        if (action === 'add') {
          await this.ports.rtnl.addAddress(spec);
          this.installed.set(vipKey(spec), spec);
        } else {
          this.installed.delete(vipKey(spec));
          await this.ports.rtnl.deleteAddress(spec);
        }
        done.push(spec.address);
      } catch (err) {
        failures.push(`${spec.address}: ${(err as Error).message}`);
      }
    }
    if (action === 'add') await this.routesAndRules('add');
    if (done.length > 0) this.ports.vipsChanged?.(done, action === 'add');
    this.ports.log.info(
      {
        event: action === 'add' ? 'vrrp.vips.set' : 'vrrp.vips.removed',
        instance: this.name,
        vips: this.vipList,
      },
      `(${this.name}) ${action === 'add' ? 'setting' : 'removing'} VIPs.`,
    );
    if (failures.length > 0) {
      this.ports.log.error(
        { event: 'vrrp.vips.error', instance: this.name, action, failures },
        `(${this.name}) cannot ${action === 'add' ? 'set' : 'remove'} VIPs: ${failures.join('; ')}`,
      );
    }
  }

  /**
   * virtual_routes and virtual_rules with the VIPs (keepalived vrrp_handle_iproutes(),
   * vrrp_handle_iprules()): added on becoming MASTER, removed on leaving it. A failure is logged
   * and does not stop the others.
   */
  private async routesAndRules(action: 'add' | 'del'): Promise<void> {
    const table = this.ports.routes;
    if (!table) return;
    const routes = this.wired.routes ?? [];
    const rules = this.wired.rules ?? [];
    if (routes.length === 0 && rules.length === 0) return;
    const failures: string[] = [];
    const each = async <T>(items: readonly T[], fn: (x: T) => Promise<void>): Promise<void> => {
      for (const x of items) await fn(x).catch((err: unknown) => failures.push((err as Error).message));
    };
    if (action === 'add') {
      await each(routes, (r) => table.addRoute(r));
      await each(rules, (r) => table.addRule(r));
    } else {
      await each(rules, (r) => table.deleteRule(r));
      await each(routes, (r) => table.deleteRoute(r));
    }
    this.ports.log.info(
      {
        event: action === 'add' ? 'vrrp.routes.set' : 'vrrp.routes.removed',
        instance: this.name,
        routes: routes.length,
        rules: rules.length,
      },
      `(${this.name}) ${action === 'add' ? 'setting' : 'removing'} ${routes.length} virtual route(s) and ${rules.length} rule(s).`,
    );
    if (failures.length > 0)
      this.ports.log.error(
        { event: 'vrrp.routes.error', instance: this.name, action, failures },
        `(${this.name}) cannot ${action === 'add' ? 'set' : 'remove'} virtual routes/rules: ${failures.join('; ')}`,
      );
  }

  /** VIPs a reload dropped from the config (keepalived clear_diff_vrrp_vip()). */
  private async dropVips(gone: readonly { spec: AddressSpec; dev: string }[]): Promise<void> {
    const done: string[] = [];
    for (const { spec, dev } of gone) {
      this.installed.delete(vipKey(spec));
      this.ports.log.info(
        { event: 'vrrp.vips.removed', instance: this.name, vips: spec.address },
        `(${this.name}) ip address ${spec.address}/${spec.prefixLength} dev ${dev}, no longer exist`,
      );
      try {
        await this.ports.rtnl.deleteAddress(spec);
        done.push(spec.address);
      } catch (err) {
        this.ports.log.error(
          { event: 'vrrp.vips.error', instance: this.name, action: 'del', failures: [spec.address] },
          `(${this.name}) cannot remove VIP ${spec.address}: ${(err as Error).message}`,
        );
      }
    }
    if (done.length > 0) this.ports.vipsChanged?.(done, false);
  }

  /**
   * keepalived vrrp_send_link_update(): `repeat` rounds over every address (or `targets`),
   * garp_interval apart. The first frame goes out before the log lines.
   */
  private async garpBurst(repeat: number, targets = this.wired.announce): Promise<void> {
    if (targets.length === 0 || !this.router.vipSet) return;
    const g = this.router.config.garp;
    let logged = false;
    for (let i = 0; i < repeat; i++) {
      for (const t of targets) {
        if (!this.router.vipSet) return;
        this.announceOne(t);
        if (!logged) {
          logged = true;
          this.logBurst(repeat, targets);
        }
        const gap = t.family === 'inet' ? g.intervalMs : g.gnaIntervalMs;
        if (gap > 0) await this.sleep(gap);
      }
    }
  }

  private logBurst(repeat: number, targets: readonly AnnounceTarget[]): void {
    for (const t of targets) {
      const what = t.family === 'inet' ? 'gratuitous ARPs' : 'unsolicited neighbour adverts';
      this.ports.log.info(
        { event: 'vrrp.garp', instance: this.name, interface: t.ifname, address: t.address, repeat },
        `(${this.name}) Sending/queueing ${what} on ${t.ifname} for ${t.address}`,
      );
    }
  }

  private announceOne(t: AnnounceTarget): void {
    if (t.family === 'inet') {
      this.ports.announcer.garp(t.ifindex, t.mac, t.address);
      this.ports.log.debug(`Sending gratuitous ARP on ${t.ifname} for ${t.address}`);
    } else {
      this.ports.announcer.unsolicitedNa(t.ifindex, t.mac, t.address, t.router);
      this.ports.log.debug(`Sending unsolicited Neighbour Advert on ${t.ifname} for ${t.address}`);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.ports.clock.at(this.ports.clock.now() + ms, resolve));
  }

  /** Stop every timer (after shutdown, or when the daemon gives up the instance). */
  dispose(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}

/** A PASS password as the 8 bytes on the wire (RFC 3768 §5.3.10: NUL-padded). */
function passwordBytes(password: string): Uint8Array {
  const out = new Uint8Array(8);
  out.set(Buffer.from(password, 'latin1').subarray(0, 8));
  return out;
}

/** Address text → bytes; the config layer has already checked every address. */
export function ipBytes(address: string): Uint8Array {
  const parsed = parseIp(address);
  if (!parsed) throw new TypeError(`not an IP address: ${address}`);
  return parsed.bytes;
}
