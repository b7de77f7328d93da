/**
 * `keepalived.stats`, written on SIGUSR2 (and on SIGRTMIN+29, which then zeroes the counters):
 * one block per VRRP instance, in keepalived 2.2.7's layout (vrrp_print.c vrrp_print_stats()). The counters are the instance's `stats` record, keyed by keepalived's names
 * (src/vrrp/stats.ts); a missing key counts 0. Pure.
 */
import type { VrrpStats } from '../../vrrp/stats.js';
import type { InstanceStatus } from '../status.js';

/** The layout: an indented label with a counter, or a heading (null) for the lines below it. */
const LAYOUT: readonly (readonly [string, keyof VrrpStats | null])[] = [
  ['  Advertisements:', null],
  ['    Received', 'advert_rcvd'],
  ['    Sent', 'advert_sent'],
  ['  Became master', 'become_master'],
  ['  Released master', 'release_master'],
  ['  Packet Errors:', null],
  ['    Length', 'packet_len_err'],
  ['    TTL', 'ip_ttl_err'],
  ['    Invalid Type', 'invalid_type_rcvd'],
  ['    Advertisement Interval', 'advert_interval_err'],
  ['    Address List', 'addr_list_err'],
  ['  Authentication Errors:', null],
  ['    Invalid Type', 'invalid_authtype'],
  ['    Type Mismatch', 'authtype_mismatch'],
  ['    Failure', 'auth_failure'],
  ['  Priority Zero:', null],
  ['    Received', 'pri_zero_rcvd'],
  ['    Sent', 'pri_zero_sent'],
];

export function formatStatsFile(instances: readonly Pick<InstanceStatus, 'name' | 'stats'>[]): string {
  const lines: string[] = [];
  for (const i of instances) {
    lines.push(`VRRP Instance: ${i.name}`);
    for (const [label, key] of LAYOUT)
      lines.push(key === null ? label : `${label}: ${Math.trunc(i.stats[key] ?? 0)}`);
  }
  return lines.map((l) => `${l}\n`).join('');
}
