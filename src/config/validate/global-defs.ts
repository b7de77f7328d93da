/**
 * `global_defs { }` (keepalived core/global_parser.c). Each keyword's value is read
 * as keepalived 2.2.7's handler reads it, with its messages; the keywords we do not act on are in
 * global-tuning.ts.
 */
import type { Statement, Word } from '../ast.js';
import type { FifoSpec, GarpSettings, GlobalDefs, LvsSyncDaemon, ScriptSpec } from '../model.js';
import type { Ctx } from './context.js';
import { extension, plain, valueLines, values, walk, type KeywordTable } from './engine.js';
import { notActedOn } from './unsupported.js';
import { parseIp, parseIpv4, parseIpv6 } from '../../lib/ip.js';
import {
  globalBool,
  newTuningState,
  optionalBool,
  tuningKeywords,
  type TuningState,
} from './global-tuning.js';
import { readScript } from './script.js';
import {
  defaultScriptUserUsable,
  newDefaultUserState,
  userGroupUsable,
  type DefaultUserState,
} from './script-security.js';
import { readInt, readTimerMs, readUnsigned } from './values.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** RFC 2787's VRRP-MIB (VRRPv2) is the one SNMP part keepalived-ts does not serve. */
const RFCV2_NOTE = 'VRRP-MIB (RFC 2787) is not served';

export interface GlobalDraft extends Partial<
  Mutable<Omit<GlobalDefs, 'garp' | 'lvsTimeouts' | 'lvsSyncDaemon'>>
> {
  garp: Partial<Mutable<GarpSettings>>;
  lvsTimeouts: Mutable<GlobalDefs['lvsTimeouts']>;
  /** syncId undefined: the instance's VRID (resolved once the instances are read). */
  lvsSyncDaemon?: Mutable<Omit<LvsSyncDaemon, 'syncId'>> & { syncId: number | undefined; at: Statement };
  /** Where SMTP alerting was first configured (keepalived-ts sends no mail). */
  /** The keywords we do not act on remember what keepalived would. */
  tuning: TuningState;
  /** keepalived's default script user, as settled so far in file order. */
  defaultUser: DefaultUserState;
}

export const newGlobalDraft = (): GlobalDraft => ({
  garp: {},
  lvsTimeouts: { tcpMs: null, tcpFinMs: null, udpMs: null },
  tuning: newTuningState(),
  defaultUser: newDefaultUserState(),
});

type Handler = (ctx: Ctx, stmt: Statement, d: GlobalDraft) => void;

const UINT_MAX = 4294967295;
/** UINT_MAX / TIMER_HZ: keepalived's bound for whole seconds kept in µs. */
const MAX_SECONDS = 4294;

/** A word keepalived requires, with its own message when it is missing. */
const required =
  (message: string, set: (d: GlobalDraft, v: string) => void): Handler =>
  (ctx, stmt, d) => {
    const w = stmt.words[1];
    if (!w) return void ctx.report('GENERAL_ERROR', stmt, message);
    set(d, w.text);
  };

/** keepalived read_unsigned_strvec() on word 1, then `message` when it is not in range. */
const unsigned =
  (
    min: number,
    max: number,
    message: (w: string) => string,
    set: (d: GlobalDraft, v: number) => void,
  ): Handler =>
  (ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, min, max);
    if (v === undefined) ctx.report('GENERAL_ERROR', stmt, message(w.text));
    else set(d, v);
  };

/** A repeat count where 0 is in range but raised to 1 with a message. */
const repeat =
  (keyword: string, set: (d: GlobalDraft, v: number) => void): Handler =>
  (ctx, stmt, d) =>
    unsigned(
      0,
      UINT_MAX,
      (w) => `${keyword} '${w}' invalid - ignoring`,
      (dd, v) => {
        if (v === 0) ctx.report('GENERAL_ERROR', stmt, `${keyword} must be greater than 0, setting to 1`);
        set(dd, Math.max(v, 1));
      },
    )(ctx, stmt, d);

