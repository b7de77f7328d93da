/**
 * All VRRP instances of one daemon: their sockets (one per interface, family and source, shared by
 * the instances on it and demultiplexed by VRID, like keepalived's socket pool), their sync groups
 * (src/vrrp/sync-group.ts decides), and the trackers that feed them (link events from rtnetlink;
 * script and file results from their runners).
 */
import type { Config, VrrpSyncGroup } from '../config/model.js';
import type { Clock } from '../lib/clock.js';
import { formatIp } from '../lib/ip.js';
import type { Announcer, LinkInfo, ReceivedAdvert, Rtnl, VrrpChannel, VrrpSockets } from '../net/ports.js';
import type { VrrpState } from '../vrrp/fsm.js';
import { trackerId } from '../vrrp/router-config.js';
import { afterMemberTransition, groupAllowsMaster, type GroupState } from '../vrrp/sync-group.js';
import type { TrackerStatus } from '../vrrp/tracking.js';
import { RateLimitedLog, type Logger } from './log.js';
import { VrrpInstanceDriver, type InstanceNotifier } from './vrrp-instance.js';
import { wireInstance, type HostView } from './wiring.js';

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
}

interface PooledChannel {
  readonly key: string;
  readonly channel: VrrpChannel;
  readonly byVrid: Map<number, VrrpInstanceDriver[]>;
}

/** keepalived's `up`: administratively up with carrier. */
const linkStatus = (l: LinkInfo): TrackerStatus => (l.up ? 'up' : 'down');

export class VrrpNode {
  private readonly drivers = new Map<string, VrrpInstanceDriver>();
  private readonly channels: PooledChannel[] = [];
  private readonly groupState = new Map<string, GroupState>();
  private readonly linkState = new Map<string, TrackerStatus>();
  private unwatch: (() => void) | undefined;
  private readonly limited: RateLimitedLog;
  /** Packets for no instance of ours, or too short to carry a VRID. */
  unknownVrid = 0;

  constructor(
    private readonly config: Config,
    private readonly p: NodePorts,
  ) {
    this.limited = new RateLimitedLog(() => p.clock.now());
    for (const g of config.vrrpSyncGroups) this.groupState.set(g.name, 'BACKUP');
  }

  /** Wire every instance to the host and open its socket; throws on what keeps it from running. */
  async start(): Promise<void> {
    const host = await this.hostView();
    const errors: string[] = [];
    for (const inst of this.config.vrrpInstances) {
      const wired = wireInstance(this.config, inst, host);
      if (!wired.ok) {
        errors.push(wired.error);
        continue;
      }
      const w = wired.wiring;
      const group = inst.unicastPeers.length === 0 ? (w.destinations[0] ?? null) : null;
      const pooled = this.channelFor(w.ifindex, w.ifname, inst.family, w.source, group);
      const driver = new VrrpInstanceDriver(
        w,
        { ...this.p, send: (payload, dst) => pooled.channel.send(payload, dst) },
        {
          groupAllowsMaster: (name) => this.allowsMaster(name),
          transitioned: (name, from, to) => this.memberTransitioned(name, from, to),
        },
      );
      this.drivers.set(inst.name, driver);
      const list = pooled.byVrid.get(inst.virtualRouterId) ?? [];
      list.push(driver);
      pooled.byVrid.set(inst.virtualRouterId, list);
    }
    if (errors.length > 0) {
      this.close();
      throw new Error(errors.join('; '));
    }
    for (const l of host.links) this.linkState.set(l.name, linkStatus(l));
    this.unwatch = this.p.rtnl.watchLinks((link, deleted) => this.linkChanged(link, deleted));
    await Promise.all([...this.drivers.values()].map((d) => d.clearLeftoverVips()));
    for (const d of this.drivers.values()) {
      const initial: Record<string, TrackerStatus> = {};
      for (const [name, status] of this.linkState) {
        const id = trackerId.interface(name);
        if (d.tracks(id)) initial[id] = status;
      }
      for (const t of d.snapshot.config.trackers) {
        // A tracked interface that does not exist is down (keepalived: FAULT until it appears).
        if (t.kind === 'interface' && !(t.id in initial)) initial[t.id] = 'down';
      }
      d.start(initial);
    }
  }

