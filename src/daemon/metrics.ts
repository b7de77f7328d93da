/**
 * Prometheus metrics: the status document (status.ts `daemonStatus()`) rendered in the text
 * exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/). Pure:
 * status in, text out; metrics-server.ts serves it. docs/metrics.md lists every metric.
 *
 * - Names start with `keepalived_ts_`; counters end in `_total`, durations are in seconds.
 * - The VRRP state is a state set: one series per state, 1 for the instance's state and 0 for the
 *   others, so `keepalived_ts_vrrp_state{state="MASTER"} == 1` needs no numbering table (keepalived's
 *   own numbers put STOP at 98).
 * - The VRRP instance label is `vrrp_instance`, not `instance`: Prometheus gives every target an
 *   `instance` label and would rename ours to `exported_instance`.
 * - The drop counters keep keepalived's names (`packet_len_err`, `auth_failure`, ...) as the
 *   `reason`, as in its keepalived.stats dump, so the two can be compared.
 * - Dispatcher counters are per virtual server and real server, summed over the listeners of the
 *   virtual server (a group has one per address); they reset when a worker restarts, which
 *   Prometheus counters allow. With kernel IPVS the dispatcher reports nothing (use ipvs metrics).
 */
import { formatService } from '../check/format.js';
import type { VrrpStats } from '../vrrp/stats.js';
import { Family, formatValue, renderFamily, type Labels } from './prom-text.js';
import type { DaemonStatus } from './status.js';

export { escapeLabelValue, formatValue } from './prom-text.js';

/** The Content-Type of the text format 0.0.4. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The label that names a VRRP instance (see the header for why it is not `instance`). */
const VRRP_INSTANCE_LABEL = 'vrrp_instance';

/** Every state an instance can be in, in keepalived's order (INIT 0, BACKUP 1, MASTER 2, FAULT 3). */
const VRRP_STATES = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP'] as const;
const GROUP_STATES = ['BACKUP', 'MASTER', 'FAULT'] as const;

/** The instance counters that count discarded adverts, by keepalived's names. */
const DROP_REASONS = [
  'packet_len_err',
  'advert_interval_err',
  'ip_ttl_err',
  'invalid_type_rcvd',
  'addr_list_err',
  'invalid_authtype',
  'authtype_mismatch',
  'auth_failure',
] as const satisfies readonly (keyof VrrpStats)[];

const PREFIX = 'keepalived_ts_';

/** The status document as Prometheus text. Families without samples are left out. */
export function renderMetrics(status: DaemonStatus): string {
  const families: Family[] = [];
  const family = (name: string, type: Family['type'], help: string): Family => {
    const f = new Family(PREFIX + name, type, help);
    families.push(f);
    return f;
  };

  family('build_info', 'gauge', 'Always 1; the version label is the keepalived-ts version.').add(
    [['version', status.version]],
    1,
  );
  family('uptime_seconds', 'gauge', 'Seconds since the daemon started.').add([], status.uptimeMs / 1000);

  renderVrrp(status, family);
  renderCheckers(status, family);
  renderDispatcher(status, family);
  renderIpvs(status, family);

  return families
    .filter((f) => f.samples.length > 0)
    .map(renderFamily)
    .join('');
}

type FamilyMaker = (name: string, type: Family['type'], help: string) => Family;

