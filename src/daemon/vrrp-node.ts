/**
 * All VRRP instances of one daemon: their sockets (one per interface, family and source, shared by
 * the instances on it and demultiplexed by VRID, like keepalived's socket pool), their sync groups
 * (src/vrrp/sync-group.ts decides), and the trackers that feed them (link events from rtnetlink;
 * script and file results from their runners). reload() applies a new config on SIGHUP.
 */
import type { Config, VrrpInstance, VrrpSyncGroup } from '../config/model.js';
import type { Clock } from '../lib/clock.js';
import { KaError } from '../lib/errors.js';
import { formatIp } from '../lib/ip.js';
import type {
  Announcer,
  LinkInfo,
  ReceivedAdvert,
  RouteTable,
  Rtnl,
  VrrpChannel,
  VrrpSockets,
} from '../net/ports.js';
import { StaticEntries } from './static-entries.js';
import type { VrrpState } from '../vrrp/fsm.js';
import {
  afterMemberTransition,
  groupAfterReload,
  groupAllowsMaster,
  type GroupState,
} from '../vrrp/sync-group.js';
import { trackerKey, type TrackerConfig, type TrackerStatus } from '../vrrp/tracking.js';
import { RateLimitedLog, type Logger } from './log.js';
import { heldKey, VrrpInstanceDriver, type InstanceNotifier, type InstanceWiring } from './vrrp-instance.js';
import { reloadIdentity, wireInstance, type HostView } from './wiring.js';
import { vipChanges, type VrrpPlan } from './reload-plan.js';

/** What a reload did with each instance, by name (disjoint lists). */
export interface VrrpReloadReport {
  /** Same identity (reloadIdentity()): the new settings applied, the state kept. */
  readonly kept: readonly string[];
  /** Same name, another identity: removed, then started anew. */
  readonly changed: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Instances (added or changed) that could not start, e.g. their socket would not open. */
  readonly errors: readonly string[];
}

export interface NodeNotifier extends InstanceNotifier {
  group(group: VrrpSyncGroup, state: GroupState | 'STOP'): void;
}

export interface NodePorts {
  readonly clock: Clock;
  readonly log: Logger;
  readonly rtnl: Rtnl;
  readonly sockets: VrrpSockets;
  readonly announcer: Announcer;
  readonly notifier: NodeNotifier;
  readonly ipv6Forwarding: (ifname: string) => boolean;
  /** VIPs set or removed by any instance (for the checkers' ha_suspend). */
  readonly vipsChanged?: (addresses: readonly string[], present: boolean) => void;
  /** keepalived -V: leave the VIPs in place on stop. */
  readonly keepVipsOnStop?: boolean;
  /** Where virtual_routes/rules and static_routes/rules go (none: not applied). */
  readonly routes?: RouteTable;
  /** Every state change of an instance (the IPVS sync daemon follows its instance's). */
  readonly transitioned?: (instance: string, from: VrrpState, to: VrrpState) => void;
  /** use_vmac interfaces (src/daemon/vmacs.ts); none: use_vmac instances run on their interface. */
  readonly vmacs?: {
    ensure(config: Config): Promise<ReadonlyMap<string, string>>;
    prune(inUse: ReadonlySet<string>): Promise<void>;
    release(): Promise<void>;
  };
}

interface PooledChannel {
  readonly key: string;
  readonly channel: VrrpChannel;
  readonly byVrid: Map<number, VrrpInstanceDriver[]>;
}

/** The channel an instance sends on; a reload may move a kept instance to another one. */
interface Placement {
  pooled: PooledChannel;
}

/** keepalived's `up`: administratively up with carrier. */
const linkStatus = (l: LinkInfo): TrackerStatus => (l.up ? 'up' : 'down');

export class VrrpNode {
  private readonly drivers = new Map<string, VrrpInstanceDriver>();
  private readonly placements = new Map<VrrpInstanceDriver, Placement>();
  private readonly channels: PooledChannel[] = [];
  private readonly groupState = new Map<string, GroupState>();
  private readonly linkState = new Map<string, TrackerStatus>();
  /** The last result of each vrrp_script and track_file, for instances a reload adds. */
  private readonly scriptState = new Map<string, 'up' | 'down'>();
  private readonly fileState = new Map<string, number>();
  private unwatch: (() => void) | undefined;
  private statics: StaticEntries | undefined;
  private readonly limited: RateLimitedLog;
  /** Reloads run one after the other. */
  private reloading: Promise<unknown> = Promise.resolve();
  /** Packets for no instance of ours, or too short to carry a VRID. */
  unknownVrid = 0;

