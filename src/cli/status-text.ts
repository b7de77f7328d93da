/**
 * `keepalived-ts status` as text for a person: the daemon, one block per VRRP instance, the real
 * servers' health, then the dispatcher table exactly as the control socket's `ipvsadm` answer has
 * it. Pure: the status document, the `ipvsadm` text and the reader's clock in, text out.
 *
 * Times: the document's `lastTransitionMs` and `uptimeMs` are on the daemon's monotonic Clock
 * (performance.now(), which starts when the daemon process starts), and the document carries no
 * wall time. The daemon's Clock at the time of the answer is taken to be `uptimeMs`, so a transition
 * is shown as late as the daemon's start-up took (the time before its Clock started the uptime:
 * well under a second), and at most "now".
 */
import type { DaemonStatus, InstanceStatus } from '../daemon/status.js';

export interface StatusTextClock {
  /** Wall time (ms since the epoch) when the answer arrived. */
  readonly epochMs: number;
  /** The local zone's offset east of UTC, in minutes, at that wall time. */
  readonly utcOffsetMinutes: (epochMs: number) => number;
}

type VirtualServer = DaemonStatus['virtualServers'][number];
type RealServer = VirtualServer['realServers'][number];

/** Error counters, named as keepalived's `keepalived.stats` names them (vrrp_print.c vrrp_print_stats()). */
const ERROR_COUNTERS: readonly (readonly [key: string, label: string])[] = [
  ['packet_len_err', 'length'],
  ['ip_ttl_err', 'TTL'],
  ['invalid_type_rcvd', 'invalid type'],
  ['advert_interval_err', 'advert interval'],
  ['addr_list_err', 'address list'],
  ['invalid_authtype', 'auth invalid type'],
  ['authtype_mismatch', 'auth type mismatch'],
  ['auth_failure', 'auth failure'],
];

const two = (n: number): string => String(n).padStart(2, '0');

/** `45s`, `5m 02s`, `1h 02m 03s`, `3d 04h 05m`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return `${d}d ${two(h)}h ${two(m)}m`;
  if (h > 0) return `${h}h ${two(m)}m ${two(s)}s`;
  if (m > 0) return `${m}m ${two(s)}s`;
  return `${s}s`;
}

/** `2026-08-21 12:03:04` in the reader's local time. */
export function formatLocalTime(epochMs: number, utcOffsetMinutes: number): string {
  const t = new Date(Math.floor(epochMs / 1000) * 1000 + utcOffsetMinutes * 60_000);
  const date = `${t.getUTCFullYear()}-${two(t.getUTCMonth() + 1)}-${two(t.getUTCDate())}`;
  return `${date} ${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}`;
}

/** `1 s`, `0.5 s`. */
const seconds = (ms: number): string => `${ms / 1000} s`;

const stat = (i: InstanceStatus, key: string): number => i.stats[key] ?? 0;

