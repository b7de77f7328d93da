/**
 * The VRRP virtual MAC interfaces of `use_vmac` (pure): their addresses (RFC 5798 §7.3: IPv4
 * 00-00-5E-00-01-{VRID}) and names as keepalived 2.2.7 picks them (vrrp.c create_vmac_name():
 * the configured name, else "vrrp.VRID", then "vrrp1.VRID", "vrrp2.VRID"... for a name another
 * instance or a non-macvlan interface already has).
 */
import type { VrrpInstance } from '../config/model.js';

export interface VmacPlan {
  readonly instance: string;
  readonly name: string;
  /** The base interface (the instance's `interface`). */
  readonly parent: string;
  readonly mac: Uint8Array;
  readonly xmitBase: boolean;
}

/** A link as the planner sees it: a macvlan or not. */
export interface PlannedLink {
  readonly name: string;
  readonly macvlan: boolean;
}

const IFNAMSIZ = 16;

export function vmacAddress(vrid: number): Uint8Array {
  return Uint8Array.of(0x00, 0x00, 0x5e, 0x00, 0x01, vrid);
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
        const candidate = fit(n === 0 ? 'vrrp' : `vrrp${n}`, `.${vrid}`);
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
      mac: vmacAddress(inst.virtualRouterId),
      xmitBase: inst.useVmac.xmitBase,
    });
  }
  return { plans, notes };
}
