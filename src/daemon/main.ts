/**
 * The daemon's composition root: config, logs, pid file, the Linux adapters, the VRRP node, its
 * trackers and notifications, the control socket and the signals. keepalived-ts is one process
 * (keepalived forks a parent, a VRRP child and a checker child) and stays in the foreground:
 * systemd supervises it (`-n` is implied; see README "Differences from keepalived").
 *
 * Signals: TERM/INT stop gracefully (priority 0, VIPs removed, notify STOP, exit 0); a second one
 * during the stop forces the exit. HUP reloads (reload.ts); USR1/USR2/RTMIN+2 write keepalived's
 * dump files (dump-signals.ts). Nothing that goes wrong after start-up ends the process: it is
 * logged and counted (a dead master would leave its VIP on a live interface).
 */
import { readFileSync } from 'node:fs';
import type { ParsedArgs } from '../cli/args.js';
import { flagNotes } from '../cli/flag-notes.js';
import type { Config } from '../config/model.js';
import { SystemClock } from '../lib/clock.js';
import { openAnnouncer } from '../net/announcer.js';
import { openRtnl } from '../net/rtnl.js';
import { linuxSysctls } from '../net/sysctl.js';
import { LinuxVrrpSockets } from '../net/vrrp-socket.js';
import { HealthChecks } from '../check/health-checks.js';
import { checkerTypes } from '../check/checker-types.js';
import { ControlSocket } from './control-socket.js';
import { startDispatcher, type Dispatcher } from './dispatcher.js';
import { chooseLogFormat, createLogger, facilityOf, LOG_FORMATS, type LogFormat } from './log.js';
import { Notifier } from './notify.js';
import { startSnmp } from './snmp-start.js';
import { SmtpAlerts } from './smtp-alerts.js';
import { smtpSender } from './smtp-sender.js';
import { PidFile } from './pidfile.js';
import { installDumpSignals, logConfigDump, type DumpSources } from './dump-signals.js';
import { readConfig } from './read-config.js';
import { stdoutIsJournal } from '../host/journal-stream.js';
import { packageVersion } from '../host/package-version.js';
import { openSyncDaemon, type LvsSync } from './lvs-sync.js';
import { Reloader } from './reload.js';
import { Vmacs } from './vmacs.js';
import { renderExporterMetrics } from './metrics-compat.js';
import { renderMetrics } from './metrics.js';
import { startMetricsServer } from './metrics-server.js';
import { createNotifier, startWatchdog } from './sd-notify.js';
import { daemonStatus } from './status.js';
import { startTrackers, type Trackers } from './trackers.js';
import { VrrpNode } from './vrrp-node.js';

export const DEFAULT_PID_FILE = '/run/keepalived-ts.pid';
/** The systemd unit's RuntimeDirectory holds it; the daemon creates the folder when it runs without. */
export const DEFAULT_CONTROL_SOCKET = '/run/keepalived-ts/keepalived-ts.sock';
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

