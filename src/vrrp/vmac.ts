/**
 * The VRRP virtual MAC interfaces of `use_vmac` (pure): their addresses (RFC 5798 §7.3: IPv4
 * 00-00-5E-00-01-{VRID}, IPv6 00-00-5E-00-02-{VRID}) and names as keepalived 2.2.7 picks them
 * (vrrp.c create_vmac_name(): the configured name, else "vrrp.VRID", then for a name another
 * instance or a non-macvlan interface already has "vrrp1.VRID", "vrrp2.VRID"... for IPv4 and
 * "vrrp6.VRID", "vrrp1.VRID", ... "vrrp5.VRID", "vrrp7.VRID"... for IPv6).
 */
import type { VrrpInstance } from '../config/model.js';

export interface VmacPlan {
  readonly instance: string;
  readonly name: string;
  /** The base interface (the instance's `interface`). */
  readonly parent: string;
  readonly mac: Uint8Array;
  readonly family: 'inet' | 'inet6';
  readonly xmitBase: boolean;
  /** The instance's own source address (mcast_src_ip / unicast_src_ip), if set. */
  readonly source: string | null;
}

/** A link as the planner sees it: a macvlan or not. */
export interface PlannedLink {
  readonly name: string;
  readonly macvlan: boolean;
}

const IFNAMSIZ = 16;

export function vmacAddress(vrid: number, family: 'inet' | 'inet6' = 'inet'): Uint8Array {
  return Uint8Array.of(0x00, 0x00, 0x5e, 0x00, family === 'inet' ? 0x01 : 0x02, vrid);
}

/** The n-th name keepalived tries: IPv6 tries "vrrp6" second, and skips it after. */
function nthPrefix(n: number, family: 'inet' | 'inet6'): string {
  if (n === 0) return 'vrrp';
  if (family === 'inet') return `vrrp${n}`;
  if (n === 1) return 'vrrp6';
  return `vrrp${n - 1 < 6 ? n - 1 : n}`;
}

/**
 * The link-local address keepalived puts on an IPv6 VMAC (vrrp_vmac.c set_link_local_address()):
 * the instance's source address if set, else the base interface's link-local address, else the
 * EUI-64 one of the base interface's MAC (RFC 4291 §2.5.1), so that adverts leave the VMAC from
 * a non-VIP address.
 */
export function vmacLinkLocal(
  source: string | null,
  baseLinkLocal: string | null,
  baseMac: Uint8Array,
): string {
  if (source !== null) return source;
  if (baseLinkLocal !== null) return baseLinkLocal;
  const m = Array.from(baseMac.length === 6 ? baseMac : new Uint8Array(6));
  const h = (a: number, b: number) => ((a << 8) | b).toString(16);
  return `fe80::${h((m[0] as number) ^ 0x02, m[1] as number)}:${h(m[2] as number, 0xff)}:${h(0xfe, m[3] as number)}:${h(m[4] as number, m[5] as number)}`;
}

/** Fit `prefix` + `suffix` in IFNAMSIZ - 1 characters by cutting the prefix, as keepalived does. */
const fit = (prefix: string, suffix: string): string =>
  prefix.slice(0, IFNAMSIZ - 1 - suffix.length) + suffix;

export function planVmacs(
  instances: readonly VrrpInstance[],
  links: readonly PlannedLink[],
  defaultInterface: string,
): { plans: VmacPlan[]; notes: string[] } {
  const plans: VmacPlan[] = [];
  const notes: string[] = [];
  const taken = new Set<string>();
  const other = new Set(links.filter((l) => !l.macvlan).map((l) => l.name));
  for (const inst of instances) {
    if (!inst.useVmac) continue;
    let name = inst.useVmac.name;
    if (name !== null && (other.has(name) || taken.has(name))) {
      notes.push(
        `(${inst.name}) vmac interface name ${name} already exists as a non vmac interface. ignoring configured name`,
      );
      name = null;
    }
    if (name === null) {
      const vrid = inst.virtualRouterId;
      for (let n = 0; ; n++) {
        const candidate = fit(nthPrefix(n, inst.family), `.${vrid}`);
        if (!other.has(candidate) && !taken.has(candidate)) {
          name = candidate;
          break;
        }
      }
    }
    taken.add(name);
    plans.push({
      instance: inst.name,
      name,
      parent: inst.interface ?? defaultInterface,
      mac: vmacAddress(inst.virtualRouterId, inst.family),
      family: inst.family,
      xmitBase: inst.useVmac.xmitBase,
      source: inst.sourceAddress,
    });
  }
  return { plans, notes };
}
