/**
 * The embedded data plane as the daemon sees it: a port (DataPlane) and its implementation on
 * worker threads (WorkerDataPlane). The daemon's thread keeps only the table (services and real
 * servers, as given) and talks to the workers over their MessagePorts (plane-messages.ts); the
 * workers carry every client byte (docs/architecture.md, "The data plane": a saturated data plane cannot delay adverts).
 *
 * - Each service lives in one worker (Node 20 has no SO_REUSEPORT for net servers in worker
 *   threads, so one listening socket per service); new services go to the worker with the fewest.
 * - Nothing a worker does throws here: failures come back as PlaneEvents through `onEvent`.
 * - A worker that dies (uncaught exception, out of memory) is started again, after 100 ms doubling
 *   up to 5 s while it keeps dying within 10 s of its start, with its services and real servers
 *   re-applied; its connections are lost, as with an IPVS director reboot without conn sync.
 */
import { Worker } from 'node:worker_threads';
import type {
  DestSpec,
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
  slot: Slot | null;
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
      this.post(entry.slot, { type: 'set-service', id, spec });
      return;
    }
    const created: ServiceEntry = { spec, slot: null, dests: new Map() };
    this.services.set(id, created);
    if (this.slots.length > 0) {
      this.place(id, created);
      this.post(created.slot, { type: 'set-service', id, spec });
    }
  }

  removeService(id: string): void {
    const entry = this.services.get(id);
    if (entry === undefined) return;
    this.services.delete(id);
    entry.slot?.services.delete(id);
    this.post(entry.slot, { type: 'remove-service', id });
  }

  setDest(id: string, dest: DestSpec): void {
    const entry = this.services.get(id);
    if (entry === undefined) return;
    entry.dests.set(destKey(dest.address, dest.port), dest);
    this.post(entry.slot, { type: 'set-dest', id, dest });
  }

  removeDest(id: string, address: string, port: number): void {
    const entry = this.services.get(id);
    if (entry === undefined || !entry.dests.delete(destKey(address, port))) return;
    this.post(entry.slot, { type: 'remove-dest', id, address, port });
  }

  addressAvailable(address: string): void {
    for (const slot of this.slots) this.post(slot, { type: 'address-available', address });
  }

  async stats(): Promise<ReadonlyMap<string, ServiceStats>> {
    const replies = await Promise.all(this.slots.map((slot) => this.ask(slot, 'stats')));
    const out = new Map<string, ServiceStats>();
    for (const reply of replies) {
      if (reply?.type !== 'stats') continue;
      for (const s of reply.services) if (this.services.has(s.id)) out.set(s.id, s);
    }
    for (const [id, entry] of this.services) if (!out.has(id)) out.set(id, unanswered(id, entry));
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

  private place(id: string, entry: ServiceEntry): void {
    let best: Slot | undefined;
    for (const slot of this.slots)
      if (best === undefined || slot.services.size < best.services.size) best = slot;
    if (best === undefined) return;
    best.services.add(id);
    entry.slot = best;
  }

  private post(slot: Slot | null, msg: ToWorker): void {
    // A worker being restarted gets the whole table on its start: nothing is lost by dropping this.
    slot?.worker?.postMessage(msg);
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
        this.emit(msg.event);
        return;
      case 'stats':
      case 'closed':
        slot.waiting.get(msg.req)?.(msg);
        return;
    }
  }

  private exited(slot: Slot, worker: Worker, code: number): void {
    if (slot.worker !== worker) return;
    slot.worker = null;
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
    worker: entry.slot?.index ?? -1,
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
