/**
 * `vrrp_instance NAME { }` (keepalived vrrp/vrrp_parser.c and the instance checks
 * of vrrp.c vrrp_complete_instance()).
 */
import type { Statement, Word } from '../ast.js';
import { NO_LOC, type Loc } from '../diagnostics.js';
import type {
  GarpSettings,
  GlobalDefs,
  IpAddressSpec,
  RouteRuleSpec,
  ScriptSpec,
  TrackedInterface,
  TrackedScript,
  UnicastPeer,
  VrrpInstance,
} from '../model.js';
import type { IpFamily } from '../../lib/ip.js';
import { parseIpAddressLine, parseRouteLine, parseRuleLine } from './addresses.js';
import type { Ctx } from './context.js';
import { block, plain, valueLines, values, walk, type KeywordTable } from './engine.js';
import { parseIpPrefix, parseSockaddrIp } from '../../lib/ip.js';
import { readScript } from './script.js';
import {
  parseTrackInterfaces,
  parseTrackRefs,
  trackProcessBfdKeywords,
  type TrackEntry,
} from './tracking.js';
import { notActedOn, unsupported } from './unsupported.js';
import { parseBool, readInt, readTimerUs, readUnsigned } from './values.js';

export interface InstanceDraft {
  readonly name: string;
  readonly loc: Loc;
  /** The block's closing brace (keepalived's end-of-block checks report there). */
  readonly end: Loc;
  /** The deprecated `lvs_sync_daemon_interface IF`: a sync daemon bound to this instance. */
  lvsSyncDaemonInterface?: string;
  /** keepalived numbers rules without a preference across the whole config. */
  readonly nextRulePreference: () => number;
  state?: 'MASTER' | 'BACKUP';
  interface?: string;
  interfaceWord?: Word;
  virtualRouterId?: number;
  priority?: number;
  advertIntervalUs?: number;
  version?: 2 | 3;
  family?: IpFamily;
  authentication?: { type: 'PASS' | 'AH'; password: string };
  authAt?: Statement;
  vips: IpAddressSpec[];
  vipsExcluded: IpAddressSpec[];
  virtualRoutes: RouteRuleSpec[];
  virtualRules: RouteRuleSpec[];
  unicastPeers: UnicastPeer[];
  /** A unicast keyword was used (keepalived falls back to multicast without peers). */
  unicastKeyword: boolean;
  sourceAddress?: string;
  mcastDstAddress?: string;
  unicastTtl?: number;
  unicastFaultNoPeer: boolean;
  checkUnicastSrc: boolean;
  trackInterfaces: TrackEntry<TrackedInterface>[];
  trackScripts: TrackEntry<TrackedScript>[];
  trackFiles: TrackEntry<TrackedScript>[];
  dontTrackPrimary: boolean;
  trackSrcIp: boolean;
  notify: {
    master?: ScriptSpec;
    backup?: ScriptSpec;
    fault?: ScriptSpec;
    stop?: ScriptSpec;
    any?: ScriptSpec;
  };
  notifyDeleted?: ScriptSpec;
  /** `notify_deleted` was given (with or without a script). */
  notifyDeletedSet?: boolean;
  /** `vrf` given (checked, not acted on). */
  vrfSet?: string;
  /** `use_ipvlan` given (checked, not acted on). */
  ipvlan?: { type?: string; address?: string; ifname?: string };
  notifyMasterRxLowerPri?: ScriptSpec;
  notifyPriorityChanges?: boolean;
  nopreempt: boolean;
  preemptDelayUs?: number;
  garp: Partial<{ -readonly [K in keyof GarpSettings]: GarpSettings[K] }>;
  lowerPrioNoAdvert?: boolean;
  higherPrioSendAdvert?: boolean;
  downTimerAdverts?: number;
  accept?: boolean;
  skipCheckAdvAddr?: boolean;
  strictMode?: boolean;
  smtpAlert?: boolean;
  promoteSecondaries: boolean;
  useVmac: { name: string | null; at: Statement } | null;
  vmacXmitBase: boolean;
}

export const newInstanceDraft = (
  name: string,
  loc: Loc,
  nextRulePreference: () => number,
  end: Loc = loc,
): InstanceDraft => ({
  name,
  end,
  loc,
  nextRulePreference,
  vips: [],
  vipsExcluded: [],
  virtualRoutes: [],
  virtualRules: [],
  unicastPeers: [],
  unicastKeyword: false,
  unicastFaultNoPeer: false,
  checkUnicastSrc: false,
  trackInterfaces: [],
  trackScripts: [],
  trackFiles: [],
  dontTrackPrimary: false,
  trackSrcIp: false,
  notify: {},
  nopreempt: false,
  garp: {},
  promoteSecondaries: false,
  useVmac: null,
  vmacXmitBase: false,
});

type H = (ctx: Ctx, stmt: Statement, d: InstanceDraft) => void;

