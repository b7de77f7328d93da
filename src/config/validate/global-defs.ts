/**
 * `global_defs { }` (reference §2.1; keepalived core/global_parser.c).
 */
import type { Statement } from '../ast.js';
import type { FifoSpec, GarpSettings, GlobalDefs, LvsSyncDaemon, ScriptSpec } from '../model.js';
import type { Ctx } from './context.js';
import { plain, valueLines, values, walk, type KeywordTable } from './engine.js';
import { parseIp } from '../../lib/ip.js';
import { readScript } from './script.js';
import { unsupported } from './unsupported.js';
import { readFlag, readTimerMs, readUnsigned } from './values.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface GlobalDraft extends Partial<
  Mutable<Omit<GlobalDefs, 'garp' | 'lvsTimeouts' | 'lvsSyncDaemon'>>
> {
  garp: Partial<Mutable<GarpSettings>>;
  lvsTimeouts: Mutable<GlobalDefs['lvsTimeouts']>;
  /** syncId undefined: the instance's VRID (resolved once the instances are read). */
  lvsSyncDaemon?: Mutable<Omit<LvsSyncDaemon, 'syncId'>> & { syncId: number | undefined; at: Statement };
  /** Where SMTP alerting was first configured (keepalived-ts sends no mail). */
  smtpAt?: Statement;
}

export const newGlobalDraft = (): GlobalDraft => ({
  garp: {},
  lvsTimeouts: { tcpMs: null, tcpFinMs: null, udpMs: null },
});

const str =
  (set: (d: GlobalDraft, v: string) => void) =>
  (ctx: Ctx, stmt: Statement, d: GlobalDraft): void => {
    const w = ctx.arg(stmt, 1);
    if (w) set(d, w.text);
  };

const flag =
  (set: (d: GlobalDraft, v: boolean) => void) =>
  (ctx: Ctx, stmt: Statement, d: GlobalDraft): void => {
    const v = readFlag(ctx, stmt);
    if (v !== undefined) set(d, v);
  };

const uint =
  (min: number, max: number, set: (d: GlobalDraft, v: number) => void) =>
  (ctx: Ctx, stmt: Statement, d: GlobalDraft): void => {
    const w = ctx.arg(stmt, 1);
    const v = w && readUnsigned(ctx, w, min, max);
    if (v !== undefined) set(d, v);
  };

/** Whole seconds in the config, milliseconds in the model. */
const seconds =
  (max: number, set: (d: GlobalDraft, ms: number) => void) =>
  (ctx: Ctx, stmt: Statement, d: GlobalDraft): void => {
    const w = ctx.arg(stmt, 1);
    const v = w && readUnsigned(ctx, w, 0, max);
    if (v !== undefined) set(d, v * 1000);
  };

const timer =
  (minUs: number, maxUs: number, set: (d: GlobalDraft, ms: number) => void) =>
  (ctx: Ctx, stmt: Statement, d: GlobalDraft): void => {
    const w = ctx.arg(stmt, 1);
    const v = w && readTimerMs(ctx, w, minUs, maxUs);
    if (v !== undefined) set(d, v);
  };

const script =
  (set: (d: GlobalDraft, s: ScriptSpec) => void) =>
  (ctx: Ctx, stmt: Statement, d: GlobalDraft): void => {
    const s = readScript(ctx, stmt);
    if (s) set(d, s);
  };

const fifo =
  (get: (d: GlobalDraft) => FifoSpec | null | undefined, set: (d: GlobalDraft, f: FifoSpec) => void) =>
  (ctx: Ctx, stmt: Statement, d: GlobalDraft): void => {
    const w = ctx.arg(stmt, 1);
    if (w) set(d, { path: w.text, script: get(d)?.script ?? null });
  };

const fifoScript =
  (get: (d: GlobalDraft) => FifoSpec | null | undefined, set: (d: GlobalDraft, f: FifoSpec) => void) =>
  (ctx: Ctx, stmt: Statement, d: GlobalDraft): void => {
    const s = readScript(ctx, stmt);
    if (s) set(d, { path: get(d)?.path ?? '', script: s });
  };

const mcastGroup =
  (family: 'inet' | 'inet6', set: (d: GlobalDraft, a: string) => void) =>
  (ctx: Ctx, stmt: Statement, d: GlobalDraft): void => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const ip = parseIp(w.text);
    const multicast =
      ip && (ip.family === 'inet' ? ((ip.bytes[0] as number) & 0xf0) === 0xe0 : ip.bytes[0] === 0xff);
    if (!ip || ip.family !== family || !multicast) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `${stmt.words[0]?.text ?? ''} '${w.text}' is not a valid multicast address - ignoring`,
      );
      return;
    }
    set(d, ip.address);
  };

