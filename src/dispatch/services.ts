/**
 * From the config's virtual servers to the listeners the embedded dispatcher opens (pure). IPVS
 * makes one service per `virtual_server`, and for `virtual_server group` one per group entry
 * address, all with the same real servers (keepalived ipvswrapper.c); so do we. What a userspace
 * proxy cannot emulate is reported once and left out: fwmark services (they need packet marks),
 * SCTP (Node has no SCTP sockets). On a reload, diffListeners() says which listeners stay.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Config, L4Protocol, LbAlgo, VirtualServer, VirtualServerGroupEntry } from '../config/model.js';
import { formatIp, parseIp } from '../lib/ip.js';
import type { ServiceSpec } from './plane-messages.js';

/** How long the proxy waits for a real server to accept (IPVS has none: the client's own SYN timers). */
const CONNECT_TIMEOUT_MS = 5000;
/** IPVS's default UDP timeout (ip_vs_proto_udp.c), unless `lvs_timeouts udp`. */
const UDP_IDLE_MS = 300_000;
/** Group ranges larger than this are not expanded into listeners. */
const MAX_GROUP_ADDRESSES = 256;

export interface ListenerSpec {
  /** Unique per listener: the virtual server's display name, plus `#n` for group entries. */
  readonly id: string;
  /** The virtual server it serves (its display name, as the checkers and logs name it). */
  readonly vs: string;
  readonly protocol: 'TCP' | 'UDP';
  readonly address: string;
  readonly port: number;
  readonly scheduler: LbAlgo;
  readonly flags: readonly string[];
  readonly persistenceTimeoutMs: number;
  readonly persistencePrefix: number;
  readonly connectTimeoutMs: number;
  readonly udpIdleTimeoutMs: number;
  readonly proxyProtocol: 'v1' | 'v2' | null;
}

export interface ListenerPlan {
  readonly listeners: readonly ListenerSpec[];
  /** Virtual servers (or group entries) the embedded dispatcher cannot serve, and why. */
  readonly skipped: readonly { readonly vs: string; readonly why: string }[];
  /**
   * Served virtual servers whose lb_kind is DR or TUN: only IPVS forwards that way; the embedded
   * dispatcher proxies them (docs/dispatcher.md), so the real servers see the director's address.
   */
  readonly proxied: readonly { readonly vs: string; readonly lbKind: string }[];
}

