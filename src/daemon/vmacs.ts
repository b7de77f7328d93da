/**
 * use_vmac: the VRRP virtual-MAC interfaces, made and removed as keepalived 2.2.7 does
 * (vrrp_vmac.c netlink_link_add_vmac(), vrrp_if_config.c):
 *
 * - a private-mode macvlan on the instance's interface with MAC 00-00-5E-00-01-VRID, created down,
 *   IPv6 address generation off (no EUI-64 link-local from the shared virtual MAC), then up; one
 *   already there with the right parent, mode and MAC is used as it is, one with a wrong one is
 *   removed and made again;
 * - on the VMAC: arp_ignore=1 (answer ARP only for its own addresses, the VIPs), accept_local=1
 *   (hear the other router's adverts), rp_filter=0 (receive with no address of its own),
 *   promote_secondaries=1; on the base interface: arp_ignore=1 and arp_filter=1 (so it does not
 *   answer for the VIPs with its own MAC), put back as they were when the daemon stops;
 * - removed at stop (kept with -V, like the VIPs), and after a reload that no longer wants them.
 *
 * - IPv6: MAC 00-00-5E-00-02-VRID, only arp_ignore set, and a link-local address added to the
 *   VMAC (the instance's source address, else the base interface's, else the EUI-64 one of its
 *   MAC) so that adverts leave it from a non-VIP address; not with vmac_xmit_base.
 *
 * Not done here (keepalived does): the global all/rp_filter dance for hosts that set it to 1
 * for every interface.
 *
 * Also `promote_secondaries` of an instance without a VMAC (keepalived 2.2.7 vrrp.c
 * vrrp_complete_instance(), vrrp_if_config.c set_promote_secondaries()): its interface gets
 * promote_secondaries=1 unless it has it already, so that removing the VIP that is the primary
 * address of its subnet does not remove the other VIPs with it; where we set it, it goes back to
 * 0 at stop, or when a reload no longer asks for it.
 */
import type { Config } from '../config/model.js';
import type { InterfaceSysctls, LinkInfo, Rtnl, VmacLinks } from '../net/ports.js';
import { planVmacs, vmacLinkLocal, type VmacPlan } from '../vrrp/vmac.js';
import type { Logger } from './log.js';

const MACVLAN_MODE_PRIVATE = 1;
const VMAC_SYSCTLS: readonly [string, number][] = [
  ['arp_ignore', 1],
  ['accept_local', 1],
  ['rp_filter', 0],
  ['promote_secondaries', 1],
];
const BASE_SYSCTLS: readonly [string, number][] = [
  ['arp_ignore', 1],
  ['arp_filter', 1],
];

export interface VmacPorts {
  readonly rtnl: Rtnl & VmacLinks;
  readonly sysctls: InterfaceSysctls;
  readonly log: Logger;
}

const sameMac = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

export class Vmacs {
  /** VMAC name → its index and base interface, for each one this daemon set up. */
  private readonly made = new Map<string, { index: number; base: string }>();
  /** Base interface → its settings before we changed them. */
  private readonly saved = new Map<string, [string, number][]>();
  /** Interfaces whose promote_secondaries we turned on. */
  private readonly promoted = new Set<string>();

  constructor(private readonly ports: VmacPorts) {}

  /** Set up the VMACs `config` asks for; each instance's VMAC name. */
  async ensure(config: Config): Promise<ReadonlyMap<string, string>> {
    const names = new Map<string, string>();
    this.promoteSecondaries(config);
    if (!config.vrrpInstances.some((i) => i.useVmac)) return names;
    let links = await this.ports.rtnl.links();
    const { plans, notes } = planVmacs(
      config.vrrpInstances,
      links.map((l) => ({ name: l.name, macvlan: l.macvlan !== undefined })),
      config.globalDefs.defaultInterface,
    );
    for (const n of notes) this.ports.log.warn({ event: 'vrrp.vmac' }, n);
    for (const plan of plans) {
      const parent = links.find((l) => l.name === plan.parent);
      if (!parent) continue; // the instance cannot be wired either: reported there
      try {
        const index = await this.make(plan, parent, links);
        this.made.set(plan.name, { index, base: parent.name });
        names.set(plan.instance, plan.name);
        links = await this.ports.rtnl.links();
      } catch (err) {
        this.ports.log.error(
          { event: 'vrrp.vmac-error', instance: plan.instance, interface: plan.name, err },
          `(${plan.instance}): Unable to create VMAC interface ${plan.name}: ${(err as Error).message}`,
        );
      }
    }
    return names;
  }

  /** Remove the VMACs no instance uses any more (`inUse`: their names). */
  async prune(inUse: ReadonlySet<string>): Promise<void> {
    for (const name of [...this.made.keys()]) if (!inUse.has(name)) await this.remove(name);
    this.restoreUnused();
  }

  /** Remove every VMAC made and put the interfaces' settings back. */
  async release(): Promise<void> {
    await this.prune(new Set());
    this.unpromote(new Set());
  }