/** Whole seconds, for the per-instance GARP keywords (keepalived: "(VI): garp_x 'v' invalid - ignoring"). */
/** keepalived vrrp_garp_delay_handler() and its lower_prio twin: whole seconds up to UINT_MAX / TIMER_HZ. */
const garpSeconds =
  (key: 'masterDelayMs' | 'lowerPrioDelayMs'): H =>
  (ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, 0, 4294);
    if (v === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `(${d.name}): ${stmt.words[0]?.text ?? ''} '${w.text}' invalid - ignoring`,
      );
      return;
    }
    d.garp[key] = v * 1000;
  };

/** keepalived vrrp_garp_refresh_handler(): an invalid value turns the refresh off. */
const garpRefresh: H = (ctx, stmt, d) => {
  const w = ctx.arg(stmt, 1);
  if (!w) return;
  const v = readUnsigned(ctx, w, 0, 0xffffffff);
  if (v === undefined)
    ctx.report('GENERAL_ERROR', w, `(${d.name}): Invalid garp_master_refresh '${w.text}' - ignoring`);
  d.garp.masterRefreshMs = (v ?? 0) * 1000;
};

/**
 * keepalived vrrp_garp_rep_handler() / vrrp_garp_refresh_rep_handler(): 0 is taken for 1 (kept
 * for configs older than 2.0.7) with a message.
 */
const garpCount =
  (key: 'masterRepeat' | 'masterRefreshRepeat'): H =>
  (ctx, stmt, d) => {
    const name = stmt.words[0]?.text ?? '';
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, 0, 0xffffffff);
    if (v === undefined) {
      ctx.report('GENERAL_ERROR', w, `(${d.name}): ${name} '${w.text}' invalid - ignoring`);
      return;
    }
    if (v === 0) ctx.report('GENERAL_ERROR', w, `(${d.name}): ${name} must be greater than 0, setting to 1`);
    d.garp[key] = Math.max(v, 1);
  };

/** keepalived vrrp_garp_lower_prio_rep_handler(): up to INT_MAX. */
const garpLowerPrioRepeat: H = (ctx, stmt, d) => {
  const w = ctx.arg(stmt, 1);
  if (!w) return;
  const v = readUnsigned(ctx, w, 0, 2147483647);
  if (v === undefined) {
    ctx.report('GENERAL_ERROR', w, `(${d.name}): Invalid garp_lower_prio_repeat '${w.text}'`);
    return;
  }
  d.garp.lowerPrioRepeat = v;
};

/**
 * An instance flag with an optional boolean (alone = on); keepalived words the complaint about a
 * bad value differently for each keyword.
 */
const flag =
  (message: (d: InstanceDraft, word: string) => string, set: (d: InstanceDraft, v: boolean) => void): H =>
  (ctx, stmt, d) => {
    const w = stmt.words[1];
    if (!w) return set(d, true);
    const v = parseBool(w.text);
    if (v === undefined) ctx.report('GENERAL_ERROR', w, message(d, w.text));
    else set(d, v);
  };

const invalidFlag =
  (name: string) =>
  (d: InstanceDraft, word: string): string =>
    `(${d.name}) invalid ${name} ${word} specified`;

/**
 * keepalived vrrp_notify_*_handler(): a second script of one kind is reported and ignored (only
 * when the first was accepted).
 */
const notify =
  (
    kind: string,
    get: (d: InstanceDraft) => ScriptSpec | undefined,
    set: (d: InstanceDraft, s: ScriptSpec) => void,
  ): H =>
  (ctx, stmt, d) => {
    if (get(d)) {
      ctx.report(
        'GENERAL_ERROR',
        stmt,
        `(${d.name}) ${kind} script already specified - ignoring ${stmt.words[1]?.text ?? ''}`,
      );
      return;
    }
    const s = readScript(ctx, stmt);
    if (s) set(d, s);
  };

/**
 * keepalived vrrp_garp_extra_if_handler() (`vmac_garp_intvl` is its name before 2.2.2): `[all]
 * SECONDS`, 0-86400. Checked, not acted on.
 */
const garpExtraIf: H = (ctx, stmt, d) => {
  const name = stmt.words[0]?.text ?? '';
  if (name === 'vmac_garp_intvl')
    ctx.report('DEPRECATED', stmt, 'Keyword "vmac_garp_intvl" is deprecated - please use "garp_extra_if"');
  let delay: number | undefined;
  for (const w of stmt.words.slice(1)) {
    if (w.text === 'all') continue;
    delay = readUnsigned(ctx, w, 0, 86400);
    if (delay === undefined) {
      ctx.report('GENERAL_ERROR', w, `(${d.name}): ${name} '${w.text}' invalid - ignoring`);
      return;
    }
  }
  if (delay === undefined) {
    ctx.report('GENERAL_ERROR', stmt, `(${d.name}): ${name} specified without time - ignoring`);
    return;
  }
  ctx.report('UNSUPPORTED', stmt, `${name}: not supported - ignored`);
};

/**
 * keepalived vrrp_ipvlan_handler(): `use_ipvlan [IFNAME] [ADDRESS[/PREFIX]] [bridge|private|vepa]`,
 * checked (the completion needs an address for IPv4), not acted on.
 */
