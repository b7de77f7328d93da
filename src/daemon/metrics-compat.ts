/**
 * The metrics of the two widely used keepalived Prometheus exporters, served beside
 * keepalived_ts_* (metrics.ts) so that their dashboards and alert rules work unchanged against
 * keepalived-ts's own /metrics. Pure: the status document in, text out. docs/metrics.md lists them.
 *
 * mehdy/keepalived-exporter (1.3 and later; it reads keepalived.data/.stats or keepalived.json):
 * - `keepalived_up` 1 (the daemon answers; it is the daemon serving this).
 * - `keepalived_vrrp_state{iname,intf,vrid,ip_address}`: keepalived's state number (INIT 0,
 *   BACKUP 1, MASTER 2, FAULT 3; STOP 98 as keepalived.json has it), one series per VIP, the
 *   address as keepalived prints it (no /32, /128); an instance without VIPs has one series with
 *   `ip_address=""`. `intf` is the instance's interface (the exporter takes each VIP's `dev`,
 *   which is the same unless a VIP names another). `keepalived_vrrp_excluded_state`: the same,
 *   one series per virtual_ipaddress_excluded address.
 * - the per-instance counters `keepalived_*_total{iname,intf,vrid}`, from keepalived's stats
 *   names, and `keepalived_gratuitous_arp_delay_total`, which that exporter fills with the
 *   instance's garp_master_delay in seconds (a setting, despite the name).
 * - `keepalived_script_status{name}`: 1 GOOD, 0 BAD, per vrrp_script an instance tracks.
 *
 * gen2brain/keepalived_exporter (0.7; it reads keepalived.json and the kernel's IPVS table):
 * - `keepalived_vrrp_<stat>{name,intf,vrid,state}` counters without `_total`, the state as a
 *   label (INIT, BACKUP, MASTER, FAULT; empty for any other, as that exporter prints it).
 * - `keepalived_lvs_vip_{conn,in_bytes,out_bytes}{addr,proto}` and
 *   `keepalived_lvs_rs_{conn,in_bytes,out_bytes}{vip,addr,proto}`: `addr`/`vip` as `ip:port`,
 *   `proto` the IP protocol number; from the service table's counters (IPVS's or the
 *   dispatcher's). A virtual server's figures are the sum over its current real servers. The
 *   packet counters are left out: the dispatcher does not count packets.
 */
import { Family, renderFamily, type Labels } from './prom-text.js';
import type { DaemonStatus, InstanceStatus } from './status.js';

/** keepalived's numbers for its states (vrrp.h; keepalived.json's `state`). */
const STATE_NUMBER: Readonly<Record<string, number>> = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3, STOP: 98 };
const GEN2BRAIN_STATES = new Set(['INIT', 'BACKUP', 'MASTER', 'FAULT']);

/** mehdy's counter name suffix, HELP and keepalived's stats key. */
const MEHDY_COUNTERS: readonly (readonly [name: string, help: string, stat: string])[] = [
  ['advertisements_received_total', 'Advertisements received', 'advert_rcvd'],
  ['advertisements_sent_total', 'Advertisements sent', 'advert_sent'],
  ['become_master_total', 'Became master', 'become_master'],
  ['release_master_total', 'Released master', 'release_master'],
  ['packet_length_errors_total', 'Packet length errors', 'packet_len_err'],
  ['advertisements_interval_errors_total', 'Advertisement interval errors', 'advert_interval_err'],
  ['ip_ttl_errors_total', 'TTL errors', 'ip_ttl_err'],
  ['invalid_type_received_total', 'Invalid type errors', 'invalid_type_rcvd'],
  ['address_list_errors_total', 'Address list errors', 'addr_list_err'],
  ['authentication_invalid_total', 'Authentication invalid', 'invalid_authtype'],
  ['authentication_mismatch_total', 'Authentication mismatch', 'authtype_mismatch'],
  ['authentication_failure_total', 'Authentication failure', 'auth_failure'],
  ['priority_zero_received_total', 'Priority zero received', 'pri_zero_rcvd'],
  ['priority_zero_sent_total', 'Priority zero sent', 'pri_zero_sent'],
];

/** gen2brain's counters: `keepalived_vrrp_` + keepalived's stats key, and HELP. */
const GEN2BRAIN_COUNTERS: readonly (readonly [stat: string, help: string])[] = [
  ['advert_rcvd', 'Advertisements received'],
  ['advert_sent', 'Advertisements sent'],
  ['become_master', 'Became master'],
  ['release_master', 'Released master'],
  ['packet_len_err', 'Packet length errors'],
  ['advert_interval_err', 'Advertisement interval errors'],
  ['ip_ttl_err', 'TTL errors'],
  ['invalid_type_rcvd', 'Invalid type errors'],
  ['addr_list_err', 'Address list errors'],
  ['invalid_authtype', 'Authentication invalid'],
  ['authtype_mismatch', 'Authentication mismatch'],
  ['auth_failure', 'Authentication failure'],
  ['pri_zero_rcvd', 'Priority zero received'],
  ['pri_zero_sent', 'Priority zero sent'],
];

