/**
 * `keepalived.json`, written on SIGRTMIN+2: one line, an array with one `{"data":{…},"stats":{…}}`
 * object per VRRP instance, with keepalived 2.2.7's field names, order and number formats
 * (vrrp_json.c, lib/json_writer.c):
 *
 * - states are numbers (0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT);
 * - `last_transition` is epoch seconds with microseconds (`%f`); other times are seconds, `%g`
 *   where keepalived writes a double, whole seconds where it writes an integer;
 * - scripts are shown as keepalived's quoted words; `/` is written `\/`;
 * - arrays (`vips`, `evips`, `track_ifp`, `track_script`) and `auth_data` are left out when empty.
 *
 * Left out: `vroutes`/`vrules` (keepalived prints them in its own canonical `ip route` form, which
 * we do not rebuild). `vmac_ifname` is always "": `use_vmac` is parsed but no VMAC is created.
 * Pure.
 */
import type { Config, VrrpInstance } from '../../config/model.js';
import type { VrrpStats } from '../../vrrp/stats.js';
import type { InstanceStatus } from '../status.js';
import {
  cmdStr,
  epochOf,
  formatF,
  formatG,
  formatIpAddress,
  jsonString,
  stateNumber,
  wholeSeconds,
  type DumpTime,
} from './keepalived-text.js';

/** The `stats` object's keys, in keepalived's order. */
const STATS_KEYS: readonly (keyof VrrpStats)[] = [
  'advert_rcvd',
  'advert_sent',
  'become_master',
  'release_master',
  'packet_len_err',
  'advert_interval_err',
  'ip_ttl_err',
  'invalid_type_rcvd',
  'addr_list_err',
  'invalid_authtype',
  'authtype_mismatch',
  'auth_failure',
  'pri_zero_rcvd',
  'pri_zero_sent',
];

type Field = readonly [name: string, json: string];

const object = (fields: readonly Field[]): string =>
  `{${fields.map(([k, v]) => `${jsonString(k)}:${v}`).join(',')}}`;
const uint = (n: number): string => String(Math.trunc(n));
const bool = (b: boolean): string => (b ? 'true' : 'false');
const flag = (b: boolean): string => (b ? '1' : '0');
const array = (items: readonly string[]): string => `[${items.map(jsonString).join(',')}]`;

function dataObject(s: InstanceStatus, inst: VrrpInstance, config: Config, time: DumpTime): string {
  const f: Field[] = [];
  const str = (k: string, v: string): void => void f.push([k, jsonString(v)]);
  const raw = (k: string, v: string): void => void f.push([k, v]);
  const list = (k: string, items: readonly string[]): void => {
    if (items.length > 0) raw(k, array(items));
  };
  const g = inst.garp;

  str('iname', s.name);
  raw('dont_track_primary', flag(inst.dontTrackPrimary));
  raw('skip_check_adv_addr', flag(inst.skipCheckAdvAddr));
  raw('strict_mode', flag(inst.strictMode));
  str('vmac_ifname', '');
  str('ifp_ifname', s.interface);
  raw('master_priority', uint(s.receivedMasterPriority ?? s.masterPriority));
  if (s.lastTransitionMs !== undefined)
    raw('last_transition', formatF(epochOf(s.lastTransitionMs, time) / 1000));
  raw('garp_delay', formatG(g.masterDelayMs / 1000));
  raw('garp_refresh', uint(wholeSeconds(g.masterRefreshMs)));
  raw('garp_rep', uint(g.masterRepeat));
  raw('garp_refresh_rep', uint(g.masterRefreshRepeat));
  raw('garp_lower_prio_delay', uint(wholeSeconds(g.lowerPrioDelayMs)));
  raw('garp_lower_prio_rep', uint(g.lowerPrioRepeat));
  raw('lower_prio_no_advert', flag(inst.lowerPrioNoAdvert));
  raw('higher_prio_send_advert', flag(inst.higherPrioSendAdvert));
  raw('vrid', uint(s.vrid));
  raw('base_priority', uint(s.priority));
  raw('effective_priority', uint(s.effectivePriority));
  raw('vipset', bool(s.vipSet));
  raw('promote_secondaries', bool(inst.promoteSecondaries));
  raw('adver_int', formatG(s.advertIntervalMs / 1000));
  raw('master_adver_int', formatG((s.masterAdverIntervalMs ?? s.advertIntervalMs) / 1000));
  raw('accept', flag(inst.accept));
  raw('nopreempt', bool(inst.nopreempt));
  raw('preempt_delay', uint(wholeSeconds(inst.preemptDelayMs)));
  raw('state', uint(stateNumber(s.state)));
  raw('wantstate', uint(stateNumber(s.wantState)));
  raw('version', uint(s.version));
  raw('smtp_alert', bool(inst.smtpAlert));
  raw('notify_deleted', bool(inst.notifyDeleted !== null));

  const scripts = [
    ['script_backup', inst.notify.backup],
    ['script_master', inst.notify.master],
    ['script_fault', inst.notify.fault],
    ['script_stop', inst.notify.stop],
    ['script_deleted', inst.notifyDeleted],
    ['script', inst.notify.any],
    ['script_master_rx_lower_pri', inst.notifyMasterRxLowerPri],
  ] as const;
  for (const [k, spec] of scripts) if (spec !== null) str(k, cmdStr(spec));

  const dev = (d: string | null): string => d ?? s.interface;
  list(
    'vips',
    inst.virtualIpAddresses.map((v) => formatIpAddress(v, dev(v.dev), s.vipSet)),
  );
  list(
    'evips',
    inst.virtualIpAddressesExcluded.map((v) => formatIpAddress(v, dev(v.dev), s.vipSet)),
  );
  list(
    'track_ifp',
    trackedInterfaces(inst, s.interface).map((t) => t.name),
  );
  const byName = new Map(config.vrrpScripts.map((v) => [v.name, v]));
  list(
    'track_script',
    inst.trackScripts.flatMap((t) => {
      const script = byName.get(t.name);
      return script ? [cmdStr(script.script)] : [];
    }),
  );

  const auth = inst.authentication;
  raw('auth_type', uint(auth === null ? 0 : auth.type === 'PASS' ? 1 : 2));
  if (auth !== null) str('auth_data', auth.password.slice(0, 8));
  return object(f);
}

/** keepalived drops a `track_interface` naming the instance's own interface (it is tracked anyway). */
export function trackedInterfaces(inst: VrrpInstance, ifname: string): VrrpInstance['trackInterfaces'] {
  return inst.trackInterfaces.filter((t) => t.name !== ifname);
}

function statsObject(s: InstanceStatus): string {
  return object(STATS_KEYS.map((k) => [k, uint(s.stats[k] ?? 0)]));
}

/**
 * The file's text (with keepalived's closing newline). Instances missing from `config` are left
 * out: the two always come from the same load.
 */
export function formatJsonFile(config: Config, instances: readonly InstanceStatus[], time: DumpTime): string {
  const byName = new Map(config.vrrpInstances.map((i) => [i.name, i]));
  const items = instances.flatMap((s) => {
    const inst = byName.get(s.name);
    return inst ? [`{"data":${dataObject(s, inst, config, time)},"stats":${statsObject(s)}}`] : [];
  });
  return `[${items.join(',')}]\n`;
}
