/**
 * A simulated LAN of VRRP routers on a fake clock: each router is the real state machine
 * (src/vrrp/fsm.ts); the simulator plays the driver (timers, sending, sync groups) and the link
 * (latency, cut links). Deterministic: events at the same time run in the order they were made.
 * Used by the election property test and by later tests that need routers without sockets.
 */
import {
  newRouter,
  step,
  type Effect,
  type Event,
  type Router,
  type RouterConfig,
  type TimerName,
} from '../../src/vrrp/fsm.js';
import type { Advert } from '../../src/vrrp/packet.js';
import { afterMemberTransition, groupAllowsMaster, type GroupState } from '../../src/vrrp/sync-group.js';
import type { TrackedObject } from '../../src/vrrp/tracking.js';

import { FakeClock, type Scheduled } from '../fakes/fake-clock.js';

export interface Transition {
  readonly at: number;
  readonly router: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

interface Node {
  router: Router;
  running: boolean;
  linkUp: boolean;
  timers: Map<TimerName, Scheduled>;
}

export interface SimOptions {
  /** One-way delivery time of an advert. */
  readonly latencyMs?: number;
  /** Sync groups: name → member router names. */
  readonly groups?: Readonly<Record<string, readonly string[]>>;
}

export class VrrpSim {
  readonly clock = new FakeClock();
  readonly transitions: Transition[] = [];
  /** Every advert put on the wire: time, sender, priority. */
  readonly sent: { at: number; from: string; priority: number }[] = [];
  readonly garps: { at: number; from: string; repeat: number }[] = [];
  private readonly nodes = new Map<string, Node>();
  private readonly groupState = new Map<string, GroupState>();
  private readonly latency: number;

  constructor(
    configs: readonly RouterConfig[],
    private readonly opts: SimOptions = {},
  ) {
    this.latency = opts.latencyMs ?? 0.1;
    for (const c of configs)
      this.nodes.set(c.name, { router: newRouter(c), running: false, linkUp: true, timers: new Map() });
    for (const g of Object.keys(opts.groups ?? {})) this.groupState.set(g, 'BACKUP');
  }

  router(name: string): Router {
    return this.node(name).router;
  }

  get names(): string[] {
    return [...this.nodes.keys()];
  }

  isRunning(name: string): boolean {
    return this.node(name).running;
  }

  /** Running routers in MASTER. */
  masters(): string[] {
    return this.names.filter((n) => this.node(n).running && this.node(n).router.state === 'MASTER');
  }

  start(name: string): void {
    const n = this.node(name);
    n.router = newRouter({ ...n.router.config });
    n.running = true;
    this.apply(name, { kind: 'start' });
  }

  /** Graceful stop (SIGTERM): priority 0 if MASTER. */
  stop(name: string): void {
    this.apply(name, { kind: 'shutdown' });
    this.node(name).running = false;
  }

  /** SIGKILL: silence, timers gone. (A lab also cuts its link: its stale VIP would answer.) */
  kill(name: string): void {
    const n = this.node(name);
    for (const t of n.timers.values()) t.cancelled = true;
    n.timers.clear();
    n.running = false;
  }

  setLink(name: string, up: boolean): void {
    this.node(name).linkUp = up;
  }

  tracker(name: string, tracker: TrackedObject, status: 'up' | 'down' | 'init' | number): void {
    this.apply(name, { kind: 'tracker', tracker, status });
  }

  runUntil(t: number): void {
    this.clock.advanceTo(t);
  }

  private node(name: string): Node {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no router ${name}`);
    return n;
  }

  private groupOf(name: string): [string, readonly string[]] | undefined {
    return Object.entries(this.opts.groups ?? {}).find(([, members]) => members.includes(name));
  }

  private apply(name: string, ev: Event): void {
    const n = this.node(name);
    if (!n.running && ev.kind !== 'shutdown') return;
    const res = step(n.router, ev, this.clock.now);
    n.router = res.router;
    for (const e of res.effects) this.effect(name, e);
  }

  private effect(name: string, e: Effect): void {
    const n = this.node(name);
    const now = this.clock.now;
    switch (e.kind) {
      case 'arm': {
        const old = n.timers.get(e.timer);
        if (old) old.cancelled = true;
        const timer = e.timer;
        const item = this.clock.schedule(e.atMs, () => {
          n.timers.delete(timer);
          const group = this.groupOf(name);
          const allows =
            group === undefined
              ? undefined
              : groupAllowsMaster(
                  this.groupState.get(group[0]) ?? 'BACKUP',
                  group[1].map((m) => this.router(m)),
                  name,
                );
          this.apply(name, {
            kind: 'timer',
            timer,
            ...(allows === undefined ? {} : { groupAllowsMaster: allows }),
          });
        });
        n.timers.set(e.timer, item);
        return;
      }
      case 'cancel': {
        const old = n.timers.get(e.timer);
        if (old) old.cancelled = true;
        n.timers.delete(e.timer);
        return;
      }
      case 'send':
        this.sent.push({ at: now, from: name, priority: e.priority });
        this.deliver(name, e.priority);
        return;
      case 'garp':
        this.garps.push({ at: now, from: name, repeat: e.repeat });
        return;
      case 'transition': {
        this.transitions.push({ at: now, router: name, from: e.from, to: e.to, reason: e.reason });
        const group = this.groupOf(name);
        if (!group || e.reason === 'sync') return;
        const result = afterMemberTransition(
          this.groupState.get(group[0]) ?? 'BACKUP',
          group[1].map((m) => this.router(m)),
          name,
          e.from,
          e.to,
        );
        this.groupState.set(group[0], result.group);
        for (const o of result.orders) this.apply(o.member, { kind: 'sync', to: o.to });
        return;
      }
      case 'vips':
      case 'garpOwnAddress':
      case 'priority':
      case 'notice':
        return;
    }
  }

  private deliver(from: string, priority: number): void {
    const sender = this.node(from);
    if (!sender.linkUp) return;
    const c = sender.router.config;
    const advert: Advert = {
      version: c.version,
      vrid: c.vrid,
      priority,
      family: c.family,
      addresses: c.vips,
      advertIntervalMs: c.advertIntervalMs,
      authType: c.authType,
      authData:
        c.version === 2
          ? new Uint8Array(Buffer.from(c.password.padEnd(8, '\0').slice(0, 8), 'latin1'))
          : new Uint8Array(0),
    };
    for (const [name, n] of this.nodes) {
      if (name === from || n.router.config.vrid !== c.vrid) continue;
      this.clock.schedule(this.clock.now + this.latency, () => {
        if (!n.running || !n.linkUp || !this.node(from).linkUp) return;
        this.apply(name, { kind: 'advert', advert, source: c.sourceAddress ?? '0.0.0.0', ttl: 255 });
      });
    }
  }
}
