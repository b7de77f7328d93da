/**
 * From the config and the host's interfaces to what each instance driver needs (pure: the links
 * and addresses are read by the caller). keepalived's choices:
 *
 * - an instance without `interface` uses `default_interface`;
 * - the advert source is `mcast_src_ip`/`unicast_src_ip`, else the interface's primary IPv4
 *   address, or for IPv6 its link-local address (RFC 5798 §5.1.2.1);
 * - adverts go to each unicast peer, else to `mcast_dst_address` or the global VRRP group;
 * - IPv6 VIPs are added with IFA_F_NODAD (vrrp_ipaddress.c: a VIP must be usable at once and must
 *   never get stuck in "dadfailed" after a split brain);
 * - GARPs/NAs cover virtual_ipaddress and virtual_ipaddress_excluded (vrrp_send_link_update()).
 * - use_vmac: the VIPs without `dev` go on the instance's VMAC interface, and so do its adverts
 *   unless `vmac_xmit_base` (vrrp_scheduler.c: the socket is on the base interface then); the
 *   source address is still the base interface's (the VMAC has none).
 */
import type { Config, IpAddressSpec, VrrpInstance } from '../config/model.js';
import { formatIp } from '../lib/ip.js';
import { parseRoute, parseRule, type RuleSyntax } from '../config/route-syntax.js';
import type { AddressSpec, InterfaceAddress, LinkInfo } from '../net/ports.js';
import type { RouteSpec } from '../net/rtnl-routes.js';
import { routerConfig } from '../vrrp/router-config.js';
import { ipBytes, type AnnounceTarget, type InstanceWiring } from './vrrp-instance.js';

export interface HostView {
  readonly links: readonly LinkInfo[];
  readonly addresses: readonly InterfaceAddress[];
  /** IPv6 forwarding on the interface (the NA's router flag). */
  readonly ipv6Forwarding: (ifname: string) => boolean;
  /** use_vmac: each such instance's VMAC interface name (src/daemon/vmacs.ts made it). */
  readonly vmacs?: ReadonlyMap<string, string>;
}

export type WiringResult =
  { readonly ok: true; readonly wiring: InstanceWiring } | { readonly ok: false; readonly error: string };

const ADDRESS_FLAGS = new Set(['home', 'mngtmpaddr', 'noprefixroute'] as const);
type AddressFlag = AddressSpec['flags'][number];

/** The address the instance speaks from on `link`: primary IPv4, or IPv6 link-local. */
function primaryAddress(
  family: 'inet' | 'inet6',
  ifindex: number,
  addresses: readonly InterfaceAddress[],
): string | null {
  const mine = addresses.filter((a) => a.index === ifindex && a.family === family);
  const found = family === 'inet' ? mine.find((a) => !a.secondary) : mine.find((a) => a.linkLocal);
  return found?.address ?? null;
}

export function wireInstance(config: Config, inst: VrrpInstance, host: HostView): WiringResult {
  const ifname = inst.interface ?? config.globalDefs.defaultInterface;
  const link = host.links.find((l) => l.name === ifname);
  if (!link) return { ok: false, error: `(${inst.name}) interface ${ifname} doesn't exist` };
  const vmacName = host.vmacs?.get(inst.name);
  const vmac = vmacName === undefined ? undefined : host.links.find((l) => l.name === vmacName);
  if (vmacName !== undefined && !vmac)
    return { ok: false, error: `(${inst.name}) VMAC interface ${vmacName} doesn't exist` };
  const xmit = vmac && !inst.useVmac?.xmitBase ? vmac : link;
  const vipDev = vmac?.name ?? ifname;
  const primary = primaryAddress(inst.family, link.index, host.addresses);
  const rc = routerConfig(config, inst, primary);
  const sourceText = rc.sourceAddress;
  const source = sourceText === null ? new Uint8Array(inst.family === 'inet' ? 4 : 16) : ipBytes(sourceText);

  const g = config.globalDefs;
  const group = inst.mcastDstAddress ?? (inst.family === 'inet' ? g.vrrpMcastGroup4 : g.vrrpMcastGroup6);
  const destinations =
    inst.unicastPeers.length > 0 ? inst.unicastPeers.map((p) => ipBytes(p.address)) : [ipBytes(group)];

  const vips: AddressSpec[] = [];
  const announce: AnnounceTarget[] = [];
  for (const v of [...inst.virtualIpAddresses, ...inst.virtualIpAddressesExcluded]) {
    const dev = v.dev ?? vipDev;
    const vlink = host.links.find((l) => l.name === dev);
    if (!vlink)
      return { ok: false, error: `(${inst.name}) interface ${dev} for VIP ${v.address} doesn't exist` };
    vips.push(addressSpec(v, vlink.index));
    announce.push({
      ifindex: vlink.index,
      ifname: vlink.name,
      mac: vlink.mac,
      family: v.family,
      address: v.address,
      router: v.family === 'inet6' && host.ipv6Forwarding(vlink.name),
    });
  }
  const ownAddress: AnnounceTarget | null =
    sourceText === null
      ? null
      : {
          ifindex: link.index,
          ifname,
          mac: link.mac,
          family: inst.family,
          address: sourceText,
          router: inst.family === 'inet6' && host.ipv6Forwarding(ifname),
        };
  const routed = routesAndRules(inst, host);
  return {
    ok: true,
    wiring: {
      inst,
      router: rc,
      ifname: xmit.name,
      ifindex: xmit.index,
      source,
      destinations,
      vips,
      announce,
      ownAddress,
      ...routed,
    },
  };
}

