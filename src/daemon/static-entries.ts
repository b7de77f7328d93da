/**
 * `static_ipaddress`, `static_routes` and `static_rules`: set when the VRRP side starts and
 * removed when it stops, whatever the instances do (keepalived vrrp_daemon.c start_vrrp() and
 * stop_vrrp(): addresses, routes, rules in; rules, routes, addresses out). A line that cannot be
 * applied is logged, as is a failed change; neither stops the daemon.
 */
import type { Config } from '../config/model.js';
import type { RuleSyntax } from '../config/route-syntax.js';
import type { AddressSpec, RouteTable, Rtnl } from '../net/ports.js';
import type { RouteSpec } from '../net/rtnl-routes.js';
import type { Logger } from './log.js';
import { addressSpec, routesAndRules, type HostView } from './wiring.js';

export class StaticEntries {
  private constructor(
    private readonly addresses: readonly AddressSpec[],
    private readonly routes: readonly RouteSpec[],
    private readonly rules: readonly RuleSyntax[],
    private readonly rtnl: Rtnl,
    private readonly table: RouteTable | undefined,
    private readonly log: Logger,
  ) {}

  /** What `config` asks for on this host; lines that cannot be applied are logged here. */
  static of(
    config: Config,
    host: Pick<HostView, 'links'>,
    rtnl: Rtnl,
    table: RouteTable | undefined,
    log: Logger,
  ): StaticEntries {
    const problems: string[] = [];
    const addresses: AddressSpec[] = [];
    for (const a of config.staticIpAddresses) {
      const dev = a.dev ?? config.globalDefs.defaultInterface;
      const link = host.links.find((l) => l.name === dev);
      if (link) addresses.push(addressSpec(a, link.index));
      else problems.push(`static address ${a.address}: interface ${dev} doesn't exist`);
    }
    const { routes, rules, routeErrors } = routesAndRules(
      { family: 'inet', virtualRoutes: config.staticRoutes, virtualRules: config.staticRules },
      host,
    );
    for (const p of [...problems, ...routeErrors])
      log.error({ event: 'vrrp.static.error' }, `static entry not applied: ${p}`);
    return new StaticEntries(addresses, routes, rules, rtnl, table, log);
  }

  get empty(): boolean {
    return this.addresses.length + this.routes.length + this.rules.length === 0;
  }

  async set(): Promise<void> {
    await this.each(this.addresses, (a) => this.rtnl.addAddress(a));
    if (this.table) {
      const t = this.table;
      await this.each(this.routes, (r) => t.addRoute(r));
      await this.each(this.rules, (r) => t.addRule(r));
    }
  }

  async remove(): Promise<void> {
    if (this.table) {
      const t = this.table;
      await this.each(this.rules, (r) => t.deleteRule(r));
      await this.each(this.routes, (r) => t.deleteRoute(r));
    }
    await this.each(this.addresses, (a) => this.rtnl.deleteAddress(a));
  }

  private async each<T>(items: readonly T[], fn: (x: T) => Promise<void>): Promise<void> {
    for (const x of items)
      await fn(x).catch((err: unknown) =>
        this.log.error({ event: 'vrrp.static.error', err }, `static entry: ${(err as Error).message}`),
      );
  }
}
