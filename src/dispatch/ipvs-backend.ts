/**
 * The kernel data plane: where IPVS exists (/proc/net/ip_vs), the checkers' table drives it with
 * ipvsadm commands (keepalived's ipvswrapper.c does the same through libipvs), one at a time and
 * in order. Not exercised by the tests here: these machines have no IPVS; the command arguments
 * are unit-tested (ipvsadm.ts).
 *
 * Reload (best effort, untested for the same reason): virtual services gone are deleted (`-D`,
 * the kernel drops their real servers; its connections run out as IPVS lets them), new ones are
 * added (`-A`, also on the first real server the checkers set, whichever comes first), and kept
 * ones whose scheduler, flags or persistence changed are edited in place (`-E`, keepalived's
 * IP_VS_SO_SET_EDIT in clear_diff_services()), so their connections and real servers stay.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { VirtualServer } from '../config/model.js';
import type { Destination, ServiceTable } from '../check/table.js';
import { isDeepStrictEqual } from 'node:util';
import { addServiceArgs, destArgs, serviceSelector } from './ipvsadm.js';
import { serviceView } from './views.js';

export const ipvsAvailable = (): boolean => existsSync('/proc/net/ip_vs');

export class IpvsTable implements ServiceTable {
  private queue: Promise<void> = Promise.resolve();
  private readonly present = new Set<string>();
  /** Virtual services added, by display name. */
  private readonly services = new Set<string>();

  constructor(
    private servers: readonly VirtualServer[],
    private readonly log: Logger,
    private readonly command = 'ipvsadm',
  ) {}

  /** Add every virtual service (keepalived init_service_vs()). */
  start(): void {
    for (const vs of this.servers) this.addService(vs);
  }

  /** A new config: delete the services gone, add the new ones, edit the changed ones. */
  async reload(servers: readonly VirtualServer[]): Promise<void> {
    const before = new Map(this.servers.map((vs) => [vs.display, vs]));
    const after = new Set(servers.map((vs) => vs.display));
    for (const vs of this.servers) {
      if (after.has(vs.display)) continue;
      this.run(['-D', ...serviceSelector(serviceView(vs))]);
      this.services.delete(vs.display);
      for (const key of [...this.present]) if (key.startsWith(`${vs.display}|`)) this.present.delete(key);
    }
    for (const vs of servers) {
      const old = before.get(vs.display);
      if (!this.services.has(vs.display)) this.addService(vs);
      else if (old !== undefined && !isDeepStrictEqual(serviceView(old), serviceView(vs)))
        this.run(['-E', ...addServiceArgs(serviceView(vs)).slice(1)]);
    }
    this.servers = servers;
    await this.queue;
  }

  set(vs: VirtualServer, dest: Destination, weight: number): void {
    // The checkers may set a new virtual server's first real server before reload() adds it.
    if (!this.services.has(vs.display)) this.addService(vs);
    const key = `${vs.display}|${dest.address}|${dest.port}`;
    const rs = vs.realServers.find((r) => r.address === dest.address && r.port === dest.port);
    const view = {
      address: dest.address,
      port: dest.port,
      forward: rs?.lvsMethod ?? vs.lbKind,
      weight,
      activeConns: 0,
      inactConns: 0,
    };
    this.run(destArgs(this.present.has(key) ? 'edit' : 'add', serviceView(vs), view));
    this.present.add(key);
  }

  remove(vs: VirtualServer, dest: Destination): void {
    this.present.delete(`${vs.display}|${dest.address}|${dest.port}`);
    const view = {
      address: dest.address,
      port: dest.port,
      forward: vs.lbKind,
      weight: 0,
      activeConns: 0,
      inactConns: 0,
    };
    this.run(destArgs('delete', serviceView(vs), view));
  }

  /** Remove every virtual service (keepalived clear_services(), unless -I). */
  async stop(): Promise<void> {
    for (const vs of this.servers) this.run(['-D', ...serviceSelector(serviceView(vs))]);
    await this.queue;
  }

  private addService(vs: VirtualServer): void {
    this.services.add(vs.display);
    this.run(addServiceArgs(serviceView(vs)));
  }

  private run(args: string[]): void {
    this.queue = this.queue.then(
      () =>
        new Promise<void>((resolve) => {
          const p = spawn(this.command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          p.stderr.on('data', (c: Buffer) => (err += c.toString()));
          p.on('error', (e) => {
            this.log.error({ event: 'ipvs.error', args }, `ipvsadm ${args.join(' ')}: ${e.message}`);
            resolve();
          });
          p.on('exit', (code) => {
            if (code !== 0)
              this.log.error({ event: 'ipvs.error', args }, `ipvsadm ${args.join(' ')}: ${err.trim()}`);
            resolve();
          });
        }),
    );
  }
}