  constructor(
    private config: Config,
    private readonly ports: NodePorts,
  ) {
    this.limited = new RateLimitedLog(() => ports.clock.now());
    for (const g of config.vrrpSyncGroups) this.groupState.set(g.name, 'BACKUP');
  }

  /** Wire every instance to the host and open its socket; throws on what keeps it from running. */
  async start(): Promise<void> {
    const host = await this.hostView(this.config);
    const errors: string[] = [];
    for (const inst of this.config.vrrpInstances) {
      const wired = wireInstance(this.config, inst, host);
      if (!wired.ok) {
        errors.push(wired.error);
        continue;
      }
      for (const e of wired.wiring.routeErrors ?? [])
        this.ports.log.error(
          { event: 'vrrp.routes.error', instance: inst.name },
          `(${inst.name}) not applied: ${e}`,
        );
      this.place(inst, wired.wiring);
    }
    this.statics = StaticEntries.of(this.config, host, this.ports.rtnl, this.ports.routes, this.ports.log);
    await this.statics.set();
    if (errors.length > 0) {
      this.close();
      await this.ports.vmacs?.release();
      throw new KaError('KA_ERR_INTERFACE', errors.join('; '));
    }
    for (const l of host.links) this.linkState.set(l.name, linkStatus(l));
    this.unwatch = this.ports.rtnl.watchLinks((link, deleted) => this.linkChanged(link, deleted));
    const present = await this.ports.rtnl
      .addresses()
      .then((as) => new Set(as.map((a) => heldKey(a))))
      .catch(() => undefined);
    await Promise.all([...this.drivers.values()].map((d) => d.clearLeftoverVips(new Set(), present)));
    for (const d of this.drivers.values()) d.start(this.initialStatuses(d.snapshot.config.trackers, null));
  }

  /**
   * SIGHUP: apply `config` (already validated) to the running instances, keepalived 2.2.7's way
   * (vrrp_daemon.c reload_vrrp_thread(), vrrp.c clear_diff_vrrp()). Instances are paired by name:
   * - same identity (wiring.ts reloadIdentity()): kept; the driver takes the new settings and
   *   keeps its state (a MASTER stays MASTER: no flap, no GARP burst for the VIPs it keeps, VIPs
   *   no longer configured removed, new ones added; no notification unless its state changes);
   * - gone, or another identity: removed as keepalived does (priority 0 from a MASTER, VIPs
   *   removed, notify DELETED), then a changed one starts again like an added one;
   * - added: started as at start-up (pooled socket, leftover VIPs cleared, link statuses), with
   *   the last known vrrp_script/track_file results; a script new in this reload weighs nothing
   *   until its first result (keepalived SCRIPT_INIT_STATE_INIT_RELOAD).
   * Sync groups are rebuilt from the new config: a group whose members are all kept (and the same)
   * keeps its state; any other takes its state from its members (sync-group.ts groupAfterReload()).
   * Sockets no instance uses any more are closed.
   *
   * Nothing changes if an instance of the new config cannot be wired (its interface is missing):
   * that throws and the old config runs on. Reloads are serialised.
   */
  reload(config: Config): Promise<VrrpReloadReport> {
    const run = this.reloading.then(() => this.applyReload(config));
    this.reloading = run.catch(() => undefined);
    return run;
  }

  /**
   * What reload(config) would do with each instance, changing nothing (reload-plan.ts): the same
   * pairing by name and identity as applyReload(). Rejects as reload() would refuse.
   */
  async planReload(config: Config): Promise<VrrpPlan> {
    const host = await this.hostView(config);
    const kept: string[] = [];
    const restarted: string[] = [];
    const problems: string[] = [];
    const wired = new Map<string, InstanceWiring>();
    for (const inst of config.vrrpInstances) {
      const result = wireInstance(config, inst, host);
      if (result.ok) wired.set(inst.name, result.wiring);
      else problems.push(result.error);
    }
    if (problems.length > 0) throw new KaError('KA_ERR_INTERFACE', problems.join('; '));
    const removed: string[] = [];
    for (const [name, d] of this.drivers) {
      const next = wired.get(name);
      if (!next) removed.push(name);
      else if (reloadIdentity(next) === reloadIdentity(d.wiring)) kept.push(name);
      else restarted.push(name);
    }
    const added = config.vrrpInstances.map((i) => i.name).filter((n) => !this.drivers.has(n));
    return { kept, restarted, added, removed, vips: vipChanges(this.config, config, kept) };
  }

