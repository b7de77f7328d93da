/**
 * ha_suspend (keepalived check_api.c update_checker_activity()): the checkers of a virtual server
 * with ha_suspend run only while its address is on this host, i.e. while this node holds the VIP.
 * This keeps track of the addresses the VRRP side reports, and says which checkers should run.
 */
import type { VirtualServer } from '../config/model.js';

export class LocalAddresses {
  private readonly local: Set<string>;

  constructor(atStart: ReadonlySet<string>) {
    this.local = new Set(atStart);
  }

  /** An address of this host appeared or went (a VIP set or removed). */
  changed(address: string, present: boolean): void {
    if (present) this.local.add(address);
    else this.local.delete(address);
  }

  /** The checkers of `vs` run now. */
  enabledFor(vs: VirtualServer): boolean {
    return !vs.haSuspend || [...this.local].some((a) => suspendsOn(vs, a));
  }
}

/** `address` is the one the checkers of `vs` wait for (ha_suspend, an address virtual server). */
export const suspendsOn = (vs: VirtualServer, address: string): boolean =>
  vs.haSuspend && vs.key.kind === 'address' && vs.key.address === address;
