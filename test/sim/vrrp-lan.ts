/**
 * A simulated LAN of VRRP directors on one fake clock. Each host runs the production VRRP node
 * (src/daemon/vrrp-node.ts, its instance drivers, src/vrrp/'s state machine and sync groups) on
 * its keepalived.conf text, over in-memory ports: VRRP sockets that deliver each advert to the
 * other hosts' eth0 after `latencyMs`, an rtnetlink with eth0 and a tracked eth1, and an
 * announcer that records the GARPs. The test plays the cable (setLink), the tracked interface
 * (setTracked), SIGTERM (stop), SIGKILL (kill) and time (runUntil).
 *
 * Deterministic: events at the same time run in the order they were made, and after each one
 * the promises it started settle (settle(): the microtask queue drains before setImmediate)
 * before the next runs, as the event loop would with netlink answering at once.
 */
import { pino } from 'pino';
import type { Config } from '../../src/config/model.js';
import { VrrpNode, type NodeNotifier } from '../../src/daemon/vrrp-node.js';
import type { Clock } from '../../src/lib/clock.js';
import type { InterfaceAddress, LinkInfo, ReceivedAdvert, Rtnl, VrrpSockets } from '../../src/net/ports.js';
import type { Router } from '../../src/vrrp/fsm.js';
import { loadText } from '../helpers/config.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { settle } from '../fakes/settle.js';

export interface HostSpec {
  readonly name: string;
  /** eth0's IPv4 address (192.0.2.0/24). */
  readonly address: string;
  /** The host's keepalived.conf. */
  readonly config: string;
}

export interface Transition {
  readonly at: number;
  readonly host: string;
  readonly instance: string;
  readonly from: string;
  readonly to: string;
}

interface Host {
  readonly spec: HostSpec;
  readonly config: Config;
  readonly eth0: LinkInfo;
  eth1Up: boolean;
  /** The cable: adverts go out and come in only while it is plugged. */
  cable: boolean;
  /** Bumped by kill() and start(): timers and sockets of an older life do nothing. */
  life: number;
  node: VrrpNode | null;
  /** Receive callbacks of the node's eth0 channels, with the VRIDs each listens to. */
  channels: { onAdvert: (a: ReceivedAdvert) => void; vrids: Set<number> }[];
  linkWatchers: ((link: LinkInfo, deleted: boolean) => void)[];
}

const ETH1_INDEX = 3;

export class VrrpLan {
  readonly clock = new FakeClock();
  readonly transitions: Transition[] = [];
  /** Every advert put on the wire (cable plugged): time, sender, VRID, priority. */
  readonly sent: { at: number; from: string; vrid: number; priority: number }[] = [];
  /** Every gratuitous ARP sent: time, sender, address. */
  readonly garps: { at: number; from: string; address: string }[] = [];
  private readonly hosts = new Map<string, Host>();

  constructor(
    specs: readonly HostSpec[],
    private readonly latencyMs = 0.1,
  ) {
    specs.forEach((spec, i) => {
      const loaded = loadText(spec.config, { host: { interfaceExists: () => true } });
      const fatal = loaded.diagnostics.filter((d) => d.severity === 'fatal' || d.severity === 'error');
      if (fatal.length > 0) throw new Error(`${spec.name}: ${fatal.map((d) => d.message).join('; ')}`);
      this.hosts.set(spec.name, {
        spec,
        config: loaded.config,
        eth0: { index: 2, name: 'eth0', mac: Uint8Array.of(2, 0, 0, 0, 0, 10 + i), up: true },
        eth1Up: true,
        cable: true,
        life: 0,
        node: null,
        channels: [],
        linkWatchers: [],
      });
    });
  }

  /** Starts the host's daemon (a fresh VRRP node, as a new process would be). */
  async start(name: string): Promise<void> {
    const h = this.host(name);
    h.life++;
    h.channels = [];
    h.linkWatchers = [];
    const node = new VrrpNode(h.config, this.ports(h, h.life));
    h.node = node;
    await node.start();
    await settle();
  }

  /** SIGTERM: the node's shutdown (priority 0 from a MASTER, VIPs removed). */
  async stop(name: string): Promise<void> {
    const h = this.host(name);
    const node = h.node;
    h.node = null;
    await node?.shutdown();
    h.life++;
    await settle();
  }

  /** SIGKILL: silence; its timers and sockets are dead. (A lab also cuts its link.) */
  kill(name: string): void {
    const h = this.host(name);
    h.node = null;
    h.life++;
  }

  isRunning(name: string): boolean {
    return this.host(name).node !== null;
  }

  setLink(name: string, up: boolean): void {
    this.host(name).cable = up;
  }

  /** The host's eth1 (what `track_interface` watches) goes up or down. */
  async setTracked(name: string, up: boolean): Promise<void> {
    const h = this.host(name);
    if (h.eth1Up === up) return;
    h.eth1Up = up;
    for (const w of h.linkWatchers) w(this.eth1(h), false);
    await settle();
  }

  /** Runs every event due up to `t`, each followed by what it set off. */
  async runUntil(t: number): Promise<void> {
    for (;;) {
      const next = this.clock.nextAt();
      if (next === undefined || next > t) break;
      this.clock.advanceTo(next);
      await settle();
    }
    this.clock.advanceTo(t);
  }

