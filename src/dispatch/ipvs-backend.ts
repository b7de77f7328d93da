/**
 * The kernel data plane: where IPVS exists (/proc/net/ip_vs), the checkers' table drives it with
 * ipvsadm commands (keepalived's ipvswrapper.c does the same through libipvs), one at a time and
 * in order. Not exercised by the tests here: these machines have no IPVS; the command arguments
 * are unit-tested (ipvsadm.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { VirtualServer } from '../config/model.js';
import type { Destination, ServiceTable } from '../check/table.js';
import { addServiceArgs, destArgs, serviceSelector } from './ipvsadm.js';
import { serviceView } from './views.js';

export const ipvsAvailable = (): boolean => existsSync('/proc/net/ip_vs');

export class IpvsTable implements ServiceTable {
  private queue: Promise<void> = Promise.resolve();
  private readonly present = new Set<string>();

  constructor(
    private readonly servers: readonly VirtualServer[],
    private readonly log: Logger,
    private readonly command = 'ipvsadm',
  ) {}

  /** Add every virtual service (keepalived init_service_vs()). */
  start(): void {
    for (const vs of this.servers) this.run(addServiceArgs(serviceView(vs)));
  }

  set(vs: VirtualServer, dest: Destination, weight: number): void {
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