  /** promote_secondaries on the interfaces `config` asks it for; off again where no longer. */
  private promoteSecondaries(config: Config): void {
    const wanted = new Set<string>();
    for (const i of config.vrrpInstances)
      if (i.promoteSecondaries) wanted.add(i.interface ?? config.globalDefs.defaultInterface);
    this.unpromote(wanted);
    for (const ifname of wanted) {
      if (this.promoted.has(ifname)) continue;
      const before = this.ports.sysctls.get(ifname, 'promote_secondaries');
      if (before === null || before === 1) continue; // no such interface, or already on
      this.setAll(ifname, [['promote_secondaries', 1]]);
      this.promoted.add(ifname);
    }
  }

  private unpromote(keep: ReadonlySet<string>): void {
    for (const ifname of [...this.promoted])
      if (!keep.has(ifname)) {
        this.setAll(ifname, [['promote_secondaries', 0]]);
        this.promoted.delete(ifname);
      }
  }

  private async make(plan: VmacPlan, parent: LinkInfo, links: readonly LinkInfo[]): Promise<number> {
    const { rtnl, log } = this.ports;
    const { instance, name, mac } = plan;
    let index: number | undefined;
    const old = links.find((l) => l.name === name);
    if (old?.macvlan) {
      if (
        old.macvlan.parent === parent.index &&
        old.macvlan.mode === MACVLAN_MODE_PRIVATE &&
        sameMac(old.mac, mac)
      ) {
        index = old.index;
      } else {
        log.info(
          { event: 'vrrp.vmac', instance, interface: name },
          `(${instance}) Removing old VMAC interface ${name} due to conflicting interface or MAC`,
        );
        await rtnl.deleteLink(old.index);
      }
    }
    if (index === undefined) {
      index = await rtnl.createMacvlan(name, parent.index, mac);
      log.info(
        { event: 'vrrp.vmac', instance, interface: name, base: parent.name },
        `(${instance}): Success creating VMAC interface ${name}`,
      );
    }
    // keepalived: a failure here is logged, the VMAC still used.
    await rtnl
      .setAddrGenModeNone(index)
      .catch((err: unknown) =>
        log.info(
          { event: 'vrrp.vmac-error', instance, interface: name, err },
          `(${instance}) Error setting ADDR_GEN_MODE to NONE on ${name}`,
        ),
      );
    // keepalived (vrrp_if_config.c): IPv6 VMACs get arp_ignore only, and leave the base alone.
    if (plan.family === 'inet6') this.setAll(name, VMAC_SYSCTLS.slice(0, 1));
    else this.setAll(name, VMAC_SYSCTLS);
    if (plan.family === 'inet' && !this.saved.has(parent.name)) {
      const before: [string, number][] = [];
      for (const [key] of BASE_SYSCTLS) {
        const v = this.ports.sysctls.get(parent.name, key);
        if (v !== null) before.push([key, v]);
      }
      this.saved.set(parent.name, before);
      this.setAll(parent.name, BASE_SYSCTLS);
    }
    await rtnl.setLinkUp(index);
    if (plan.family === 'inet6' && !plan.xmitBase) await this.addLinkLocal(plan, parent, index);
    return index;
  }

  private async addLinkLocal(plan: VmacPlan, parent: LinkInfo, index: number): Promise<void> {
    const addresses = await this.ports.rtnl.addresses();
    const base = addresses.find((a) => a.index === parent.index && a.family === 'inet6' && a.linkLocal);
    const address = vmacLinkLocal(plan.source, base?.address ?? null, parent.mac);
    await this.ports.rtnl
      .addAddress({
        index,
        family: 'inet6',
        address,
        prefixLength: 64,
        broadcast: null,
        scope: 'link',
        label: null,
        peer: null,
        flags: ['nodad'], // usable at once; the base interface already owns it on this link
        preferredLft: null,
      })
      .catch((err: unknown) =>
        this.ports.log.info(
          { event: 'vrrp.vmac-error', instance: plan.instance, interface: plan.name, err },
          `(${plan.instance}) adding link-local address to ${plan.name} failed`,
        ),
      );
  }

  private async remove(name: string): Promise<void> {
    const m = this.made.get(name);
    this.made.delete(name);
    if (!m) return;
    await this.ports.rtnl
      .deleteLink(m.index)
      .catch((err: unknown) =>
        this.ports.log.warn(
          { event: 'vrrp.vmac-error', interface: name, err },
          `Error removing VMAC interface ${name}: ${(err as Error).message}`,
        ),
      );
    this.ports.log.info({ event: 'vrrp.vmac', interface: name }, `Removed VMAC interface ${name}`);
  }

  /** Base interfaces no VMAC sits on any more get their settings back. */
  private restoreUnused(): void {
    const bases = new Set([...this.made.values()].map((m) => m.base));
    for (const [base, before] of this.saved)
      if (!bases.has(base)) {
        this.setAll(base, before);
        this.saved.delete(base);
      }
  }

  private setAll(ifname: string, values: readonly (readonly [string, number])[]): void {
    for (const [key, value] of values)
      try {
        this.ports.sysctls.set(ifname, key, value);
      } catch (err) {
        this.ports.log.warn(
          { event: 'vrrp.vmac-error', interface: ifname, err },
          `cannot set net.ipv4.conf.${ifname}.${key}=${value}: ${(err as Error).message}`,
        );
      }
  }
}