/** Runs until a stop signal; resolves with the exit code. */
export async function runDaemon(args: ParsedArgs): Promise<number> {
  const version = packageVersion();
  // The process title: `ps`, `pidof keepalived-ts` and `pkill -HUP keepalived-ts` find the daemon
  // by its own name rather than as one more `node` (keepalived's processes show as keepalived).
  // The name alone: Linux takes the command name (comm) from the title's first 15 characters.
  process.title = 'keepalived-ts';
  const requested = typeof args.logFormat === 'string' ? args.logFormat : undefined;
  if (requested !== undefined && !(LOG_FORMATS as readonly string[]).includes(requested)) {
    process.stderr.write(
      `keepalived-ts: --log-format must be one of ${LOG_FORMATS.join(', ')}, not '${requested}'\n`,
    );
    return 1;
  }
  const facility = typeof args.logFacility === 'string' ? facilityOf(args.logFacility) : undefined;
  const log = createLogger({
    console: args.logConsole === true,
    detail: args.logDetail === true,
    format: chooseLogFormat({
      requested: requested as LogFormat | undefined,
      noSyslog: args.noSyslog === true,
      stdoutIsJournal: stdoutIsJournal(),
    }),
    ...(facility !== undefined ? { facility } : {}),
  });
  if (typeof args.logFacility === 'string' && facility === undefined)
    log.warn(
      { event: 'daemon.log-facility', facility: args.logFacility },
      `Invalid log facility '${args.logFacility}' (0-7 for LOG_LOCAL0-7): using LOG_DAEMON`,
    );
  log.info({ event: 'daemon.starting', version }, `Starting keepalived-ts v${version}`);
  for (const note of flagNotes(args)) log.warn({ event: 'daemon.flag-ignored' }, note);
  // keepalived -u/--umask (octal), before any file is made.
  if (typeof args.umask === 'string') {
    const mask = Number.parseInt(args.umask, 8);
    if (Number.isInteger(mask) && mask >= 0 && mask <= 0o777) process.umask(mask);
    else log.warn({ event: 'daemon.umask', umask: args.umask }, `invalid umask ${args.umask} - ignoring`);
  }
  const config = readConfig(args, log);
  if (!config) return 1;
  const sd = createNotifier(process.env, {
    onError: (err) => log.warn({ event: 'systemd.notify-error', err }, err.message),
  });
  // keepalived -P: VRRP only; -C: checkers only; neither or both: everything.
  const vrrpSide = args.check !== true || args.vrrp === true;
  const checkSide = (args.vrrp !== true || args.check === true) && config.virtualServers.length > 0;

  let pidFile: PidFile;
  try {
    pidFile = PidFile.claim(typeof args.pid === 'string' ? args.pid : DEFAULT_PID_FILE);
  } catch (err) {
    log.error({ event: 'daemon.pidfile', err }, (err as Error).message);
    return 1;
  }
  const clock = new SystemClock();
  const startedAt = clock.now();
  const cleanups: (() => void)[] = [() => pidFile.release()];
  const cleanup = (): void => {
    for (const f of cleanups.reverse()) {
      try {
        f();
      } catch (err) {
        log.warn({ err }, `cleanup: ${(err as Error).message}`);
      }
    }
    cleanups.length = 0;
  };

  let node: VrrpNode | undefined;
  let trackers: Trackers;
  let dumpSources: DumpSources | undefined;
  let startTrackersOn: (c: Config) => Trackers = () => trackers;
  const reloader: Reloader = new Reloader(args, log, sd, config, () => ({
    node,
    checks,
    dispatcher,
    restartTrackers: (c) => {
      trackers.stop();
      trackers = startTrackersOn(c);
    },
    reloadSyncDaemon: async (c) => {
      const master = lvsSync?.instance
        ? node?.instances().find((d) => d.wiring.inst.name === lvsSync?.instance)?.state === 'MASTER'
        : false;
      if (lvsSync) lvsSync = await lvsSync.reload(c.globalDefs.lvsSyncDaemon, master);
      else if (c.globalDefs.lvsSyncDaemon)
        log.warn(
          { event: 'daemon.reload-restart-needed', what: 'lvs_sync_daemon' },
          'keepalived-ts: lvs_sync_daemon takes effect on restart',
        );
    },
  }));
  let notifier: Notifier | undefined;
  let checks: HealthChecks | undefined;
  let dispatcher: Dispatcher | undefined;
  let lvsSync: LvsSync | null = null;
  try {
    const rtnl = openRtnl({ onError: (err) => log.warn({ event: 'netlink.error', err }, err.message) });
    cleanups.push(() => rtnl.close());
    const mail = smtpSender(config.globalDefs, log);
    const snmp = startSnmp(config, args, { vrrp: vrrpSide, checker: checkSide }, log, version, async () => ({
      config: reloader.config,
      status: await daemonStatus(node, checks, dispatcher, { version, startedAt, now: clock.now() }),
    }));
    if (snmp) {
      // Dial the master now, so the session is up before the first state change to notify.
      snmp.agent.start();
      cleanups.push(() => snmp.agent.close());
    }
    notifier = Notifier.open({
      global: config.globalDefs,
      log,
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
    lvsSync = await openSyncDaemon(config, log, { vrrpSide, checkSide });
    cleanups.push(() => lvsSync?.close());
    if (lvsSync) await lvsSync.start();
    if (vrrpSide && config.vrrpInstances.length > 0) {
      const announcer = openAnnouncer({
        onError: (err) => log.debug({ event: 'vrrp.garp-error', err }, err.message),
      });
      cleanups.push(() => announcer.close());
      node = new VrrpNode(config, {
        clock,
        log,
        rtnl,
        routes: rtnl,
        sockets: new LinuxVrrpSockets(),
        announcer,
        notifier,
        ipv6Forwarding,
        keepVipsOnStop: args.dontReleaseVrrp === true,
        vmacs: new Vmacs({ rtnl, sysctls: linuxSysctls, log }),
        transitioned: (name, from, to) => {
          if (lvsSync?.instance === name) void lvsSync.transition(from, to);
        },
        vipsChanged: (addresses, present) => {
          for (const a of addresses) {
            checks?.addressChanged(a, present);
            if (present) dispatcher?.addressAvailable(a);
          }
        },
      });
      await node.start();
    }
    const vrrp = node;
    startTrackersOn = (c: Config): Trackers =>
      startTrackers(vrrp ? c : { ...c, vrrpInstances: [], vrrpSyncGroups: [] }, log, {
        scriptStatus: (name, status) => vrrp?.scriptStatus(name, status),
        fileValue: (name, value) => vrrp?.fileValue(name, value),
      });
    trackers = startTrackersOn(config);
    cleanups.push(() => trackers.stop());
    dumpSources = {
      config: () => reloader.config,
      log,
      node: () => vrrp,
      checks: () => checks,
      trackers: () => trackers,
      now: () => clock.now(),
    };
    cleanups.push(installDumpSignals(dumpSources));
    if (checkSide) {
      dispatcher = await startDispatcher(config, log, { keepIpvsOnStop: args.dontReleaseIpvs === true });
      const local = new Set((await rtnl.addresses()).map((a) => a.address));
      checks = new HealthChecks(config, {
        clock,
        log,
        table: dispatcher.table,
        notifier,
        types: checkerTypes(),
        trackFileValue: (name) => trackers.fileValue(name),
        localAddresses: local,
        random: Math.random,
      });
      checks.start();
    }
  } catch (err) {
    log.error({ event: 'daemon.start-failed', err }, `keepalived-ts cannot start: ${(err as Error).message}`);
    await notifier?.close();
    cleanup();
    return 1;
  }
  const notifications = notifier;

  const socketPath = typeof args.controlSocket === 'string' ? args.controlSocket : DEFAULT_CONTROL_SOCKET;
  try {
    const group = typeof args.controlSocketGroup === 'string' ? args.controlSocketGroup : null;
    const control = await ControlSocket.listen(socketPath, { group }, async (command, arg) => {
      if (command === 'reload-plan') return reloader.plan(arg ?? '');
      if (command === 'ipvsadm' || command === 'ipvsadm-save')
        return (await dispatcher?.ipvsadm(command === 'ipvsadm-save')) ?? '';
      return daemonStatus(node, checks, dispatcher, { version, startedAt, now: clock.now() });
    });
    cleanups.push(() => control.close());
  } catch (err) {
    log.error({ event: 'daemon.control-socket', err }, (err as Error).message);
  }

  const listen = config.globalDefs.metricsListen;
  if (listen) {
    try {
      const metrics = await startMetricsServer({
        ...listen,
        log,
        // keepalived_ts_*, then the keepalived exporters' names (dashboards and alerts made for them).
        render: async () => {
          const status = await daemonStatus(node, checks, dispatcher, {
            version,
            startedAt,
            now: clock.now(),
          });
          return renderMetrics(status) + renderExporterMetrics(status);
        },
      });
      cleanups.push(() => void metrics.close());
      log.info(
        { event: 'metrics.listening', address: metrics.address, port: metrics.port },
        `Prometheus metrics on http://${metrics.address.includes(':') ? `[${metrics.address}]` : metrics.address}:${metrics.port}/metrics`,
      );
    } catch (err) {
      log.error({ event: 'metrics.listen-failed', err }, (err as Error).message);
    }
  }

  log.info({ event: 'daemon.started', version, instances: config.vrrpInstances.length }, 'Startup complete');
  sd.ready('Startup complete');
  if (args.dumpConf === true && dumpSources) logConfigDump(dumpSources);
  const watchdog = startWatchdog(sd, process.env);
  cleanups.push(() => watchdog.stop());

  return new Promise<number>((resolve) => {
    let stopping = false;
    /** The orderly stop (priority 0 first); `code`: the exit status once it is done. */
    const stop = (signal: string, code = 0): void => {
      if (stopping) {
        log.warn({ event: 'daemon.forced-stop', signal }, `second ${signal}: exiting now`);
        cleanup();
        resolve(1);
        return;
      }
      stopping = true;
      log.info({ event: 'daemon.stopping', signal }, 'Stopping');
      sd.stopping('Stopping');
      const deadline = setTimeout(() => {
        log.error({ event: 'daemon.stop-timeout' }, `stop took over ${STOP_DEADLINE_MS} ms: exiting`);
        cleanup();
        resolve(1);
      }, STOP_DEADLINE_MS);
      checks?.stop();
      trackers.stop();
      Promise.all([node?.shutdown(), dispatcher?.close()])
        .then(() => lvsSync?.stop())
        // STOP notify scripts get up to 1 s (keepalived), FIFO scripts are stopped.
        .then(() => notifications.close())
        .then(() => {
          clearTimeout(deadline);
          cleanup();
          log.info({ event: 'daemon.stopped', version }, `Stopped keepalived-ts v${version}`);
          resolve(code);
        })
        .catch((err: unknown) => {
          clearTimeout(deadline);
          log.error({ event: 'daemon.stop-failed', err }, `stop failed: ${String(err)}`);
          cleanup();
          resolve(1);
        });
    };
    // A bug that escapes (an exception no handler caught, a rejected promise nobody awaited):
    // log it, stop as on SIGTERM (priority 0, VIPs removed) and exit EX_SOFTWARE, so systemd's
    // Restart=on-failure starts a clean daemon; start-up clears any VIPs left behind. A second
    // one during that stop exits at once (the forced stop above).
    const fault = (kind: string) => (err: unknown) => {
      log.error(
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
      if (!stopping) void reloader.reload();
    });
  });
}
