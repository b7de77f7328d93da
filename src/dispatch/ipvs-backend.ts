/**
 * The kernel data plane: the checkers' table (check/table.ts) drives IPVS over generic netlink
 * (net/ipvs.ts), as keepalived 2.2.7's check/ipwrapper.c and ipvswrapper.c do:
 *
 * - start: `lvs_flush` empties the table; `lvs_timeouts` are set (the ones left out keep the
 *   kernel's values, which are restored on stop and reload); every virtual server's services are
 *   added (ipvs-model.ts: one per group address and fwmark);
 * - a real server set or removed by its checkers is one destination command per service of its
 *   virtual server (NEW_DEST, SET_DEST, DEL_DEST);
 * - reload: services no virtual server uses any more are deleted, kept ones whose scheduler,
 *   flags or persistence changed are edited in place (SET_SERVICE: their connections and
 *   destinations stay), new ones added with the destinations their virtual server has; kept
 *   destinations whose forwarding changed are edited;
 * - stop: every service deleted (`lvs_flush_onstop`: the whole table flushed); `-I` leaves them.
 *
 * Every change a turn of the event loop produces goes to the kernel in one batch. A failed
 * command is logged with keepalived's wording (ipvs-errors.ts) and counted; it never stops the
 * others. keepalived's tolerance: EEXIST on an add and ENOENT/ESRCH on a delete count as done
 * (logged all the same); a SET_DEST the kernel no longer knows is retried as NEW_DEST. Beyond
 * keepalived: a service or destination a crashed run left behind (EEXIST on add) is edited to
 * what the config says instead of being kept as it was.
 */
import type { Logger } from 'pino';
import type { Destination, ServiceTable } from '../check/table.js';
import type { GlobalDefs, VirtualServer, VirtualServerGroup } from '../config/model.js';
import { isErrno } from '../net/native.js';
import type { Ipvs, IpvsChange } from '../net/ipvs.js';
import type {
  IpvsDest,
  IpvsDestEntry,
  IpvsService,
  IpvsServiceEntry,
  IpvsTimeouts,
} from '../net/ipvs-netlink.js';
import { ipvsCommandName, ipvsErrorMessage } from './ipvs-errors.js';
import { kernelDest, kernelServices, serviceId, type KernelService } from './ipvs-model.js';

export interface IpvsConfig {
  readonly servers: readonly VirtualServer[];
  readonly groups: readonly VirtualServerGroup[];
  readonly global: GlobalDefs;
}

interface ServiceState {
  service: IpvsService;
  /** The virtual servers (display names) that use it. */
  readonly users: Set<string>;
  /** Destinations in the kernel, by `address|port`. */
  readonly dests: Map<string, IpvsDest>;
}

/** A kernel service and its destinations as read back, for the status views. */
export interface IpvsServiceSnapshot {
  readonly id: string;
  readonly vs: string;
  readonly service: IpvsServiceEntry;
  readonly dests: readonly IpvsDestEntry[];
}

const destKey = (address: string, port: number): string => `${address}|${port}`;
const sameDest = (a: IpvsDest, b: IpvsDest): boolean =>
  a.forward === b.forward &&
  a.weight === b.weight &&
  a.uthreshold === b.uthreshold &&
  a.lthreshold === b.lthreshold &&
  JSON.stringify(a.tunnel) === JSON.stringify(b.tunnel);
const sameService = (a: IpvsService, b: IpvsService): boolean =>
  a.scheduler === b.scheduler &&
  a.flags === b.flags &&
  a.timeout === b.timeout &&
  a.prefix === b.prefix &&
  a.pe === b.pe;

const seconds = (ms: number | null): number => (ms === null ? 0 : Math.round(ms / 1000));

export class IpvsTable implements ServiceTable {
  private readonly services = new Map<string, ServiceState>();
  /** What the checkers set per virtual server: destination and weight, by `address|port`. */
  private readonly wanted = new Map<string, Map<string, { dest: Destination; weight: number }>>();
  private pending: { change: IpvsChange; retry?: IpvsChange }[] = [];
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  /** The kernel's timeouts before we changed them (restored on stop and reload). */
  private originalTimeouts: IpvsTimeouts | null = null;
  /** Failed commands, by `COMMAND ERRNO`. */
  readonly errors = new Map<string, number>();
  /** Netlink messages sent (each change is one). */
  messages = 0;

  constructor(
    private config: IpvsConfig,
    private readonly ipvs: Ipvs,
    private readonly log: Logger,
  ) {}

  /** keepalived start_check(): flush (lvs_flush), timeouts, then every virtual server's services. */
  async start(): Promise<void> {
    if (this.config.global.lvsFlush) this.queue({ op: 'flush' });
    await this.applyTimeouts();
    for (const vs of this.config.servers) this.ensureServices(vs);
    await this.settled();
  }

  set(vs: VirtualServer, dest: Destination, weight: number): void {
    let w = this.wanted.get(vs.display);
    if (!w) this.wanted.set(vs.display, (w = new Map<string, { dest: Destination; weight: number }>()));
    w.set(destKey(dest.address, dest.port), { dest, weight });
    for (const ks of this.ensureServices(vs)) this.putDest(vs, ks, dest, weight);
  }