  /** A vrrp_script's status changed (src/daemon/vrrp-scripts.ts). */
  scriptStatus(name: string, status: 'up' | 'down'): void {
    const id = trackerId.script(name);
    for (const d of this.drivers.values()) d.tracker(id, status);
  }

  /** A track_file's value changed (src/daemon/track-files.ts). */
  fileValue(name: string, value: number): void {
    const id = trackerId.file(name);
    for (const d of this.drivers.values()) d.tracker(id, value);
  }

  /** SIGTERM: every instance stops (priority 0 from masters, VIPs removed), then sockets close. */
  async shutdown(): Promise<void> {
    this.unwatch?.();
    this.unwatch = undefined;
    await Promise.all([...this.drivers.values()].map((d) => d.shutdown()));
    for (const g of this.config.vrrpSyncGroups) this.p.notifier.group(g, 'STOP');
    this.close();
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

  private async hostView(): Promise<HostView> {
    const needsLinkLocal = this.config.vrrpInstances.some(
      (i) => i.family === 'inet6' && i.sourceAddress === null,
    );
    let [links, addresses] = await Promise.all([this.p.rtnl.links(), this.p.rtnl.addresses()]);
    // A fresh interface has no IPv6 link-local address until DAD ends (~1-2 s): wait for it.
    for (let waited = 0; needsLinkLocal && waited < 5000; waited += 100) {
      const missing = this.config.vrrpInstances.some((i) => {
        if (i.family !== 'inet6' || i.sourceAddress !== null) return false;
        const link = links.find((l) => l.name === (i.interface ?? this.config.globalDefs.defaultInterface));
        return link !== undefined && link.up && !addresses.some((a) => a.index === link.index && a.linkLocal);
      });
      if (!missing) break;
      await new Promise<void>((resolve) => this.p.clock.at(this.p.clock.now() + 100, resolve));
      [links, addresses] = await Promise.all([this.p.rtnl.links(), this.p.rtnl.addresses()]);
    }
    return { links, addresses, ipv6Forwarding: this.p.ipv6Forwarding };
  }

  private channelFor(
    ifindex: number,
    ifname: string,
    family: 'inet' | 'inet6',
    source: Uint8Array,
    group: Uint8Array | null,
  ): PooledChannel {
    const multicast = group !== null;
    const key = `${ifindex}/${family}/${formatIp(source)}/${group ? formatIp(group) : 'unicast'}`;
    const found = this.channels.find((c) => c.key === key);
    if (found) return found;
    const byVrid = new Map<number, VrrpInstanceDriver[]>();
    const channel = this.p.sockets.open({
      family,
      ifindex,
      ifname,
      source,
      group,
      onAdvert: (advert) => this.dispatch(key, byVrid, advert),
      onError: (err) =>
        this.limited.maybe(`socket ${key} ${err.message}`, (suppressed) =>
          this.p.log.error(
            { event: 'vrrp.socket-error', interface: ifname, family, suppressed },
            err.message,
          ),
        ),
    });
    this.p.log.info(
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
      this.limited.maybe(`vrid ${key} ${vrid}`, (suppressed) =>
        this.p.log.debug(
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
    this.p.log.info(
      { event: 'link.state', interface: link.name, up: status === 'up' },
      `Netlink reports ${link.name} ${status}`,
    );
    const id = trackerId.interface(link.name);
    for (const d of this.drivers.values()) d.tracker(id, status);
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
      this.p.log.info(
        { event: 'vrrp.group', group: g.name, from: before, to: result.group },
        `VRRP_Group(${g.name}) Syncing instances to ${result.group} state`,
      );
      this.p.notifier.group(g, result.group);
    }
    for (const o of result.orders) this.drivers.get(o.member)?.sync(o.to);
  }
}
