/**
 * Persistence templates, as IPVS keeps them for a persistent service (ip_vs_core.c
 * ip_vs_sched_persist, ip_vs_conn.c): a template binds a client network (the client address masked
 * with the persistence prefix: persistence_granularity) to the destination chosen for its first
 * connection, and later connections from that network go there without asking the scheduler.
 *
 * Kernel behaviour kept:
 * - One template per (service, client network); it counts on its destination's persistConns from
 *   its creation until it is freed (ip_vs_bind_dest / ip_vs_unbind_dest).
 * - Each new connection through a template restarts its timer for the template's timeout (the
 *   service's persistence timeout at creation; ip_vs_conn_put on the template).
 * - When the timer fires while connections the template controls are still open, the template stays
 *   and fires again 60 s later, and from then on its timeout is 60 s (ip_vs_conn_expire sets
 *   cp->timeout = 60*HZ on the "expire later" path). A template is freed when its timer fires with
 *   no controlled connection left: not at `timeout` after the last connection ended.
 * - ip_vs_check_template(): a template whose destination was removed (no longer in the service:
 *   IP_VS_DEST_F_AVAILABLE cleared) is not used; the scheduler picks anew. A destination with
 *   weight 0 (quiesced) keeps its persistent clients, unless the expire_quiescent_template sysctl
 *   is on (option `expireQuiescentTemplate`, off by default as in the kernel). An overloaded
 *   destination keeps them too (the template check ignores IP_VS_DEST_F_OVERLOAD).
 * - An invalidated template is unhashed but lives on, and counts, until its timer frees it; a
 *   template whose destination is removed is dropped at once here (destRemoved), as the counts of a
 *   removed destination matter to nobody.
 *
 * Pure: there are no timers. Timer expiries that fell due are processed, in order, on every call
 * for the template concerned, and for all templates by expire(nowMs), which the data plane calls
 * periodically (once a second is plenty) to free memory and keep persistConns right.
 * Simplifications: one table per Persistence object keyed by the service's identity (IPVS's
 * <protocol, vaddr, vport> or fwmark); the FTP port-21 and port-0 special cases are not modelled.
 */
import type { Client, Destination, Service, ServiceKey } from './model.js';
import type { Scheduler } from './scheduler.js';
import { formatIp, parseIpv4, parseIpv6 } from '../lib/ip.js';

/** The timeout a template gets after its first postponed expiry (ip_vs_conn_expire: 60*HZ). */
export const TEMPLATE_RETRY_MS = 60_000;

export interface PersistenceOptions {
  /** net.ipv4.vs.expire_quiescent_template: stop using templates of weight-0 destinations. */
  readonly expireQuiescentTemplate?: boolean;
}

/** A template as status shows it (ipvsadm -Lnc: the "NONE" entries). */
export interface PersistenceTemplate {
  /** The masked client address. */
  readonly clientNet: string;
  readonly dest: Destination;
  /** Connections opened through it and not yet released (n_control). */
  readonly controlled: number;
  readonly timeoutMs: number;
  readonly expiresAtMs: number;
  /** False once ip_vs_check_template() invalidated it: it only waits for its timer. */
  readonly hashed: boolean;
}

/** What a connection holds to give back on release(). */
export interface PersistenceHandle {
  readonly dest: Destination;
}

class Template implements PersistenceTemplate, PersistenceHandle {
  controlled = 0;
  hashed = true;

  constructor(
    readonly key: string,
    readonly clientNet: string,
    readonly dest: Destination,
    public timeoutMs: number,
    public expiresAtMs: number,
  ) {}
}

export class Persistence {
  /** Hashed templates by service and client network (ip_vs_ct_in_get). */
  private readonly byKey = new Map<string, Template>();
  /** Every live template, hashed or not. */
  private readonly live = new Set<Template>();
  private readonly expireQuiescent: boolean;

  constructor(options: PersistenceOptions = {}) {
    this.expireQuiescent = options.expireQuiescentTemplate ?? false;
  }

  get size(): number {
    return this.live.size;
  }

  templates(): readonly PersistenceTemplate[] {
    return [...this.live];
  }