  remove(vs: VirtualServer, dest: Destination): void {
    this.wanted.get(vs.display)?.delete(destKey(dest.address, dest.port));
    for (const ks of kernelServices(vs, this.config.groups)) {
      const st = this.services.get(serviceId(ks.service.key));
      const d = kernelDest(vs, ks, dest, 0);
      const k = destKey(d.address, d.port);
      const present = st?.dests.get(k);
      if (!st || !present) continue;
      st.dests.delete(k);
      this.queue({ op: 'del-dest', key: ks.service.key, dest: present });
    }
  }

  /** A new configuration (after HealthChecks.reload(), which set and removed destinations). */
  async reload(config: IpvsConfig): Promise<void> {
    const old = this.config;
    this.config = config;
    const next = new Map<string, { ks: KernelService; users: Set<string> }>();
    for (const vs of config.servers)
      for (const ks of kernelServices(vs, config.groups)) {
        const id = serviceId(ks.service.key);
        const e = next.get(id);
        if (e) e.users.add(vs.display);
        else next.set(id, { ks, users: new Set([vs.display]) });
      }
    for (const [id, st] of [...this.services]) {
      if (next.has(id)) continue;
      this.services.delete(id);
      this.queue({ op: 'del-service', key: st.service.key });
    }
    const keep = new Set(config.servers.map((vs) => vs.display));
    for (const vs of this.wanted.keys()) if (!keep.has(vs)) this.wanted.delete(vs);
    for (const [id, { ks, users }] of next) {
      const st = this.services.get(id);
      if (!st) {
        this.services.set(id, { service: ks.service, users, dests: new Map() });
        this.queue({ op: 'add-service', service: ks.service });
      } else {
        if (!sameService(st.service, ks.service)) this.queue({ op: 'edit-service', service: ks.service });
        st.service = ks.service;
        st.users.clear();
        for (const u of users) st.users.add(u);
      }
    }
    // Every destination as the new config makes it: added to new services (a group member), edited
    // where the forwarding or thresholds changed; one whose kernel port changed with its method
    // (a group or fwmark service going NAT <-> DR) is replaced, not duplicated.
    const wantedHere = new Map<string, Set<string>>();
    for (const vs of config.servers)
      for (const { dest } of this.wanted.get(vs.display)?.values() ?? [])
        for (const ks of kernelServices(vs, config.groups)) {
          const id = serviceId(ks.service.key);
          const d = kernelDest(vs, ks, dest, 0);
          let set = wantedHere.get(id);
          if (!set) wantedHere.set(id, (set = new Set()));
          set.add(destKey(d.address, d.port));
        }
    for (const [id, st] of this.services)
      for (const [k, d] of [...st.dests])
        if (!wantedHere.get(id)?.has(k)) {
          st.dests.delete(k);
          this.queue({ op: 'del-dest', key: st.service.key, dest: d });
        }
    for (const vs of config.servers)
      for (const { dest, weight } of this.wanted.get(vs.display)?.values() ?? [])
        for (const ks of kernelServices(vs, config.groups)) this.putDest(vs, ks, dest, weight);
    if (!sameTimeouts(old.global, config.global)) {
      await this.restoreTimeouts();
      await this.applyTimeouts();
    }
    await this.settled();
  }

  /** keepalived clear_services() (unless -I): delete our services, or flush with lvs_flush_onstop. */
  async stop(keep: boolean): Promise<void> {
    if (!keep) {
      if (this.config.global.lvsFlushOnStop) this.queue({ op: 'flush' });
      else for (const st of this.services.values()) this.queue({ op: 'del-service', key: st.service.key });
      this.services.clear();
    }
    await this.settled();
    await this.restoreTimeouts();
  }

  /** Resolves when every change queued so far has been answered. */
  async settled(): Promise<void> {
    this.flushSoon();
    for (;;) {
      const c = this.chain;
      await c;
      if (c === this.chain && this.pending.length === 0) return;
    }
  }

  /** Our services and their destinations as the kernel has them now (counters included). */
  async snapshot(): Promise<IpvsServiceSnapshot[]> {
    const all = await this.ipvs.services();
    const byId = new Map(all.map((s) => [serviceId(s.key), s]));
    const out: IpvsServiceSnapshot[] = [];
    for (const vs of this.config.servers)
      for (const ks of kernelServices(vs, this.config.groups)) {
        const id = serviceId(ks.service.key);
        const service = byId.get(id);
        if (!service) continue;
        out.push({ id, vs: vs.display, service, dests: await this.ipvs.dests(service.key) });
      }
    return out;
  }

  /** The services of `vs`, added to the kernel if they are not there yet. */
  private ensureServices(vs: VirtualServer): KernelService[] {
    const list = kernelServices(vs, this.config.groups);
    for (const ks of list) {
      const id = serviceId(ks.service.key);
      const st = this.services.get(id);
      if (st) st.users.add(vs.display);
      else {
        this.services.set(id, { service: ks.service, users: new Set([vs.display]), dests: new Map() });
        this.queue({ op: 'add-service', service: ks.service });
      }
    }
    return list;
  }

