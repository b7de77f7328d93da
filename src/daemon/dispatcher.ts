/**
 * The dispatcher side of the daemon: where the kernel has IPVS the checkers' table drives it;
 * otherwise (these machines) the embedded data plane proxies each virtual server from worker
 * threads, so the VRRP and checker thread never carries client bytes (docs/architecture.md, "The data plane").
 *
 * Reload (SIGHUP): call HealthChecks.reload() first, then Dispatcher.reload(). Listeners that
 * did not change are not touched (their sockets and connections go on); changed ones are updated
 * in place (re-listening only for a new address or port); gone ones stop listening while their
 * open connections run out; new ones start and get the table's real servers for them.
 */
import { availableParallelism } from 'node:os';
import type { Config } from '../config/model.js';
import { IpvsTable, type IpvsServiceSnapshot } from '../dispatch/ipvs-backend.js';
import { kernelServices } from '../dispatch/ipvs-model.js';
import { ipvsadmList, ipvsadmSave, type ViewService } from '../dispatch/ipvsadm.js';
import { openIpvs, type Ipvs } from '../net/ipvs.js';
import { IP_VS_SVC_F, serviceName } from '../net/ipvs-netlink.js';
import { WorkerDataPlane } from '../dispatch/plane.js';
import type { DataPlane } from '../dispatch/plane.js';
import type { PlaneEvent, ServiceStats } from '../dispatch/plane-messages.js';
import { PlaneTable, type PlaneListener } from '../dispatch/plane-table.js';
import {
  diffListeners,
  planListeners,
  serviceSpecOf,
  type ListenerPlan,
  type ListenerSpec,
} from '../dispatch/services.js';
import { tableView, type Counters } from '../dispatch/views.js';
import type { Logger } from './log.js';

export interface Dispatcher {
  readonly table: PlaneTable;
  /** The kernel's table, with IPVS (its error and message counters); absent for the embedded one. */
  readonly kernel?: IpvsTable;
  /** A VIP appeared on this host: listeners waiting for it bind now. */
  addressAvailable(address: string): void;
  /** Per listener: listening, connection counters and byte totals (empty with IPVS). */
  stats(): Promise<readonly ServiceStats[]>;
  /** `ipvsadm -Ln` / `ipvsadm-save -n` of the table. */
  ipvsadm(save: boolean): Promise<string>;
  /**
   * A new config (SIGHUP, validated; after HealthChecks.reload()). Embedded: the listeners
   * diffed by services.ts diffListeners(). IPVS: services deleted, added or edited (best effort).
   */
  reload(config: Config): Promise<DispatcherReloadReport>;
  close(): Promise<void>;
}

