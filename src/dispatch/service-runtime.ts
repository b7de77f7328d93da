/**
 * One virtual service inside a data-plane worker: its listener, its real servers (the IPVS
 * ip_vs_service / ip_vs_dest pair of model.ts), its scheduler and persistence templates, and the
 * counters. It answers the proxy fronts' questions (ConnHooks) and the table updates from the
 * daemon.
 *
 * Table changes follow IPVS:
 * - a new real server goes to the head of the list (list_add_rcu in ip_vs_add_dest), and the
 *   scheduler is told (update());
 * - a weight change applies to new connections only; weight 0 quiesces: no new connections, the
 *   open ones go on, and persistent clients keep coming back (expire_quiescent_template off);
 * - a removed real server's open connections go on until they end, kept in a trash list and no
 *   longer shown in the stats (ipvsadm -Ln does not show the trash either); its templates go at
 *   once; added again while still in the trash, it comes back with its counters
 *   (ip_vs_trash_get_dest).
 */
import net from 'node:net';
import { bindReusePort } from '../net/reuseport.js';
import { bindConn, unbindConn } from './conn-accounting.js';
import type { ConnHooks, DestCounters } from './conn-hooks.js';
import { RetryingListener, type ListenerReport } from './listener.js';
import { newDestination, type Client, type Destination, type Service } from './model.js';
import { Persistence, type PersistenceHandle } from './persistence.js';
import type { DestSpec, PlaneEvent, ServiceSpec, ServiceStats } from './plane-messages.js';
import type { RateLimitedEvents } from './rate-limited-events.js';
import type { ReadBufferPool } from './read-buffers.js';
import type { Scheduler } from './scheduler.js';
import { isAvailable } from './schedulers/dest-state.js';
import { createScheduler } from './schedulers/index.js';
import { TcpFront } from './tcp-proxy.js';
import { UdpFront } from './udp-proxy.js';

/** What the worker gives every service. */
export interface RuntimeEnv {
  readonly worker: number;
  readonly buffers: ReadBufferPool;
  readonly limiter: RateLimitedEvents;
  readonly emit: (event: PlaneEvent) => void;
  readonly now: () => number;
  /** The listen backlog for TCP services. */
  readonly backlog?: number;
}

type MutableDest = { -readonly [K in keyof Destination]: Destination[K] };

const destKey = (address: string, port: number): string => `${address}|${port}`;
const sameListen = (a: ServiceSpec, b: ServiceSpec): boolean =>
  a.protocol === b.protocol && a.address === b.address && a.port === b.port;

/** somaxconn caps it; 511 (Node's default) overflows under a burst of a thousand clients. */
const TCP_BACKLOG = 4096;

export class ServiceRuntime implements ConnHooks {
  private svc: Service;
  private scheduler: Scheduler;
  private persistence: Persistence | null;
  private readonly dests: Destination[] = [];
  private readonly destCounters = new Map<Destination, DestCounters>();
  /** Removed real servers whose connections are still open, by address|port. */
  private readonly trash = new Map<string, Destination>();
  private noDest = 0;
  private front: TcpFront | UdpFront;
  private server: net.Server | null = null;
  private listener: RetryingListener;

  constructor(
    readonly id: string,
    private spec: ServiceSpec,
    private readonly env: RuntimeEnv,
  ) {
    this.svc = this.serviceFor(spec);
    this.scheduler = createScheduler(spec.scheduler, spec.flags);
    this.scheduler.update(this.svc);
    this.persistence = spec.persistenceTimeoutMs > 0 ? new Persistence() : null;
    [this.front, this.listener] = this.openFront(spec);
  }

  /** The same service with new parameters; a new address or port re-listens. */
  update(spec: ServiceSpec): void {
    const old = this.spec;
    this.spec = spec;
    this.svc = this.serviceFor(spec);
    if (old.scheduler !== spec.scheduler || old.flags.join() !== spec.flags.join()) {
      this.scheduler = createScheduler(spec.scheduler, spec.flags);
    }
    this.scheduler.update(this.svc);
    if (spec.persistenceTimeoutMs === 0) this.persistence = null;
    else this.persistence ??= new Persistence();
    if (!sameListen(old, spec)) {
      this.closeFront();
      [this.front, this.listener] = this.openFront(spec);
    } else if (this.front instanceof TcpFront) {
      this.front.setOptions({ connectTimeoutMs: spec.connectTimeoutMs, proxyProtocol: spec.proxyProtocol });
    } else {
      this.front.setOptions({ idleTimeoutMs: spec.udpIdleTimeoutMs });
    }
  }