  /** A vrrp_script's status changed (src/daemon/vrrp-scripts.ts). */
  scriptStatus(name: string, status: 'up' | 'down'): void {
    this.scriptState.set(name, status);
    for (const d of this.drivers.values()) d.tracker({ kind: 'script', name }, status);
  }

  /** A track_file's value changed (src/daemon/track-files.ts). */
  fileValue(name: string, value: number): void {
    this.fileState.set(name, value);
    for (const d of this.drivers.values()) d.tracker({ kind: 'file', name }, value);
  }

  /** SIGTERM: every instance stops (priority 0 from masters, VIPs removed), then sockets close. */
  async shutdown(): Promise<void> {
    this.unwatch?.();
    this.unwatch = undefined;
    await Promise.all([...this.drivers.values()].map((d) => d.shutdown()));
    for (const g of this.config.vrrpSyncGroups) this.ports.notifier.group(g, 'STOP');
    await this.statics?.remove();
    this.close();
    // keepalived -V leaves the VMACs with the VIPs on them.
    if (!this.ports.keepVipsOnStop) await this.ports.vmacs?.release();
  }

  instances(): readonly VrrpInstanceDriver[] {
    return [...this.drivers.values()];
  }

  groups(): readonly { name: string; state: GroupState; members: readonly string[] }[] {
    return this.config.vrrpSyncGroups.map((g) => ({
      name: g.name,
      state: this.groupState.get(g.name) ?? 'BACKUP',
      members: g.group,
    }));
  }

  private close(): void {
    for (const d of this.drivers.values()) d.dispose();
    for (const c of this.channels) c.channel.close();
    this.channels.length = 0;
  }

  private async applyReload(config: Config): Promise<VrrpReloadReport> {
    const old = this.config;
    const host = await this.hostView(config);
    const wired = new Map<string, { inst: VrrpInstance; w: InstanceWiring }>();
    const problems: string[] = [];
    for (const inst of config.vrrpInstances) {
      const result = wireInstance(config, inst, host);
      if (result.ok) wired.set(inst.name, { inst, w: result.wiring });
      else problems.push(result.error);
    }
    if (problems.length > 0) throw new KaError('KA_ERR_INTERFACE', problems.join('; '));
    // Link events missed while nobody listened (none are expected): the drivers follow.
    for (const l of host.links) this.linkChanged(l, false);
    // Results of scripts and files the new config no longer has are forgotten (one defined again
    // later is new: keepalived frees the old one).
    const scripts = new Set(config.vrrpScripts.map((x) => x.name));
    for (const name of this.scriptState.keys()) if (!scripts.has(name)) this.scriptState.delete(name);
    const files = new Set(config.trackFiles.map((x) => x.name));
    for (const name of this.fileState.keys()) if (!files.has(name)) this.fileState.delete(name);

    const kept: string[] = [];
    const changed: string[] = [];
    const removed: string[] = [];
    for (const [name, d] of this.drivers) {
      const next = wired.get(name);
      if (!next) removed.push(name);
      else if (reloadIdentity(next.w) === reloadIdentity(d.wiring)) kept.push(name);
      else changed.push(name);
    }
    const added = config.vrrpInstances.map((i) => i.name).filter((n) => !this.drivers.has(n));
    const trackedBefore = new Set(
      [...this.drivers.values()].flatMap((d) => d.snapshot.config.trackers.map(trackerKey)),
    );
    this.ports.log.info(
      { event: 'vrrp.reload', kept, changed, added, removed },
      `VRRP reload: ${kept.length} kept, ${changed.length} changed, ${added.length} added, ${removed.length} removed`,
    );

    // Gone first, as on SIGTERM (keepalived clear_diff_vrrp() deletes before it restores).
    const leaving = [...removed, ...changed].flatMap((n) => {
      const d = this.drivers.get(n);
      return d ? [[n, d] as const] : [];
    });
    await Promise.all(leaving.map(([, d]) => d.remove()));
    for (const [name, d] of leaving) {
      d.dispose();
      this.unplace(d);
      this.drivers.delete(name);
    }

    // The new config; groups that keep their members keep their state.
    this.config = config;
    const keptSet = new Set(kept);
    const before = new Map(this.groupState);
    const oldGroups = new Map(old.vrrpSyncGroups.map((g) => [g.name, g]));
    const settled = new Set<string>();
    this.groupState.clear();
    for (const g of config.vrrpSyncGroups) {
      const was = oldGroups.get(g.name);
      if (was && sameMembers(was.group, g.group) && g.group.every((m) => keptSet.has(m))) settled.add(g.name);
      this.groupState.set(g.name, before.get(g.name) ?? 'BACKUP');
    }

    await Promise.all(
      kept.flatMap((name) => {
        const d = this.drivers.get(name);
        const next = wired.get(name);
        if (!d || !next) return [];
        this.move(d, next.w);
        return [d.reload(next.w, this.initialStatuses(next.w.router.trackers, trackedBefore))];
      }),
    );

    // Added and changed instances start as at start-up, in config order.
    const errors: string[] = [];
    const failed = new Set<string>();
    const spare = new Set(kept.flatMap((n) => this.drivers.get(n)?.installedVips().map(heldKey) ?? []));
    const fresh: VrrpInstanceDriver[] = [];
    for (const inst of config.vrrpInstances) {
      const next = wired.get(inst.name);
      if (!next || keptSet.has(inst.name)) continue;
      try {
        fresh.push(this.place(inst, next.w));
      } catch (err) {
        const message = `(${inst.name}) cannot start: ${(err as Error).message}`;
        errors.push(message);
        failed.add(inst.name);
        this.ports.log.error({ event: 'vrrp.reload-error', instance: inst.name, err }, message);
      }
    }
    await Promise.all(fresh.map((d) => d.clearLeftoverVips(spare)));
    for (const d of fresh) d.start(this.initialStatuses(d.snapshot.config.trackers, trackedBefore));

    for (const g of config.vrrpSyncGroups) if (!settled.has(g.name)) this.settleGroup(g);
    this.releaseIdleChannels();
    await this.ports.vmacs?.prune(new Set(host.vmacs?.values() ?? []));
    return {
      kept,
      changed: changed.filter((n) => !failed.has(n)),
      added: added.filter((n) => !failed.has(n)),
      removed,
      errors,
    };
  }