/** Listener ids by what a reload did to them (empty with IPVS). */
export interface DispatcherReloadReport {
  readonly kept: readonly string[];
  readonly changed: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export interface DispatcherOptions {
  /** keepalived -I/--dont-release-ipvs: the kernel table stays when the daemon stops. */
  readonly keepIpvsOnStop?: boolean;
  /** --dispatch-workers as given (text); null or invalid: the CPUs less one, at least 1. */
  readonly workers?: string | null;
  /** The embedded data plane to use (tests); given, IPVS is not looked for. Default: WorkerDataPlane. */
  readonly dataPlane?: (onEvent: (event: PlaneEvent) => void) => DataPlane;
  /** The kernel's IPVS (tests); default: opened over netlink when there are virtual servers. */
  readonly ipvs?: Ipvs | null;
}

function logEvent(log: Logger, e: PlaneEvent): void {
  switch (e.kind) {
    case 'listening':
      log.info(
        { event: 'dispatch.listening', ...e },
        `Dispatcher listening on ${e.protocol} ${e.address}:${e.port}`,
      );
      return;
    case 'listen-failed':
      // A BACKUP director does not hold the VIP: the listener binds when it arrives.
      log.info(
        { event: 'dispatch.listen-pending', ...e },
        `Dispatcher cannot listen on ${e.protocol} ${e.address}:${e.port} yet (${e.code}): retrying`,
      );
      return;
    case 'connect-failed':
      log.warn(
        { event: 'dispatch.connect-failed', ...e },
        `Dispatcher: ${e.count} connection(s) to real server ${e.address}:${e.port} failed (${e.code})`,
      );
      return;
    case 'no-destination':
      log.warn(
        { event: 'dispatch.no-destination', ...e },
        `Dispatcher: ${e.count} client(s) of ${e.service} turned away: no real server available`,
      );
      return;
    case 'internal-error':
      log.error({ event: 'dispatch.internal-error', ...e }, `Dispatcher internal error: ${e.message}`);
      return;
    case 'worker-exit':
      log.error(
        { event: 'dispatch.worker-exit', ...e },
        `Dispatcher worker ${e.worker} exited (${e.code}): restarting`,
      );
      return;
    case 'worker-restarted':
      log.warn(
        { event: 'dispatch.worker-restarted', ...e },
        `Dispatcher worker ${e.worker} restarted with ${e.services} service(s)`,
      );
      return;
  }
}

/**
 * The dispatcher for `config`: the kernel's IPVS where it exists (keepalived loads ip_vs when it is
 * missing; so does openIpvs()), otherwise the embedded data plane.
 */
export async function startDispatcher(
  config: Config,
  log: Logger,
  opts: DispatcherOptions = {},
): Promise<Dispatcher> {
  let ipvs: Ipvs | null = opts.ipvs ?? null;
  if (opts.ipvs === undefined && opts.dataPlane === undefined && config.virtualServers.length > 0) {
    ipvs = await openIpvs({
      onError: (err) => log.warn({ event: 'ipvs.netlink-error', err }, err.message),
    }).catch((err: unknown) => {
      log.warn({ event: 'ipvs.unavailable', err }, `IPVS: Can't initialize ipvs: ${(err as Error).message}`);
      return null;
    });
  }
  if (ipvs) return startKernel(config, log, ipvs, opts.keepIpvsOnStop === true);
  return startEmbedded(config, log, opts);
}

/** Kernel services per virtual server, as status listeners: `ipvs TCP 192.0.2.1:80`. */
const kernelListeners = (config: Config): PlaneListener[] =>
  config.virtualServers.flatMap((vs) =>
    kernelServices(vs, config.virtualServerGroups).map((ks) => ({
      id: `ipvs ${serviceName(ks.service.key)}`,
      vs: vs.display,
    })),
  );

async function startKernel(config: Config, log: Logger, ipvs: Ipvs, keep: boolean): Promise<Dispatcher> {
  log.info({ event: 'dispatch.ipvs' }, 'IPVS is available: the service table drives the kernel (netlink)');
  const ipvsConfig = (c: Config) => ({
    servers: c.virtualServers,
    groups: c.virtualServerGroups,
    global: c.globalDefs,
  });
  const kernel = new IpvsTable(ipvsConfig(config), ipvs, log);
  await kernel.start();
  const table = new PlaneTable(null, kernelListeners(config), kernel);
  return {
    table,
    kernel,
    addressAvailable: () => undefined,
    stats: async () => (await kernel.snapshot()).map(kernelStats),
    ipvsadm: async (save) => {
      const views = (await kernel.snapshot()).map(kernelView);
      return save ? ipvsadmSave(views) : ipvsadmList(views);
    },
    reload: async (next) => {
      table.reload(kernelListeners(next), next.virtualServers, new Set());
      await kernel.reload(ipvsConfig(next));
      return { kept: [], changed: [], added: [], removed: [] };
    },
    close: async () => {
      try {
        await kernel.stop(keep);
      } finally {
        ipvs.close();
      }
    },
  };
}

/** A kernel service as a dispatcher listener's statistics (status, metrics). */
function kernelStats(s: IpvsServiceSnapshot): ServiceStats {
  const key = s.service.key;
  return {
    id: `ipvs ${serviceName(key)}`,
    protocol: key.kind === 'fwmark' ? 'FWM' : key.protocol,
    address: key.kind === 'fwmark' ? String(key.fwmark) : key.address,
    port: key.kind === 'fwmark' ? 0 : key.port,
    workers: [],
    listening: true,
    noDestination: 0,
    dests: s.dests.map((d) => ({
      address: d.address,
      port: d.port,
      weight: d.weight,
      activeConns: d.activeConns,
      inactConns: d.inactConns,
      persistConns: d.persistConns,
      connectFailures: 0,
      totals: { conns: d.stats.conns, bytesIn: d.stats.inBytes, bytesOut: d.stats.outBytes },
    })),
  };
}

/** ipvsadm's scheduler flag names for the kernel's bits. */
function flagNames(scheduler: string, flags: number): string[] {
  const out: string[] = [];
  const sched = scheduler === 'sh' || scheduler === 'mh' ? scheduler : null;
  if (flags & IP_VS_SVC_F.SCHED1) out.push(sched ? `${sched}-fallback` : 'flag-1');
  if (flags & IP_VS_SVC_F.SCHED2) out.push(sched ? `${sched}-port` : 'flag-2');
  if (flags & IP_VS_SVC_F.SCHED3) out.push('flag-3');
  if (flags & IP_VS_SVC_F.ONEPACKET) out.push('ops');
  return out;
}

/** A kernel service as ipvsadm lists it. */
function kernelView(s: IpvsServiceSnapshot): ViewService {
  const svc = s.service;
  const key = svc.key;
  return {
    protocol: key.kind === 'fwmark' ? 'TCP' : key.protocol,
    address: key.kind === 'address' ? key.address : null,
    port: key.kind === 'address' ? key.port : 0,
    fwmark: key.kind === 'fwmark' ? key.fwmark : null,
    family: key.family,
    scheduler: svc.scheduler,
    persistenceTimeout: svc.flags & IP_VS_SVC_F.PERSISTENT ? svc.timeout : 0,
    persistencePrefix: svc.prefix,
    pe: svc.pe,
    flags: flagNames(svc.scheduler, svc.flags),
    dests: s.dests.map((d) => ({
      address: d.address,
      port: d.port,
      forward: d.forward === 'LOCAL' ? 'NAT' : d.forward,
      weight: d.weight,
      activeConns: d.activeConns,
      inactConns: d.inactConns,
      tunnel: d.tunnel,
    })),
  };
}

/** lb_kind DR/TUN without IPVS: said once per virtual server (and again only if it changes). */
function warnProxied(log: Logger, proxied: ListenerPlan['proxied'], known: ReadonlySet<string>): void {
  for (const p of proxied)
    if (!known.has(`${p.vs}|${p.lbKind}`))
      log.warn(
        { event: 'dispatch.proxied', vs: p.vs, lbKind: p.lbKind },
        `keepalived-ts: ${p.vs}: lb_kind ${p.lbKind} needs the kernel's IPVS: the embedded dispatcher proxies its connections instead`,
      );
}

/** Most worker threads --dispatch-workers may ask for. */
const MAX_WORKERS = 64;

/**
 * One worker per CPU but the one the VRRP thread and the checkers need (a TCP service is spread
 * over all of them: dispatch/plane.ts), at least one; --dispatch-workers overrides it.
 */
function workerCount(given: string | null, log: Logger): number {
  const fallback = Math.max(1, availableParallelism() - 1);
  if (given === null) return fallback;
  const n = /^\d+$/.test(given) ? Number(given) : NaN;
  if (n >= 1 && n <= MAX_WORKERS) return n;
  log.warn(
    { event: 'dispatch.workers-invalid', given },
    `keepalived-ts: --dispatch-workers=${given} is not a number from 1 to ${MAX_WORKERS}: using ${fallback}`,
  );
  return fallback;
}

function startEmbedded(config: Config, log: Logger, opts: DispatcherOptions): Dispatcher {
  let current = config;
  let plan = planListeners(config);
  log.info(
    { event: 'dispatch.embedded' },
    'IPVS is not available (no /proc/net/ip_vs): the embedded dispatcher proxies the virtual servers',
  );
  for (const s of plan.skipped)
    log.warn({ event: 'dispatch.unsupported', vs: s.vs }, `keepalived-ts: ${s.vs}: ${s.why} - not served`);
  warnProxied(log, plan.proxied, new Set());
  const onEvent = (e: PlaneEvent): void => logEvent(log, e);
  const plane = opts.dataPlane?.(onEvent) ?? new WorkerDataPlane({ onEvent });
  plane.start({ workers: workerCount(opts.workers ?? null, log) });
  /** The services the data plane runs, by id. */
  const live = new Map<string, ListenerSpec>();
  for (const l of plan.listeners) {
    plane.setService(l.id, serviceSpecOf(l));
    live.set(l.id, l);
  }
  const table = new PlaneTable(plane, plan.listeners);
  const stats = async (): Promise<readonly ServiceStats[]> => [...(await plane.stats()).values()];
  const reload = (next: Config): Promise<DispatcherReloadReport> => {
    const nextPlan = planListeners(next);
    const known = new Set(plan.skipped.map((s) => `${s.vs}|${s.why}`));
    for (const s of nextPlan.skipped)
      if (!known.has(`${s.vs}|${s.why}`))
        log.warn(
          { event: 'dispatch.unsupported', vs: s.vs },
          `keepalived-ts: ${s.vs}: ${s.why} - not served`,
        );
    warnProxied(log, nextPlan.proxied, new Set(plan.proxied.map((p) => `${p.vs}|${p.lbKind}`)));
    const diff = diffListeners(live, nextPlan.listeners);
    // Removals first: a new listener may want an address and port a removed one held.
    for (const id of diff.removed) {
      const l = live.get(id);
      live.delete(id);
      plane.removeService(id);
      if (l)
        log.info(
          { event: 'dispatch.service-removed', service: id, vs: l.vs },
          `Dispatcher: no longer serving ${l.protocol} ${l.address}:${l.port} for ${l.vs} (open connections continue)`,
        );
    }
    for (const { id, spec, relisten } of diff.changed) {
      live.set(id, spec);
      plane.setService(id, serviceSpecOf(spec));
      log.info(
        { event: 'dispatch.service-changed', service: id, vs: spec.vs, relisten },
        `Dispatcher: ${spec.protocol} ${spec.address}:${spec.port} for ${spec.vs} updated${relisten ? ' (listening anew)' : ''}`,
      );
    }
    for (const { id, spec } of diff.added) {
      live.set(id, spec);
      plane.setService(id, serviceSpecOf(spec));
      log.info(
        { event: 'dispatch.service-added', service: id, vs: spec.vs },
        `Dispatcher: serving ${spec.protocol} ${spec.address}:${spec.port} for ${spec.vs}`,
      );
    }
    table.reload(
      [...live].map(([id, l]) => ({ id, vs: l.vs })),
      next.virtualServers,
      new Set(diff.added.map((x) => x.id)),
    );
    plan = nextPlan;
    current = next;
    return Promise.resolve({
      kept: diff.kept.map((x) => x.id),
      changed: diff.changed.map((x) => x.id),
      added: diff.added.map((x) => x.id),
      removed: diff.removed,
    });
  };
  return {
    table,
    addressAvailable: (a) => plane.addressAvailable(a),
    stats,
    ipvsadm: async (save) => render(current, table, counters(current, table, await stats()), save),
    reload,
    close: () => plane.close(),
  };
}

/** Connection counters per virtual server, summed over its listeners. */
function counters(config: Config, table: PlaneTable, stats: readonly ServiceStats[]): Map<string, Counters> {
  const byId = new Map(stats.map((s) => [s.id, s]));
  const out = new Map<string, Counters>();
  for (const vs of config.virtualServers) {
    const sum = new Map<string, { activeConns: number; inactConns: number }>();
    for (const id of table.listenersOf(vs.display)) {
      for (const d of byId.get(id)?.dests ?? []) {
        const k = `${d.address}|${d.port}`;
        const c = sum.get(k) ?? { activeConns: 0, inactConns: 0 };
        sum.set(k, { activeConns: c.activeConns + d.activeConns, inactConns: c.inactConns + d.inactConns });
      }
    }
    out.set(vs.display, sum);
  }
  return out;
}

function render(config: Config, table: PlaneTable, byVs: Map<string, Counters>, save: boolean): string {
  const view = tableView(
    config.virtualServers,
    (vs) => table.memory.entries(vs),
    (vs) => byVs.get(vs),
  );
  return save ? ipvsadmSave(view) : ipvsadmList(view);
}
