/**
 * One running daemon: the Linux adapters, the VRRP node, its trackers and notifications, the
 * checkers and the data plane, the control socket and metrics, and the signals, with an explicit
 * lifecycle: start() (false: it could not, and what it opened is closed again), then run() until
 * a stop signal or an internal error. keepalived-ts is one process (keepalived forks a parent, a
 * VRRP child and a checker child) and stays in the foreground: systemd supervises it.
 *
 * Signals: TERM/INT stop gracefully (priority 0, VIPs removed, notify STOP, exit 0); a second one
 * during the stop forces the exit. HUP reloads (reload.ts); USR1/USR2/RTMIN+2 write keepalived's
 * dump files (dump-signals.ts). What goes wrong in a part after start-up is logged and counted
 * there; a bug that escapes every handler stops the daemon as SIGTERM would, exit 70.
 *
 * What the configuration does not use is not loaded: the checkers and the data plane without
 * virtual servers, the SNMP subagent without SNMP, the metrics server without metrics_listen
 * (and nodemailer without SMTP alerts, smtp-sender.ts), so a VRRP-only director stays small.
 */
import { readFileSync } from 'node:fs';
import type { HealthChecks } from '../check/health-checks.js';
import type { RouteAnnouncer } from '../check/route-announcer.js';
import { hasVrrpConfig, type Config } from '../config/model.js';
import { SystemClock } from '../host/system-clock.js';
import { openAnnouncer } from '../net/announcer.js';
import { openRtnl, type LinuxRtnl } from '../net/rtnl.js';
import { linuxSysctls } from '../net/sysctl.js';
import { LinuxVrrpSockets } from '../net/vrrp-socket.js';
import { Closers } from './closers.js';
import { ControlSocket } from './control-socket.js';
import type { Dispatcher } from './dispatcher.js';
import { installDumpSignals, logConfigDump, type DumpSources } from './dump-signals.js';
import type { Logger } from './log.js';
import { openSyncDaemon, type LvsSync } from './lvs-sync.js';
import { Notifier } from './notify.js';
import type { DaemonOptions } from './options.js';
import { PidFile } from './pidfile.js';
import { Reloader } from './reload.js';
import { startWatchdog, type SdNotifier } from './sd-notify.js';
import { SmtpAlerts } from './smtp-alerts.js';
import { smtpSender } from './smtp-sender.js';
import { snmpSettings } from './snmp-traps.js';
import { daemonStatus, type DaemonStatus } from './status.js';
import { startTrackers, type Trackers } from './trackers.js';
import { Vmacs } from './vmacs.js';
import { VrrpNode } from './vrrp-node.js';

/** A stop that takes longer than this (a hung netlink request) is forced. */
const STOP_DEADLINE_MS = 5000;
/** sysexits.h EX_SOFTWARE: the daemon stopped on an internal error. */
const EX_SOFTWARE = 70;

function ipv6Forwarding(ifname: string): boolean {
  try {
    return readFileSync(`/proc/sys/net/ipv6/conf/${ifname}/forwarding`, 'utf8').trim() !== '0';
  } catch {
    return false;
  }
}

export class Daemon {
  private readonly clock = new SystemClock();
  private readonly startedAt = this.clock.now();
  private readonly closers: Closers;
  private readonly reloader: Reloader;
  /** keepalived -C runs no VRRP; -P no checkers; a config without virtual servers has none. */
  private readonly vrrpSide: boolean;
  private readonly checkSide: boolean;
  private node: VrrpNode | undefined;
  private trackers: Trackers | undefined;
  private checks: HealthChecks | undefined;
  private announcer: RouteAnnouncer | undefined;
  private dispatcher: Dispatcher | undefined;
  private lvsSync: LvsSync | null = null;
  private notifier: Notifier | undefined;
  private dumpSources: DumpSources | undefined;
  private stopping = false;

  constructor(
    private readonly options: DaemonOptions,
    private readonly log: Logger,
    config: Config,
    private readonly version: string,
    private readonly sd: SdNotifier,
  ) {
    this.closers = new Closers(log);
    this.vrrpSide = options.sides.vrrp;
    this.checkSide = options.sides.checker && config.virtualServers.length > 0;
    this.reloader = new Reloader(options.config, log, sd, config, () => ({
      node: this.node,
      checks: this.checks,
      dispatcher: this.dispatcher,
      restartTrackers: (c) => {
        this.trackers?.stop();
        this.trackers = this.startTrackers(c);
      },
      reloadSyncDaemon: (c) => this.reloadSyncDaemon(c),
    }));
  }