/** keepalived read_decimal_unsigned_strvec(): seconds with up to 6 places in [1 µs or 1 ms, UINT_MAX µs]. */
const interval =
  (keyword: string, minUs: number, set: (d: GlobalDraft, ms: number) => void): Handler =>
  (ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readTimerMs(ctx, w, minUs, UINT_MAX);
    if (v === undefined) ctx.report('GENERAL_ERROR', stmt, `${keyword} '${w.text}' is invalid`);
    else set(d, v);
  };

/** A flag with an optional boolean, keepalived's "Invalid value for KEYWORD specified". */
const flagNoValue =
  (set: (d: GlobalDraft, v: boolean) => void): Handler =>
  (ctx, stmt, d) => {
    const v = optionalBool(ctx, stmt, () => `Invalid value for ${stmt.words[0]?.text ?? ''} specified`);
    if (v !== undefined) set(d, v);
  };

/** A flag with an optional boolean, keepalived's "Invalid value 'X' for global KEYWORD specified". */
const flag =
  (set: (d: GlobalDraft, v: boolean) => void): Handler =>
  (ctx, stmt, d) => {
    const v = globalBool(ctx, stmt);
    if (v !== undefined) set(d, v);
  };

/**
 * keepalived notify_script_init() while parsing: the script's own user and group must exist, else
 * the default script user must be usable. keepalived only logs why it drops the script.
 */
function parseTimeScript(ctx: Ctx, stmt: Statement, d: GlobalDraft): ScriptSpec | undefined {
  const s = readScript(ctx, stmt);
  if (!s) return undefined;
  const ok =
    s.user !== null
      ? userGroupUsable(ctx, s.user, s.group)
      : defaultScriptUserUsable(ctx, d.defaultUser, d.enableScriptSecurity ?? false, stmt.loc);
  return ok ? s : undefined;
}

/** `startup_script` / `shutdown_script` (keepalived startup_shutdown_script()). */
const startupScript =
  (type: 'startup' | 'shutdown'): Handler =>
  (ctx, stmt, d) => {
    const key = type === 'startup' ? 'startupScript' : 'shutdownScript';
    if (d[key]) return void ctx.report('GENERAL_ERROR', stmt, `${type} script already specified`);
    if (stmt.words.length < 2) return void ctx.report('GENERAL_ERROR', stmt, `${type} script missing`);
    const s = parseTimeScript(ctx, stmt, d);
    if (!s) return void ctx.report('GENERAL_ERROR', stmt, `Invalid ${type} script`);
    d[key] = s;
  };

const startupScriptTimeout =
  (type: 'startup' | 'shutdown'): Handler =>
  (ctx, stmt, d) => {
    if (stmt.words.length < 2)
      return void ctx.report('GENERAL_ERROR', stmt, `${type}_script_timeout requires value`);
    unsigned(
      1,
      1000,
      (w) => `${type}_script_timeout '${w}' must be in [1, 1000] - ignoring`,
      (dd, v) => {
        if (type === 'startup') dd.startupScriptTimeoutMs = v * 1000;
        else dd.shutdownScriptTimeoutMs = v * 1000;
      },
    )(ctx, stmt, d);
  };

type FifoKey = 'notifyFifo' | 'vrrpNotifyFifo' | 'lvsNotifyFifo';

