/**
 * Health-driven route announcement (keepalived-ts extension `announce_table`, docs/bgp.md),
 * the decision half. Pure: it says which host routes should be in the kernel, from the virtual
 * servers' quorum states, and returns the route changes for an adapter (route-announcer.ts) to
 * make. A routing daemon (FRR: `ip import-table N` + `redistribute table N`) turns the routes into
 * BGP announcements; nothing here speaks a routing protocol.
 *
 * - A virtual server announces its address as a host route (`/32`, `/128`); a virtual server on
 *   a group announces every address of the group's ranges, as the fewest prefixes that cover
 *   each range exactly; fwmark entries have no address and announce nothing.
 * - A route is wanted while at least one virtual server that announces it has quorum (several
 *   services on one VIP: the VIP stays reachable while any of them is served).
 * - Routes not known yet (start-up, a new keyword on reload) that are not wanted are deleted
 *   quietly, so one a previous run left behind does not linger.
 * - A virtual server whose `announce_table` names vrrp_instances (`instance NAME`) does not serve
 *   while one of them is in FAULT: the instance's tracking (track_interface, track_script, ...)
 *   says this director cannot serve, whatever the real servers' checks say.
 */
import type { AnnounceTable, VirtualServer, VirtualServerGroup } from '../config/model.js';
import type { Prefix } from '../config/route-syntax.js';
import { formatIp, parseIp, type IpFamily } from '../lib/ip.js';

export interface AnnounceRoute {
  readonly family: IpFamily;
  readonly prefix: Prefix;
  readonly table: number;
  readonly dev: string;
  /** One route per key: `table dev address/length`. */
  readonly key: string;
}

export interface AnnounceOp {
  readonly op: 'add' | 'del';
  readonly route: AnnounceRoute;
  /** The virtual servers (display names) the route is for. */
  readonly services: readonly string[];
  /** Why: quorum gained or lost, the keyword gone on reload, the daemon stopping, a cleanup. */
  readonly reason: 'quorum-up' | 'quorum-down' | 'fault' | 'unconfigured' | 'stop' | 'cleanup';
}

/** A virtual server and whether it has quorum now (Pool's quorumUp). */
export interface ServiceState {
  readonly vs: VirtualServer;
  readonly up: boolean;
}

const toBig = (bytes: Uint8Array): bigint => bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);

function fromBig(n: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/** The fewest prefixes that cover first..last exactly (both of one family). */
export function rangePrefixes(first: string, last: string): Prefix[] {
  const a = parseIp(first);
  const b = parseIp(last);
  if (!a || !b || a.family !== b.family) return [];
  const size = a.bytes.length;
  const bits = BigInt(size * 8);
  let lo = toBig(a.bytes);
  const hi = toBig(b.bytes);
  const out: Prefix[] = [];
  while (lo <= hi) {
    // The largest block aligned at lo that does not pass hi.
    let host = 0n;
    while (host < bits && (lo & ((1n << (host + 1n)) - 1n)) === 0n && lo + (1n << (host + 1n)) - 1n <= hi)
      host++;
    out.push({ address: formatIp(fromBig(lo, size)), length: Number(bits - host) });
    lo += 1n << host;
  }
  return out;
}

const route = (family: IpFamily, prefix: Prefix, a: AnnounceTable): AnnounceRoute => ({
  family,
  prefix,
  table: a.table,
  dev: a.dev,
  key: `${a.table} ${a.dev} ${prefix.address}/${prefix.length}`,
});

/** The routes a virtual server announces (none without `announce_table`). */
export function announceRoutes(vs: VirtualServer, groups: readonly VirtualServerGroup[]): AnnounceRoute[] {
  const a = vs.announce;
  if (!a) return [];
  const key = vs.key;
  if (key.kind === 'fwmark') return [];
  if (key.kind === 'address') {
    const ip = parseIp(key.address);
    return ip ? [route(ip.family, { address: ip.address, length: ip.bytes.length * 8 }, a)] : [];
  }
  const group = groups.find((g) => g.name === key.group);
  const out = new Map<string, AnnounceRoute>();
  for (const e of group?.entries ?? []) {
    if (e.kind !== 'range') continue;
    for (const p of rangePrefixes(e.first, e.last)) {
      const r = route(e.family, p, a);
      out.set(r.key, r);
    }
  }
  return [...out.values()];
}

interface Known {
  readonly route: AnnounceRoute;
  readonly services: readonly string[];
  /** null: a change to it failed, so whether the kernel has it is not known. */
  present: boolean | null;
}

export class Announcements {
  private readonly known = new Map<string, Known>();

  /**
   * The route changes that bring the kernel to what `services` want; `faulted`: the names of the
   * vrrp_instances in FAULT now.
   */
  update(
    services: readonly ServiceState[],
    groups: readonly VirtualServerGroup[],
    faulted: ReadonlySet<string> = new Set(),
  ): AnnounceOp[] {
    const wanted = new Map<
      string,
      { route: AnnounceRoute; on: boolean; fault: boolean; services: string[] }
    >();
    for (const s of services) {
      const fault = s.up && (s.vs.announce?.instances ?? []).some((i) => faulted.has(i));
      const on = s.up && !fault;
      for (const r of announceRoutes(s.vs, groups)) {
        const w = wanted.get(r.key);
        if (w) {
          w.on ||= on;
          w.fault ||= fault;
          w.services.push(s.vs.display);
        } else wanted.set(r.key, { route: r, on, fault, services: [s.vs.display] });
      }
    }
    const ops: AnnounceOp[] = [];
    for (const [key, k] of this.known) {
      if (wanted.has(key)) continue;
      this.known.delete(key);
      if (k.present !== false)
        ops.push({ op: 'del', route: k.route, services: k.services, reason: 'unconfigured' });
    }
    for (const [key, w] of wanted) {
      const k = this.known.get(key);
      const on = w.on;
      this.known.set(key, { route: w.route, services: w.services, present: on });
      if (on && k?.present !== true)
        ops.push({ op: 'add', route: w.route, services: w.services, reason: 'quorum-up' });
      else if (!on && k?.present !== false)
        ops.push({
          op: 'del',
          route: w.route,
          services: w.services,
          reason: !k ? 'cleanup' : w.fault ? 'fault' : 'quorum-down',
        });
    }
    return ops;
  }

  /** Every route this put in, out (the daemon stops). */
  withdrawAll(): AnnounceOp[] {
    const ops: AnnounceOp[] = [];
    for (const k of this.known.values())
      if (k.present !== false) ops.push({ op: 'del', route: k.route, services: k.services, reason: 'stop' });
    this.known.clear();
    return ops;
  }

  /** A change failed: the route's state is unknown, so the next update decides it afresh. */
  failed(key: string): void {
    const k = this.known.get(key);
    if (k) k.present = null;
  }

  /** How many routes are configured (announced or not). */
  configured(): number {
    return this.known.size;
  }

  /** How many routes are announced now. */
  present(): number {
    let n = 0;
    for (const k of this.known.values()) if (k.present === true) n++;
    return n;
  }
}