/**
 * `metrics_listen ADDRESS PORT` (IPv4 or IPv6, `[v6]` accepted): a keepalived-ts extension for
 * Prometheus metrics. keepalived itself does not know it (it logs "Unknown keyword" and goes on),
 * so a config that uses it is for keepalived-ts only. A bad address or port leaves metrics off.
 */
/** keepalived global_parser.c lvs_syncd_handler(), with its messages. */
function lvsSyncDaemon(ctx: Ctx, stmt: Statement, d: GlobalDraft): void {
  const words = stmt.words.map((w) => w.text);
  if (d.lvsSyncDaemon) {
    const was = d.lvsSyncDaemon;
    ctx.report(
      'GENERAL_ERROR',
      stmt,
      `lvs_sync_daemon has already been specified as ${was.ifname} ${was.instance ?? ''} - ignoring`,
    );
    return;
  }
  const ifname = words[1];
  if (ifname === undefined)
    return void ctx.report('GENERAL_ERROR', stmt, 'lvs_sync_daemon requires interface');
  // IP_VS_IFNAME_MAXLEN is 16 with the NUL.
  if (ifname.length >= 16)
    return void ctx.report(
      'GENERAL_ERROR',
      stmt,
      `lvs_sync_daemon interface name '${ifname}' too long - ignoring`,
    );
  const sd: NonNullable<GlobalDraft['lvsSyncDaemon']> = {
    ifname,
    instance: null,
    syncId: undefined,
    maxlen: 0,
    port: 0,
    ttl: 0,
    group: null,
    at: stmt,
  };
  const num = (text: string | undefined, min: number, max: number): number | undefined =>
    text !== undefined && /^\d+$/.test(text) && Number(text) >= min && Number(text) <= max
      ? Number(text)
      : undefined;
  for (let i = 2; i < words.length; i++) {
    const w = words[i] as string;
    const next = words[i + 1];
    const last = i === words.length - 1;
    if (w === 'inst') {
      if (sd.instance !== null)
        ctx.report(
          'GENERAL_ERROR',
          stmt,
          `lvs_sync_daemon vrrp instance has already been specified as ${sd.instance} - ignoring`,
        );
      else if (next !== undefined) sd.instance = next;
      i++;
    } else if (w === 'id') {
      if (last)
        ctx.report('GENERAL_ERROR', stmt, 'No value specified for lvs_sync_daemon id, defaulting to vrid');
      else {
        const v = num(next, 0, 255);
        if (v === undefined)
          ctx.report('GENERAL_ERROR', stmt, `Invalid syncid (${next}) - defaulting to vrid`);
        else sd.syncId = v;
        i++;
      }
    } else if (w === 'maxlen' || w === 'port' || w === 'ttl') {
      if (last) ctx.report('GENERAL_ERROR', stmt, `No value specified for lvs_sync_daemon ${w} - ignoring`);
      else {
        const v = num(next, 1, w === 'maxlen' ? 65535 - 20 - 8 : w === 'port' ? 65535 : 255);
        if (v === undefined)
          ctx.report('GENERAL_ERROR', stmt, `Invalid lvs_sync_daemon ${w} (${next}) - ignoring`);
        else sd[w] = v;
        i++;
      }
    } else if (w === 'group') {
      if (last) ctx.report('GENERAL_ERROR', stmt, 'No value specified for lvs_sync_daemon group - ignoring');
      else {
        const ip = parseIp(next ?? '');
        if (!ip) ctx.report('GENERAL_ERROR', stmt, `Invalid lvs_sync_daemon group (${next}) - ignoring`);
        else if (ip.family === 'inet' ? ((ip.bytes[0] ?? 0) & 0xf0) !== 0xe0 : ip.bytes[0] !== 0xff)
          ctx.report(
            'GENERAL_ERROR',
            stmt,
            `lvs_sync_daemon group address ${next} is not multicast - ignoring`,
          );
        else sd.group = ip.address;
        i++;
      }
    } else if (i === 2)
      sd.instance = w; // the old form: lvs_sync_daemon IF VRRP_INSTANCE [SYNC_ID]
    else if (i === 3) {
      const v = num(w, 0, 255);
      if (v === undefined) ctx.report('GENERAL_ERROR', stmt, `Invalid syncid (${w}) - defaulting to vrid`);
      else {
        ctx.report('GENERAL_ERROR', stmt, 'Please use keyword "id" before lvs_sync_daemon SYNCID');
        sd.syncId = v;
      }
    } else ctx.report('GENERAL_ERROR', stmt, `Unknown option ${w} specified for lvs_sync_daemon`);
  }
  d.lvsSyncDaemon = sd;
}