/** persistence_granularity: a netmask (IPv4) or prefix length (IPv6); default /32, /128. */
function persistencePrefix(vs: VirtualServer): number {
  const g = vs.persistenceGranularity;
  const full = vs.family === 'inet' ? 32 : 128;
  if (g === null) return full;
  if (/^\d+$/.test(g)) return Math.min(full, Number(g));
  const mask = parseIp(g);
  if (!mask || mask.family !== 'inet') return full;
  let bits = 0;
  for (const b of mask.bytes) for (let i = 7; i >= 0; i--) bits += (b >> i) & 1;
  return bits;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

/** The addresses of a group range entry (IPv4 or IPv6, first..last inclusive). */
function expand(entry: Extract<VirtualServerGroupEntry, { kind: 'range' }>): string[] | null {
  const first = parseIp(entry.first);
  const last = parseIp(entry.last);
  if (!first || !last) return null;
  const out: string[] = [];
  const cur = Uint8Array.from(first.bytes);
  for (;;) {
    out.push(formatIp(cur));
    if (compareBytes(cur, last.bytes) >= 0) return out;
    if (out.length >= MAX_GROUP_ADDRESSES) return null;
    for (let i = cur.length - 1; i >= 0; i--) {
      cur[i] = ((cur[i] as number) + 1) & 0xff;
      if (cur[i] !== 0) break;
    }
  }
}

export function planListeners(config: Config): ListenerPlan {
  const listeners: ListenerSpec[] = [];
  const skipped: { vs: string; why: string }[] = [];
  const proxied: { vs: string; lbKind: string }[] = [];
  const udpIdle = config.globalDefs.lvsTimeouts.udpMs ?? UDP_IDLE_MS;
  for (const vs of config.virtualServers) {
    const protocol: L4Protocol = vs.protocol;
    if (protocol === 'SCTP') {
      skipped.push({ vs: vs.display, why: 'SCTP is not supported by the embedded dispatcher' });
      continue;
    }
    const base = {
      vs: vs.display,
      protocol,
      scheduler: vs.lbAlgo,
      flags: vs.flags,
      persistenceTimeoutMs: vs.persistenceTimeout * 1000,
      persistencePrefix: persistencePrefix(vs),
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      udpIdleTimeoutMs: udpIdle,
      proxyProtocol: vs.proxyProtocol,
    };
    const key = vs.key;
    if (vs.lbKind !== 'NAT' && key.kind !== 'fwmark') proxied.push({ vs: vs.display, lbKind: vs.lbKind });
    if (key.kind === 'address') {
      listeners.push({ ...base, id: vs.display, address: key.address, port: key.port });
      continue;
    }
    if (key.kind === 'fwmark') {
      skipped.push({ vs: vs.display, why: 'fwmark services need packet marks: only IPVS can serve them' });
      continue;
    }
    const group = config.virtualServerGroups.find((g) => g.name === key.group);
    let n = 0;
    for (const entry of group?.entries ?? []) {
      if (entry.kind === 'fwmark') {
        skipped.push({ vs: vs.display, why: `group entry fwmark ${entry.fwmark}: only IPVS can serve it` });
        continue;
      }
      const addresses = expand(entry);
      if (!addresses) {
        skipped.push({
          vs: vs.display,
          why: `group range ${entry.first}-${entry.last} has over ${MAX_GROUP_ADDRESSES} addresses`,
        });
        continue;
      }
      for (const address of addresses)
        listeners.push({ ...base, id: `${vs.display}#${n++}`, address, port: entry.port });
    }
  }
  return { listeners, skipped, proxied };
}

/** The part of a listener the data plane is given (ServiceSpec). */
export function serviceSpecOf(l: ListenerSpec): ServiceSpec {
  return {
    protocol: l.protocol,
    address: l.address,
    port: l.port,
    scheduler: l.scheduler,
    flags: l.flags,
    persistenceTimeoutMs: l.persistenceTimeoutMs,
    persistencePrefix: l.persistencePrefix,
    connectTimeoutMs: l.connectTimeoutMs,
    udpIdleTimeoutMs: l.udpIdleTimeoutMs,
    proxyProtocol: l.proxyProtocol,
  };
}

/** A listener of the new plan under the data-plane id it has (or gets). */
export interface PlacedListener {
  readonly id: string;
  readonly spec: ListenerSpec;
}

/** What a reload does to the data plane's services (diffListeners()). */
export interface ListenerDiff {
  /** The same service: untouched (its socket and connections go on). */
  readonly kept: readonly PlacedListener[];
  /** The same service with other parameters: setService(); `relisten` when its address or port changed. */
  readonly changed: readonly (PlacedListener & { readonly relisten: boolean })[];
  /** New services: setService() under a fresh id. */
  readonly added: readonly PlacedListener[];
  /** Services gone: removeService(); their open connections go on until they end. */
  readonly removed: readonly string[];
}

const listenKey = (l: ListenerSpec): string => `${l.vs} ${l.protocol} ${l.address} ${l.port}`;

/**
 * From the services the data plane runs (`live`, by id) to a new plan (pure). keepalived keeps a
 * virtual server, and the entries of its group, that the new config still has (ipwrapper.c
 * clear_diff_services(), clear_diff_vsge()); so do we:
 * 1. a listener of the same virtual server on the same protocol, address and port keeps its id:
 *    kept if nothing else changed, else changed (a new scheduler, persistence, ...);
 * 2. the other listeners of a kept virtual server take over its unmatched old ones in order
 *    (a group entry's address changed): changed, re-listening;
 * 3. what is left is added (under its plan id, or a free variant of it) or removed.
 */
export function diffListeners(
  live: ReadonlyMap<string, ListenerSpec>,
  next: readonly ListenerSpec[],
): ListenerDiff {
  const kept: PlacedListener[] = [];
  const changed: (PlacedListener & { relisten: boolean })[] = [];
  const added: PlacedListener[] = [];
  const unmatched = new Map(live);
  const rest: ListenerSpec[] = [];
  const byListen = new Map<string, string>();
  for (const [id, l] of live) if (!byListen.has(listenKey(l))) byListen.set(listenKey(l), id);
  for (const spec of next) {
    const id = byListen.get(listenKey(spec));
    const old = id === undefined ? undefined : unmatched.get(id);
    if (id === undefined || old === undefined) {
      rest.push(spec);
      continue;
    }
    unmatched.delete(id);
    if (isDeepStrictEqual(serviceSpecOf(old), serviceSpecOf(spec))) kept.push({ id, spec });
    else changed.push({ id, spec, relisten: false });
  }
  const fresh: ListenerSpec[] = [];
  for (const spec of rest) {
    const old = [...unmatched].find(([, l]) => l.vs === spec.vs);
    if (old === undefined) {
      fresh.push(spec);
      continue;
    }
    unmatched.delete(old[0]);
    changed.push({ id: old[0], spec, relisten: true });
  }
  const taken = new Set([...kept, ...changed].map((x) => x.id));
  for (const spec of fresh) {
    let id = spec.id;
    for (let n = 1; taken.has(id); n++) id = `${spec.id}~${n}`;
    taken.add(id);
    added.push({ id, spec });
  }
  return { kept, changed, added, removed: [...unmatched.keys()] };
}
