/**
 * The checkers' service table (check/table.ts) fed to the data plane: each virtual server's real
 * servers go to every listener that serves it (one per group entry address), and a MemoryTable
 * copy answers the status views without asking the workers.
 */
import type { VirtualServer } from '../config/model.js';
import { MemoryTable, type Destination, type ServiceTable } from '../check/table.js';
import type { DataPlane, DestSpec } from './plane.js';

/** A data-plane service and the virtual server it serves (by display name). */
export interface PlaneListener {
  readonly id: string;
  readonly vs: string;
}

export class PlaneTable implements ServiceTable {
  readonly memory = new MemoryTable();
  private readonly listeners = new Map<string, string[]>();

  constructor(
    private readonly plane: DataPlane | null,
    listeners: readonly PlaneListener[],
    private readonly kernel: ServiceTable | null = null,
  ) {
    this.attach(listeners);
  }

  set(vs: VirtualServer, dest: Destination, weight: number): void {
    this.memory.set(vs, dest, weight);
    this.kernel?.set(vs, dest, weight);
    for (const id of this.listeners.get(vs.display) ?? [])
      this.plane?.setDest(id, destSpec(vs, dest, weight));
  }

  remove(vs: VirtualServer, dest: Destination): void {
    this.memory.remove(vs, dest);
    this.kernel?.remove(vs, dest);
    for (const id of this.listeners.get(vs.display) ?? [])
      this.plane?.removeDest(id, dest.address, dest.port);
  }

  /** The listener ids of a virtual server. */
  listenersOf(vs: string): readonly string[] {
    return this.listeners.get(vs) ?? [];
  }

  /**
   * After a reload (Dispatcher.reload()): the listeners each virtual server has now. `added` are
   * services new in the data plane: they get the virtual server's destinations as the table has
   * them (the checkers may have set them before the listener existed). Virtual servers not in
   * `servers` are forgotten.
   */
  reload(
    listeners: readonly PlaneListener[],
    servers: readonly VirtualServer[],
    added: ReadonlySet<string>,
  ): void {
    this.listeners.clear();
    this.attach(listeners);
    this.memory.retain(new Set(servers.map((vs) => vs.display)));
    for (const vs of servers) {
      for (const id of this.listenersOf(vs.display)) {
        if (!added.has(id)) continue;
        for (const e of this.memory.entries(vs.display)) this.plane?.setDest(id, destSpec(vs, e, e.weight));
      }
    }
  }

  private attach(listeners: readonly PlaneListener[]): void {
    for (const l of listeners) {
      const ids = this.listeners.get(l.vs) ?? [];
      ids.push(l.id);
      this.listeners.set(l.vs, ids);
    }
  }
}

function destSpec(vs: VirtualServer, dest: Destination, weight: number): DestSpec {
  const rs = vs.realServers.find((r) => r.address === dest.address && r.port === dest.port);
  return {
    address: dest.address,
    port: dest.port,
    weight,
    sorry: dest.sorry,
    upperThreshold: rs?.uthreshold ?? 0,
    lowerThreshold: rs?.lthreshold ?? 0,
  };
}
