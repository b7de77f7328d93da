/**
 * The dispatcher side of the daemon: where the kernel has IPVS the checkers' table drives it;
 * otherwise (these machines) the embedded data plane proxies each virtual server from worker
 * threads, so the VRRP and checker thread never carries client bytes (design §2.3).
 */
import { availableParallelism } from 'node:os';
import type { Config } from '../config/model.js';
import { IpvsTable, ipvsAvailable } from '../dispatch/ipvs-backend.js';
import { ipvsadmList, ipvsadmSave } from '../dispatch/ipvsadm.js';
import { WorkerDataPlane } from '../dispatch/plane.js';
import type { PlaneEvent, ServiceStats } from '../dispatch/plane-messages.js';
import { PlaneTable } from '../dispatch/plane-table.js';
import { planListeners } from '../dispatch/services.js';
import { tableView, type Counters } from '../dispatch/views.js';
import type { Logger } from './log.js';

export interface Dispatcher {
  readonly table: PlaneTable;
  /** A VIP appeared on this host: listeners waiting for it bind now. */
  addressAvailable(address: string): void;
  /** Per listener: listening, connection counters and byte totals (empty with IPVS). */
  stats(): Promise<readonly ServiceStats[]>;
  /** `ipvsadm -Ln` / `ipvsadm-save -n` of the table. */
  ipvsadm(save: boolean): Promise<string>;
  close(): Promise<void>;
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

export function startDispatcher(
  config: Config,
  log: Logger,
  opts: { keepIpvsOnStop?: boolean } = {},
): Dispatcher {
  const plan = planListeners(config);
  if (ipvsAvailable()) {
    log.info({ event: 'dispatch.ipvs' }, 'IPVS is available: the service table drives the kernel (ipvsadm)');
    const kernel = new IpvsTable(config.virtualServers, log);
    kernel.start();
    const table = new PlaneTable(null, [], kernel);
    return {
      table,
      addressAvailable: () => undefined,
      stats: () => Promise.resolve([]),
      ipvsadm: (save) => Promise.resolve(render(config, table, new Map(), save)),
      // keepalived -I/--dont-release-ipvs: the kernel table stays when the daemon stops.
      close: () => (opts.keepIpvsOnStop === true ? Promise.resolve() : kernel.stop()),
    };
  }
  log.info(
    { event: 'dispatch.embedded' },
    'IPVS is not available (no /proc/net/ip_vs): the embedded dispatcher proxies the virtual servers',
  );
  for (const s of plan.skipped)
    log.warn({ event: 'dispatch.unsupported', vs: s.vs }, `keepalived-ts: ${s.vs}: ${s.why} - not served`);
  const plane = new WorkerDataPlane({ onEvent: (e) => logEvent(log, e) });
  const workers = Math.max(1, Math.min(plan.listeners.length, availableParallelism() - 1));
  plane.start({ workers });
  for (const l of plan.listeners) plane.setService(l.id, l);
  const table = new PlaneTable(plane, plan.listeners);
  const stats = async (): Promise<readonly ServiceStats[]> => [...(await plane.stats()).values()];
  return {
    table,
    addressAvailable: (a) => plane.addressAvailable(a),
    stats,
    ipvsadm: async (save) => render(config, table, counters(config, table, await stats()), save),
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