  /**
   * Tracker statuses for an instance that starts or gains trackers: interfaces from the link
   * state (one that does not exist is down: keepalived FAULTs until it appears), scripts and files
   * from their last result, by trackerKey(). `reloadFrom` (the keys of the trackers in use before a
   * reload): a script not among them is 'unknown' until it reports; one that was but has no result
   * yet stays 'init'.
   */
  private initialStatuses(
    trackers: readonly TrackerConfig[],
    reloadFrom: ReadonlySet<string> | null,
  ): Record<string, TrackerStatus> {
    const out: Record<string, TrackerStatus> = {};
    for (const t of trackers) {
      const key = trackerKey(t);
      if (t.kind === 'interface') out[key] = this.linkState.get(t.name) ?? 'down';
      else if (t.kind === 'file') {
        const value = this.fileState.get(t.name);
        if (value !== undefined) out[key] = value;
      } else {
        const status = this.scriptState.get(t.name);
        if (status !== undefined) out[key] = status;
        else if (reloadFrom && !reloadFrom.has(key)) out[key] = 'unknown';
      }
    }
    return out;
  }

  /** A driver on the pooled channel its wiring asks for. */
  private place(inst: VrrpInstance, w: InstanceWiring): VrrpInstanceDriver {
    const placement: Placement = { pooled: this.channelFor(w) };
    const driver = new VrrpInstanceDriver(
      w,
      {
        ...this.ports,
        send: (payload, dst) => placement.pooled.channel.send(payload, dst),
        receivePending: () => placement.pooled.channel.receivePending(w.router.vrid),
      },
      {
        groupAllowsMaster: (name) => this.allowsMaster(name),
        transitioned: (name, from, to, reason) => {
          // Every change reaches the node's listeners (lvs_sync_daemon follows its instance when
          // a sync group moves it too); only an instance's own change moves its group.
          this.ports.transitioned?.(name, from, to);
          if (reason !== 'sync') this.memberTransitioned(name, from, to);
        },
      },
    );
    this.drivers.set(inst.name, driver);
    this.placements.set(driver, placement);
    join(placement.pooled, w.router.vrid, driver);
    return driver;
  }

