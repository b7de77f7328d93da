/**
 * The embedded data plane as the daemon sees it: a port (DataPlane) and its implementation on
 * worker threads (WorkerDataPlane). The daemon's thread keeps only the table (services and real
 * servers, as given) and talks to the workers over their MessagePorts (plane-messages.ts); the
 * workers carry every client byte (docs/architecture.md, "The data plane": a saturated data plane cannot delay adverts).
 *
 * - A TCP service is spread over every worker: each binds its own socket with SO_REUSEPORT
 *   (net/reuseport.ts; Node 20's net module cannot) and the kernel spreads the connections across
 *   them by a hash of the 4-tuple. Each worker schedules its share on its own (rr, wrr and the rest
 *   see only their worker's connections, as each IPVS scheduler instance would per CPU without the
 *   shared counters); the stats are summed here.
 * - A service stays in one worker where splitting would change what IPVS does: UDP (its sessions
 *   are per socket), persistence (a client's connections from different ports must meet the same
 *   template), and upper/lower thresholds (they count the real server's connections as a whole).
 *   Such a service goes to the worker with the fewest.
 * - Nothing a worker does throws here: failures come back as PlaneEvents through `onEvent`.
 * - A worker that dies (uncaught exception, out of memory) is started again, after 100 ms doubling
 *   up to 5 s while it keeps dying within 10 s of its start, with its services and real servers
 *   re-applied; its connections are lost, as with an IPVS director reboot without conn sync.
 */
import { Worker } from 'node:worker_threads';
import type {
  DestSpec,
  DestStats,
  FromWorker,
  PlaneEvent,
  ServiceSpec,
  ServiceStats,
  ToWorker,
  WorkerInit,
} from './plane-messages.js';

export type {
  DestSpec,
  DestStats,
  DestTotals,
  PlaneEvent,
  ServiceSpec,
  ServiceStats,
} from './plane-messages.js';

export interface DataPlane {
  /** Start the workers; services set before are placed now. */
  start(opts: { readonly workers: number }): void;
  /** Add a virtual service, or change one (a new address or port re-listens; open connections go on). */
  setService(id: string, spec: ServiceSpec): void;
  /** Stop listening; open connections go on until they end (as IPVS keeps them). */
  removeService(id: string): void;
  /** Add a real server, or change its weight / thresholds (new connections only). */
  setDest(id: string, dest: DestSpec): void;
  /** Remove a real server; its open connections go on until they end. */
  removeDest(id: string, address: string, port: number): void;
  /** A virtual address arrived on this host (VRRP became MASTER): pending listeners retry now. */
  addressAvailable(address: string): void;
  /** Counters of every service, by id. A worker that does not answer shows zeros, not listening. */
  stats(): Promise<ReadonlyMap<string, ServiceStats>>;
  /** Drop every connection, stop the workers. */
  close(): Promise<void>;
}

export interface WorkerDataPlaneOptions {
  readonly onEvent: (event: PlaneEvent) => void;
  /** The worker entry; default worker.js next to this module (dist/dispatch/worker.js). */
  readonly workerUrl?: URL;
  /** Node options for the workers (tests pass a TypeScript loader). */
  readonly execArgv?: readonly string[];
  readonly restartDelayMs?: number;
  readonly statsTimeoutMs?: number;
}

const MAX_RESTART_DELAY_MS = 5000;
/** A worker that lived this long before dying restarts after the base delay again. */
const STABLE_AFTER_MS = 10_000;
const CLOSE_TIMEOUT_MS = 2000;

interface Slot {
  readonly index: number;
  worker: Worker | null;
  startedAt: number;
  quickCrashes: number;
  restartTimer: ReturnType<typeof setTimeout> | null;
  lastError: string | null;
  readonly services: Set<string>;
  readonly waiting: Map<number, (msg: FromWorker | null) => void>;
}

interface ServiceEntry {
  spec: ServiceSpec;
  /** The workers that serve it: every one when spread, else one. */
  slots: readonly Slot[];
  /** Those of them listening now (one 'listening' event when all are). */
  readonly listening: Set<Slot>;
  /** The last listen failure reported (one 'listen-failed' per code, whichever worker says it). */
  failedCode: string | null;
  /** By address|port, in the order they were added (replayed in that order). */
  readonly dests: Map<string, DestSpec>;
}

const destKey = (address: string, port: number): string => `${address}|${port}`;

export class WorkerDataPlane implements DataPlane {
  private readonly slots: Slot[] = [];
  private readonly services = new Map<string, ServiceEntry>();
  private nextReq = 1;
  private closing = false;
  private readonly workerUrl: URL;

  constructor(private readonly options: WorkerDataPlaneOptions) {
    this.workerUrl = options.workerUrl ?? new URL('./worker.js', import.meta.url);
  }

  start(opts: { readonly workers: number }): void {
    if (this.slots.length > 0 || this.closing) return;
    const n = Math.max(1, Math.floor(opts.workers));
    for (let index = 0; index < n; index++) {
      this.slots.push({
        index,
        worker: null,
        startedAt: 0,
        quickCrashes: 0,
        restartTimer: null,
        lastError: null,
        services: new Set(),
        waiting: new Map(),
      });
    }
    for (const [id, entry] of this.services) this.place(id, entry);
    for (const slot of this.slots) this.spawn(slot);
  }

