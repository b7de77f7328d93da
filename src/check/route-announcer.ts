/**
 * Health-driven route announcement (`announce_table`, docs/bgp.md), the OS half: performs what
 * announce.ts decides, one rtnetlink request at a time in order, as `VIP/32 dev IFNAME table N
 * proto keepalived` (RTPROT_KEEPALIVED 18, as keepalived's own virtual_routes). Deletes name the
 * protocol too, so the kernel removes only a route of ours, never zebra's copy (`proto zebra`)
 * in the main table. Each announcement and withdrawal is logged; a failure is logged and the
 * routes are decided afresh a second later (and on every change), so a refused withdrawal does not
 * leave the VIP announced until the next quorum change. Adding a route that is there, or deleting
 * one that is not, is no error (rtnl.ts), so a retry is harmless.
 */
import type { Logger } from 'pino';
import type { VirtualServerGroup } from '../config/model.js';
import type { RouteTable } from '../net/ports.js';
import type { RouteSpec } from '../net/rtnl-routes.js';
import { Announcements, type AnnounceOp, type AnnounceRoute, type ServiceState } from './announce.js';

/** keepalived's rtm_protocol (RTPROT_KEEPALIVED). */
const RTPROT_KEEPALIVED = 18;

export interface AnnouncerPorts {
  readonly routes: Pick<RouteTable, 'addRoute' | 'deleteRoute'>;
  /** An interface's index by name; undefined when there is none. */
  readonly linkIndex: (name: string) => Promise<number | undefined>;
  readonly log: Logger;
  /** Run `retry` later, after a failed change (default: a second later, not keeping the process up). */
  readonly retryLater?: (retry: () => void) => void;
}

const RETRY_MS = 1000;
const retryInASecond = (retry: () => void): void => {
  setTimeout(retry, RETRY_MS).unref();
};

export interface AnnouncerOptions {
  /**
   * On stop, leave the routes in place: with `-I` (--dont-release-ipvs) and the kernel's IPVS, the
   * services go on being served after the daemon exits, so their announcements stay too.
   */
  readonly keepOnStop: boolean;
}

export interface AnnounceCounts {
  /** Routes of `announce_table` keywords, in the kernel or not. */
  readonly routes: number;
  /** Routes in the kernel now. */
  readonly present: number;
  readonly announced: number;
  readonly withdrawn: number;
  readonly failed: number;
}

const prefixText = (r: AnnounceRoute): string => `${r.prefix.address}/${r.prefix.length}`;

export class RouteAnnouncer {
  private readonly decisions = new Announcements();
  private queue: Promise<void> = Promise.resolve();
  private announced = 0;
  private withdrawn = 0;
  private failures = 0;
  private stopped = false;
  /** The last quorum states (null: none yet) and the names of the vrrp_instances in FAULT. */
  private last: { services: readonly ServiceState[]; groups: readonly VirtualServerGroup[] } | null = null;
  private faulted: ReadonlySet<string> = new Set();
  private retryPending = false;

  constructor(
    private readonly ports: AnnouncerPorts,
    private readonly options: AnnouncerOptions,
  ) {}

  /** The virtual servers' quorum states now (after any change, a reload, the start). */
  update(services: readonly ServiceState[], groups: readonly VirtualServerGroup[]): void {
    if (this.stopped) return;
    this.last = { services, groups };
    this.enqueue(this.decisions.update(services, groups, this.faulted));
  }

  /**
   * The names of the vrrp_instances in FAULT now, after every VRRP transition to or from FAULT:
   * the routes of the virtual servers that name one (`announce_table N instance NAME`) are
   * withdrawn until the fault ends.
   */
  setFaulted(names: ReadonlySet<string>): void {
    if (this.stopped) return;
    const same = names.size === this.faulted.size && [...names].every((a) => this.faulted.has(a));
    this.faulted = new Set(names);
    if (!same && this.last)
      this.enqueue(this.decisions.update(this.last.services, this.last.groups, this.faulted));
  }

  /** The daemon stops: withdraw every route, unless they are to stay (keepOnStop). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (!this.options.keepOnStop) {
      this.enqueue(this.decisions.withdrawAll());
      return;
    }
    const n = this.decisions.present();
    if (n > 0)
      this.ports.log.info(
        { event: 'check.announce.kept', routes: n },
        `keepalived-ts: leaving ${n} announced route(s) in place (--dont-release-ipvs)`,
      );
  }

  /** Resolves once every queued change is done (before the rtnetlink socket closes). */
  settled(): Promise<void> {
    return this.queue;
  }

  counts(): AnnounceCounts {
    return {
      routes: this.decisions.configured(),
      present: this.decisions.present(),
      announced: this.announced,
      withdrawn: this.withdrawn,
      failed: this.failures,
    };
  }

  private enqueue(ops: readonly AnnounceOp[]): void {
    for (const op of ops) this.queue = this.queue.then(() => this.perform(op));
  }

  private async perform(op: AnnounceOp): Promise<void> {
    const { route: r } = op;
    const fields = {
      prefix: prefixText(r),
      table: r.table,
      dev: r.dev,
      vs: op.services.join(' '),
      reason: op.reason,
    };
    try {
      if (op.op === 'add') {
        const oif = await this.ports.linkIndex(r.dev);
        if (oif === undefined) throw new Error(`interface ${r.dev} doesn't exist`);
        await this.ports.routes.addRoute(this.spec(r, oif));
        this.announced++;
        this.ports.log.info(
          { event: 'check.announce.up', ...fields },
          `Announcing ${prefixText(r)} in table ${r.table} dev ${r.dev} for VS ${fields.vs}`,
        );
        return;
      }
      await this.ports.routes.deleteRoute(this.spec(r, null));
      if (op.reason === 'cleanup') return;
      this.withdrawn++;
      this.ports.log.info(
        { event: 'check.announce.down', ...fields },
        `Withdrawing ${prefixText(r)} from table ${r.table} for VS ${fields.vs} (${op.reason})`,
      );
    } catch (err) {
      this.failures++;
      this.decisions.failed(r.key);
      this.scheduleRetry();
      this.ports.log.error(
        { event: 'check.announce.error', ...fields, op: op.op, err },
        `keepalived-ts: cannot ${op.op === 'add' ? 'announce' : 'withdraw'} ${prefixText(r)} table ${r.table}: ${(err as Error).message}`,
      );
    }
  }

  /** After a failure: decide every route afresh from the last states, once, a little later. */
  private scheduleRetry(): void {
    if (this.retryPending || this.stopped) return;
    this.retryPending = true;
    (this.ports.retryLater ?? retryInASecond)(() => {
      this.retryPending = false;
      if (this.stopped || !this.last) return;
      this.enqueue(this.decisions.update(this.last.services, this.last.groups, this.faulted));
    });
  }

  /** `PREFIX dev IFNAME table N proto keepalived`, a unicast route of scope link (a device route). */
  private spec(r: AnnounceRoute, oif: number | null): RouteSpec {
    return {
      family: r.family,
      type: 'unicast',
      dst: r.prefix,
      via: null,
      src: null,
      dev: r.dev,
      table: r.table,
      metric: null,
      protocol: RTPROT_KEEPALIVED,
      scope: oif === null ? null : 253,
      tos: 0,
      onlink: false,
      oif,
    };
  }
}