  /** A kept instance whose source or interface index changed moves to the matching channel. */
  private move(d: VrrpInstanceDriver, w: InstanceWiring): void {
    const placement = this.placements.get(d);
    if (!placement || placement.pooled.key === channelKey(w)) return;
    let pooled: PooledChannel;
    try {
      pooled = this.channelFor(w);
      join(pooled, w.router.vrid, d);
    } catch (err) {
      this.ports.log.error(
        { event: 'vrrp.reload-error', instance: w.inst.name, err },
        `(${w.inst.name}) cannot open its new socket, keeping the old one: ${(err as Error).message}`,
      );
      return;
    }
    leave(placement.pooled, w.router.vrid, d);
    placement.pooled = pooled;
  }

  private unplace(d: VrrpInstanceDriver): void {
    const placement = this.placements.get(d);
    if (!placement) return;
    leave(placement.pooled, d.snapshot.config.vrid, d);
    this.placements.delete(d);
  }

  /** keepalived vrrp_dispatcher_release(): a socket no instance uses any more is closed. */
  private releaseIdleChannels(): void {
    for (let i = this.channels.length - 1; i >= 0; i--) {
      const c = this.channels[i];
      if (!c || c.byVrid.size > 0) continue;
      c.channel.close();
      this.channels.splice(i, 1);
    }
  }

  /** A sync group the reload made or changed: its state from its members. */
  private settleGroup(g: VrrpSyncGroup): void {
    const now = this.groupState.get(g.name) ?? 'BACKUP';
    const result = groupAfterReload(this.members(g).map((d) => d.snapshot));
    this.groupState.set(g.name, result.group);
    if (result.group !== now) {
      this.ports.log.info(
        { event: 'vrrp.group', group: g.name, from: now, to: result.group },
        `VRRP_Group(${g.name}) Syncing instances to ${result.group} state`,
      );
      this.ports.notifier.group(g, result.group);
    }
    for (const o of result.orders) this.drivers.get(o.member)?.sync(o.to);
  }

  private async hostView(config: Config): Promise<HostView> {
    const vmacs = (await this.ports.vmacs?.ensure(config)) ?? new Map<string, string>();
    const needsLinkLocal = config.vrrpInstances.some((i) => i.family === 'inet6' && i.sourceAddress === null);
    let [links, addresses] = await Promise.all([this.ports.rtnl.links(), this.ports.rtnl.addresses()]);
    // A fresh interface has no IPv6 link-local address until DAD ends (~1-2 s): wait for it.
    for (let waited = 0; needsLinkLocal && waited < 5000; waited += 100) {
      const missing = config.vrrpInstances.some((i) => {
        if (i.family !== 'inet6' || i.sourceAddress !== null) return false;
        const link = links.find((l) => l.name === (i.interface ?? config.globalDefs.defaultInterface));
        return link !== undefined && link.up && !addresses.some((a) => a.index === link.index && a.linkLocal);
      });
      if (!missing) break;
      await new Promise<void>((resolve) => this.ports.clock.at(this.ports.clock.now() + 100, resolve));
      [links, addresses] = await Promise.all([this.ports.rtnl.links(), this.ports.rtnl.addresses()]);
    }
    return { links, addresses, ipv6Forwarding: this.ports.ipv6Forwarding, vmacs };
  }

  private channelFor(w: InstanceWiring): PooledChannel {
    const { ifindex, ifname, source } = w;
    const family = w.router.family;
    const group = multicastGroup(w);
    const multicast = group !== null;
    const key = channelKey(w);
    const found = this.channels.find((c) => c.key === key);
    if (found) return found;
    const byVrid = new Map<number, VrrpInstanceDriver[]>();
    const channel = this.ports.sockets.open({
      family,
      ifindex,
      ifname,
      source,
      group,
      onAdvert: (advert) => this.dispatch(key, byVrid, advert),
      onOverflow: (vrid, count) => {
        for (const d of byVrid.get(vrid) ?? []) d.overflowed(count);
      },
      onError: (err) =>
        this.limited.maybe(`socket ${key} ${err.message}`, (suppressed) =>
          this.ports.log.error(
            { event: 'vrrp.socket-error', interface: ifname, family, suppressed },
            err.message,
          ),
        ),
    });
    this.ports.log.info(
      `VRRP sockpool: [ifindex(${String(ifindex).padStart(3)}), family(${family === 'inet' ? 'IPv4' : 'IPv6'}), proto(112), ${multicast ? 'multicast' : 'unicast'}, address(${formatIp(source)})]`,
    );
    const pooled = { key, channel, byVrid };
    this.channels.push(pooled);
    return pooled;
  }

