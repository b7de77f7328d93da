/**
 * What a virtual server is in the kernel's IPVS table, pure: its services (one, or one per
 * address and fwmark of its virtual_server_group) and the destination a real or sorry server
 * becomes in each, as keepalived 2.2.7 builds them (check/ipvswrapper.c ipvs_set_srule(),
 * ipvs_set_drule(), ipvs_group_cmd()):
 *
 * - flags: IP_VS_SVC_F_PERSISTENT with persistence; `ops` (one-packet scheduling, UDP only);
 *   `sh-fallback`/`mh-fallback` and `flag-1` are SCHED1, `sh-port`/`mh-port` and `flag-2` SCHED2,
 *   `flag-3` SCHED3, the sh-/mh- ones only with their scheduler; `hashed` sets nothing (2.2.7);
 * - persistence timeout, granularity (prefix) and engine only with persistence; group members
 *   always get the default granularity (2.2.7 resets it per entry);
 * - a destination of a non-NAT method takes the service's port (0 for a fwmark service); NAT keeps
 *   the real server's;
 * - the sorry server takes `sorry_server_lvs_method`, else the virtual server's method.
 *
 * Group address ranges are walked whole (keepalived 2.2.7 steps only the last IPv4 octet or
 * IPv6 group and never ends a wider range); at most MAX_RANGE addresses per entry.
 */
import type { Destination } from '../check/table.js';
import type { LbKind, LvsTunnel, VirtualServer, VirtualServerGroup } from '../config/model.js';
import { formatIp, parseIp } from '../lib/ip.js';
import { IP_VS_SVC_F, type IpvsDest, type IpvsService, type IpvsServiceKey } from '../net/ipvs-netlink.js';

/** Addresses one group range may expand to. */
export const MAX_RANGE = 65_536;

const fullPrefix = (f: 'inet' | 'inet6'): number => (f === 'inet' ? 32 : 128);

/** persistence_granularity as a prefix length (dotted mask for IPv4, a length for IPv6). */
export function granularityPrefix(vs: VirtualServer): number {
  const g = vs.persistenceGranularity;
  if (g === null) return fullPrefix(vs.family);
  if (/^\d+$/.test(g)) return Number(g);
  return g.split('.').reduce((n, o) => n + (Number(o).toString(2).match(/1/g)?.length ?? 0), 0);
}

/** IP_VS_SVC_F_* for the virtual server's scheduler flags and persistence. */
export function serviceFlags(vs: VirtualServer): number {
  let f = vs.persistenceTimeout > 0 ? IP_VS_SVC_F.PERSISTENT : 0;
  for (const flag of vs.flags) {
    if (flag === 'ops') {
      if (vs.protocol === 'UDP' || vs.key.kind === 'fwmark') f |= IP_VS_SVC_F.ONEPACKET;
    } else if (flag === 'flag-1') f |= IP_VS_SVC_F.SCHED1;
    else if (flag === 'flag-2') f |= IP_VS_SVC_F.SCHED2;
    else if (flag === 'flag-3') f |= IP_VS_SVC_F.SCHED3;
    else if (flag === 'sh-fallback' || flag === 'mh-fallback') {
      if (vs.lbAlgo === flag.slice(0, 2)) f |= IP_VS_SVC_F.SCHED1;
    } else if (flag === 'sh-port' || flag === 'mh-port') {
      if (vs.lbAlgo === flag.slice(0, 2)) f |= IP_VS_SVC_F.SCHED2;
    }
  }
  return f;
}