  setDest(d: DestSpec): void {
    const key = destKey(d.address, d.port);
    let dest = this.dests.find((x) => x.address === d.address && x.port === d.port) as
      MutableDest | undefined;
    if (dest === undefined) {
      dest = this.trash.get(key) ?? newDestination(d.address, d.port, d.weight);
      this.trash.delete(key);
      this.dests.unshift(dest);
    }
    // __ip_vs_update_dest(): a cleared or raised upper threshold lifts the overload at once.
    if (d.upperThreshold === 0 || d.upperThreshold > dest.upperThreshold) dest.overloaded = false;
    dest.weight = d.weight;
    dest.upperThreshold = d.upperThreshold;
    dest.lowerThreshold = d.lowerThreshold;
    dest.sorry = d.sorry;
    this.scheduler.update(this.svc);
  }

  removeDest(address: string, port: number): void {
    const i = this.dests.findIndex((x) => x.address === address && x.port === port);
    const dest = this.dests[i];
    if (dest === undefined) return;
    this.dests.splice(i, 1);
    this.persistence?.destRemoved(dest);
    if (dest.activeConns + dest.inactConns > 0) this.trash.set(destKey(address, port), dest);
    else this.destCounters.delete(dest);
    this.scheduler.update(this.svc);
  }

  addressAvailable(address: string): void {
    if (address === this.spec.address) this.listener.retryNow();
  }

  /** Once a second: persistence templates whose time has come (ip_vs_conn_expire). */
  tick(): void {
    this.persistence?.expire(this.env.now());
  }

  /** Stop listening; open connections go on (IPVS keeps them when a service is deleted). */
  close(): void {
    this.closeFront();
  }

  /** Stop listening and drop every connection (the data plane is closing). */
  destroy(): void {
    const front = this.front;
    this.closeFront();
    if (front instanceof TcpFront) front.destroyAll();
  }

  stats(): ServiceStats {
    return {
      id: this.id,
      protocol: this.spec.protocol,
      address: this.spec.address,
      port: this.spec.port,
      workers: [this.env.worker],
      listening: this.listener.listening,
      noDestination: this.noDest,
      dests: this.dests.map((d) => {
        const c = this.counters(d);
        return {
          address: d.address,
          port: d.port,
          weight: d.weight,
          activeConns: d.activeConns,
          inactConns: d.inactConns,
          persistConns: d.persistConns,
          connectFailures: c.connectFailures,
          totals: { conns: c.conns, bytesIn: c.bytesIn, bytesOut: c.bytesOut },
        };
      }),
    };
  }

  // ConnHooks: what the fronts ask.

  pick(client: Client, exclude: ReadonlySet<Destination> | null): Destination | null {
    const now = this.env.now();
    let dest: Destination | null = null;
    // ip_vs_sched_persist(): the template first; only a first attempt may use it.
    if (this.persistence !== null && exclude === null) dest = this.persistence.lookup(this.svc, client, now);
    dest ??= this.schedule(client, exclude, now);
    if (dest === null) return null;
    bindConn(dest);
    this.counters(dest).conns++;
    return dest;
  }

  hasAlternative(exclude: ReadonlySet<Destination> | null, dest: Destination): boolean {
    return this.dests.some((d) => d !== dest && isAvailable(d) && !(exclude?.has(d) ?? false));
  }

  counters(dest: Destination): DestCounters {
    let c = this.destCounters.get(dest);
    if (c === undefined) {
      c = { conns: 0, bytesIn: 0, bytesOut: 0, connectFailures: 0 };
      this.destCounters.set(dest, c);
    }
    return c;
  }

  connected(client: Client, dest: Destination): PersistenceHandle | null {
    if (this.persistence === null || !this.dests.includes(dest)) return null;
    return this.persistence.bind(this.svc, client, dest, this.env.now());
  }

  connectFailed(dest: Destination, code: string): void {
    this.counters(dest).connectFailures++;
    const { address, port } = dest;
    this.env.limiter.note(`${this.id}|${address}|${port}`, (count) =>
      this.env.emit({
        kind: 'connect-failed',
        worker: this.env.worker,
        service: this.id,
        address,
        port,
        code,
        count,
      }),
    );
  }

  noDestination(): void {
    this.noDest++;
    this.env.limiter.note(`${this.id}|-`, (count) =>
      this.env.emit({ kind: 'no-destination', worker: this.env.worker, service: this.id, count }),
    );
  }