const metricsListen = (ctx: Ctx, stmt: Statement, d: GlobalDraft): void => {
  const addr = ctx.arg(stmt, 1);
  const portWord = addr && ctx.arg(stmt, 2);
  if (!addr || !portWord) return;
  const text = /^\[.*\]$/.test(addr.text) ? addr.text.slice(1, -1) : addr.text;
  const ip = parseIp(text);
  let ok = true;
  if (!ip) {
    ctx.report(
      'GENERAL_ERROR',
      addr,
      `metrics_listen address '${addr.text}' is not a valid IPv4 or IPv6 address - metrics not served`,
    );
    ok = false;
  }
  const port = /^\d{1,5}$/.test(portWord.text) ? Number(portWord.text) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    ctx.report(
      'INVALID_NUMBER',
      portWord,
      `metrics_listen port '${portWord.text}' is not a port number in [1, 65535] - metrics not served`,
    );
    ok = false;
  }
  if (ok && ip) d.metricsListen = { address: ip.address, port };
};

const smtp = (ctx: Ctx, stmt: Statement, d: GlobalDraft): void => {
  d.smtpAt ??= stmt;
};

const keywords: KeywordTable<GlobalDraft> = {
  router_id: plain(str((d, v) => (d.routerId = v))),
  notification_email: values((ctx, stmt, d) => {
    smtp(ctx, stmt, d);
    d.notificationEmail = [
      ...(d.notificationEmail ?? []),
      ...valueLines(ctx, stmt).map((l) => l.words[0]?.text ?? ''),
    ];
  }),
  notification_email_from: plain((ctx, stmt, d) => {
    smtp(ctx, stmt, d);
    str((dd, v) => (dd.notificationEmailFrom = v))(ctx, stmt, d);
  }),
  smtp_server: plain((ctx, stmt, d) => {
    smtp(ctx, stmt, d);
    const host = ctx.arg(stmt, 1);
    if (!host) return;
    const portWord = stmt.words[2];
    const port = portWord ? readUnsigned(ctx, portWord, 1, 65535) : 25;
    d.smtpServer = { host: host.text, port: port ?? 25 };
  }),
  smtp_helo_name: plain(str((d, v) => (d.smtpHeloName = v))),
  smtp_connect_timeout: plain(seconds(0xffffffff, (d, v) => (d.smtpConnectTimeoutMs = v))),
  smtp_alert: plain((ctx, stmt, d) => {
    smtp(ctx, stmt, d);
    flag((dd, v) => (dd.smtpAlert = v))(ctx, stmt, d);
  }),
  smtp_alert_vrrp: plain((ctx, stmt, d) => {
    smtp(ctx, stmt, d);
    flag((dd, v) => (dd.smtpAlertVrrp = v))(ctx, stmt, d);
  }),
  smtp_alert_checker: plain((ctx, stmt, d) => {
    smtp(ctx, stmt, d);
    flag((dd, v) => (dd.smtpAlertChecker = v))(ctx, stmt, d);
  }),
  enable_script_security: plain((_ctx, _stmt, d) => (d.enableScriptSecurity = true)),
  script_user: plain((ctx, stmt, d) => {
    const user = ctx.arg(stmt, 1);
    if (user) d.scriptUser = { user: user.text, group: stmt.words[2]?.text ?? null };
  }),
  vrrp_mcast_group4: plain(mcastGroup('inet', (d, v) => (d.vrrpMcastGroup4 = v))),
  vrrp_mcast_group6: plain(mcastGroup('inet6', (d, v) => (d.vrrpMcastGroup6 = v))),
  vrrp_version: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    const v = w && readUnsigned(ctx, w, 2, 3);
    if (v === 2 || v === 3) d.vrrpVersion = v;
  }),
  vrrp_garp_master_delay: plain(seconds(0xffffffff, (d, v) => (d.garp.masterDelayMs = v))),
  vrrp_garp_master_repeat: plain(uint(0, 0xffffffff, (d, v) => (d.garp.masterRepeat = v))),
  vrrp_garp_master_refresh: plain(seconds(0xffffffff, (d, v) => (d.garp.masterRefreshMs = v))),
  vrrp_garp_master_refresh_repeat: plain(uint(0, 0xffffffff, (d, v) => (d.garp.masterRefreshRepeat = v))),
  vrrp_garp_lower_prio_delay: plain(seconds(0xffffffff, (d, v) => (d.garp.lowerPrioDelayMs = v))),
  vrrp_garp_lower_prio_repeat: plain(uint(0, 0xffffffff, (d, v) => (d.garp.lowerPrioRepeat = v))),
  vrrp_garp_interval: plain(timer(0, 0, (d, v) => (d.garp.intervalMs = v))),
  vrrp_gna_interval: plain(timer(0, 0, (d, v) => (d.garp.gnaIntervalMs = v))),
  vrrp_min_garp: plain(flag((d, v) => (d.vrrpMinGarp = v))),
  vrrp_lower_prio_no_advert: plain(flag((d, v) => (d.vrrpLowerPrioNoAdvert = v))),
  vrrp_higher_prio_send_advert: plain(flag((d, v) => (d.vrrpHigherPrioSendAdvert = v))),
  vrrp_down_timer_adverts: plain(uint(1, 100, (d, v) => (d.vrrpDownTimerAdverts = v))),
  vrrp_check_unicast_src: plain((_ctx, _stmt, d) => (d.vrrpCheckUnicastSrc = true)),
  vrrp_skip_check_adv_addr: plain(flag((d, v) => (d.vrrpSkipCheckAdvAddr = v))),
  vrrp_strict: plain((_ctx, _stmt, d) => (d.vrrpStrict = true)),
  vrrp_startup_delay: plain(timer(0, 0, (d, v) => (d.vrrpStartupDelayMs = v))),
  notify_fifo: plain(
    fifo(
      (d) => d.notifyFifo,
      (d, f) => (d.notifyFifo = f),
    ),
  ),
  notify_fifo_script: plain(
    fifoScript(
      (d) => d.notifyFifo,
      (d, f) => (d.notifyFifo = f),
    ),
  ),
  vrrp_notify_fifo: plain(
    fifo(
      (d) => d.vrrpNotifyFifo,
      (d, f) => (d.vrrpNotifyFifo = f),
    ),
  ),
  vrrp_notify_fifo_script: plain(
    fifoScript(
      (d) => d.vrrpNotifyFifo,
      (d, f) => (d.vrrpNotifyFifo = f),
    ),
  ),
  lvs_notify_fifo: plain(
    fifo(
      (d) => d.lvsNotifyFifo,
      (d, f) => (d.lvsNotifyFifo = f),
    ),
  ),
  lvs_notify_fifo_script: plain(
    fifoScript(
      (d) => d.lvsNotifyFifo,
      (d, f) => (d.lvsNotifyFifo = f),
    ),
  ),
  vrrp_notify_priority_changes: plain(flag((d, v) => (d.vrrpNotifyPriorityChanges = v))),
  fifo_write_vrrp_states_on_reload: plain((_ctx, _stmt, d) => (d.fifoWriteVrrpStatesOnReload = true)),
  dynamic_interfaces: plain((_ctx, _stmt, d) => (d.dynamicInterfaces = true)),
  default_interface: plain(str((d, v) => (d.defaultInterface = v))),
  lvs_timeouts: plain((ctx, stmt, d) => {
    for (let i = 1; i < stmt.words.length; i += 2) {
      const name = (stmt.words[i] as { text: string }).text;
      const w = ctx.arg(stmt, i + 1);
      if (!w) return;
      const v = readUnsigned(ctx, w, 0, 86400 * 31);
      if (v === undefined) continue;
      if (name === 'tcp') d.lvsTimeouts.tcpMs = v * 1000;
      else if (name === 'tcpfin') d.lvsTimeouts.tcpFinMs = v * 1000;
      else if (name === 'udp') d.lvsTimeouts.udpMs = v * 1000;
      else
        ctx.report(
          'GENERAL_ERROR',
          stmt.words[i] ?? stmt,
          `Unknown option ${name} specified for lvs_timeouts`,
        );
    }
  }),
  lvs_sync_daemon: plain(lvsSyncDaemon),
  lvs_flush: plain((_ctx, _stmt, d) => (d.lvsFlush = true)),
  lvs_flush_on_stop: plain((_ctx, _stmt, d) => (d.lvsFlushOnStop = true)),
  lvs_flush_onstop: plain((_ctx, _stmt, d) => (d.lvsFlushOnStop = true)),
  startup_script: plain(script((d, s) => (d.startupScript = s))),
  startup_script_timeout: plain(uint(1, 1000, (d, v) => (d.startupScriptTimeoutMs = v * 1000))),
  shutdown_script: plain(script((d, s) => (d.shutdownScript = s))),
  shutdown_script_timeout: plain(uint(1, 1000, (d, v) => (d.shutdownScriptTimeoutMs = v * 1000))),
  checker_log_all_failures: plain(flag((d, v) => (d.checkerLogAllFailures = v))),
  random_seed: plain(uint(0, 0xffffffff, (d, v) => (d.randomSeed = v))),
  reload_check_config: plain((_ctx, _stmt, d) => (d.reloadCheckConfig = true)),
  // keepalived-ts extension (keepalived rejects it as an unknown keyword).
  metrics_listen: plain(metricsListen),
  ...unsupported<GlobalDraft>([
    'process_names',
    'process_name',
    'vrrp_process_name',
    'checker_process_name',
    'lvs_process_name',
    'bfd_process_name',
    'max_auto_priority',
    'min_auto_priority_delay',
    'no_email_faults',
    'no_checker_emails',
    'disable_local_igmp',
    'vrrp_garp_extra_if',
    'vrrp_vmac_garp_intvl',
    'vrrp_iptables',
    'vrrp_ipsets',
    'nftables',
    'nftables_priority',
    'nftables_ifindex',
    'nftables_ipvs',
    'nftables_ipvs_priority',
    'nftables_ipvs_start_fwmark',
    'nftables_counters',
    'vrrp_priority',
    'vrrp_no_swap',
    'vrrp_rt_priority',
    'vrrp_cpu_affinity',
    'vrrp_rlimit_rttime',
    'vrrp_rlimit_rtime',
    'checker_priority',
    'checker_no_swap',
    'checker_rt_priority',
    'checker_cpu_affinity',
    'checker_rlimit_rttime',
    'checker_rlimit_rtime',
    'bfd_priority',
    'bfd_no_swap',
    'bfd_rt_priority',
    'bfd_cpu_affinity',
    'bfd_rlimit_rttime',
    'bfd_rlimit_rtime',
    'snmp_socket',
    'enable_traps',
    'enable_snmp_vrrp',
    'enable_snmp_keepalived',
    'enable_snmp_rfc',
    'enable_snmp_rfcv2',
    'enable_snmp_rfcv3',
    'enable_snmp_checker',
    'enable_dbus',
    'dbus_service_name',
    'vrrp_netlink_cmd_rcv_bufs',
    'vrrp_netlink_cmd_rcv_bufs_force',
    'vrrp_netlink_monitor_rcv_bufs',
    'vrrp_netlink_monitor_rcv_bufs_force',
    'process_monitor_rcv_bufs',
    'process_monitor_rcv_bufs_force',
    'lvs_netlink_cmd_rcv_bufs',
    'lvs_netlink_cmd_rcv_bufs_force',
    'lvs_netlink_monitor_rcv_bufs',
    'lvs_netlink_monitor_rcv_bufs_force',
    'rs_init_notifies',
    'vrrp_rx_bufs_policy',
    'vrrp_rx_bufs_multiplier',
    'log_unknown_vrids',
    'vmac_prefix',
    'vmac_addr_prefix',
    'umask',
    'reload_time_file',
    'reload_repeat',
    'reload_file',
    'config_save_dir',
    'tmp_config_directory',
    'data_use_instance',
  ]),
  ...unsupported<GlobalDraft>(
    ['include_check'],
    'plain',
    'not supported (use includea, includem, ... or -e/--all-config) - ignored',
  ),
};

