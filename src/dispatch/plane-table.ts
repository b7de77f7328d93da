/**
 * The checkers' service table (check/table.ts) fed to the data plane: each virtual server's real
 * servers go to every listener that serves it (one per group entry address), and a MemoryTable
 * copy answers the status views without asking the workers.
 */
import type { VirtualServer } from '../config/model.js';
import { MemoryTable, type Destination, type ServiceTable } from '../check/table.js';
import type { DataPlane } from './plane.js';
import type { ListenerSpec } from './services.js';

export class PlaneTable implements ServiceTable {
  readonly memory = new MemoryTable();
  private readonly listeners = new Map<string, string[]>();

  constructor(
    private readonly plane: DataPlane | null,
    listeners: readonly ListenerSpec[],
    private readonly kernel: ServiceTable | null = null,
  ) {
    for (const l of listeners) {
      const ids = this.listeners.get(l.vs) ?? [];
      ids.push(l.id);
      this.listeners.set(l.vs, ids);
    }
  }

  set(vs: VirtualServer, dest: Destination, weight: number): void {
    this.memory.set(vs, dest, weight);
    this.kernel?.set(vs, dest, weight);
    const rs = vs.realServers.find((r) => r.address === dest.address && r.port === dest.port);
    for (const id of this.listeners.get(vs.display) ?? []) {
      this.plane?.setDest(id, {
        address: dest.address,
        port: dest.port,
        weight,
        sorry: dest.sorry,
        upperThreshold: rs?.uthreshold ?? 0,
        lowerThreshold: rs?.lthreshold ?? 0,
      });
    }
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
}