  setService(id: string, spec: ServiceSpec): void {
    const entry = this.services.get(id);
    if (entry !== undefined) {
      entry.spec = spec;
      this.place(id, entry);
      return;
    }
    const created: ServiceEntry = {
      spec,
      slots: [],
      dests: new Map(),
      listening: new Set(),
      failedCode: null,
    };
    this.services.set(id, created);
    this.place(id, created);
  }

  removeService(id: string): void {
    const entry = this.services.get(id);
    if (entry === undefined) return;
    this.services.delete(id);
    for (const slot of entry.slots) {
      slot.services.delete(id);
      this.post(slot, { type: 'remove-service', id });
    }
  }

  setDest(id: string, dest: DestSpec): void {
    const entry = this.services.get(id);
    if (entry === undefined) return;
    entry.dests.set(destKey(dest.address, dest.port), dest);
    const before = entry.slots;
    this.place(id, entry);
    // A worker the service just joined was given every real server already.
    for (const slot of entry.slots)
      if (before.includes(slot)) this.post(slot, { type: 'set-dest', id, dest });
  }

  removeDest(id: string, address: string, port: number): void {
    const entry = this.services.get(id);
    if (entry === undefined || !entry.dests.delete(destKey(address, port))) return;
    for (const slot of entry.slots) this.post(slot, { type: 'remove-dest', id, address, port });
    this.place(id, entry);
  }

  addressAvailable(address: string): void {
    for (const slot of this.slots) this.post(slot, { type: 'address-available', address });
  }

  async stats(): Promise<ReadonlyMap<string, ServiceStats>> {
    const replies = await Promise.all(this.slots.map((slot) => this.ask(slot, 'stats')));
    const parts = new Map<string, ServiceStats[]>();
    for (const reply of replies) {
      if (reply?.type !== 'stats') continue;
      for (const s of reply.services)
        if (this.services.has(s.id)) parts.set(s.id, [...(parts.get(s.id) ?? []), s]);
    }
    const out = new Map<string, ServiceStats>();
    for (const [id, entry] of this.services) {
      const got = parts.get(id) ?? [];
      out.set(id, got.length === 0 ? unanswered(id, entry) : merged(got, entry.slots.length));
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.restartTimer !== null) clearTimeout(slot.restartTimer);
        slot.restartTimer = null;
        const worker = slot.worker;
        if (worker === null) return;
        await this.ask(slot, 'close', CLOSE_TIMEOUT_MS);
        slot.worker = null;
        await worker.terminate();
      }),
    );
  }

  /**
   * Puts the service on the workers it belongs on now (spread or one: the header) and tells them:
   * a worker it leaves stops listening (its open connections go on), a worker it joins gets it
   * with its real servers, the others get the new spec.
   */
  private place(id: string, entry: ServiceEntry): void {
    if (this.slots.length === 0) return;
    const spread = this.slots.length > 1 && spreadable(entry);
    const next = spread ? this.slots : entry.slots.length === 1 ? entry.slots : [this.fewest()];
    const joined = next.filter((slot) => !entry.slots.includes(slot));
    for (const slot of entry.slots)
      if (!next.includes(slot)) {
        slot.services.delete(id);
        entry.listening.delete(slot);
        this.post(slot, { type: 'remove-service', id });
      }
    entry.slots = next;
    for (const slot of next) {
      slot.services.add(id);
      this.post(slot, { type: 'set-service', id, spec: entry.spec });
      if (joined.includes(slot))
        for (const dest of entry.dests.values()) this.post(slot, { type: 'set-dest', id, dest });
    }
  }

  private fewest(): Slot {
    let best = this.slots[0] as Slot;
    for (const slot of this.slots) if (slot.services.size < best.services.size) best = slot;
    return best;
  }

  private post(slot: Slot, msg: ToWorker): void {
    // A worker being restarted gets the whole table on its start: nothing is lost by dropping this.
    slot.worker?.postMessage(msg);
  }

  private ask(
    slot: Slot,
    type: 'stats' | 'close',
    timeoutMs = this.options.statsTimeoutMs ?? 2000,
  ): Promise<FromWorker | null> {
    const worker = slot.worker;
    if (worker === null) return Promise.resolve(null);
    const req = this.nextReq++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(null), timeoutMs);
      const done = (msg: FromWorker | null): void => {
        clearTimeout(timer);
        slot.waiting.delete(req);
        resolve(msg);
      };
      slot.waiting.set(req, done);
      worker.postMessage({ type, req } satisfies ToWorker);
    });
  }

  private spawn(slot: Slot): void {
    const init: WorkerInit = { index: slot.index };
    const worker = new Worker(this.workerUrl, {
      workerData: init,
      ...(this.options.execArgv !== undefined ? { execArgv: [...this.options.execArgv] } : {}),
    });
    slot.worker = worker;
    slot.startedAt = performance.now();
    slot.lastError = null;
    worker.on('message', (msg: FromWorker) => this.fromWorker(slot, msg));
    worker.on('error', (err) => {
      slot.lastError = err.stack ?? err.message;
    });
    worker.on('exit', (code) => this.exited(slot, worker, code));
    for (const id of slot.services) {
      const entry = this.services.get(id);
      if (entry === undefined) continue;
      worker.postMessage({ type: 'set-service', id, spec: entry.spec } satisfies ToWorker);
      for (const dest of entry.dests.values())
        worker.postMessage({ type: 'set-dest', id, dest } satisfies ToWorker);
    }
  }

  private fromWorker(slot: Slot, msg: FromWorker): void {
    switch (msg.type) {
      case 'event':
        if (msg.event.kind === 'listening' || msg.event.kind === 'listen-failed')
          this.listenEvent(slot, msg.event);
        else this.emit(msg.event);
        return;
      case 'stats':
      case 'closed':
        slot.waiting.get(msg.req)?.(msg);
        return;
    }
  }

  /** A spread service listens once all its workers do; a failure is told once per code. */
  private listenEvent(slot: Slot, e: Extract<PlaneEvent, { kind: 'listening' | 'listen-failed' }>): void {
    const entry = this.services.get(e.service);
    if (entry === undefined || !entry.slots.includes(slot)) return; // removed or moved since
    if (e.kind === 'listening') {
      entry.listening.add(slot);
      if (!entry.slots.every((s) => entry.listening.has(s))) return;
      entry.failedCode = null;
    } else {
      entry.listening.delete(slot);
      if (e.code === entry.failedCode) return;
      entry.failedCode = e.code;
    }
    this.emit(e);
  }

  private exited(slot: Slot, worker: Worker, code: number): void {
    if (slot.worker !== worker) return;
    slot.worker = null;
    for (const entry of this.services.values()) entry.listening.delete(slot);
    for (const done of [...slot.waiting.values()]) done(null);
    if (this.closing) return;
    this.emit({ kind: 'worker-exit', worker: slot.index, code, error: slot.lastError });
    const quick = performance.now() - slot.startedAt < STABLE_AFTER_MS;
    slot.quickCrashes = quick ? slot.quickCrashes + 1 : 0;
    const base = this.options.restartDelayMs ?? 100;
    const delay = Math.min(MAX_RESTART_DELAY_MS, base * 2 ** Math.max(0, slot.quickCrashes - 1));
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      if (this.closing) return;
      this.spawn(slot);
      this.emit({ kind: 'worker-restarted', worker: slot.index, services: slot.services.size });
    }, delay);
  }

  private emit(event: PlaneEvent): void {
    try {
      this.options.onEvent(event);
    } catch {
      // The caller's logging must not break the plane.
    }
  }
}