  private dispatch(key: string, byVrid: Map<number, VrrpInstanceDriver[]>, advert: ReceivedAdvert): void {
    const vrid = advert.payload.length >= 2 ? (advert.payload[1] as number) : -1;
    const targets = byVrid.get(vrid);
    if (!targets) {
      this.unknownVrid++;
      // One key per socket, not per VRID: the VRID is the sender's choice, and 256 keys would let
      // a flood cycling through them write 256 lines per period (test/netns/vrrp-fuzz.test.ts).
      this.limited.maybe(`unknown-vrid ${key}`, (suppressed) =>
        this.ports.log.debug(
          { event: 'vrrp.drop', reason: 'unknown-vrid', vrid, from: formatIp(advert.meta.src), suppressed },
          `Unknown VRID(${vrid}) received on interface(${key.split('/')[0] ?? ''}) from ${formatIp(advert.meta.src)}. ignoring...`,
        ),
      );
      return;
    }
    for (const d of targets) d.receive(advert.payload, advert.meta);
  }

  private linkChanged(link: LinkInfo, deleted: boolean): void {
    const status: TrackerStatus = deleted ? 'down' : linkStatus(link);
    if (this.linkState.get(link.name) === status) return;
    this.linkState.set(link.name, status);
    this.ports.log.info(
      { event: 'link.state', interface: link.name, up: status === 'up' },
      `Netlink reports ${link.name} ${status}`,
    );
    for (const d of this.drivers.values()) d.tracker({ kind: 'interface', name: link.name }, status);
  }

  private groupOf(name: string): VrrpSyncGroup | undefined {
    return this.config.vrrpSyncGroups.find((g) => g.group.includes(name));
  }

  private members(g: VrrpSyncGroup): VrrpInstanceDriver[] {
    return g.group.flatMap((n) => {
      const d = this.drivers.get(n);
      return d ? [d] : [];
    });
  }

  private allowsMaster(name: string): boolean | undefined {
    const g = this.groupOf(name);
    if (!g) return undefined;
    return groupAllowsMaster(
      this.groupState.get(g.name) ?? 'BACKUP',
      this.members(g).map((d) => d.snapshot),
      name,
    );
  }

  private memberTransitioned(name: string, from: VrrpState, to: VrrpState): void {
    const g = this.groupOf(name);
    if (!g) return;
    const before = this.groupState.get(g.name) ?? 'BACKUP';
    const members = this.members(g);
    const result = afterMemberTransition(
      before,
      members.map((d) => d.snapshot),
      name,
      from,
      to,
    );
    this.groupState.set(g.name, result.group);
    if (result.group !== before) {
      this.ports.log.info(
        { event: 'vrrp.group', group: g.name, from: before, to: result.group },
        `VRRP_Group(${g.name}) Syncing instances to ${result.group} state`,
      );
      this.ports.notifier.group(g, result.group);
    }
    for (const o of result.orders) this.drivers.get(o.member)?.sync(o.to);
  }
}

function multicastGroup(w: InstanceWiring): Uint8Array | null {
  return w.inst.unicastPeers.length === 0 ? (w.destinations[0] ?? null) : null;
}

/** One socket per interface, family, source and group (or unicast), as keepalived's sockpool. */
function channelKey(w: InstanceWiring): string {
  const group = multicastGroup(w);
  return `${w.ifindex}/${w.router.family}/${formatIp(w.source)}/${group ? formatIp(group) : 'unicast'}`;
}

/** The first instance of a VRID on a channel opens its receive socket (which may throw). */
function join(pooled: PooledChannel, vrid: number, d: VrrpInstanceDriver): void {
  const list = pooled.byVrid.get(vrid) ?? [];
  if (list.length === 0) pooled.channel.listen(vrid);
  list.push(d);
  pooled.byVrid.set(vrid, list);
}

function leave(pooled: PooledChannel, vrid: number, d: VrrpInstanceDriver): void {
  const list = (pooled.byVrid.get(vrid) ?? []).filter((x) => x !== d);
  if (list.length > 0) pooled.byVrid.set(vrid, list);
  else {
    pooled.byVrid.delete(vrid);
    pooled.channel.unlisten(vrid);
  }
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((m) => b.includes(m));
}