function renderVrrp(status: DaemonStatus, family: FamilyMaker): void {
  const state = family(
    'vrrp_state',
    'gauge',
    'VRRP instance state: 1 for the current state (INIT, BACKUP, MASTER, FAULT, STOP), 0 for the others.',
  );
  const priority = family('vrrp_priority', 'gauge', 'Configured VRRP priority.');
  const effective = family(
    'vrrp_effective_priority',
    'gauge',
    'VRRP priority after tracked interfaces, scripts and files.',
  );
  const transitions = family(
    'vrrp_transitions_total',
    'counter',
    'State transitions into MASTER (become_master) and out of it (release_master).',
  );
  const sent = family('vrrp_adverts_sent_total', 'counter', 'VRRP adverts sent.');
  const received = family('vrrp_adverts_received_total', 'counter', 'VRRP adverts received.');
  const zeroSent = family('vrrp_priority_zero_sent_total', 'counter', 'VRRP adverts sent with priority 0.');
  const zeroReceived = family(
    'vrrp_priority_zero_received_total',
    'counter',
    'VRRP adverts received with priority 0.',
  );
  const drops = family(
    'vrrp_drops_total',
    'counter',
    "VRRP adverts discarded, by keepalived's counter name.",
  );

  const dropped = family(
    'vrrp_packets_dropped_total',
    'counter',
    'VRRP packets an instance dropped, every one, by keepalived-ts reason (docs/logging.md).',
  );

  for (const i of status.vrrp.instances) {
    const l: Labels = [
      [VRRP_INSTANCE_LABEL, i.name],
      ['interface', i.interface],
      ['vrid', String(i.vrid)],
    ];
    const stat = (k: keyof VrrpStats): number => i.stats[k] ?? 0;
    const states: readonly string[] = (VRRP_STATES as readonly string[]).includes(i.state)
      ? VRRP_STATES
      : [...VRRP_STATES, i.state];
    for (const s of states) state.add([...l, ['state', s]], s === i.state ? 1 : 0);
    priority.add(l, i.priority);
    effective.add(l, i.effectivePriority);
    transitions.add([...l, ['transition', 'become_master']], stat('become_master'));
    transitions.add([...l, ['transition', 'release_master']], stat('release_master'));
    sent.add(l, stat('advert_sent'));
    received.add(l, stat('advert_rcvd'));
    zeroSent.add(l, stat('pri_zero_sent'));
    zeroReceived.add(l, stat('pri_zero_rcvd'));
    for (const reason of DROP_REASONS) drops.add([...l, ['reason', reason]], stat(reason));
    for (const [reason, n] of Object.entries(i.drops ?? {})) dropped.add([...l, ['reason', reason]], n);
  }

  const group = family(
    'vrrp_sync_group_state',
    'gauge',
    'VRRP sync group state: 1 for the current state (BACKUP, MASTER, FAULT), 0 for the others.',
  );
  for (const g of status.vrrp.syncGroups)
    for (const s of GROUP_STATES)
      group.add(
        [
          ['group', g.name],
          ['state', s],
        ],
        s === g.state ? 1 : 0,
      );

  if (status.vrrp.instances.length > 0)
    family(
      'vrrp_unknown_vrid_total',
      'counter',
      'VRRP adverts received for a virtual router id no instance has.',
    ).add([], status.vrrp.unknownVrid);
}

function renderCheckers(status: DaemonStatus, family: FamilyMaker): void {
  const quorum = family(
    'virtual_server_quorum_up',
    'gauge',
    'Whether the virtual server has its quorum (1) or not.',
  );
  const sorry = family(
    'virtual_server_sorry_active',
    'gauge',
    'Whether the sorry server is in use (1) or not.',
  );
  const rsUp = family(
    'real_server_up',
    'gauge',
    'Whether the checkers find the real server alive (1) or not.',
  );
  const rsWeight = family('real_server_weight', 'gauge', 'Weight of the real server in the service table.');
  const checkerUp = family('checker_up', 'gauge', 'Whether the checker finds its target up (1) or not.');
  const checks = family(
    'checks_total',
    'counter',
    'Checker attempts by result: ok, or the failure reason (refused, timeout, http-status, ...).',
  );
  const duration = family('check_duration_seconds', 'histogram', 'Duration of checker attempts.');

  for (const vs of status.virtualServers) {
    quorum.add([['vs', vs.name]], vs.quorumUp ? 1 : 0);
    sorry.add([['vs', vs.name]], vs.sorryActive ? 1 : 0);
    for (const rs of vs.realServers) {
      const l: Labels = [
        ['vs', vs.name],
        ['rs', rs.name],
      ];
      rsUp.add(l, rs.alive ? 1 : 0);
      rsWeight.add(l, rs.weight);
      for (const c of rs.checkers) {
        const cl: Labels = [...l, ['checker', c.type], ['target', c.target]];
        checkerUp.add(cl, c.up ? 1 : 0);
        for (const [result, n] of Object.entries(c.results)) checks.add([...cl, ['result', result]], n);
        for (const b of c.duration.buckets)
          duration.add([...cl, ['le', formatValue(b.leMs / 1000)]], b.count, '_bucket');
        duration.add([...cl, ['le', '+Inf']], c.duration.count, '_bucket');
        duration.add(cl, c.duration.sumMs / 1000, '_sum');
        duration.add(cl, c.duration.count, '_count');
      }
    }
  }
}

