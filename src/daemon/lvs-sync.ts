/**
 * The kernel's IPVS connection synchronisation daemon (global_defs `lvs_sync_daemon`), started and
 * switched as keepalived 2.2.7 does it (vrrp/vrrp.c ipvs_syncd_master(), ipvs_syncd_backup(),
 * vrrp_init_state(); check/check_daemon.c for the instance-less form):
 *
 * - bound to a VRRP instance: backup at start; on becoming MASTER the backup daemon stops and a
 *   master one starts (it multicasts the director's connection table); on leaving MASTER, the
 *   reverse (the new backup receives the new master's table, so established connections
 *   survive the failover); on stop, the daemon of the current state stops;
 * - without an instance: master and backup at once, for the life of the daemon.
 *
 * Stops of a daemon that may not run (start-up, reload) ignore errors, as keepalived's
 * ignore_error does; every other refusal is logged with keepalived's wording (ipvs-errors.ts).
 */
import type { Config, LvsSyncDaemon } from '../config/model.js';
import { ipvsErrorMessage } from '../dispatch/ipvs-errors.js';
import { openIpvs, type Ipvs, type IpvsChange } from '../net/ipvs.js';
import type { IpvsDaemon } from '../net/ipvs-netlink.js';
import { isErrno } from '../net/native.js';
import type { Logger } from './log.js';

type Role = 'master' | 'backup';

export class LvsSync {
  private role: Role | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private cfg: LvsSyncDaemon,
    private readonly ipvs: Ipvs,
    private readonly log: Logger,
  ) {}

  /** The instance it follows (null: none, both roles at once). */
  get instance(): string | null {
    return this.cfg.instance;
  }

  /** Start: backup (or master when its instance already is); both without an instance. */
  start(instanceIsMaster = false): Promise<void> {
    if (this.cfg.instance === null)
      return this.run(
        [...this.stops(['master', 'backup'], true), ...this.starts(['master', 'backup'])],
        'started as master and backup',
        () => (this.role = null),
      );
    // Both roles stopped first: a daemon killed (SIGKILL, OOM) leaves the kernel's sync threads
    // running, and a leftover master would make this one's later start fail with EEXIST while
    // it multicasts as master from a backup (keepalived's checker clears them the same way,
    // "if we terminated abnormally", check_daemon.c).
    const role: Role = instanceIsMaster ? 'master' : 'backup';
    return this.run(
      [...this.stops(['master', 'backup'], true), ...this.starts([role])],
      `started as ${role}`,
      () => (this.role = role),
    );
  }

  /** A transition of its instance. */
  transition(from: string, to: string): Promise<void> {
    if (this.cfg.instance === null) return this.chain;
    if (to === 'MASTER' && this.role !== 'master')
      return this.run([...this.stops(['backup']), ...this.starts(['master'])], 'now master', () => {
        this.role = 'master';
      });
    if (from === 'MASTER' && to !== 'MASTER' && this.role === 'master')
      return this.run([...this.stops(['master']), ...this.starts(['backup'])], 'now backup', () => {
        this.role = 'backup';
      });
    return this.chain;
  }

  /** A reload with `next` (null: no sync daemon any more): restarted if its settings changed. */
  async reload(next: LvsSyncDaemon | null, instanceIsMaster: boolean): Promise<LvsSync | null> {
    const same = next !== null && JSON.stringify(next) === JSON.stringify(this.cfg);
    if (same) return this;
    await this.stop();
    if (!next) return null;
    this.cfg = next;
    await this.start(instanceIsMaster);
    return this;
  }

  /** Release the netlink socket. */
  close(): void {
    this.ipvs.close();
  }

  /** Stop the daemon(s) it started. */
  stop(): Promise<void> {
    const roles: Role[] = this.cfg.instance === null ? ['master', 'backup'] : this.role ? [this.role] : [];
    return this.run(this.stops(roles, this.cfg.instance === null), 'stopped', () => (this.role = null));
  }

  private daemon(state: Role): IpvsDaemon {
    const c = this.cfg;
    return {
      state,
      ifname: c.ifname,
      syncId: c.syncId,
      maxlen: c.maxlen,
      group: c.group,
      port: c.port,
      ttl: c.ttl,
    };
  }

  private starts(roles: readonly Role[]): { change: IpvsChange; quiet: boolean }[] {
    return roles.map((r) => ({ change: { op: 'start-daemon', daemon: this.daemon(r) }, quiet: false }));
  }

  private stops(roles: readonly Role[], quiet = false): { change: IpvsChange; quiet: boolean }[] {
    return roles.map((r) => ({ change: { op: 'stop-daemon', daemon: this.daemon(r) }, quiet }));
  }

  /** Apply in order, after what was queued before; log the failures that are not quiet. */
  private run(
    steps: readonly { change: IpvsChange; quiet: boolean }[],
    what: string,
    done: () => void,
  ): Promise<void> {
    this.chain = this.chain.then(async () => {
      const results = await this.ipvs.apply(steps.map((s) => s.change));
      steps.forEach((s, i) => {
        const err = results[i];
        if (!err || s.quiet) return;
        const cause = (err as { cause?: unknown }).cause;
        const errno = isErrno(cause) ? cause.errno : null;
        this.log.info(
          { event: 'ipvs.error', command: s.change.op, errno },
          errno === null ? err.message : ipvsErrorMessage(s.change, errno),
        );
      });
      done();
      this.log.info(
        { event: 'ipvs.syncd', ifname: this.cfg.ifname, syncId: this.cfg.syncId, state: what },
        `IPVS sync daemon on ${this.cfg.ifname} (syncid ${this.cfg.syncId}) ${what}`,
      );
    });
    return this.chain;
  }
}

/**
 * The sync daemon `config` asks for on this side of the daemon, or null: keepalived's VRRP process
 * runs one bound to an instance, its checker process the instance-less one. Null too when the
 * kernel has no IPVS (logged).
 */
export async function openSyncDaemon(
  config: Config,
  log: Logger,
  sides: { readonly vrrpSide: boolean; readonly checkSide: boolean },
): Promise<LvsSync | null> {
  const sd = config.globalDefs.lvsSyncDaemon;
  if (!sd || (sd.instance !== null ? !sides.vrrpSide : !sides.checkSide)) return null;
  const ipvs = await openIpvs({
    onError: (err) => log.warn({ event: 'ipvs.netlink-error', err }, err.message),
  }).catch((err: unknown) => {
    log.warn({ event: 'ipvs.unavailable', err }, `IPVS: Can't initialize ipvs: ${(err as Error).message}`);
    return null;
  });
  if (!ipvs) {
    log.warn({ event: 'ipvs.unavailable' }, 'IPVS is not available: lvs_sync_daemon is not started');
    return null;
  }
  return new LvsSync(sd, ipvs, log);
}