  release(dest: Destination, active: boolean, template: PersistenceHandle | null): void {
    unbindConn(dest, active);
    if (template !== null) this.persistence?.release(template, this.env.now());
    if (dest.activeConns + dest.inactConns === 0) {
      const key = destKey(dest.address, dest.port);
      if (this.trash.get(key) === dest) {
        this.trash.delete(key);
        this.destCounters.delete(dest);
      }
    }
  }

  /** The scheduler's pick, skipping `exclude` by flagging them overloaded for the call (IPVS schedulers skip IP_VS_DEST_F_OVERLOAD). */
  private schedule(
    client: Client,
    exclude: ReadonlySet<Destination> | null,
    now: number,
  ): Destination | null {
    if (exclude === null || exclude.size === 0) return this.scheduler.schedule(this.svc, client, now);
    const flagged: Destination[] = [];
    for (const d of exclude) {
      if (!d.overloaded) {
        d.overloaded = true;
        flagged.push(d);
      }
    }
    try {
      return this.scheduler.schedule(this.svc, client, now);
    } finally {
      for (const d of flagged) d.overloaded = false;
    }
  }

  private serviceFor(spec: ServiceSpec): Service {
    return {
      key: { kind: 'address', protocol: spec.protocol, address: spec.address, port: spec.port },
      scheduler: spec.scheduler,
      flags: spec.flags,
      persistenceTimeoutMs: spec.persistenceTimeoutMs,
      persistencePrefix: spec.persistencePrefix,
      dests: this.dests,
    };
  }

  private openFront(spec: ServiceSpec): [TcpFront | UdpFront, RetryingListener] {
    const report = (r: ListenerReport): void => {
      const where = {
        worker: this.env.worker,
        service: this.id,
        protocol: spec.protocol,
        address: spec.address,
        port: spec.port,
      };
      this.env.emit(
        r.kind === 'listening'
          ? { kind: 'listening', ...where }
          : { kind: 'listen-failed', ...where, code: r.code, message: r.message },
      );
    };
    const internalError = (err: Error): void =>
      this.env.emit({
        kind: 'internal-error',
        worker: this.env.worker,
        service: this.id,
        message: err.message,
      });
    let front: TcpFront | UdpFront;
    let open: () => Promise<void>;
    if (spec.protocol === 'TCP') {
      const tcp = new TcpFront(
        this,
        { connectTimeoutMs: spec.connectTimeoutMs, proxyProtocol: spec.proxyProtocol },
        this.env.buffers,
        this.env.now,
      );
      const server = tcp.createServer();
      server.on('error', (err) => {
        if (server.listening) internalError(err);
      });
      this.server = server;
      front = tcp;
      open = () => listenReusePort(server, spec.address, spec.port, this.env.backlog ?? TCP_BACKLOG);
    } else {
      const udp = new UdpFront(this, { idleTimeoutMs: spec.udpIdleTimeoutMs }, internalError, this.env.now);
      front = udp;
      open = () => udp.open(spec.address, spec.port);
    }
    const listener = new RetryingListener(open, (r) => {
      if (!stopped()) report(r);
    });
    const stopped = (): boolean => this.listener !== listener;
    listener.start();
    return [front, listener];
  }

  private closeFront(): void {
    this.listener.stop();
    if (this.front instanceof UdpFront) this.front.close();
    const server = this.server;
    this.server = null;
    if (server !== null) {
      if (server.listening) server.close();
      // A listen still in flight closes when it completes.
      else server.once('listening', () => server.close());
    }
  }
}

/**
 * One listen attempt on a fresh or failed server (net.Server may listen again after an error), on a
 * socket of this worker's own bound with SO_REUSEPORT (net/reuseport.ts). Every TCP listener is
 * bound so, spread over the workers or not: a service that spreads or narrows on a reload then
 * never meets its own socket in another worker as EADDRINUSE, and a port held by a socket without
 * SO_REUSEPORT (another program) still fails with EADDRINUSE. Node adopts the descriptor; the
 * backlog goes as the second argument (listen({ fd }) ignores options.backlog).
 */
async function listenReusePort(
  server: net.Server,
  host: string,
  port: number,
  backlog: number,
): Promise<void> {
  const fd = bindReusePort(host, port);
  await listening(server, () => server.listen({ fd }, backlog));
}

function listening(server: net.Server, listen: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    listen();
  });
}