interface DestSum {
  active: number;
  inactive: number;
  persistent: number;
  scheduled: number;
  connectFailures: number;
  bytesIn: number;
  bytesOut: number;
}

function renderIpvs(status: DaemonStatus, family: FamilyMaker): void {
  if (!status.ipvs) return;
  family(
    'ipvs_netlink_messages_total',
    'counter',
    'IPVS commands sent to the kernel over generic netlink (one message per change).',
  ).add([], status.ipvs.messages);
  const errors = family(
    'ipvs_errors_total',
    'counter',
    "IPVS commands the kernel refused, by keepalived's command name and errno.",
  );
  for (const [key, n] of Object.entries(status.ipvs.errors)) {
    const [command = '', errno = ''] = key.split(' ');
    errors.add(
      [
        ['command', command],
        ['errno', errno],
      ],
      n,
    );
  }
}

function renderDispatcher(status: DaemonStatus, family: FamilyMaker): void {
  const listening = family(
    'dispatcher_listening',
    'gauge',
    'Whether the dispatcher listens on the address (0 while the VIP is not on this host).',
  );
  const noDest = family(
    'dispatcher_no_destination_total',
    'counter',
    'Clients (TCP) or new UDP flows turned away because no real server could take them.',
  );
  const conns = family(
    'dispatcher_connections',
    'gauge',
    'Connections to the real server now, by IPVS state (active: established; inactive: others).',
  );
  const persistent = family(
    'dispatcher_persistent_connections',
    'gauge',
    'Persistence templates pointing at the real server.',
  );
  const scheduled = family(
    'dispatcher_scheduled_connections_total',
    'counter',
    'Connections scheduled to the real server, failed connects included (IPVS conns).',
  );
  const failures = family(
    'dispatcher_connect_failures_total',
    'counter',
    'Connects to the real server that failed (refused, unreachable, timed out).',
  );
  const bytes = family(
    'dispatcher_bytes_total',
    'counter',
    'Bytes proxied: in = client to real server, out = real server to client (IPVS inbytes/outbytes).',
  );

  const vsOf = new Map<string, string>();
  for (const vs of status.virtualServers) for (const id of vs.listeners) vsOf.set(id, vs.name);
  // Per virtual server, per real server (first-seen order), summed over its listeners.
  const byVs = new Map<string, Map<string, DestSum>>();
  for (const svc of status.dispatcher) {
    const vs = vsOf.get(svc.id) ?? svc.id;
    const protocol = svc.protocol === 'FWM' ? null : svc.protocol;
    const listener =
      svc.protocol === 'FWM' ? `FWM ${svc.address}` : formatService(svc.address, protocol, svc.port);
    listening.add(
      [
        ['vs', vs],
        ['listener', listener],
      ],
      svc.listening ? 1 : 0,
    );
    noDest.add(
      [
        ['vs', vs],
        ['listener', listener],
      ],
      svc.noDestination,
    );
    let dests = byVs.get(vs);
    if (!dests) byVs.set(vs, (dests = new Map<string, DestSum>()));
    for (const d of svc.dests) {
      const rs = formatService(d.address, protocol, d.port);
      const s = dests.get(rs) ?? {
        active: 0,
        inactive: 0,
        persistent: 0,
        scheduled: 0,
        connectFailures: 0,
        bytesIn: 0,
        bytesOut: 0,
      };
      s.active += d.activeConns;
      s.inactive += d.inactConns;
      s.persistent += d.persistConns;
      s.scheduled += d.totals.conns;
      s.connectFailures += d.connectFailures;
      s.bytesIn += d.totals.bytesIn;
      s.bytesOut += d.totals.bytesOut;
      dests.set(rs, s);
    }
  }
  for (const [vs, dests] of byVs) {
    for (const [rs, s] of dests) {
      const l: Labels = [
        ['vs', vs],
        ['rs', rs],
      ];
      conns.add([...l, ['state', 'active']], s.active);
      conns.add([...l, ['state', 'inactive']], s.inactive);
      persistent.add(l, s.persistent);
      scheduled.add(l, s.scheduled);
      failures.add(l, s.connectFailures);
      bytes.add([...l, ['direction', 'in']], s.bytesIn);
      bytes.add([...l, ['direction', 'out']], s.bytesOut);
    }
  }
}