/** `notify_fifo PATH [USER [GROUP]]` and the vrrp_/lvs_ ones (keepalived notify_fifo()). */
const fifo =
  (type: string, key: FifoKey): Handler =>
  (ctx, stmt, d) => {
    const path = stmt.words[1];
    if (!path) return void ctx.report('GENERAL_ERROR', stmt, `No ${type}notify_fifo name specified`);
    const was = d[key];
    if (was?.path)
      return void ctx.report(
        'GENERAL_ERROR',
        stmt,
        `${type}notify_fifo already specified - ignoring ${path.text}`,
      );
    const user = stmt.words[2]?.text;
    const ok =
      user !== undefined
        ? userGroupUsable(ctx, user, stmt.words[3]?.text ?? null)
        : defaultScriptUserUsable(ctx, d.defaultUser, d.enableScriptSecurity ?? false, stmt.loc);
    if (!ok) {
      // keepalived only logs this.
      ctx.report('NOTICE', stmt, `Invalid user/group for ${type} fifo ${path.text} - ignoring`);
      return;
    }
    d[key] = { path: path.text, script: was?.script ?? null };
  };

/** `notify_fifo_script CMD [USER [GROUP]]` and the vrrp_/lvs_ ones. */
const fifoScript =
  (type: string, key: FifoKey): Handler =>
  (ctx, stmt, d) => {
    if (stmt.words.length < 2)
      return void ctx.report('GENERAL_ERROR', stmt, `No ${type}notify_fifo_script specified`);
    const was = d[key];
    if (was?.script)
      return void ctx.report(
        'GENERAL_ERROR',
        stmt,
        `${type}notify_fifo_script already specified - ignoring ${stmt.words[1]?.text ?? ''}`,
      );
    const s = parseTimeScript(ctx, stmt, d);
    if (s) d[key] = { path: was?.path ?? '', script: s } satisfies FifoSpec;
  };

/** keepalived inet_stosockaddr(): the family from a ':', a '-' or '/' suffix dropped, inet_pton(). */
function inetStoSockaddr(textIn: string): { family: 'inet' | 'inet6'; bytes: Uint8Array } | undefined {
  const family = textIn.includes(':') ? 'inet6' : 'inet';
  const cut = textIn.search(/[-/]/);
  const addr = cut >= 0 ? textIn.slice(0, cut) : textIn;
  const bytes = family === 'inet' ? parseIpv4(addr) : parseIpv6(addr);
  return bytes ? { family, bytes } : undefined;
}

const isMulticast = (a: { family: 'inet' | 'inet6'; bytes: Uint8Array }): boolean =>
  a.family === 'inet' ? ((a.bytes[0] ?? 0) & 0xf0) === 0xe0 : a.bytes[0] === 0xff;

/** `vrrp_mcast_group4` / `vrrp_mcast_group6` (keepalived vrrp_mcast_group4/6_handler()). */
const mcastGroup =
  (family: 'inet' | 'inet6', set: (d: GlobalDraft, a: string) => void): Handler =>
  (ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const kw = family === 'inet' ? 'vrrp_mcast_group4' : 'vrrp_mcast_group6';
    const a = inetStoSockaddr(w.text);
    if (!a) return void ctx.report('GENERAL_ERROR', stmt, `Can't parse ${kw} [${w.text}]. Skipping`);
    if (a.family !== family)
      return void ctx.report(
        'GENERAL_ERROR',
        stmt,
        `${kw} [${w.text}] is not ${family === 'inet' ? 'IPv4' : 'IPv6'}. Skipping`,
      );
    if (!isMulticast(a))
      return void ctx.report('GENERAL_ERROR', stmt, `${kw} [${w.text}] is not multicast. Skipping`);
    // IN6_IS_ADDR_MC_LINKLOCAL: ffX2::/16.
    if (family === 'inet6' && ((a.bytes[1] ?? 0) & 0x0f) !== 0x02)
      ctx.report('WARNING', stmt, `${kw} [${w.text}] should be link-local multicast.`);
    const ip = parseIp(w.text.split(/[-/]/)[0] ?? '');
    if (ip) set(d, ip.address);
  };

/**
 * `smtp_server ADDR|NAME [PORT]` (keepalived smtpserver_handler()). keepalived resolves a name
 * while parsing; we cannot here, so a name is taken when it looks like one DNS could resolve (a
 * dotted name, or localhost) and reported as keepalived reports a name that does not resolve
 * otherwise. keepalived-ts sends no mail either way.
 */