const useIpvlan: H = (ctx, stmt, d) => {
  if (d.ipvlan) {
    ctx.report('GENERAL_ERROR', stmt, `(${d.name}) use_ipvlan already specified`);
    return;
  }
  const ipvlan: { type?: string; address?: string; ifname?: string } = {};
  d.ipvlan = ipvlan;
  for (const w of stmt.words.slice(1)) {
    if (w.text === 'bridge' || w.text === 'private' || w.text === 'vepa') {
      if (ipvlan.type)
        ctx.report('GENERAL_ERROR', w, `(${d.name}) ipvlan type already specified - ignoring '${w.text}'`);
      else ipvlan.type = w.text;
      continue;
    }
    const addr = parseIpPrefix(w.text);
    if (addr && addr.prefix !== 'bad') {
      if (ipvlan.address) {
        ctx.report('GENERAL_ERROR', w, `(${d.name}) ipvlan address already specified - ignoring '${w.text}'`);
      } else if (!checkFamily(d, addr.ip.family)) {
        ctx.report(
          'GENERAL_ERROR',
          w,
          `(${d.name}) ipvlan address[${w.text}] MUST match vrrp instance family !!! Skipping...`,
        );
      } else ipvlan.address = addr.ip.address;
      continue;
    }
    if (ipvlan.ifname) {
      ctx.report('GENERAL_ERROR', w, `(${d.name}) IPVLAN interface already specified - ignoring '${w.text}'`);
    } else if (w.text.length >= 16) {
      ctx.report('GENERAL_ERROR', w, `(${d.name}) IPVLAN interface name '${w.text}' too long - ignoring`);
    } else ipvlan.ifname = w.text;
  }
  ctx.report('UNSUPPORTED', stmt, 'use_ipvlan: not supported - ignored');
};

/** The instance's address family comes from the first address seen (VIP, peer or source). */
function checkFamily(d: InstanceDraft, family: IpFamily): boolean {
  d.family ??= family;
  return d.family === family;
}

const sourceAddress =
  (keyword: 'unicast_src_ip' | 'mcast_src_ip'): H =>
  (ctx, stmt, d) => {
    if (keyword === 'unicast_src_ip') d.unicastKeyword = true;
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const ip = parseSockaddrIp(w.text);
    if (!ip) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `Configuration error: VRRP instance[${d.name}] malformed src address[${w.text}]. Skipping...`,
      );
      return;
    }
    if (!checkFamily(d, ip.family)) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `Configuration error: VRRP instance[${d.name}] and src address[${w.text}] MUST be of the same family !!! Skipping...`,
      );
      return;
    }
    d.sourceAddress = ip.address;
  };

const vipBlock =
  (excluded: boolean): H =>
  (ctx, stmt, d) => {
    for (const line of valueLines(ctx, stmt)) {
      const vip = parseIpAddressLine(ctx, line);
      if (!vip) continue;
      if (!excluded && !checkFamily(d, vip.family)) {
        ctx.report(
          'GENERAL_ERROR',
          line,
          `(${d.name}): address family must match VRRP instance [${vip.address}] - ignoring`,
        );
        continue;
      }
      (excluded ? d.vipsExcluded : d.vips).push(vip);
    }
  };