function unanswered(id: string, entry: ServiceEntry): ServiceStats {
  const { protocol, address, port } = entry.spec;
  return {
    id,
    protocol,
    address,
    port,
    workers: entry.slots.map((slot) => slot.index),
    listening: false,
    noDestination: 0,
    dests: [...entry.dests.values()].map((d) => ({
      address: d.address,
      port: d.port,
      weight: d.weight,
      activeConns: 0,
      inactConns: 0,
      persistConns: 0,
      connectFailures: 0,
      totals: { conns: 0, bytesIn: 0, bytesOut: 0 },
    })),
  };
}

/** The header's rule: spread unless UDP, persistence or a real server's thresholds need one worker. */
function spreadable(entry: ServiceEntry): boolean {
  if (entry.spec.protocol !== 'TCP' || entry.spec.persistenceTimeoutMs > 0) return false;
  for (const d of entry.dests.values()) if (d.upperThreshold > 0 || d.lowerThreshold > 0) return false;
  return true;
}

/** One service's counters from each worker that answered, summed (ipvsadm shows one table). */
function merged(parts: readonly ServiceStats[], serving: number): ServiceStats {
  const first = parts[0] as ServiceStats;
  const dests = new Map<string, DestStats>();
  for (const part of parts)
    for (const d of part.dests) {
      const key = destKey(d.address, d.port);
      const sum = dests.get(key);
      dests.set(
        key,
        sum === undefined
          ? d
          : {
              ...sum,
              activeConns: sum.activeConns + d.activeConns,
              inactConns: sum.inactConns + d.inactConns,
              persistConns: sum.persistConns + d.persistConns,
              connectFailures: sum.connectFailures + d.connectFailures,
              totals: {
                conns: sum.totals.conns + d.totals.conns,
                bytesIn: sum.totals.bytesIn + d.totals.bytesIn,
                bytesOut: sum.totals.bytesOut + d.totals.bytesOut,
              },
            },
      );
    }
  return {
    ...first,
    workers: parts.flatMap((p) => p.workers),
    // Listening only when every worker that serves it is: one still pending is worth seeing.
    listening: parts.length === serving && parts.every((p) => p.listening),
    noDestination: parts.reduce((n, p) => n + p.noDestination, 0),
    dests: [...dests.values()],
  };
}