  /**
   * ip_vs_sched_persist() for a new connection of a persistent service: the template's destination
   * if it has a usable one, else the scheduler's pick with a new template; null when the scheduler
   * has none. The connection is counted on the template: release() the handle when it ends.
   */
  schedule(svc: Service, client: Client, scheduler: Scheduler, nowMs: number): PersistenceHandle | null {
    const dest = this.lookup(svc, client, nowMs) ?? scheduler.schedule(svc, client, nowMs);
    return dest === null ? null : this.bind(svc, client, dest, nowMs);
  }

  /** The destination of the client's template, when it has one that passes ip_vs_check_template(). */
  lookup(svc: Service, client: Client, nowMs: number): Destination | null {
    const t = this.byKey.get(templateKey(svc, client));
    if (t === undefined || !this.runTimer(t, nowMs)) return null;
    const dest = t.dest;
    if (!svc.dests.includes(dest) || (this.expireQuiescent && dest.weight === 0)) {
      this.unhash(t);
      return null;
    }
    return dest;
  }

  /**
   * Counts a new connection to `dest` on the client's template, creating the template (or
   * replacing one that points elsewhere) as needed, and restarts the template's timer.
   */
  bind(svc: Service, client: Client, dest: Destination, nowMs: number): PersistenceHandle {
    const key = templateKey(svc, client);
    let t = this.byKey.get(key);
    if (t !== undefined && (!this.runTimer(t, nowMs) || t.dest !== dest)) {
      if (t.hashed) this.unhash(t);
      t = undefined;
    }
    if (t === undefined) {
      t = new Template(key, maskedClient(svc, client), dest, svc.persistenceTimeoutMs, nowMs);
      this.byKey.set(key, t);
      this.live.add(t);
      dest.persistConns++;
    }
    t.controlled++;
    t.expiresAtMs = nowMs + t.timeoutMs;
    return t;
  }

  /** A connection bound through `handle` ended (ip_vs_control_del); the timer is left as it is. */
  release(handle: PersistenceHandle, nowMs: number): void {
    const t = handle as Template;
    if (!this.live.has(t) || !this.runTimer(t, nowMs)) return;
    if (t.controlled > 0) t.controlled--;
  }

  /** Runs every template's due timer expiries (ip_vs_conn_expire). */
  expire(nowMs: number): void {
    for (const t of [...this.live]) this.runTimer(t, nowMs);
  }

  /** A destination left the service: its templates go, and stop counting on it. */
  destRemoved(dest: Destination): void {
    for (const t of [...this.live]) if (t.dest === dest) this.free(t);
  }

  /** Replays the timer firings due by nowMs; false when the template was freed. */
  private runTimer(t: Template, nowMs: number): boolean {
    while (t.expiresAtMs <= nowMs) {
      if (t.controlled === 0) {
        this.free(t);
        return false;
      }
      t.timeoutMs = TEMPLATE_RETRY_MS;
      t.expiresAtMs += TEMPLATE_RETRY_MS;
    }
    return true;
  }

  /** ip_vs_check_template()'s invalidation: out of the lookup table, still alive and counted. */
  private unhash(t: Template): void {
    if (this.byKey.get(t.key) === t) this.byKey.delete(t.key);
    t.hashed = false;
  }

  private free(t: Template): void {
    if (!this.live.delete(t)) return;
    this.unhash(t);
    if (t.dest.persistConns > 0) t.dest.persistConns--;
  }
}

function serviceId(key: ServiceKey): string {
  return key.kind === 'address'
    ? `${key.protocol} ${key.address} ${key.port}`
    : `FWM ${key.fwmark} ${key.protocol}`;
}

function templateKey(svc: Service, client: Client): string {
  return `${serviceId(svc.key)} ${maskedClient(svc, client)}`;
}

/**
 * The client address masked with the service's persistence prefix (svc->netmask; IPv6:
 * ipv6_addr_prefix). IPv4-mapped IPv6 addresses count as IPv4. Unparsable addresses stay as they are.
 */
export function maskedClient(svc: Service, client: Client): string {
  let bytes = parseIpv4(client.address) ?? parseIpv6(client.address);
  if (bytes === undefined) return client.address;
  if (
    bytes.length === 16 &&
    bytes.subarray(0, 10).every((b) => b === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff
  ) {
    bytes = bytes.slice(12);
  }
  const prefix = Math.max(0, Math.min(svc.persistencePrefix, bytes.length * 8));
  const masked = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    masked[i] = (bytes[i] ?? 0) & ((0xff << (8 - bits)) & 0xff);
  }
  return formatIp(masked);
}