export function parseGlobalDefs(ctx: Ctx, stmt: Statement, d: GlobalDraft): void {
  walk(ctx, stmt.block?.body ?? [], keywords, d);
}

export function completeGlobalDefs(ctx: Ctx, d: GlobalDraft): GlobalDefs {
  const hostname = ctx.host.hostname;
  if (d.smtpAt) {
    ctx.report(
      'UNSUPPORTED',
      d.smtpAt,
      'SMTP alerts are not sent: notification_email, smtp_server and smtp_alert are accepted and ignored',
    );
  }
  const g = d.garp;
  const min = d.vrrpMinGarp === true;
  const masterDelayMs = min ? 0 : (g.masterDelayMs ?? 5000);
  const masterRepeat = min ? 1 : (g.masterRepeat ?? 5);
  const garp: GarpSettings = {
    masterDelayMs,
    masterRepeat,
    masterRefreshMs: min ? 0 : (g.masterRefreshMs ?? 0),
    masterRefreshRepeat: min ? 1 : (g.masterRefreshRepeat ?? 1),
    lowerPrioDelayMs: min ? 0 : (g.lowerPrioDelayMs ?? masterDelayMs),
    lowerPrioRepeat: min ? 1 : (g.lowerPrioRepeat ?? masterRepeat),
    intervalMs: g.intervalMs ?? 0,
    gnaIntervalMs: g.gnaIntervalMs ?? 0,
  };
  const vrrpStrict = d.vrrpStrict ?? false;
  return {
    routerId: d.routerId ?? hostname,
    notificationEmail: d.notificationEmail ?? [],
    notificationEmailFrom: d.notificationEmailFrom ?? `keepalived@${hostname}`,
    smtpServer: d.smtpServer ?? null,
    smtpConnectTimeoutMs: d.smtpConnectTimeoutMs ?? 30_000,
    smtpHeloName: d.smtpHeloName ?? hostname,
    smtpAlert: d.smtpAlert ?? null,
    smtpAlertVrrp: d.smtpAlertVrrp ?? null,
    smtpAlertChecker: d.smtpAlertChecker ?? null,
    enableScriptSecurity: d.enableScriptSecurity ?? false,
    scriptUser: d.scriptUser ?? null,
    vrrpMcastGroup4: d.vrrpMcastGroup4 ?? '224.0.0.18',
    vrrpMcastGroup6: d.vrrpMcastGroup6 ?? 'ff02::12',
    vrrpVersion: d.vrrpVersion ?? 2,
    garp,
    vrrpMinGarp: min,
    // keepalived: vrrp_strict implies lower_prio_no_advert unless set explicitly.
    vrrpLowerPrioNoAdvert: d.vrrpLowerPrioNoAdvert ?? vrrpStrict,
    vrrpHigherPrioSendAdvert: d.vrrpHigherPrioSendAdvert ?? false,
    vrrpDownTimerAdverts: d.vrrpDownTimerAdverts ?? 3,
    vrrpCheckUnicastSrc: d.vrrpCheckUnicastSrc ?? false,
    vrrpSkipCheckAdvAddr: d.vrrpSkipCheckAdvAddr ?? false,
    vrrpStrict,
    vrrpStartupDelayMs: d.vrrpStartupDelayMs ?? 0,
    notifyFifo: d.notifyFifo ?? null,
    vrrpNotifyFifo: d.vrrpNotifyFifo ?? null,
    lvsNotifyFifo: d.lvsNotifyFifo ?? null,
    vrrpNotifyPriorityChanges: d.vrrpNotifyPriorityChanges ?? false,
    fifoWriteVrrpStatesOnReload: d.fifoWriteVrrpStatesOnReload ?? false,
    dynamicInterfaces: d.dynamicInterfaces ?? false,
    defaultInterface: d.defaultInterface ?? 'eth0',
    lvsTimeouts: d.lvsTimeouts,
    lvsFlush: d.lvsFlush ?? false,
    // The instance's VRID replaces the default syncid once the instances are read (index.ts).
    lvsSyncDaemon: d.lvsSyncDaemon
      ? {
          ifname: d.lvsSyncDaemon.ifname,
          instance: d.lvsSyncDaemon.instance,
          syncId: d.lvsSyncDaemon.syncId ?? 0,
          maxlen: d.lvsSyncDaemon.maxlen,
          port: d.lvsSyncDaemon.port,
          ttl: d.lvsSyncDaemon.ttl,
          group: d.lvsSyncDaemon.group,
        }
      : null,
    lvsFlushOnStop: d.lvsFlushOnStop ?? false,
    startupScript: d.startupScript ?? null,
    startupScriptTimeoutMs: d.startupScriptTimeoutMs ?? 10_000,
    shutdownScript: d.shutdownScript ?? null,
    shutdownScriptTimeoutMs: d.shutdownScriptTimeoutMs ?? 10_000,
    checkerLogAllFailures: d.checkerLogAllFailures ?? false,
    randomSeed: d.randomSeed ?? null,
    reloadCheckConfig: d.reloadCheckConfig ?? false,
    metricsListen: d.metricsListen ?? null,
  };
}