/** keepalived's vrrp_instance keywords (the same table for every instance). */
export const instanceKeywords: KeywordTable<InstanceDraft> = {
  state: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    if (w.text === 'MASTER') d.state = 'MASTER';
    else if (w.text === 'BACKUP') {
      if (d.state === 'MASTER')
        ctx.report('GENERAL_ERROR', w, `(${d.name}) state previously set as MASTER - ignoring BACKUP`);
      else d.state = 'BACKUP';
    } else {
      ctx.report('GENERAL_ERROR', w, `(${d.name}) unknown state '${w.text}', defaulting to BACKUP`);
      d.state ??= 'BACKUP';
    }
  }),
  interface: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    // keepalived vrrp_int_handler(): a loopback interface cannot carry VRRP.
    if (ctx.host.interfaceIsLoopback?.(w.text) === true) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `(${d.name}) cannot use a loopback interface (${w.text}) for vrrp - ignoring`,
      );
      return;
    }
    d.interface = w.text;
    d.interfaceWord = w;
  }),
  vrf: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    if (w.text.length >= 16) {
      ctx.report('GENERAL_ERROR', w, `(${d.name}) VRF interface name '${w.text}' too long - ignoring`);
    } else if (d.interface !== undefined) {
      ctx.report('GENERAL_ERROR', w, `(${d.name}) Cannot specify VRF interface and interface - ignoring`);
    } else if (d.vrfSet) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `(${d.name}) VRF interface already specified as '${d.vrfSet}' - ignoring`,
      );
    } else if (ctx.host.interfaceExists(w.text) === false) {
      ctx.report('GENERAL_ERROR', w, `(${d.name}) WARNING - VRF interface ${w.text} doesn't exist`);
    } else if (ctx.host.interfaceIsLoopback?.(w.text) === true) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `(${d.name}) cannot use a loopback interface (${w.text}) for VRF - ignoring`,
      );
    } else {
      d.vrfSet = w.text;
      ctx.report('UNSUPPORTED', stmt, 'vrf: not supported - ignored');
    }
  }),
  virtual_router_id: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, 1, 255);
    if (v === undefined) {
      ctx.report('GENERAL_ERROR', w, `(${d.name}): VRID '${w.text}' not valid - must be between 1 & 255`);
      return;
    }
    d.virtualRouterId = v;
  }),
  priority: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, 1, 255);
    if (v === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `(${d.name}) Priority not valid! must be between 1 & 255. Using default 100`,
      );
      d.priority = 100;
      return;
    }
    d.priority = v;
  }),
  advert_int: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readTimerUs(ctx, w, 10_000, 255_000_000);
    if (v === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `(${d.name}) Advert interval (${w.text}) not valid! Must be > 0 - ignoring`,
      );
      return;
    }
    d.advertIntervalUs = v;
  }),
  version: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readInt(ctx, w, 2, 3);
    if (v === 2 || v === 3) d.version = v;
    else ctx.report('GENERAL_ERROR', w, `(${d.name}): Version must be either 2 or 3`);
  }),
  authentication: block((ctx, stmt, d) => {
    d.authAt = stmt;
    const auth: { type?: 'PASS' | 'AH'; password?: string } = {};
    walk(
      ctx,
      stmt.block?.body ?? [],
      {
        auth_type: plain<typeof auth>((c, s, a) => {
          const w = c.arg(s, 1);
          if (!w) return;
          if (w.text === 'PASS' || w.text === 'AH') a.type = w.text;
          else c.report('GENERAL_ERROR', w, `(${d.name}) unknown authentication type '${w.text}'`);
        }),
        auth_pass: plain<typeof auth>((c, s, a) => {
          const w = c.arg(s, 1);
          if (!w) return;
          if (w.text.length > 8) c.report('WARNING', w, 'Truncating auth_pass to 8 characters');
          a.password = w.text.slice(0, 8);
        }),
      },
      auth,
    );
    if (auth.type) d.authentication = { type: auth.type, password: auth.password ?? '' };
  }),
  virtual_ipaddress: values(vipBlock(false)),
  virtual_ipaddress_excluded: values(vipBlock(true)),
  virtual_routes: values((ctx, stmt, d) => {
    for (const line of valueLines(ctx, stmt)) {
      const route = parseRouteLine(ctx, line, true);
      if (route) d.virtualRoutes.push(route);
    }
  }),
  virtual_rules: values((ctx, stmt, d) => {
    for (const line of valueLines(ctx, stmt)) {
      const rule = parseRuleLine(ctx, line, d.nextRulePreference);
      if (rule) d.virtualRules.push(rule);
    }
  }),
  unicast_peer: values((ctx, stmt, d) => {
    d.unicastKeyword = true;
    for (const line of valueLines(ctx, stmt)) {
      const addr = line.words[0] as Word;
      const ip = parseSockaddrIp(addr.text);
      if (!ip) {
        ctx.report(
          'GENERAL_ERROR',
          line,
          `Configuration error: VRRP instance[${d.name}] malformed unicast peer address[${addr.text}]. Skipping...`,
        );
        continue;
      }
      if (!checkFamily(d, ip.family)) {
        ctx.report(
          'GENERAL_ERROR',
          line,
          `Configuration error: VRRP instance[${d.name}] and unicast peer address[${addr.text}] MUST be of the same family !!! Skipping...`,
        );
        continue;
      }
      let minTtl = 0;
      let maxTtl = 255;
      for (let i = 1; i < line.words.length; i++) {
        const opt = (line.words[i] as Word).text;
        if (opt === 'min_ttl' || opt === 'max_ttl') {
          const v = ctx.arg(line, i + 1);
          i++;
          const n = v && readUnsigned(ctx, v, 0, 255);
          if (n === undefined) continue;
          if (opt === 'min_ttl') minTtl = n;
          else maxTtl = n;
        } else {
          ctx.report('GENERAL_ERROR', line.words[i] ?? line, `Unknown unicast peer option '${opt}'`);
        }
      }
      d.unicastPeers.push({ address: ip.address, minTtl, maxTtl });
    }
  }),
  unicast_src_ip: plain(sourceAddress('unicast_src_ip')),
  mcast_src_ip: plain(sourceAddress('mcast_src_ip')),
  // keepalived vrrp_mcast_dstip_handler(): read by inet_stosockaddr(), of the instance's family,
  // and a multicast address (link-local for IPv6).
  mcast_dst_ip: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const ip = parseSockaddrIp(w.text);
    if (!ip) {
      ctx.report('GENERAL_ERROR', w, `(${d.name}) malformed mcast dest address ${w.text}. Skipping...`);
      return;
    }
    if (!checkFamily(d, ip.family)) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `(${d.name}) mcast dest address ${w.text} MUST match VRRP instance family. Skipping...`,
      );
      return;
    }
    const b0 = ip.bytes[0] as number;
    const multicast =
      ip.family === 'inet' ? (b0 & 0xf0) === 0xe0 : b0 === 0xff && ((ip.bytes[1] as number) & 0x0f) === 2;
    if (!multicast) {
      ctx.report(
        'GENERAL_ERROR',
        w,
        `(${d.name}) mcast_dst_ip ${w.text} not${ip.family === 'inet6' ? ' link-local' : ''} multicast. Skipping...`,
      );
      return;
    }
    d.mcastDstAddress = ip.address;
  }),
  unicast_ttl: notActedOn(
    'vrrpInstances[].unicastTtl',
    plain((ctx, stmt, d) => {
      d.unicastKeyword = true;
      const w = ctx.arg(stmt, 1);
      if (!w) return;
      const v = readUnsigned(ctx, w, 0, 255);
      if (v === undefined)
        ctx.report('GENERAL_ERROR', w, `(${d.name}): TTL '${w.text}' not valid - must be between 0 & 255`);
      else d.unicastTtl = v;
    }),
  ),
  unicast_fault_no_peer: plain((_ctx, _stmt, d) => {
    d.unicastKeyword = true;
    d.unicastFaultNoPeer = true;
  }),
  // keepalived counts it as a unicast keyword (VRRP_FLAG_UNICAST_CONFIGURED).
  check_unicast_src: plain((_ctx, _stmt, d) => {
    d.unicastKeyword = true;
    d.checkUnicastSrc = true;
  }),
  track_interface: values((ctx, stmt, d) =>
    d.trackInterfaces.push(...parseTrackInterfaces(ctx, d.name, stmt)),
  ),
  track_script: values((ctx, stmt, d) => d.trackScripts.push(...parseTrackRefs(ctx, d.name, stmt, 253))),
  track_file: values((ctx, stmt, d) => d.trackFiles.push(...parseTrackRefs(ctx, d.name, stmt, 253))),
  dont_track_primary: plain((_ctx, _stmt, d) => (d.dontTrackPrimary = true)),
  track_src_ip: notActedOn(
    'vrrpInstances[].trackSrcIp',
    plain((_ctx, _stmt, d) => (d.trackSrcIp = true)),
  ),
  notify_master: plain(
    notify(
      'notify_master',
      (d) => d.notify.master,
      (d, s) => (d.notify.master = s),
    ),
  ),
  notify_backup: plain(
    notify(
      'notify_backup',
      (d) => d.notify.backup,
      (d, s) => (d.notify.backup = s),
    ),
  ),
  notify_fault: plain(
    notify(
      'notify_fault',
      (d) => d.notify.fault,
      (d, s) => (d.notify.fault = s),
    ),
  ),
  notify_stop: plain(
    notify(
      'notify_stop',
      (d) => d.notify.stop,
      (d, s) => (d.notify.stop = s),
    ),
  ),
  notify: plain(
    notify(
      'notify',
      (d) => d.notify.any,
      (d, s) => (d.notify.any = s),
    ),
  ),
  notify_deleted: plain((ctx, stmt, d) => {
    // `notify_deleted` alone only changes the state name notify scripts get (DELETED).
    if (d.notifyDeletedSet) {
      ctx.report(
        'GENERAL_ERROR',
        stmt,
        `(${d.name}) notify_deleted already specified - ignoring ${stmt.words[1]?.text ?? ''}`,
      );
      return;
    }
    d.notifyDeletedSet = true;
    if (stmt.words.length < 2) return;
    const s = readScript(ctx, stmt);
    if (s) d.notifyDeleted = s;
  }),
  notify_master_rx_lower_pri: plain(
    notify(
      'notify_master_rx_lower_pri',
      (d) => d.notifyMasterRxLowerPri,
      (d, s) => (d.notifyMasterRxLowerPri = s),
    ),
  ),
  notify_priority_changes: plain(
    flag(
      (d, w) => `(${d.name}) Invalid value '${w}' for notify_priority_changes specified`,
      (d, v) => (d.notifyPriorityChanges = v),
    ),
  ),
  smtp_alert: plain(
    flag(
      (_d, w) => `Invalid vrrp_instance smtp_alert parameter ${w}`,
      (d, v) => (d.smtpAlert = v),
    ),
  ),
  nopreempt: plain((_ctx, _stmt, d) => (d.nopreempt = true)),
  preempt: plain(() => undefined),
  preempt_delay: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readTimerUs(ctx, w, 0, 1_000_000_000);
    if (v === undefined) {
      ctx.report('GENERAL_ERROR', w, `(${d.name}) Preempt_delay not valid! must be between 0-1000`);
      return;
    }
    d.preemptDelayUs = v;
  }),
  garp_master_delay: plain(garpSeconds('masterDelayMs')),
  garp_master_repeat: plain(garpCount('masterRepeat')),
  garp_master_refresh: plain(garpRefresh),
  garp_master_refresh_repeat: plain(garpCount('masterRefreshRepeat')),
  garp_lower_prio_delay: plain(garpSeconds('lowerPrioDelayMs')),
  garp_lower_prio_repeat: plain(garpLowerPrioRepeat),
  lower_prio_no_advert: plain(flag(invalidFlag('lower_prio_no_advert'), (d, v) => (d.lowerPrioNoAdvert = v))),
  higher_prio_send_advert: plain(
    flag(invalidFlag('higher_prio_send_advert'), (d, v) => (d.higherPrioSendAdvert = v)),
  ),
  down_timer_adverts: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (!w) return;
    const v = readUnsigned(ctx, w, 1, 100);
    if (v === undefined)
      ctx.report('GENERAL_ERROR', w, `(${d.name}): Invalid down_timer_adverts [1:100] '${w.text}'`);
    else d.downTimerAdverts = v;
  }),
  accept: plain((_ctx, _stmt, d) => (d.accept = true)),
  no_accept: notActedOn(
    'vrrpInstances[].accept',
    plain((_ctx, _stmt, d) => (d.accept = false)),
  ),
  skip_check_adv_addr: plain(flag(invalidFlag('skip_check_adv_addr'), (d, v) => (d.skipCheckAdvAddr = v))),
  strict_mode: plain(flag(invalidFlag('strict_mode'), (d, v) => (d.strictMode = v))),
  promote_secondaries: plain((_ctx, _stmt, d) => (d.promoteSecondaries = true)),
  // keepalived vrrp_vmac_handler(): an interface name, and/or a MAC (a word with ':').
  use_vmac: plain((ctx, stmt, d) => {
    let name: string | null = null;
    for (const w of stmt.words.slice(1)) {
      if (w.text.includes(':'))
        ctx.report(
          'UNSUPPORTED',
          w,
          `use_vmac ${w.text}: a chosen MAC is not supported - 00:00:5e:00:01:VRID is used`,
        );
      else name ??= w.text;
    }
    d.useVmac = { name, at: stmt };
  }),
  vmac_xmit_base: plain((_ctx, _stmt, d) => (d.vmacXmitBase = true)),
  lvs_sync_daemon_interface: plain((ctx, stmt, d) => {
    ctx.report(
      'DEPRECATED',
      stmt,
      `(${d.name}) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.`,
    );
    ctx.report('DEPRECATED', stmt, '        Please use global lvs_sync_daemon');
    const w = ctx.arg(stmt, 1);
    if (w) d.lvsSyncDaemonInterface = w.text;
  }),
  linkbeat_use_polling: plain((ctx, stmt, d) => {
    ctx.report(
      'DEPRECATED',
      stmt,
      `(${d.name}) 'linkbeat_use_polling' in vrrp instance deprecated - use linkbeat_interfaces block`,
    );
  }),
  native_ipv6: plain((ctx, stmt, d) => {
    if (d.family === 'inet')
      ctx.report('GENERAL_ERROR', stmt, `(${d.name}) Cannot specify native_ipv6 with IPv4 addresses`);
    else d.family = 'inet6';
  }),
  // keepalived vrrp_debug_handler(): 0-4, and otherwise a no-op.
  debug: plain((ctx, stmt, d) => {
    const w = ctx.arg(stmt, 1);
    if (w && readUnsigned(ctx, w, 0, 4) === undefined)
      ctx.report('GENERAL_ERROR', w, `(${d.name}) Debug value '${w.text}' not valid; must be between 0-4`);
  }),
  use_ipvlan: plain(useIpvlan),
  old_unicast_checksum: plain((ctx, stmt, d) => {
    d.unicastKeyword = true;
    const w = stmt.words[1];
    if (w && w.text !== 'never')
      ctx.report('GENERAL_ERROR', w, `(${d.name}) Unknown old_unicast_chksum mode ${w.text} - ignoring`);
    else ctx.report('UNSUPPORTED', stmt, 'old_unicast_checksum: not supported - ignored');
  }),
  kernel_rx_buf_size: plain((ctx, stmt, d) => {
    const w = stmt.words[1];
    const ok =
      stmt.words.length === 2 && w !== undefined && readUnsigned(ctx, w, 0, 0xffffffff) !== undefined;
    if (!ok) ctx.report('GENERAL_ERROR', stmt, `(${d.name}) invalid kernel_rx_buf_size specified`);
    else ctx.report('UNSUPPORTED', stmt, 'kernel_rx_buf_size: not supported - ignored');
  }),
  garp_extra_if: plain(garpExtraIf),
  vmac_garp_intvl: plain(garpExtraIf),
  ...unsupported<InstanceDraft>(['use_vmac_addr']),
  ...trackProcessBfdKeywords<InstanceDraft>((d) => d.name),
};