/** IP protocol numbers, as gen2brain's `proto` label has them. */
const PROTO_NUMBER: Readonly<Record<string, string>> = { TCP: '6', UDP: '17', SCTP: '132' };

/** A VIP as keepalived prints it: the prefix only when it is not a host prefix. */
export function keepalivedAddress(vip: string): string {
  const slash = vip.indexOf('/');
  if (slash < 0) return vip;
  const prefix = vip.slice(slash + 1);
  const host = vip.includes(':') ? '128' : '32';
  return prefix === host ? vip.slice(0, slash) : vip;
}

export function renderExporterMetrics(status: DaemonStatus): string {
  const families: Family[] = [];
  const family = (name: string, type: Family['type'], help: string): Family => {
    const f = new Family(name, type, help);
    families.push(f);
    return f;
  };
  family('keepalived_up', 'gauge', 'Status').add([], 1);
  renderMehdy(status.vrrp.instances, family);
  renderGen2brain(status, family);
  return families
    .filter((f) => f.samples.length > 0)
    .map(renderFamily)
    .join('');
}

type FamilyMaker = (name: string, type: Family['type'], help: string) => Family;

function renderMehdy(instances: readonly InstanceStatus[], family: FamilyMaker): void {
  const state = family('keepalived_vrrp_state', 'gauge', 'State of vrrp');
  const excluded = family('keepalived_vrrp_excluded_state', 'gauge', 'State of vrrp with excluded VIP');
  const garp = family('keepalived_gratuitous_arp_delay_total', 'counter', 'Gratuitous ARP delay');
  const counters = MEHDY_COUNTERS.map(
    ([name, help, stat]) => [family(`keepalived_${name}`, 'counter', help), stat] as const,
  );
  const scripts = family('keepalived_script_status', 'gauge', 'Tracker Script Status');
  const scriptSeen = new Set<string>();
  for (const i of instances) {
    const l: Labels = [
      ['iname', i.name],
      ['intf', i.interface],
      ['vrid', String(i.vrid)],
    ];
    const value = STATE_NUMBER[i.state] ?? 0;
    const vips = i.vips.length > 0 ? i.vips.map(keepalivedAddress) : [''];
    for (const vip of vips) state.add([...l, ['ip_address', vip]], value);
    for (const vip of i.excludedVips ?? [])
      excluded.add([...l, ['ip_address', keepalivedAddress(vip)]], value);
    garp.add(l, (i.garpMasterDelayMs ?? 0) / 1000);
    for (const [f, stat] of counters) f.add(l, i.stats[stat] ?? 0);
    for (const [id, s] of Object.entries(i.trackers)) {
      if (!id.startsWith('script ')) continue;
      const name = id.slice('script '.length);
      if (scriptSeen.has(name)) continue;
      scriptSeen.add(name);
      scripts.add([['name', name]], s === 'up' ? 1 : 0);
    }
  }
}

function renderGen2brain(status: DaemonStatus, family: FamilyMaker): void {
  const counters = GEN2BRAIN_COUNTERS.map(
    ([stat, help]) => [family(`keepalived_vrrp_${stat}`, 'counter', help), stat] as const,
  );
  for (const i of status.vrrp.instances) {
    const l: Labels = [
      ['name', i.name],
      ['intf', i.interface],
      ['vrid', String(i.vrid)],
      ['state', GEN2BRAIN_STATES.has(i.state) ? i.state : ''],
    ];
    for (const [f, stat] of counters) f.add(l, i.stats[stat] ?? 0);
  }

  const vipConn = family('keepalived_lvs_vip_conn', 'counter', 'VIP connections');
  const vipIn = family('keepalived_lvs_vip_in_bytes', 'counter', 'VIP in bytes');
  const vipOut = family('keepalived_lvs_vip_out_bytes', 'counter', 'VIP out bytes');
  const rsConn = family('keepalived_lvs_rs_conn', 'counter', 'RS connections');
  const rsIn = family('keepalived_lvs_rs_in_bytes', 'counter', 'RS in bytes');
  const rsOut = family('keepalived_lvs_rs_out_bytes', 'counter', 'RS out bytes');
  for (const svc of status.dispatcher) {
    const proto = PROTO_NUMBER[svc.protocol];
    if (proto === undefined) continue; // fwmark services have no address or port
    const vip = `${svc.address}:${svc.port}`;
    const v: Labels = [
      ['addr', vip],
      ['proto', proto],
    ];
    let conns = 0;
    let bytesIn = 0;
    let bytesOut = 0;
    for (const d of svc.dests) {
      const r: Labels = [
        ['vip', vip],
        ['addr', `${d.address}:${d.port}`],
        ['proto', proto],
      ];
      rsConn.add(r, d.totals.conns);
      rsIn.add(r, d.totals.bytesIn);
      rsOut.add(r, d.totals.bytesOut);
      conns += d.totals.conns;
      bytesIn += d.totals.bytesIn;
      bytesOut += d.totals.bytesOut;
    }
    vipConn.add(v, conns);
    vipIn.add(v, bytesIn);
    vipOut.add(v, bytesOut);
  }
}