const smtpServer: Handler = (ctx, stmt, d) => {
  const host = ctx.arg(stmt, 1);
  if (!host) return;
  const portText = stmt.words[2]?.text ?? '25';
  const portWord: Word = stmt.words[2] ?? { ...host, text: '25' };
  const port = readUnsigned(ctx, portWord, 1, 65535);
  const literal = /[-/]/.test(host.text) ? undefined : inetStoSockaddr(host.text);
  const name =
    !literal &&
    (host.text === 'localhost' ||
      /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/.test(
        host.text,
      ));
  if (port === undefined || (!literal && !name))
    return void ctx.report('GENERAL_ERROR', stmt, `Invalid smtp server ${host.text} ${portText}`);
  d.smtpServer = { host: host.text, port };
};

/** keepalived global_parser.c lvs_syncd_handler(), with its messages. */
function lvsSyncDaemon(ctx: Ctx, stmt: Statement, d: GlobalDraft): void {
  const words = stmt.words;
  if (d.lvsSyncDaemon) {
    const was = d.lvsSyncDaemon;
    ctx.report(
      'GENERAL_ERROR',
      stmt,
      `lvs_sync_daemon has already been specified as ${was.ifname} ${was.instance ?? ''} - ignoring`,
    );
    return;
  }
  const ifname = words[1]?.text;
  if (ifname === undefined)
    return void ctx.report('GENERAL_ERROR', stmt, 'lvs_sync_daemon requires interface');
  // IP_VS_IFNAME_MAXLEN is 16 with the NUL.
  if (Buffer.byteLength(ifname) >= 16)
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
  for (let i = 2; i < words.length; i++) {
    const w = (words[i] as Word).text;
    const next = words[i + 1];
    if (w === 'inst') {
      if (sd.instance !== null)
        ctx.report(
          'GENERAL_ERROR',
          stmt,
          `lvs_sync_daemon vrrp instance has already been specified as ${sd.instance} - ignoring`,
        );
      else {
        const v = ctx.arg(stmt, i + 1);
        if (v) sd.instance = v.text;
      }
      i++;
    } else if (w === 'id') {
      if (!next)
        ctx.report('GENERAL_ERROR', stmt, 'No value specified for lvs_sync_daemon id, defaulting to vrid');
      else {
        const v = readUnsigned(ctx, next, 0, 255);
        if (v === undefined)
          ctx.report('GENERAL_ERROR', stmt, `Invalid syncid (${next.text}) - defaulting to vrid`);
        else sd.syncId = v;
        i++;
      }
    } else if (w === 'maxlen' || w === 'port' || w === 'ttl') {
      if (!next) ctx.report('GENERAL_ERROR', stmt, `No value specified for lvs_sync_daemon ${w} - ignoring`);
      else {
        const v = readUnsigned(ctx, next, 1, w === 'maxlen' ? 65535 - 20 - 8 : w === 'port' ? 65535 : 255);
        if (v === undefined)
          ctx.report('GENERAL_ERROR', stmt, `Invalid lvs_sync_daemon ${w} (${next.text}) - ignoring`);
        else sd[w] = v;
        i++;
      }
    } else if (w === 'group') {
      if (!next) ctx.report('GENERAL_ERROR', stmt, 'No value specified for lvs_sync_daemon group - ignoring');
      else {
        const a = inetStoSockaddr(next.text);
        if (!a) ctx.report('GENERAL_ERROR', stmt, `Invalid lvs_sync_daemon group (${next.text}) - ignoring`);
        else if (!isMulticast(a))
          ctx.report(
            'GENERAL_ERROR',
            stmt,
            `lvs_sync_daemon group address ${next.text} is not multicast - ignoring`,
          );
        else sd.group = parseIp(next.text.split(/[-/]/)[0] ?? '')?.address ?? null;
        i++;
      }
    } else if (i === 2)
      sd.instance = w; // the old form: lvs_sync_daemon IF VRRP_INSTANCE [SYNC_ID]
    else if (i === 3) {
      const v = readUnsigned(ctx, words[3] as Word, 0, 255);
      if (v === undefined) ctx.report('GENERAL_ERROR', stmt, `Invalid syncid (${w}) - defaulting to vrid`);
      else {
        ctx.report('GENERAL_ERROR', stmt, 'Please use keyword "id" before lvs_sync_daemon SYNCID');
        sd.syncId = v;
      }
    } else ctx.report('GENERAL_ERROR', stmt, `Unknown option ${w} specified for lvs_sync_daemon`);
  }
  d.lvsSyncDaemon = sd;
}