  /** The instances in MASTER on running hosts. */
  masters(): string[] {
    const out: string[] = [];
    for (const h of this.hosts.values())
      for (const d of h.node?.instances() ?? []) if (d.state === 'MASTER') out.push(d.wiring.inst.name);
    return out;
  }

  /** An instance's state machine, on the host that runs it. */
  router(instance: string): Router {
    for (const h of this.hosts.values())
      for (const d of h.node?.instances() ?? []) if (d.wiring.inst.name === instance) return d.snapshot;
    throw new Error(`no running instance ${instance}`);
  }

  private host(name: string): Host {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host ${name}`);
    return h;
  }

  private eth1(h: Host): LinkInfo {
    return {
      index: ETH1_INDEX,
      name: 'eth1',
      mac: Uint8Array.of(2, 0, 0, 0, 1, h.eth0.mac[5] ?? 0),
      up: h.eth1Up,
    };
  }

  /** The in-memory ports of one life of host `h`. */
  private ports(h: Host, life: number): ConstructorParameters<typeof VrrpNode>[1] {
    const alive = (): boolean => h.life === life;
    const fake = this.clock;
    const clock: Clock = {
      now: () => fake.now,
      at: (atMs, fn) => {
        const item = fake.schedule(atMs, () => {
          if (alive()) fn();
        });
        return { cancel: () => (item.cancelled = true) };
      },
    };
    const address: InterfaceAddress = {
      index: h.eth0.index,
      family: 'inet',
      address: h.spec.address,
      prefixLength: 24,
      secondary: false,
      linkLocal: false,
      label: null,
    };
    const rtnl: Rtnl = {
      links: () => Promise.resolve([h.eth0, this.eth1(h)]),
      addresses: () => Promise.resolve([address]),
      addAddress: () => Promise.resolve(),
      deleteAddress: () => Promise.resolve(),
      watchLinks: (onChange) => {
        h.linkWatchers.push(onChange);
        return () => {
          h.linkWatchers = h.linkWatchers.filter((w) => w !== onChange);
        };
      },
      close: () => undefined,
    };
    const sockets: VrrpSockets = {
      open: (o) => {
        const channel = { onAdvert: o.onAdvert, vrids: new Set<number>() };
        if (o.ifname === 'eth0' && o.group) h.channels.push(channel);
        return {
          send: (payload, dst) => {
            if (!alive() || !h.cable) return;
            this.sent.push({
              at: fake.now,
              from: h.spec.name,
              vrid: payload[1] ?? 0,
              priority: payload[2] ?? 0,
            });
            this.deliver(h, Uint8Array.from(payload), o.source, Uint8Array.from(dst));
          },
          listen: (vrid) => channel.vrids.add(vrid),
          unlisten: (vrid) => channel.vrids.delete(vrid),
          receivePending: () => undefined,
          close: () => {
            h.channels = h.channels.filter((c) => c !== channel);
          },
        };
      },
    };
    const notifier: NodeNotifier = {
      instance: () => undefined,
      masterRxLowerPri: () => undefined,
      priorityChanged: () => undefined,
      group: () => undefined,
    };
    return {
      clock,
      log: pino({ level: 'silent' }),
      rtnl,
      sockets,
      announcer: {
        garp: (_i, _m, a) => {
          if (alive() && h.cable) this.garps.push({ at: fake.now, from: h.spec.name, address: a });
        },
        unsolicitedNa: () => undefined,
        close: () => undefined,
      },
      notifier,
      ipv6Forwarding: () => false,
      transitioned: (instance, from, to) => {
        if (alive()) this.transitions.push({ at: fake.now, host: h.spec.name, instance, from, to });
      },
    };
  }

  /** The advert reaches the other hosts' eth0 channels listening to its VRID, `latencyMs` later. */
  private deliver(from: Host, payload: Uint8Array, src: Uint8Array, dst: Uint8Array): void {
    const vrid = payload[1] ?? 0;
    for (const h of this.hosts.values()) {
      if (h === from) continue;
      const life = h.life;
      this.clock.schedule(this.clock.now + this.latencyMs, () => {
        if (h.life !== life || !h.cable || !from.cable) return;
        for (const c of h.channels)
          if (c.vrids.has(vrid)) c.onAdvert({ payload, meta: { family: 'inet', src, dst, ttl: 255 } });
      });
    }
  }
}

/** A vrrp_instance block on eth0 with one VIP (192.0.2.VRID) for the LAN's configs. */
export function instanceText(o: {
  readonly name: string;
  readonly vrid: number;
  readonly priority: number;
  readonly state?: 'MASTER' | 'BACKUP';
  readonly version?: 2 | 3;
  readonly advertInt?: string;
  readonly nopreempt?: boolean;
  /** track_interface eth1 with this weight (0: down is a FAULT). */
  readonly trackEth1Weight?: number;
}): string {
  return [
    `vrrp_instance ${o.name} {`,
    `  state ${o.state ?? 'BACKUP'}`,
    '  interface eth0',
    `  virtual_router_id ${o.vrid}`,
    `  priority ${o.priority}`,
    `  advert_int ${o.advertInt ?? '1'}`,
    ...(o.version === 3 ? ['  version 3'] : []),
    ...(o.nopreempt ? ['  nopreempt'] : []),
    ...(o.trackEth1Weight === undefined
      ? []
      : [`  track_interface {\n    eth1 weight ${o.trackEth1Weight}\n  }`]),
    `  virtual_ipaddress {\n    192.0.2.${o.vrid}/24\n  }`,
    '}',
    '',
  ].join('\n');
}