  /** Claims the pid file and starts every part; false: it could not (logged, all closed again). */
  async start(): Promise<boolean> {
    const { log } = this;
    const config = this.reloader.config;
    try {
      const pidFile = PidFile.claim(this.options.pidFile);
      this.closers.add('pid file', () => pidFile.release());
    } catch (err) {
      log.error({ event: 'daemon.pidfile', err }, (err as Error).message);
      return false;
    }
    try {
      const rtnl = openRtnl({ onError: (err) => log.warn({ event: 'netlink.error', err }, err.message) });
      this.closers.add('rtnetlink', () => rtnl.close());
      this.notifier = await this.openNotifier(config);
      this.lvsSync = await openSyncDaemon(config, log, {
        vrrpSide: this.vrrpSide,
        checkSide: this.checkSide,
      });
      this.closers.add('lvs sync daemon', () => this.lvsSync?.close());
      if (this.lvsSync) await this.lvsSync.start();
      if (this.vrrpSide && hasVrrpConfig(config)) await this.startVrrp(config, rtnl, this.notifier);
      this.trackers = this.startTrackers(config);
      this.closers.add('trackers', () => this.trackers?.stop());
      this.dumpSources = {
        config: () => this.reloader.config,
        log,
        node: () => this.node,
        checks: () => this.checks,
        trackers: () => this.trackers,
        now: () => this.clock.now(),
      };
      this.closers.add('dump signals', installDumpSignals(this.dumpSources));
      if (this.checkSide) await this.startChecks(config, rtnl, this.notifier);
    } catch (err) {
      log.error(
        { event: 'daemon.start-failed', err },
        `keepalived-ts cannot start: ${(err as Error).message}`,
      );
      await this.notifier?.close();
      this.closers.closeAll();
      return false;
    }
    await this.openControlSocket();
    await this.openMetrics(config);
    log.info(
      { event: 'daemon.started', version: this.version, instances: config.vrrpInstances.length },
      'Startup complete',
    );
    this.sd.ready('Startup complete');
    if (this.options.dumpConf && this.dumpSources) logConfigDump(this.dumpSources);
    const watchdog = startWatchdog(this.sd, process.env);
    this.closers.add('watchdog', () => watchdog.stop());
    return true;
  }

  /** Runs until a stop signal or an internal error; resolves with the exit code. */
  run(): Promise<number> {
    return new Promise<number>((resolve) => {
      const stop = (signal: string, code = 0): void => {
        void this.stop(signal, code).then(resolve);
      };
      // A bug that escapes (an exception no handler caught, a rejected promise nobody awaited):
      // log it, stop as on SIGTERM (priority 0, VIPs removed) and exit EX_SOFTWARE, so systemd's
      // Restart=on-failure starts a clean daemon; start-up clears any VIPs left behind. A second
      // one during that stop exits at once (the forced stop).
      const fault = (kind: string) => (err: unknown) => {
        this.log.error(
          { event: 'daemon.internal-error', kind, err },
          `internal error (${kind}): ${String(err)}; stopping`,
        );
        stop(kind === 'exception' ? 'uncaughtException' : 'unhandledRejection', EX_SOFTWARE);
      };
      process.on('uncaughtException', fault('exception'));
      process.on('unhandledRejection', fault('rejection'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGHUP', () => {
        // After a reload, the instances in FAULT again (an instance may be gone, or renamed).
        if (!this.stopping) void this.reloader.reload().then(() => this.announceFaults());
      });
    });
  }