/** keepalived lvs_timeouts(): tcp, tcpfin, udp, each with seconds in [0, 31 days]. */
function lvsTimeouts(ctx: Ctx, stmt: Statement, d: GlobalDraft): void {
  const words = stmt.words;
  if (words.length < 3)
    return void ctx.report('GENERAL_ERROR', stmt, 'lvs_timeouts requires at least one option');
  const keys = { tcp: 'tcpMs', tcpfin: 'tcpFinMs', udp: 'udpMs' } as const;
  for (let i = 1; i < words.length; i++) {
    const option = (words[i] as Word).text;
    if (!Object.hasOwn(keys, option)) {
      ctx.report('GENERAL_ERROR', stmt, `Unknown option ${option} specified for lvs_timeouts`);
      continue;
    }
    const value = words[i + 1];
    if (!value) {
      ctx.report('GENERAL_ERROR', stmt, `No value specified for lvs_timeout ${option} - ignoring`);
      continue;
    }
    const v = readUnsigned(ctx, value, 0, 86400 * 31);
    if (v === undefined)
      ctx.report('GENERAL_ERROR', stmt, `Invalid lvs_timeout ${option} (${value.text}) - ignoring`);
    else d.lvsTimeouts[keys[option as keyof typeof keys]] = v * 1000;
    i++;
  }
}

/**
 * `metrics_listen ADDRESS PORT` (IPv4 or IPv6, `[v6]` accepted): a keepalived-ts extension for
 * Prometheus metrics. keepalived itself does not know it (it logs "Unknown keyword" and goes on),
 * so a config that uses it is for keepalived-ts only. A bad address or port leaves metrics off.
 */
