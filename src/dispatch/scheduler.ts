/**
 * The scheduler interface, as IPVS's (struct ip_vs_scheduler): one object per virtual service,
 * created with the service, told when its destinations change, asked for a destination for each
 * new connection. Pure: time (lblc/lblcr expiry) comes in as an argument.
 */
import type { Client, Destination, Service } from './model.js';

export interface Scheduler {
  /**
   * A destination for a new connection from `client`, or null when none can take it (all weight
   * 0, overloaded, or none at all). `nowMs` is the caller's clock.
   */
  schedule(svc: Service, client: Client, nowMs: number): Destination | null;
  /** The destination list or a weight changed (add/edit/del dest; IPVS's upd_dest/add_dest/del_dest). */
  update(svc: Service): void;
}