  private putDest(vs: VirtualServer, ks: KernelService, dest: Destination, weight: number): void {
    const st = this.services.get(serviceId(ks.service.key));
    if (!st) return;
    const d = kernelDest(vs, ks, dest, weight);
    const k = destKey(d.address, d.port);
    const present = st.dests.get(k);
    if (present && sameDest(present, d)) return;
    st.dests.set(k, d);
    if (present)
      this.queue(
        { op: 'edit-dest', key: ks.service.key, dest: d },
        { op: 'add-dest', key: ks.service.key, dest: d },
      );
    else this.queue({ op: 'add-dest', key: ks.service.key, dest: d });
  }

  private async applyTimeouts(): Promise<void> {
    const g = this.config.global.lvsTimeouts;
    const wanted = { tcp: seconds(g.tcpMs), tcpFin: seconds(g.tcpFinMs), udp: seconds(g.udpMs) };
    if (wanted.tcp === 0 && wanted.tcpFin === 0 && wanted.udp === 0) return;
    if (!this.originalTimeouts) {
      try {
        this.originalTimeouts = await this.ipvs.timeouts();
      } catch (err) {
        this.log.error({ event: 'ipvs.error', err }, 'Failed to get IPVS timeouts');
        return;
      }
    }
    const o = this.originalTimeouts;
    // keepalived sends all three: the ones not configured keep the kernel's original values.
    this.queue({
      op: 'set-timeouts',
      timeouts: { tcp: wanted.tcp || o.tcp, tcpFin: wanted.tcpFin || o.tcpFin, udp: wanted.udp || o.udp },
    });
    await this.settled();
  }

  private async restoreTimeouts(): Promise<void> {
    if (!this.originalTimeouts) return;
    this.queue({ op: 'set-timeouts', timeouts: this.originalTimeouts });
    this.originalTimeouts = null;
    await this.settled();
  }

  private queue(change: IpvsChange, retry?: IpvsChange): void {
    this.pending.push(retry ? { change, retry } : { change });
    this.flushSoon();
  }

  /** The changes of this turn of the event loop go out together, after the previous batch. */
  private flushSoon(): void {
    if (this.scheduled || this.pending.length === 0) return;
    this.scheduled = true;
    this.chain = this.chain.then(
      () =>
        new Promise<void>((resolve) =>
          setImmediate(() => {
            this.scheduled = false;
            const batch = this.pending;
            this.pending = [];
            void this.send(batch).then(resolve, resolve);
          }),
        ),
    );
  }

  private async send(batch: readonly { change: IpvsChange; retry?: IpvsChange }[]): Promise<void> {
    this.messages += batch.length;
    const results = await this.ipvs.apply(batch.map((b) => b.change));
    const retries: IpvsChange[] = [];
    batch.forEach((b, i) => {
      const err = results[i] ?? null;
      if (!err) return;
      const c = b.change;
      const errno = errnoOf(err);
      if (c.op === 'edit-dest' && errno === ENOENT && b.retry) {
        retries.push(b.retry);
        return;
      }
      this.report(c, err, errno);
      if (errno === EEXIST && c.op === 'add-service')
        retries.push({ op: 'edit-service', service: c.service });
      else if (errno === EEXIST && c.op === 'add-dest')
        retries.push({ op: 'edit-dest', key: c.key, dest: c.dest });
      else if ((errno === ENOENT || errno === ESRCH) && (c.op === 'del-dest' || c.op === 'del-service'))
        return;
      else if (c.op === 'add-service') this.services.delete(serviceId(c.service.key));
      else if (c.op === 'add-dest')
        this.services.get(serviceId(c.key))?.dests.delete(destKey(c.dest.address, c.dest.port));
    });
    if (retries.length === 0) return;
    this.messages += retries.length;
    const again = await this.ipvs.apply(retries);
    retries.forEach((c, i) => {
      const err = again[i] ?? null;
      if (err) this.report(c, err, errnoOf(err));
    });
  }

  private report(c: IpvsChange, err: Error, errno: number | null): void {
    const key = `${ipvsCommandName(c.op)} ${errno ?? 'EIO'}`;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
    const msg =
      errno === null ? `IPVS cmd ${ipvsCommandName(c.op)} error: ${err.message}` : ipvsErrorMessage(c, errno);
    this.log.info({ event: 'ipvs.error', command: ipvsCommandName(c.op), errno }, msg);
  }
}

const EEXIST = 17;
const ENOENT = 2;
const ESRCH = 3;

function errnoOf(err: Error): number | null {
  const cause = (err as { cause?: unknown }).cause;
  return isErrno(cause) ? cause.errno : isErrno(err) ? err.errno : null;
}

function sameTimeouts(a: GlobalDefs, b: GlobalDefs): boolean {
  const x = a.lvsTimeouts;
  const y = b.lvsTimeouts;
  return x.tcpMs === y.tcpMs && x.tcpFinMs === y.tcpFinMs && x.udpMs === y.udpMs;
}