const metricsListen: Handler = (ctx, stmt, d) => {
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

/** A keyword that configures SMTP alerting (daemon/smtp-alerts.ts sends them). */
const smtp = (handler: Handler): Handler => handler;

const keywords: KeywordTable<GlobalDraft> = {
  router_id: plain(required('routerid name missing - ignoring', (d, v) => (d.routerId = v))),
  notification_email: values(
    smtp((ctx, stmt, d) => {
      const lines = valueLines(ctx, stmt);
      if (lines.length === 0) ctx.report('GENERAL_ERROR', stmt, 'Warning - empty notification_email block');
      d.notificationEmail = [
        ...(d.notificationEmail ?? []),
        ...lines.flatMap((l) => l.words.map((w) => w.text)),
      ];
    }),
  ),
  notification_email_from: plain(
    smtp(required('emailfrom missing - ignoring', (d, v) => (d.notificationEmailFrom = v))),
  ),
  smtp_server: plain(smtpServer),
  smtp_helo_name: plain((_ctx, stmt, d) => {
    const w = stmt.words[1];
    if (w) d.smtpHeloName = w.text;
  }),
  smtp_connect_timeout: plain((ctx, stmt, d) =>
    unsigned(
      0,
      MAX_SECONDS,
      (w) => `smtp_connect_timeout '${w}' must be in [0, ${MAX_SECONDS}] - ignoring`,
      (dd, v) => {
        if (v === 0)
          ctx.report('GENERAL_ERROR', stmt, 'smtp_conect_timeout must be greater than 0, setting to 1');
        dd.smtpConnectTimeoutMs = Math.max(v, 1) * 1000;
      },
    )(ctx, stmt, d),
  ),
  smtp_alert: plain(smtp(flag((d, v) => (d.smtpAlert = v)))),
  smtp_alert_vrrp: plain(smtp(flag((d, v) => (d.smtpAlertVrrp = v)))),
  smtp_alert_checker: plain(smtp(flag((d, v) => (d.smtpAlertChecker = v)))),
  enable_script_security: plain((_ctx, _stmt, d) => (d.enableScriptSecurity = true)),
  script_user: plain((ctx, stmt, d) => {
    const user = stmt.words[1];
    if (!user) return void ctx.report('GENERAL_ERROR', stmt, 'No script username specified');
    const group = stmt.words[2]?.text ?? null;
    d.scriptUser = { user: user.text, group };
    // keepalived set_default_script_user(): settled here, even when it fails.
    d.defaultUser.set = true;
    d.defaultUser.fail = !userGroupUsable(ctx, user.text, group);
    if (d.defaultUser.fail) ctx.report('GENERAL_ERROR', stmt, 'Error setting global script uid/gid');
  }),
  vrrp_mcast_group4: plain(mcastGroup('inet', (d, v) => (d.vrrpMcastGroup4 = v))),
  vrrp_mcast_group6: plain(mcastGroup('inet6', (d, v) => (d.vrrpMcastGroup6 = v))),
  vrrp_version: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readInt(ctx, w, 2, 3);
    if (v === 2 || v === 3) d.vrrpVersion = v;
    else ctx.report('GENERAL_ERROR', stmt, 'VRRP Error: Version must be either 2 or 3');
  }),
  vrrp_garp_master_delay: plain(
    unsigned(
      0,
      MAX_SECONDS,
      (w) => `vrrp_garp_master_delay '${w}' invalid - ignoring`,
      (d, v) => (d.garp.masterDelayMs = v * 1000),
    ),
  ),
  vrrp_garp_master_repeat: plain(repeat('vrrp_garp_master_repeat', (d, v) => (d.garp.masterRepeat = v))),
  vrrp_garp_master_refresh: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, 0, UINT_MAX);
    if (v === undefined)
      ctx.report('GENERAL_ERROR', stmt, `Invalid vrrp_garp_master_refresh '${w.text}' - ignoring`);
    d.garp.masterRefreshMs = (v ?? 0) * 1000;
  }),
  vrrp_garp_master_refresh_repeat: plain(
    repeat('vrrp_garp_master_refresh_repeat', (d, v) => (d.garp.masterRefreshRepeat = v)),
  ),
  vrrp_garp_lower_prio_delay: plain(
    unsigned(
      0,
      MAX_SECONDS,
      (w) => `vrrp_garp_lower_prio_delay '${w}' invalid - ignoring`,
      (d, v) => (d.garp.lowerPrioDelayMs = v * 1000),
    ),
  ),
  vrrp_garp_lower_prio_repeat: plain(
    unsigned(
      0,
      2147483647,
      (w) => `Invalid vrrp_garp_lower_prio_repeat '${w}'`,
      (d, v) => (d.garp.lowerPrioRepeat = v),
    ),
  ),
  vrrp_garp_interval: plain(interval('vrrp_garp_interval', 1, (d, v) => (d.garp.intervalMs = v))),
  vrrp_gna_interval: plain(interval('vrrp_gna_interval', 1, (d, v) => (d.garp.gnaIntervalMs = v))),
  vrrp_min_garp: plain(flagNoValue((d, v) => (d.vrrpMinGarp = v))),
  vrrp_lower_prio_no_advert: plain(flagNoValue((d, v) => (d.vrrpLowerPrioNoAdvert = v))),
  vrrp_higher_prio_send_advert: plain(flagNoValue((d, v) => (d.vrrpHigherPrioSendAdvert = v))),
  vrrp_down_timer_adverts: plain(
    unsigned(
      1,
      100,
      (w) => `Invalid vrrp_down_timer_adverts [1:100] '${w}'`,
      (d, v) => (d.vrrpDownTimerAdverts = v),
    ),
  ),
  // These take no value; keepalived ignores any word after them.
  vrrp_check_unicast_src: plain((_ctx, _stmt, d) => (d.vrrpCheckUnicastSrc = true)),
  vrrp_skip_check_adv_addr: plain((_ctx, _stmt, d) => (d.vrrpSkipCheckAdvAddr = true)),
  vrrp_strict: plain((_ctx, _stmt, d) => (d.vrrpStrict = true)),
  vrrp_startup_delay: notActedOn(
    'globalDefs.vrrpStartupDelayMs',
    plain(interval('vrrp_startup_delay', 1000, (d, v) => (d.vrrpStartupDelayMs = v))),
  ),
  notify_fifo: plain(fifo('', 'notifyFifo')),
  notify_fifo_script: plain(fifoScript('', 'notifyFifo')),
  vrrp_notify_fifo: plain(fifo('vrrp_', 'vrrpNotifyFifo')),
  vrrp_notify_fifo_script: plain(fifoScript('vrrp_', 'vrrpNotifyFifo')),
  lvs_notify_fifo: plain(fifo('lvs_', 'lvsNotifyFifo')),
  lvs_notify_fifo_script: plain(fifoScript('lvs_', 'lvsNotifyFifo')),
  vrrp_notify_priority_changes: plain(flag((d, v) => (d.vrrpNotifyPriorityChanges = v))),
  fifo_write_vrrp_states_on_reload: notActedOn(
    'globalDefs.fifoWriteVrrpStatesOnReload',
    plain((_ctx, _stmt, d) => (d.fifoWriteVrrpStatesOnReload = true)),
  ),
  dynamic_interfaces: notActedOn(
    'globalDefs.dynamicInterfaces',
    plain((ctx, stmt, d) => {
      d.dynamicInterfaces = true;
      const w = stmt.words[1];
      if (w && w.text !== 'allow_if_changes')
        ctx.report('GENERAL_ERROR', stmt, `Unknown dynamic_interfaces option '${w.text}'`);
    }),
  ),
  default_interface: plain(
    required('default_interface requires interface name', (d, v) => (d.defaultInterface = v)),
  ),
  lvs_timeouts: plain(lvsTimeouts),
  lvs_sync_daemon: plain(lvsSyncDaemon),
  lvs_flush: plain((_ctx, _stmt, d) => (d.lvsFlush = true)),
  ...Object.fromEntries(
    ['lvs_flush_on_stop', 'lvs_flush_onstop'].map((k) => [
      k,
      plain<GlobalDraft>((ctx, stmt, d) => {
        const w = stmt.words[1];
        if (!w) d.lvsFlushOnStop = true;
        // Flushing only the configured virtual servers is not supported: nothing is flushed.
        else if (w.text === 'VS')
          ctx.report('UNSUPPORTED', stmt, `${k} VS: not supported - ignored (nothing is flushed on stop)`);
        else ctx.report('GENERAL_ERROR', stmt, `Unknown lvs_flush_on_stop type ${w.text}`);
      }),
    ]),
  ),
  startup_script: notActedOn('globalDefs.startupScript', plain(startupScript('startup'))),
  startup_script_timeout: notActedOn(
    'globalDefs.startupScriptTimeoutMs',
    plain(startupScriptTimeout('startup')),
  ),
  shutdown_script: notActedOn('globalDefs.shutdownScript', plain(startupScript('shutdown'))),
  shutdown_script_timeout: notActedOn(
    'globalDefs.shutdownScriptTimeoutMs',
    plain(startupScriptTimeout('shutdown')),
  ),
  checker_log_all_failures: plain(flagNoValue((d, v) => (d.checkerLogAllFailures = v))),
  random_seed: notActedOn(
    'globalDefs.randomSeed',
    plain(
      unsigned(
        0,
        UINT_MAX,
        (w) => `random_seed ${w} invalid`,
        (d, v) => (d.randomSeed = v),
      ),
    ),
  ),
  reload_check_config: notActedOn(
    'globalDefs.reloadCheckConfig',
    plain((_ctx, _stmt, d) => (d.reloadCheckConfig = true)),
  ),
  // keepalived-ts extension (docs/metrics.md).
  metrics_listen: extension(metricsListen),
  ...tuningKeywords<GlobalDraft>((d) => d.tuning),
  // SNMP (keepalived 2.2.7 core/global_parser.c), served by the AgentX subagent (daemon/snmp-agent.ts).
  snmp_socket: plain((ctx, stmt, d) => {
    if (stmt.words.length > 2)
      return void ctx.report(
        'GENERAL_ERROR',
        stmt,
        'Too many parameters specified for snmp_socket - ignoring',
      );
    const w = stmt.words[1]?.text;
    if (w === undefined)
      return void ctx.report('GENERAL_ERROR', stmt, 'SNMP error : snmp socket name missing');
    if (Buffer.byteLength(w) > 4095)
      return void ctx.report('GENERAL_ERROR', stmt, 'SNMP error : snmp socket name too long - ignored');
    if (d.snmpSocket != null)
      return void ctx.report('GENERAL_ERROR', stmt, `SNMP socket already set to ${d.snmpSocket} - ignoring`);
    d.snmpSocket = w;
  }),
  enable_traps: plain((_ctx, _stmt, d) => (d.enableTraps = true)),
  no_email_faults: plain((_ctx, _stmt, d) => (d.noEmailFaults = true)),
  no_checker_emails: plain((ctx, stmt, d) => {
    const v = globalBool(ctx, stmt);
    if (v !== undefined) d.noCheckerEmails = v;
  }),
  enable_snmp_vrrp: plain((_ctx, _stmt, d) => (d.enableSnmpVrrp = true)),
  // Deprecated in keepalived 2.0.0, same handler.
  enable_snmp_keepalived: plain((_ctx, _stmt, d) => (d.enableSnmpVrrp = true)),
  enable_snmp_checker: plain((_ctx, _stmt, d) => (d.enableSnmpChecker = true)),
  enable_snmp_rfcv3: plain((_ctx, _stmt, d) => (d.enableSnmpRfcv3 = true)),
  enable_snmp_rfc: plain((ctx, stmt, d) => {
    d.enableSnmpRfcv2 = true;
    d.enableSnmpRfcv3 = true;
    ctx.report('UNSUPPORTED', stmt, `enable_snmp_rfc: ${RFCV2_NOTE}, only VRRPv3-MIB (RFC 6527)`);
  }),
  enable_snmp_rfcv2: plain((ctx, stmt, d) => {
    d.enableSnmpRfcv2 = true;
    ctx.report('UNSUPPORTED', stmt, `enable_snmp_rfcv2: ${RFCV2_NOTE} - ignored`);
  }),
};

export function parseGlobalDefs(ctx: Ctx, stmt: Statement, d: GlobalDraft): void {
  walk(ctx, stmt.block?.body ?? [], keywords, d);
}

export function completeGlobalDefs(ctx: Ctx, d: GlobalDraft): GlobalDefs {
  const hostname = ctx.host.hostname;
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
    noEmailFaults: d.noEmailFaults ?? false,
    noCheckerEmails: d.noCheckerEmails ?? false,
    snmpSocket: d.snmpSocket ?? null,
    enableTraps: d.enableTraps ?? false,
    enableSnmpVrrp: d.enableSnmpVrrp ?? false,
    enableSnmpChecker: d.enableSnmpChecker ?? false,
    enableSnmpRfcv2: d.enableSnmpRfcv2 ?? false,
    enableSnmpRfcv3: d.enableSnmpRfcv3 ?? false,
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