/** Every address from `first` to `last` (same family), at most MAX_RANGE. */
export function rangeAddresses(first: string, last: string): string[] {
  const a = parseIp(first);
  const b = parseIp(last);
  if (!a || !b || a.family !== b.family) return [];
  const toBig = (bytes: Uint8Array): bigint => bytes.reduce((n, x) => (n << 8n) | BigInt(x), 0n);
  const start = toBig(a.bytes);
  const end = toBig(b.bytes);
  const out: string[] = [];
  for (let n = start; n <= end && out.length < MAX_RANGE; n++) {
    const bytes = new Uint8Array(a.bytes.length);
    let v = n;
    for (let i = bytes.length - 1; i >= 0; i--) {
      bytes[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    out.push(formatIp(bytes));
  }
  return out;
}

/** One kernel service of a virtual server, with the port its non-NAT destinations take. */
export interface KernelService {
  readonly service: IpvsService;
  /** The port a DR/TUN destination gets in this service (the service's; 0 for fwmark). */
  readonly destPort: number;
}

/** The kernel services of `vs` (group members: addresses first, then fwmarks, as keepalived). */
export function kernelServices(vs: VirtualServer, groups: readonly VirtualServerGroup[]): KernelService[] {
  const persistent = vs.persistenceTimeout > 0;
  const base = {
    scheduler: vs.lbAlgo,
    flags: serviceFlags(vs),
    timeout: vs.persistenceTimeout,
    pe: persistent ? vs.persistenceEngine : null,
  };
  const key = vs.key;
  if (key.kind === 'address')
    return [
      {
        service: {
          ...base,
          key: {
            kind: 'address',
            family: vs.family,
            protocol: vs.protocol,
            address: key.address,
            port: key.port,
          },
          prefix: persistent ? granularityPrefix(vs) : fullPrefix(vs.family),
        },
        destPort: key.port,
      },
    ];
  if (key.kind === 'fwmark')
    return [
      {
        service: {
          ...base,
          key: { kind: 'fwmark', family: vs.family, fwmark: key.fwmark },
          prefix: persistent ? granularityPrefix(vs) : fullPrefix(vs.family),
        },
        destPort: 0,
      },
    ];
  const group = groups.find((g) => g.name === key.group);
  if (!group) return [];
  const out: KernelService[] = [];
  for (const e of group.entries) {
    if (e.kind !== 'range') continue;
    for (const address of rangeAddresses(e.first, e.last))
      out.push({
        service: {
          ...base,
          key: { kind: 'address', family: e.family, protocol: vs.protocol, address, port: e.port },
          prefix: fullPrefix(e.family),
        },
        destPort: e.port,
      });
  }
  for (const e of group.entries) {
    if (e.kind !== 'fwmark') continue;
    const family = e.family ?? vs.family;
    out.push({
      service: { ...base, key: { kind: 'fwmark', family, fwmark: e.fwmark }, prefix: fullPrefix(family) },
      destPort: 0,
    });
  }
  return out;
}

/** The destination `dest` (a real server, or the sorry server) becomes in `ks` at `weight`. */
export function kernelDest(
  vs: VirtualServer,
  ks: KernelService,
  dest: Destination,
  weight: number,
): IpvsDest {
  let forward: LbKind = vs.lbKind;
  let tunnel: LvsTunnel | null = vs.lbTunnel;
  let uthreshold = 0;
  let lthreshold = 0;
  if (dest.sorry) {
    if (vs.sorryServer?.lvsMethod) {
      forward = vs.sorryServer.lvsMethod;
      tunnel = vs.sorryServer.tunnel;
    }
  } else {
    const rs = vs.realServers.find((r) => r.address === dest.address && r.port === dest.port);
    if (rs) {
      forward = rs.lvsMethod;
      tunnel = rs.tunnel;
      uthreshold = rs.uthreshold;
      lthreshold = rs.lthreshold;
    }
  }
  return {
    address: dest.address,
    port: forward === 'NAT' ? dest.port : ks.destPort,
    forward,
    weight,
    uthreshold,
    lthreshold,
    tunnel: forward === 'TUN' ? tunnel : null,
  };
}

/** A service key as text, to index services (the same key in another VS is the same service). */
export function serviceId(key: IpvsServiceKey): string {
  return key.kind === 'fwmark'
    ? `fwm/${key.family}/${key.fwmark}`
    : `${key.protocol}/${key.family}/${key.address}/${key.port}`;
}