/**
 * virtual_routes and virtual_rules as rtnetlink carries them (config/route-syntax.ts), each
 * route's `dev` resolved to its interface; the lines that cannot be applied, with why.
 */
export function routesAndRules(
  inst: Pick<VrrpInstance, 'family' | 'virtualRoutes' | 'virtualRules'>,
  host: Pick<HostView, 'links'>,
): { routes: RouteSpec[]; rules: RuleSyntax[]; routeErrors: string[] } {
  const routes: RouteSpec[] = [];
  const rules: RuleSyntax[] = [];
  const routeErrors: string[] = [];
  for (const r of inst.virtualRoutes) {
    const parsed = parseRoute(r.words, inst.family);
    if (!parsed.ok) {
      routeErrors.push(`route '${r.words.join(' ')}': ${parsed.error}`);
      continue;
    }
    const dev = parsed.value.dev;
    const link = dev === null ? undefined : host.links.find((l) => l.name === dev);
    if (dev !== null && !link) {
      routeErrors.push(`route '${r.words.join(' ')}': interface ${dev} doesn't exist`);
      continue;
    }
    routes.push({ ...parsed.value, oif: link?.index ?? null });
  }
  for (const r of inst.virtualRules) {
    const parsed = parseRule(r.words, inst.family);
    if (parsed.ok) rules.push(parsed.value);
    else routeErrors.push(`rule '${r.words.join(' ')}': ${parsed.error}`);
  }
  return { routes, rules, routeErrors };
}

/**
 * What a reload may not change in an instance it keeps. keepalived 2.2.7 (vrrp.c vrrp_exist())
 * takes an old and a new instance for the same one when they have the same interface, VRID and
 * family, are both unicast or both multicast, and then have the same unicast source address or the
 * same multicast group. Everything else (priority, advert_int, version, preempt, auth, peers,
 * VIPs, trackers, GARP settings, the multicast source...) is applied to the running instance.
 * A different identity makes a new instance: the old one is removed, the new one starts from INIT.
 *
 * Two differences: instances are paired by name first (keepalived pairs on this identity alone,
 * so it keeps a renamed instance; we restart it), and use_vmac, which keepalived compares too,
 * is left out because it is not acted on here.
 */
export function reloadIdentity(w: InstanceWiring): string {
  const r = w.router;
  const route =
    w.inst.unicastPeers.length > 0
      ? `unicast from ${formatIp(w.source)}`
      : `multicast to ${w.destinations[0] ? formatIp(w.destinations[0]) : '?'}`;
  return `${w.ifname} vrid ${r.vrid} ${r.family} ${route}`;
}

export function addressSpec(v: IpAddressSpec, index: number): AddressSpec {
  const flags: AddressFlag[] = [];
  for (const f of v.flags) if (ADDRESS_FLAGS.has(f as never)) flags.push(f as AddressFlag);
  if (v.family === 'inet6' && !v.flags.includes('dad')) flags.push('nodad');
  return {
    index,
    family: v.family,
    address: v.address,
    prefixLength: v.prefixLength,
    broadcast: v.broadcast,
    scope: v.scope,
    label: v.label,
    peer: v.peer,
    flags,
    preferredLft: v.preferredLft,
  };
}
