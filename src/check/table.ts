/**
 * The service table the checkers drive: which real servers of each virtual server take traffic,
 * and with what weight. The dispatcher (userspace L4 proxy) or IPVS implements it; MemoryTable
 * keeps it in memory for the status view until then, and for tests.
 */
import type { VirtualServer } from '../config/model.js';

export interface Destination {
  readonly address: string;
  readonly port: number;
  /** The sorry server of the virtual server. */
  readonly sorry: boolean;
}

export interface ServiceTable {
  /** Add a destination or change its weight (0: quiesced, kept for its connections). */
  set(vs: VirtualServer, dest: Destination, weight: number): void;
  remove(vs: VirtualServer, dest: Destination): void;
}

export interface TableEntry extends Destination {
  readonly weight: number;
}

export class MemoryTable implements ServiceTable {
  private readonly services = new Map<string, Map<string, TableEntry>>();

  set(vs: VirtualServer, dest: Destination, weight: number): void {
    let s = this.services.get(vs.display);
    if (!s) this.services.set(vs.display, (s = new Map<string, TableEntry>()));
    s.set(`${dest.address}|${dest.port}`, { ...dest, weight });
  }

  remove(vs: VirtualServer, dest: Destination): void {
    this.services.get(vs.display)?.delete(`${dest.address}|${dest.port}`);
  }

  /** Forget the virtual servers not named in `keep` (gone after a reload). */
  retain(keep: ReadonlySet<string>): void {
    for (const vs of [...this.services.keys()]) if (!keep.has(vs)) this.services.delete(vs);
  }

  /** The destinations of a virtual server, in the order they were first added. */
  entries(vs: string): TableEntry[] {
    return [...(this.services.get(vs)?.values() ?? [])];
  }
}