  /**
   * The orderly stop (priority 0 first); resolves with `code` once done, or 1 when it failed or
   * took over STOP_DEADLINE_MS. A second stop while one runs forces the exit (1).
   */
  private stop(signal: string, code: number): Promise<number> {
    const { log } = this;
    if (this.stopping) {
      log.warn({ event: 'daemon.forced-stop', signal }, `second ${signal}: exiting now`);
      this.closers.closeAll();
      return Promise.resolve(1);
    }
    this.stopping = true;
    // The priority-0 adverts go first (RFC 5798 §6.4.2, keepalived's vrrp_restore_interface()):
    // each MASTER sends its own synchronously as its shutdown starts, before anything else here
    // (the log, systemd, the checkers) can delay the backup's takeover.
    const vrrpStopped = this.node?.shutdown();
    log.info({ event: 'daemon.stopping', signal }, 'Stopping');
    this.sd.stopping('Stopping');
    return new Promise<number>((resolve) => {
      const deadline = setTimeout(() => {
        log.error({ event: 'daemon.stop-timeout' }, `stop took over ${STOP_DEADLINE_MS} ms: exiting`);
        this.closers.closeAll();
        resolve(1);
      }, STOP_DEADLINE_MS);
      this.checks?.stop();
      this.trackers?.stop();
      // The routes' withdrawals finish before the rtnetlink socket closes.
      Promise.all([vrrpStopped, this.dispatcher?.close(), this.announcer?.settled()])
        .then(() => this.lvsSync?.stop())
        // STOP notify scripts get up to 1 s (keepalived), FIFO scripts are stopped.
        .then(() => this.notifier?.close())
        .then(() => {
          clearTimeout(deadline);
          this.closers.closeAll();
          log.info(
            { event: 'daemon.stopped', version: this.version },
            `Stopped keepalived-ts v${this.version}`,
          );
          resolve(code);
        })
        .catch((err: unknown) => {
          clearTimeout(deadline);
          log.error({ event: 'daemon.stop-failed', err }, `stop failed: ${String(err)}`);
          this.closers.closeAll();
          resolve(1);
        });
    });
  }

  private status(): Promise<DaemonStatus> {
    return daemonStatus(
      this.node,
      this.checks,
      this.dispatcher,
      {
        version: this.version,
        startedAt: this.startedAt,
        now: this.clock.now(),
      },
      this.announcer,
    );
  }

  /** Notify scripts and FIFOs, SMTP alerts and SNMP notifications, as global_defs asks. */
  private async openNotifier(config: Config): Promise<Notifier> {
    const mail = smtpSender(config.globalDefs, this.log);
    const settings = snmpSettings(config.globalDefs, this.options.snmp, {
      vrrp: this.vrrpSide,
      checker: this.checkSide,
    });
    const snmp =
      settings === null
        ? null
        : (await import('./snmp-start.js')).startSnmp(settings, this.log, this.version, async () => ({
            config: this.reloader.config,
            status: await this.status(),
          }));
    if (snmp) {
      // Dial the master now, so the session is up before the first state change to notify.
      snmp.agent.start();
      this.closers.add('snmp agent', () => snmp.agent.close());
    }
    return Notifier.open({
      global: config.globalDefs,
      log: this.log,
      ...(mail
        ? {
            alerts: new SmtpAlerts(
              config.globalDefs.routerId,
              (m) => void mail(m),
              config.globalDefs.noEmailFaults,
            ),
          }
        : {}),
      ...(snmp ? { traps: snmp.traps } : {}),
    });
  }

  private async startVrrp(config: Config, rtnl: LinuxRtnl, notifier: Notifier): Promise<void> {
    const announcer = openAnnouncer({
      onError: (err) => this.log.debug({ event: 'vrrp.garp-error', err }, err.message),
    });
    this.closers.add('announcer', () => announcer.close());
    const node = new VrrpNode(config, {
      clock: this.clock,
      log: this.log,
      rtnl,
      routes: rtnl,
      sockets: new LinuxVrrpSockets(),
      announcer,
      notifier,
      ipv6Forwarding,
      keepVipsOnStop: this.options.keepVipsOnStop,
      vmacs: new Vmacs({ rtnl, sysctls: linuxSysctls, log: this.log }),
      transitioned: (name, from, to) => {
        if (this.lvsSync?.instance === name) void this.lvsSync.transition(from, to);
        if (from === 'FAULT' || to === 'FAULT') this.announceFaults();
      },
      vipsChanged: (addresses, present) => {
        for (const a of addresses) {
          this.checks?.addressChanged(a, present);
          if (present) this.dispatcher?.addressAvailable(a);
        }
      },
    });
    this.node = node;
    await node.start();
  }

  /** announce_table: the names of the vrrp_instances in FAULT now, to the route announcer. */
  private announceFaults(): void {
    const faulted = new Set<string>();
    for (const d of this.node?.instances() ?? []) if (d.state === 'FAULT') faulted.add(d.wiring.inst.name);
    this.announcer?.setFaulted(faulted);
  }

  /** vrrp_script and track_file trackers; without a VRRP node only the checkers' track files. */
  private startTrackers(config: Config): Trackers {
    const vrrp = this.node;
    return startTrackers(vrrp ? config : { ...config, vrrpInstances: [], vrrpSyncGroups: [] }, this.log, {
      scriptStatus: (name, status) => vrrp?.scriptStatus(name, status),
      fileValue: (name, value) => vrrp?.fileValue(name, value),
    });
  }

