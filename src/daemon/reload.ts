/**
 * SIGHUP: read and validate the configuration again, then apply the difference (keepalived
 * reload_vrrp_thread / reload_check_thread). A new configuration with errors is not applied: the
 * running one stays and the log says why. Kept VRRP instances keep their state and VIPs, kept real
 * servers their checker state and connections; removed instances send priority 0.
 * Reloads never overlap: a SIGHUP during a reload runs after it.
 */
import { isDeepStrictEqual } from 'node:util';
import type { HealthChecks } from '../check/health-checks.js';
import { hasVrrpConfig, type Config, type GlobalDefs } from '../config/model.js';
import type { Dispatcher } from './dispatcher.js';
import type { Logger } from './log.js';
import { loadLocalConfig, type ConfigSource } from '../host/load-local-config.js';
import { readConfig } from './read-config.js';
import { checkerPlan, type ReloadPlan } from './reload-plan.js';
import type { SdNotifier } from './sd-notify.js';
import { trackedNames } from './trackers.js';
import type { VrrpNode } from './vrrp-node.js';

export interface ReloadTargets {
  readonly node: VrrpNode | undefined;
  readonly checks: HealthChecks | undefined;
  readonly dispatcher: Dispatcher | undefined;
  /** vrrp_script / track_file definitions changed: stop the trackers and start them on `config`. */
  restartTrackers(config: Config): void;
  /** The IPVS sync daemon (lvs_sync_daemon) on the new configuration: restarted if it changed. */
  reloadSyncDaemon?(config: Config): Promise<void>;
}

/** Parts of the configuration a running daemon cannot change (a restart applies them). */
function needsRestart(old: Config, next: Config, t: ReloadTargets): string[] {
  const out: string[] = [];
  if (!t.node && hasVrrpConfig(next) && !hasVrrpConfig(old))
    out.push('vrrp_instance or static_* blocks added to a daemon started without any');
  if (!t.checks && next.virtualServers.length > 0 && old.virtualServers.length === 0)
    out.push('virtual_server blocks added to a daemon started without any');
  if (!isDeepStrictEqual(old.globalDefs.metricsListen, next.globalDefs.metricsListen))
    out.push('metrics_listen');
  // The SMTP sender and the SNMP subagent are built at start (main.ts).
  const changed = (keys: readonly (keyof GlobalDefs)[]): boolean =>
    keys.some((k) => !isDeepStrictEqual(old.globalDefs[k], next.globalDefs[k]));
  if (changed(SMTP_GLOBALS)) out.push('SMTP settings (smtp_server, notification_email*, router_id, ...)');
  if (changed(SNMP_GLOBALS)) out.push('SNMP settings (snmp_socket, enable_traps, enable_snmp_*)');
  return out;
}

const SMTP_GLOBALS: readonly (keyof GlobalDefs)[] = [
  'routerId',
  'notificationEmail',
  'notificationEmailFrom',
  'smtpServer',
  'smtpConnectTimeoutMs',
  'smtpHeloName',
  'noEmailFaults',
];
const SNMP_GLOBALS: readonly (keyof GlobalDefs)[] = [
  'snmpSocket',
  'enableTraps',
  'enableSnmpVrrp',
  'enableSnmpChecker',
  'enableSnmpRfcv2',
  'enableSnmpRfcv3',
];

/** The trackers run the vrrp_scripts and track_files in use: restart them when those change. */
function trackersChanged(old: Config, next: Config): boolean {
  const used = (c: Config) =>
    [...trackedNames(c, 'trackScripts'), '|', ...trackedNames(c, 'trackFiles')].sort();
  return (
    !isDeepStrictEqual(old.vrrpScripts, next.vrrpScripts) ||
    !isDeepStrictEqual(old.trackFiles, next.trackFiles) ||
    !isDeepStrictEqual(used(old), used(next))
  );
}

/** `reload-plan PATH` on the control socket: the plan, or how many errors keep it from loading. */
export type PlanAnswer =
  { readonly ok: true; readonly plan: ReloadPlan } | { readonly ok: false; readonly error: string };

export class Reloader {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly source: ConfigSource,
    private readonly log: Logger,
    private readonly sd: SdNotifier,
    private current: Config,
    private readonly targets: () => ReloadTargets,
  ) {}

  get config(): Config {
    return this.current;
  }

  /** Queue a reload; resolves when it (and any before it) is done. Never rejects. */
  reload(): Promise<void> {
    this.queue = this.queue
      .then(() => this.once())
      .catch((err: unknown) => {
        this.log.error({ event: 'daemon.reload-failed', err }, `Reload failed: ${String(err)}`);
        this.sd.ready(`Reload failed: ${String(err)}`);
      });
    return this.queue;
  }

  /**
   * What a reload from `path` would change, changing nothing. Only counts of problems are
   * answered, never their text (which quotes the file): the client reads the file itself to
   * show them (cli/reload-command.ts), and the socket may be open to a group.
   */
  async plan(path: string): Promise<PlanAnswer> {
    const loaded = loadLocalConfig({ ...this.source, file: path });
    const errors = loaded.diagnostics.filter((d) => d.severity === 'fatal' || d.severity === 'error').length;
    if (loaded.files.length === 0) return { ok: false, error: `the daemon cannot read ${path}` };
    if (errors > 0)
      return {
        ok: false,
        error: `${path} has ${errors} error(s) as the daemon reads it: a reload would be refused`,
      };
    const next = loaded.config;
    const t = this.targets();
    try {
      return {
        ok: true,
        plan: {
          vrrp: t.node
            ? await t.node.planReload(next)
            : { kept: [], restarted: [], added: [], removed: [], vips: [] },
          virtualServers: t.checks
            ? checkerPlan(this.current, next)
            : { added: [], removed: [], edited: [], realServers: [] },
          restartNeeded: needsRestart(this.current, next, t),
          trackersRestarted: trackersChanged(this.current, next),
        },
      };
    } catch (err) {
      return { ok: false, error: `a reload would be refused: ${(err as Error).message}` };
    }
  }

  private async once(): Promise<void> {
    const { log, sd } = this;
    log.info({ event: 'daemon.reloading' }, 'Reloading ...');
    sd.reloading('Reloading');
    const next = readConfig(this.source, log, ['fatal', 'error']);
    if (!next) {
      log.error(
        { event: 'daemon.reload-refused' },
        'Reload refused: the new configuration has errors (above); the running configuration stays',
      );
      sd.ready('Reload refused: configuration errors');
      return;
    }
    const t = this.targets();
    const old = this.current;
    for (const what of needsRestart(old, next, t))
      log.warn(
        { event: 'daemon.reload-restart-needed', what },
        `keepalived-ts: ${what} takes effect on restart`,
      );
    // The VRRP side first: it refuses (throws) before changing anything.
    const vrrp = t.node ? await t.node.reload(next) : undefined;
    if (trackersChanged(old, next)) t.restartTrackers(next);
    const checks = t.checks?.reload(next);
    const dispatch = await t.dispatcher?.reload(next);
    await t.reloadSyncDaemon?.(next);
    this.current = next;
    log.info({ event: 'daemon.reloaded', vrrp, checks, dispatch }, 'Reload complete');
    sd.ready('Reload complete');
  }
}
