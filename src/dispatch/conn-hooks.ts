/**
 * What a proxy front (tcp-proxy.ts, udp-proxy.ts) asks of its virtual service (service-runtime.ts):
 * a destination per new connection, and where to count what happened to it.
 */
import type { Client, Destination } from './model.js';
import type { PersistenceHandle } from './persistence.js';

/** Per real server, since it was added (IPVS ip_vs_stats), plus failed connects. */
export interface DestCounters {
  conns: number;
  bytesIn: number;
  bytesOut: number;
  connectFailures: number;
}

export interface ConnHooks {
  /**
   * The persistence template's destination or the scheduler's pick, never one in `exclude` (the
   * ones this client already failed to reach); null when none can take it. The connection is
   * bound to it (counted inactive, IPVS ip_vs_bind_dest) until release().
   */
  pick(client: Client, exclude: ReadonlySet<Destination> | null): Destination | null;
  /** Whether another destination than these could take a connection now (sizes the connect attempt). */
  hasAlternative(exclude: ReadonlySet<Destination> | null, dest: Destination): boolean;
  counters(dest: Destination): DestCounters;
  /** The real server accepted: bind the client's persistence template to it (null: not persistent). */
  connected(client: Client, dest: Destination): PersistenceHandle | null;
  /** A connect attempt failed (refused, unreachable, timed out; ICMP error for UDP). */
  connectFailed(dest: Destination, code: string): void;
  /** No destination could take a new client. */
  noDestination(): void;
  /** The connection is over: unbind it, and release its persistence template. */
  release(dest: Destination, active: boolean, template: PersistenceHandle | null): void;
}