/** keepalived vrrp_complete_instance(): defaults and the checks that need the whole block. */
export function completeInstance(ctx: Ctx, d: InstanceDraft, g: GlobalDefs): VrrpInstance | undefined {
  const at = d.loc;
  if (d.virtualRouterId === undefined) {
    ctx.report('GENERAL_ERROR', at, `(${d.name}) the virtual router id must be set`);
    return undefined;
  }
  // keepalived 2.2.7 chk_min_cfg() runs before unicast mode is decided, so an instance without an
  // interface is reported even when it has unicast peers.
  if (d.interface === undefined) {
    ctx.report('GENERAL_ERROR', at, `(${d.name}) Unknown interface!`);
  } else if (
    d.interface !== undefined &&
    ctx.host.interfaceExists(d.interface) === false &&
    !g.dynamicInterfaces
  ) {
    ctx.report(
      'BAD_IF',
      d.interfaceWord ?? at,
      `WARNING - interface ${d.interface} for vrrp_instance ${d.name} doesn't exist`,
    );
  }
  if (d.unicastKeyword && d.unicastPeers.length === 0 && !d.unicastFaultNoPeer) {
    ctx.report(
      'WARNING',
      at,
      `(${d.name}) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.`,
    );
  }
  const family: IpFamily = d.family ?? 'inet';
  if (d.ipvlan && family === 'inet' && !d.ipvlan.address) {
    ctx.report(
      'GENERAL_ERROR',
      at,
      `(${d.name}) IPv4 ipvlan requires a source ip address to be configured. setting instance to fault state`,
    );
  }
  const useVmac = completeVmac(ctx, d, d.strictMode ?? g.vrrpStrict);
  let state = d.state ?? 'BACKUP';
  // keepalived: `state MASTER` with no priority means the address owner, 255.
  let priority = d.priority ?? (d.state === 'MASTER' ? 255 : 100);
  let version: 2 | 3 = family === 'inet6' ? 3 : (d.version ?? g.vrrpVersion);
  const strict = d.strictMode ?? g.vrrpStrict;
  let nopreempt = d.nopreempt;
  let preemptDelayUs = d.preemptDelayUs ?? 0;

  if (d.vips.length === 0) {
    ctx.report(
      'WARNING',
      at,
      `(${d.name}) No VIP specified; at least one is ${strict ? 'required' : 'sensible'}`,
    );
  }

  let authentication = d.authentication ?? null;
  if (authentication) {
    if (version === 3) {
      ctx.report(
        'WARNING',
        d.authAt ?? at,
        `(${d.name}) VRRP version 3 does not support authentication. Ignoring.`,
      );
      authentication = null;
    } else if (strict) {
      ctx.report(
        'WARNING',
        d.authAt ?? at,
        `(${d.name}) Strict mode does not support authentication. Ignoring.`,
      );
      authentication = null;
    } else if (authentication.password === '') {
      ctx.report(
        'GENERAL_ERROR',
        d.authAt ?? at,
        `(${d.name}) Authentication specified but no password given. Ignoring`,
      );
      authentication = null;
    } else if (authentication.type === 'AH' && state === 'MASTER') {
      ctx.report(
        'WARNING',
        d.authAt ?? at,
        `(${d.name}) Initial state master is incompatible with AH authentication - clearing`,
      );
      state = 'BACKUP';
    }
  }

  if (priority === 255 && nopreempt) {
    ctx.report('WARNING', at, `(${d.name}) nopreempt is incompatible with priority 255. resetting nopreempt`);
    nopreempt = false;
  }
  if (state === 'MASTER' && nopreempt) {
    ctx.report(
      'WARNING',
      at,
      `(${d.name}) Warning - nopreempt will not work with initial state MASTER - clearing`,
    );
    nopreempt = false;
  }
  if (preemptDelayUs > 0 && strict) {
    ctx.report('GENERAL_ERROR', at, `(${d.name}) preempt_delay is incompatible with strict mode - resetting`);
    preemptDelayUs = 0;
  }
  if (state === 'MASTER' && preemptDelayUs > 0) {
    ctx.report(
      'WARNING',
      at,
      `(${d.name}) Warning - preempt delay will not work with initial state MASTER - clearing`,
    );
    preemptDelayUs = 0;
  }

  let advertUs = d.advertIntervalUs ?? 1_000_000;
  if (version === 2 && advertUs % 1_000_000 !== 0) {
    ctx.report(
      'WARNING',
      at,
      `(${d.name}) VRRPv2 advertisement interval ${(advertUs / 1e6).toFixed(6)}s must be an integer. rounding`,
    );
    advertUs = Math.max(1_000_000, Math.round(advertUs / 1_000_000) * 1_000_000);
  } else if (version === 3 && advertUs % 10_000 !== 0) {
    ctx.report(
      'WARNING',
      at,
      `(${d.name}) VRRPv3 advertisement interval ${(advertUs / 1e6).toFixed(6)}s must be in units of 10ms - rounding`,
    );
    advertUs = Math.max(10_000, Math.round(advertUs / 10_000) * 10_000);
  }
  // keepalived refuses unicast peers in strict mode on an interface that can multicast (its -t
  // cannot tell, as it does not read the interface's flags: a listed difference).
  if (strict && d.unicastPeers.length > 0) {
    ctx.report('GENERAL_ERROR', at, `(${d.name}) Unicast peers are not supported in strict mode`);
  }
  version = version === 2 || version === 3 ? version : 2;
  priority = Math.min(255, Math.max(1, priority));

  // keepalived: accept unless strict mode, where only the address owner accepts; VRRPv2
  // (RFC 3768) has no accept mode, so strict mode resets it there for a non-owner.
  let accept = d.accept ?? (!strict || priority === 255);
  if (accept && priority !== 255 && strict && version === 2) {
    ctx.report(
      'GENERAL_ERROR',
      at,
      `(${d.name}) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting`,
    );
    accept = false;
  }

  const garp: GarpSettings = {
    masterDelayMs: d.garp.masterDelayMs ?? g.garp.masterDelayMs,
    masterRepeat: d.garp.masterRepeat ?? g.garp.masterRepeat,
    masterRefreshMs: d.garp.masterRefreshMs ?? g.garp.masterRefreshMs,
    masterRefreshRepeat: d.garp.masterRefreshRepeat ?? g.garp.masterRefreshRepeat,
    lowerPrioDelayMs: d.garp.lowerPrioDelayMs ?? d.garp.masterDelayMs ?? g.garp.lowerPrioDelayMs,
    lowerPrioRepeat: d.garp.lowerPrioRepeat ?? d.garp.masterRepeat ?? g.garp.lowerPrioRepeat,
    intervalMs: g.garp.intervalMs,
    gnaIntervalMs: g.garp.gnaIntervalMs,
  };

  return {
    name: d.name,
    state,
    interface: d.interface ?? null,
    virtualRouterId: d.virtualRouterId,
    priority,
    advertIntervalMs: Math.round(advertUs / 1000),
    version,
    family,
    authentication,
    virtualIpAddresses: d.vips,
    virtualIpAddressesExcluded: d.vipsExcluded,
    virtualRoutes: d.virtualRoutes,
    virtualRules: d.virtualRules,
    unicastPeers: d.unicastPeers,
    sourceAddress: d.sourceAddress ?? null,
    mcastDstAddress: d.mcastDstAddress ?? null,
    unicastTtl: d.unicastTtl ?? 255,
    unicastFaultNoPeer: d.unicastFaultNoPeer,
    checkUnicastSrc: d.checkUnicastSrc || g.vrrpCheckUnicastSrc,
    trackInterfaces: d.trackInterfaces.map((t) => t.value),
    trackScripts: d.trackScripts.map((t) => t.value),
    trackFiles: d.trackFiles.map((t) => t.value),
    dontTrackPrimary: d.dontTrackPrimary,
    trackSrcIp: d.trackSrcIp,
    notify: {
      master: d.notify.master ?? null,
      backup: d.notify.backup ?? null,
      fault: d.notify.fault ?? null,
      stop: d.notify.stop ?? null,
      any: d.notify.any ?? null,
    },
    notifyDeleted: d.notifyDeleted ?? null,
    notifyMasterRxLowerPri: d.notifyMasterRxLowerPri ?? null,
    notifyPriorityChanges: d.notifyPriorityChanges ?? g.vrrpNotifyPriorityChanges,
    nopreempt,
    preemptDelayMs: Math.round(preemptDelayUs / 1000),
    garp,
    lowerPrioNoAdvert: d.lowerPrioNoAdvert ?? g.vrrpLowerPrioNoAdvert,
    higherPrioSendAdvert: d.higherPrioSendAdvert ?? g.vrrpHigherPrioSendAdvert,
    downTimerAdverts: d.downTimerAdverts ?? g.vrrpDownTimerAdverts,
    accept,
    skipCheckAdvAddr: d.skipCheckAdvAddr ?? g.vrrpSkipCheckAdvAddr,
    strictMode: strict,
    smtpAlert: d.smtpAlert ?? g.smtpAlertVrrp ?? g.smtpAlert ?? false,
    // keepalived: "promote_secondaries is automatically set for vmacs"
    promoteSecondaries: d.promoteSecondaries && useVmac === null,
    useVmac,
    syncGroup: null,
  };
}