function instanceLines(i: InstanceStatus, status: DaemonStatus, clock: StatusTextClock): string[] {
  const out: string[] = [];
  out.push(`  ${i.name}: ${i.state}${i.wantState !== i.state ? ` (wants ${i.wantState})` : ''}`);
  let advert = `advert ${seconds(i.advertIntervalMs)}`;
  if (i.masterAdverIntervalMs !== undefined && i.masterAdverIntervalMs !== i.advertIntervalMs)
    advert += ` (master's ${seconds(i.masterAdverIntervalMs)})`;
  const family = i.family === 'inet6' ? 'IPv6' : 'IPv4';
  out.push(`    interface ${i.interface}, vrid ${i.vrid}, VRRPv${i.version} ${family}, ${advert}`);
  out.push(`    priority ${i.priority}, effective ${i.effectivePriority}`);
  if (i.state === 'MASTER')
    out.push(
      `    master: this node${i.masterAddress ? ` (${i.masterAddress})` : ''}, priority ${i.masterPriority}`,
    );
  else if (i.masterAddress) out.push(`    master: ${i.masterAddress}, priority ${i.masterPriority}`);
  else out.push('    master: none heard');
  out.push(
    i.vips.length === 0
      ? '    VIPs: none'
      : `    VIPs: ${i.vips.join(', ')} (${i.vipSet ? 'set' : 'not set'})`,
  );
  if (i.lastTransitionMs !== undefined) {
    const agoMs = Math.max(0, status.uptimeMs - i.lastTransitionMs);
    const at = clock.epochMs - agoMs;
    out.push(
      `    last transition: ${formatLocalTime(at, clock.utcOffsetMinutes(at))} (${formatDuration(agoMs)} ago)`,
    );
  }
  out.push(
    `    adverts: received ${stat(i, 'advert_rcvd')}, sent ${stat(i, 'advert_sent')}; ` +
      `priority 0 received ${stat(i, 'pri_zero_rcvd')}, sent ${stat(i, 'pri_zero_sent')}`,
  );
  out.push(`    became master ${stat(i, 'become_master')}, released master ${stat(i, 'release_master')}`);
  const errors = ERROR_COUNTERS.filter(([k]) => stat(i, k) > 0).map(([k, label]) => `${label} ${stat(i, k)}`);
  out.push(`    errors: ${errors.length === 0 ? 'none' : errors.join(', ')}`);
  if (i.faults.length > 0) out.push(`    faults: ${i.faults.join(', ')}`);
  if (i.syncGroup !== null) {
    const group = status.vrrp.syncGroups.find((g) => g.name === i.syncGroup);
    out.push(`    sync group: ${i.syncGroup}${group ? ` (${group.state})` : ''}`);
  }
  return out;
}

function realServerLine(rs: RealServer): string {
  let line = `    ${rs.name}: ${rs.alive ? 'up' : 'DOWN'}, weight ${rs.weight}`;
  if (rs.alive !== rs.inTable) line += rs.inTable ? ', in table' : ', not in table';
  for (const c of rs.checkers) {
    const result = !c.enabled ? 'disabled' : (c.last ?? 'no result yet');
    line += `; ${c.type} ${result}`;
  }
  return line;
}

function virtualServerLines(vs: VirtualServer): string[] {
  const notes = [vs.quorumUp ? 'quorum up' : 'quorum DOWN'];
  if (vs.sorryActive) notes.push('sorry server active');
  const up = vs.realServers.filter((rs) => rs.alive).length;
  return [
    `  ${vs.name}: ${up}/${vs.realServers.length} real servers up, ${notes.join(', ')}`,
    ...vs.realServers.map(realServerLine),
  ];
}

/**
 * The whole view. `ipvsadm` is the control socket's answer to `ipvsadm` (empty when the daemon
 * runs no checker side); it is printed as it is.
 */
export function renderStatusText(status: DaemonStatus, ipvsadm: string, clock: StatusTextClock): string {
  const out: string[] = [
    `keepalived-ts v${status.version}, pid ${status.pid}, up ${formatDuration(status.uptimeMs)}`,
  ];
  out.push('');
  const instances = status.vrrp.instances;
  if (instances.length === 0) out.push('VRRP instances: none');
  else {
    out.push(`VRRP instances (${instances.length})`);
    for (const i of instances) out.push(...instanceLines(i, status, clock));
  }
  if (status.vrrp.unknownVrid > 0)
    out.push(`  adverts for VRIDs not configured here: ${status.vrrp.unknownVrid}`);
  out.push('');
  if (status.virtualServers.length === 0) out.push('Virtual servers: none');
  else {
    out.push(`Virtual servers (${status.virtualServers.length})`);
    for (const vs of status.virtualServers) out.push(...virtualServerLines(vs));
  }
  let text = `${out.join('\n')}\n`;
  if (ipvsadm !== '')
    text += `\nDispatcher table (ipvsadm -Ln)\n${ipvsadm}${ipvsadm.endsWith('\n') ? '' : '\n'}`;
  return text;
}