  private async startChecks(config: Config, rtnl: LinuxRtnl, notifier: Notifier): Promise<void> {
    const [{ startDispatcher }, { HealthChecks }, { checkerTypes }, { RouteAnnouncer }] = await Promise.all([
      import('./dispatcher.js'),
      import('../check/health-checks.js'),
      import('../check/checker-types.js'),
      import('../check/route-announcer.js'),
    ]);
    const dispatcher = await startDispatcher(config, this.log, {
      keepIpvsOnStop: this.options.keepIpvsOnStop,
      workers: this.options.dispatchWorkers,
    });
    this.dispatcher = dispatcher;
    const local = new Set((await rtnl.addresses()).map((a) => a.address));
    // announce_table (docs/bgp.md): with -I and the kernel's IPVS the services outlive the daemon,
    // and so do their routes; the embedded dispatcher stops serving, so its routes go.
    const announcer = new RouteAnnouncer(
      {
        routes: rtnl,
        linkIndex: async (name) => (await rtnl.links()).find((l) => l.name === name)?.index,
        log: this.log,
      },
      { keepOnStop: this.options.keepIpvsOnStop && dispatcher.kernel !== undefined },
    );
    this.announcer = announcer;
    const checks = new HealthChecks(config, {
      clock: this.clock,
      log: this.log,
      table: dispatcher.table,
      notifier,
      types: checkerTypes(),
      trackFileValue: (name) => this.trackers?.fileValue(name),
      localAddresses: local,
      random: Math.random,
      announcer,
    });
    this.checks = checks;
    // Instances already in FAULT (an interface down at start) before the first announcement.
    this.announceFaults();
    if (!this.node && config.virtualServers.some((vs) => (vs.announce?.instances.length ?? 0) > 0))
      this.log.warn(
        { event: 'check.announce.no-vrrp' },
        'keepalived-ts: announce_table names vrrp_instances, but this process runs no VRRP (-C): their FAULT state does not withdraw the routes',
      );
    checks.start();
  }

  /** The IPVS sync daemon (lvs_sync_daemon) on a reloaded configuration. */
  private async reloadSyncDaemon(config: Config): Promise<void> {
    const sync = this.lvsSync;
    const master = sync?.instance
      ? this.node?.instances().find((d) => d.wiring.inst.name === sync.instance)?.state === 'MASTER'
      : false;
    if (sync) this.lvsSync = await sync.reload(config.globalDefs.lvsSyncDaemon, master);
    else if (config.globalDefs.lvsSyncDaemon)
      this.log.warn(
        { event: 'daemon.reload-restart-needed', what: 'lvs_sync_daemon' },
        'keepalived-ts: lvs_sync_daemon takes effect on restart',
      );
  }

  /** `keepalived-ts status`, `reload --dry-run` and `ipvsadm` answers; a failure is logged only. */
  private async openControlSocket(): Promise<void> {
    try {
      const control = await ControlSocket.listen(
        this.options.controlSocket,
        { group: this.options.controlSocketGroup },
        async (command, arg) => {
          if (command === 'reload-plan') return this.reloader.plan(arg ?? '');
          if (command === 'ipvsadm' || command === 'ipvsadm-save')
            return (await this.dispatcher?.ipvsadm(command === 'ipvsadm-save')) ?? '';
          return this.status();
        },
      );
      this.closers.add('control socket', () => control.close());
    } catch (err) {
      this.log.error({ event: 'daemon.control-socket', err }, (err as Error).message);
    }
  }

  /** metrics_listen: keepalived_ts_*, then the keepalived exporters' names (their dashboards and alerts). */
  private async openMetrics(config: Config): Promise<void> {
    const listen = config.globalDefs.metricsListen;
    if (!listen) return;
    try {
      const [{ startMetricsServer }, { renderMetrics }, { renderExporterMetrics }] = await Promise.all([
        import('./metrics-server.js'),
        import('./metrics.js'),
        import('./metrics-compat.js'),
      ]);
      const metrics = await startMetricsServer({
        ...listen,
        log: this.log,
        render: async () => {
          const status = await this.status();
          return renderMetrics(status) + renderExporterMetrics(status);
        },
      });
      this.closers.add('metrics server', () => void metrics.close());
      this.log.info(
        { event: 'metrics.listening', address: metrics.address, port: metrics.port },
        `Prometheus metrics on http://${metrics.address.includes(':') ? `[${metrics.address}]` : metrics.address}:${metrics.port}/metrics`,
      );
    } catch (err) {
      this.log.error({ event: 'metrics.listen-failed', err }, (err as Error).message);
    }
  }
}