/**
 * use_vmac and vmac_xmit_base once the whole block is read, with keepalived's corrections
 * (vrrp_parser.c vrrp_end_handler(), vrrp.c vrrp_complete_instance()).
 */
function completeVmac(ctx: Ctx, d: InstanceDraft, strict: boolean): VrrpInstance['useVmac'] {
  let xmitBase = d.vmacXmitBase;
  const vmac = d.useVmac;
  if (vmac && d.unicastPeers.length > 0) {
    if (d.interface === undefined) {
      ctx.report(
        'GENERAL_ERROR',
        d.end,
        `(${d.name}): Cannot use VMAC/ipvlan with unicast and no interface - clearing use_vmac`,
      );
      return null;
    }
    if (!xmitBase) {
      ctx.report(
        'GENERAL_ERROR',
        d.end,
        `(${d.name}) unicast with use_vmac requires vmac_xmit_base - setting`,
      );
      xmitBase = true;
    }
  }
  if (!vmac) {
    if (xmitBase) ctx.report('GENERAL_ERROR', NO_LOC, `(${d.name}) vmac_xmit_base is only valid with a vmac`);
    return null;
  }
  if (strict && xmitBase) {
    ctx.report('GENERAL_ERROR', NO_LOC, `(${d.name}) xmit_base is incompatible with strict mode - resetting`);
    xmitBase = false;
  }
  if (d.promoteSecondaries)
    ctx.report(
      'GENERAL_ERROR',
      NO_LOC,
      `(${d.name}) promote_secondaries is automatically set for vmacs - ignoring`,
    );
  return { name: vmac.name, xmitBase };
}
