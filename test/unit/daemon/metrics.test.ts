/**
 * The Prometheus renderer (src/daemon/metrics.ts): a status document built by hand in, the exact
 * exposition text out (format 0.0.4: HELP/TYPE once per family, label values escaped).
 */
import { describe, expect, it } from 'vitest';
import type { CheckerStatus } from '../../../src/check/status-view.js';
import type { ServiceStats } from '../../../src/dispatch/plane-messages.js';
import { escapeLabelValue, formatValue, renderMetrics } from '../../../src/daemon/metrics.js';
import type { DaemonStatus } from '../../../src/daemon/status.js';
import { sampleInstanceStatus, sampleServiceStats, ZERO_VRRP_STATS } from '../../helpers/status-fixtures.js';

const instance = sampleInstanceStatus;

function checker(o: Partial<CheckerStatus> = {}): CheckerStatus {
  return {
    type: 'TCP_CHECK',
    target: '[198.51.100.11]:tcp:8080',
    up: true,
    enabled: true,
    attempts: 0,
    failures: 0,
    last: null,
    results: {},
    duration: { count: 0, sumMs: 0, buckets: [] },
    ...o,
  };
}

const service = sampleServiceStats;

const dest = (address: string, port: number, n: number): ServiceStats['dests'][number] => ({
  address,
  port,
  weight: 1,
  activeConns: n,
  inactConns: 2 * n,
  persistConns: 0,
  connectFailures: n,
  totals: { conns: 10 * n, bytesIn: 1000 * n, bytesOut: 5000 * n },
});

const empty: DaemonStatus = {
  version: '0.1.0',
  pid: 1234,
  uptimeMs: 90_500,
  vrrp: { instances: [], syncGroups: [], unknownVrid: 0 },
  virtualServers: [],
  dispatcher: [],
};

const lines = (text: string): string[] => text.split('\n');

describe('renderMetrics', () => {
  it('an empty daemon: build info and uptime only, newline-terminated', () => {
    expect(renderMetrics(empty)).toBe(
      [
        '# HELP keepalived_ts_build_info Always 1; the version label is the keepalived-ts version.',
        '# TYPE keepalived_ts_build_info gauge',
        'keepalived_ts_build_info{version="0.1.0"} 1',
        '# HELP keepalived_ts_uptime_seconds Seconds since the daemon started.',
        '# TYPE keepalived_ts_uptime_seconds gauge',
        'keepalived_ts_uptime_seconds 90.5',
        '',
      ].join('\n'),
    );
  });

  it('VRRP: state set, priorities, transitions, adverts, drops by reason, sync groups', () => {
    const text = renderMetrics({
      ...empty,
      vrrp: {
        instances: [
          instance({
            stats: {
              ...ZERO_VRRP_STATS,
              advert_rcvd: 3,
              advert_sent: 120,
              become_master: 2,
              release_master: 1,
              packet_len_err: 1,
              ip_ttl_err: 4,
              auth_failure: 2,
              pri_zero_sent: 1,
            },
            drops: { 'bad-checksum': 5, 'auth-failure': 2 },
          }),
          instance({
            name: 'VI_6',
            state: 'BACKUP',
            interface: 'eth1',
            vrid: 52,
            family: 'inet6',
            priority: 90,
            effectivePriority: 90,
          }),
        ],
        syncGroups: [{ name: 'G1', state: 'MASTER', members: ['VI_1', 'VI_6'] }],
        unknownVrid: 5,
      },
    });
    const L1 = 'vrrp_instance="VI_1",interface="eth0",vrid="51"';
    const L6 = 'vrrp_instance="VI_6",interface="eth1",vrid="52"';
    expect(lines(text).slice(6)).toEqual([
      '# HELP keepalived_ts_vrrp_state VRRP instance state: 1 for the current state (INIT, BACKUP, MASTER, FAULT, STOP), 0 for the others.',
      '# TYPE keepalived_ts_vrrp_state gauge',
      `keepalived_ts_vrrp_state{${L1},state="INIT"} 0`,
      `keepalived_ts_vrrp_state{${L1},state="BACKUP"} 0`,
      `keepalived_ts_vrrp_state{${L1},state="MASTER"} 1`,
      `keepalived_ts_vrrp_state{${L1},state="FAULT"} 0`,
      `keepalived_ts_vrrp_state{${L1},state="STOP"} 0`,
      `keepalived_ts_vrrp_state{${L6},state="INIT"} 0`,
      `keepalived_ts_vrrp_state{${L6},state="BACKUP"} 1`,
      `keepalived_ts_vrrp_state{${L6},state="MASTER"} 0`,
      `keepalived_ts_vrrp_state{${L6},state="FAULT"} 0`,
      `keepalived_ts_vrrp_state{${L6},state="STOP"} 0`,
      '# HELP keepalived_ts_vrrp_priority Configured VRRP priority.',
      '# TYPE keepalived_ts_vrrp_priority gauge',
      `keepalived_ts_vrrp_priority{${L1}} 100`,
      `keepalived_ts_vrrp_priority{${L6}} 90`,
      '# HELP keepalived_ts_vrrp_effective_priority VRRP priority after tracked interfaces, scripts and files.',
      '# TYPE keepalived_ts_vrrp_effective_priority gauge',
      `keepalived_ts_vrrp_effective_priority{${L1}} 110`,
      `keepalived_ts_vrrp_effective_priority{${L6}} 90`,
      '# HELP keepalived_ts_vrrp_transitions_total State transitions into MASTER (become_master) and out of it (release_master).',
      '# TYPE keepalived_ts_vrrp_transitions_total counter',
      `keepalived_ts_vrrp_transitions_total{${L1},transition="become_master"} 2`,
      `keepalived_ts_vrrp_transitions_total{${L1},transition="release_master"} 1`,
      `keepalived_ts_vrrp_transitions_total{${L6},transition="become_master"} 0`,
      `keepalived_ts_vrrp_transitions_total{${L6},transition="release_master"} 0`,
      '# HELP keepalived_ts_vrrp_adverts_sent_total VRRP adverts sent.',
      '# TYPE keepalived_ts_vrrp_adverts_sent_total counter',
      `keepalived_ts_vrrp_adverts_sent_total{${L1}} 120`,
      `keepalived_ts_vrrp_adverts_sent_total{${L6}} 0`,
      '# HELP keepalived_ts_vrrp_adverts_received_total VRRP adverts received.',
      '# TYPE keepalived_ts_vrrp_adverts_received_total counter',
      `keepalived_ts_vrrp_adverts_received_total{${L1}} 3`,
      `keepalived_ts_vrrp_adverts_received_total{${L6}} 0`,
      '# HELP keepalived_ts_vrrp_priority_zero_sent_total VRRP adverts sent with priority 0.',
      '# TYPE keepalived_ts_vrrp_priority_zero_sent_total counter',
      `keepalived_ts_vrrp_priority_zero_sent_total{${L1}} 1`,
      `keepalived_ts_vrrp_priority_zero_sent_total{${L6}} 0`,
      '# HELP keepalived_ts_vrrp_priority_zero_received_total VRRP adverts received with priority 0.',
      '# TYPE keepalived_ts_vrrp_priority_zero_received_total counter',
      `keepalived_ts_vrrp_priority_zero_received_total{${L1}} 0`,
      `keepalived_ts_vrrp_priority_zero_received_total{${L6}} 0`,
      "# HELP keepalived_ts_vrrp_drops_total VRRP adverts discarded, by keepalived's counter name.",
      '# TYPE keepalived_ts_vrrp_drops_total counter',
      `keepalived_ts_vrrp_drops_total{${L1},reason="packet_len_err"} 1`,
      `keepalived_ts_vrrp_drops_total{${L1},reason="advert_interval_err"} 0`,
      `keepalived_ts_vrrp_drops_total{${L1},reason="ip_ttl_err"} 4`,
      `keepalived_ts_vrrp_drops_total{${L1},reason="invalid_type_rcvd"} 0`,
      `keepalived_ts_vrrp_drops_total{${L1},reason="addr_list_err"} 0`,
      `keepalived_ts_vrrp_drops_total{${L1},reason="invalid_authtype"} 0`,
      `keepalived_ts_vrrp_drops_total{${L1},reason="authtype_mismatch"} 0`,
      `keepalived_ts_vrrp_drops_total{${L1},reason="auth_failure"} 2`,
      `keepalived_ts_vrrp_drops_total{${L6},reason="packet_len_err"} 0`,
      `keepalived_ts_vrrp_drops_total{${L6},reason="advert_interval_err"} 0`,
      `keepalived_ts_vrrp_drops_total{${L6},reason="ip_ttl_err"} 0`,
      `keepalived_ts_vrrp_drops_total{${L6},reason="invalid_type_rcvd"} 0`,
      `keepalived_ts_vrrp_drops_total{${L6},reason="addr_list_err"} 0`,
      `keepalived_ts_vrrp_drops_total{${L6},reason="invalid_authtype"} 0`,
      `keepalived_ts_vrrp_drops_total{${L6},reason="authtype_mismatch"} 0`,
      `keepalived_ts_vrrp_drops_total{${L6},reason="auth_failure"} 0`,
      '# HELP keepalived_ts_vrrp_packets_dropped_total VRRP packets an instance dropped, every one, by keepalived-ts reason (docs/logging.md).',
      '# TYPE keepalived_ts_vrrp_packets_dropped_total counter',
      `keepalived_ts_vrrp_packets_dropped_total{${L1},reason="bad-checksum"} 5`,
      `keepalived_ts_vrrp_packets_dropped_total{${L1},reason="auth-failure"} 2`,
      '# HELP keepalived_ts_vrrp_sync_group_state VRRP sync group state: 1 for the current state (BACKUP, MASTER, FAULT), 0 for the others.',
      '# TYPE keepalived_ts_vrrp_sync_group_state gauge',
      'keepalived_ts_vrrp_sync_group_state{group="G1",state="BACKUP"} 0',
      'keepalived_ts_vrrp_sync_group_state{group="G1",state="MASTER"} 1',
      'keepalived_ts_vrrp_sync_group_state{group="G1",state="FAULT"} 0',
      '# HELP keepalived_ts_vrrp_unknown_vrid_total VRRP adverts received for a virtual router id no instance has.',
      '# TYPE keepalived_ts_vrrp_unknown_vrid_total counter',
      'keepalived_ts_vrrp_unknown_vrid_total 5',
      '',
    ]);
  });

  it('checkers and dispatcher: real servers, checks by result, duration histogram, connections, bytes', () => {
    const VS = '[192.0.2.100]:tcp:80';
    const RS1 = '[198.51.100.11]:tcp:8080';
    const RS2 = '[2001:db8::12]:tcp:8080';
    const text = renderMetrics({
      ...empty,
      virtualServers: [
        {
          name: VS,
          quorumUp: true,
          sorryActive: false,
          liveWeight: 1,
          realServers: [
            {
              name: RS1,
              alive: true,
              inTable: true,
              weight: 3,
              checkers: [
                checker({
                  type: 'HTTP_GET',
                  target: RS1,
                  attempts: 10,
                  failures: 1,
                  results: { ok: 9, timeout: 1 },
                  duration: {
                    count: 10,
                    sumMs: 5250,
                    buckets: [
                      { leMs: 5, count: 2 },
                      { leMs: 250, count: 9 },
                      { leMs: 5000, count: 10 },
                    ],
                  },
                }),
              ],
            },
            { name: RS2, alive: false, inTable: false, weight: 1, checkers: [] },
          ],
          table: [{ address: '198.51.100.11', port: 8080, sorry: false, weight: 3 }],
          listeners: [VS],
        },
      ],
      dispatcher: [service({ noDestination: 2, dests: [dest('198.51.100.11', 8080, 1)] })],
    });
    const C = `vs="${VS}",rs="${RS1}",checker="HTTP_GET",target="${RS1}"`;
    const D = `vs="${VS}",rs="${RS1}"`;
    expect(lines(text).slice(6)).toEqual([
      '# HELP keepalived_ts_virtual_server_quorum_up Whether the virtual server has its quorum (1) or not.',
      '# TYPE keepalived_ts_virtual_server_quorum_up gauge',
      `keepalived_ts_virtual_server_quorum_up{vs="${VS}"} 1`,
      '# HELP keepalived_ts_virtual_server_sorry_active Whether the sorry server is in use (1) or not.',
      '# TYPE keepalived_ts_virtual_server_sorry_active gauge',
      `keepalived_ts_virtual_server_sorry_active{vs="${VS}"} 0`,
      '# HELP keepalived_ts_real_server_up Whether the checkers find the real server alive (1) or not.',
      '# TYPE keepalived_ts_real_server_up gauge',
      `keepalived_ts_real_server_up{vs="${VS}",rs="${RS1}"} 1`,
      `keepalived_ts_real_server_up{vs="${VS}",rs="${RS2}"} 0`,
      '# HELP keepalived_ts_real_server_weight Weight of the real server in the service table.',
      '# TYPE keepalived_ts_real_server_weight gauge',
      `keepalived_ts_real_server_weight{vs="${VS}",rs="${RS1}"} 3`,
      `keepalived_ts_real_server_weight{vs="${VS}",rs="${RS2}"} 1`,
      '# HELP keepalived_ts_checker_up Whether the checker finds its target up (1) or not.',
      '# TYPE keepalived_ts_checker_up gauge',
      `keepalived_ts_checker_up{${C}} 1`,
      '# HELP keepalived_ts_checks_total Checker attempts by result: ok, or the failure reason (refused, timeout, http-status, ...).',
      '# TYPE keepalived_ts_checks_total counter',
      `keepalived_ts_checks_total{${C},result="ok"} 9`,
      `keepalived_ts_checks_total{${C},result="timeout"} 1`,
      '# HELP keepalived_ts_check_duration_seconds Duration of checker attempts.',
      '# TYPE keepalived_ts_check_duration_seconds histogram',
      `keepalived_ts_check_duration_seconds_bucket{${C},le="0.005"} 2`,
      `keepalived_ts_check_duration_seconds_bucket{${C},le="0.25"} 9`,
      `keepalived_ts_check_duration_seconds_bucket{${C},le="5"} 10`,
      `keepalived_ts_check_duration_seconds_bucket{${C},le="+Inf"} 10`,
      `keepalived_ts_check_duration_seconds_sum{${C}} 5.25`,
      `keepalived_ts_check_duration_seconds_count{${C}} 10`,
      '# HELP keepalived_ts_dispatcher_listening Whether the dispatcher listens on the address (0 while the VIP is not on this host).',
      '# TYPE keepalived_ts_dispatcher_listening gauge',
      `keepalived_ts_dispatcher_listening{vs="${VS}",listener="${VS}"} 1`,
      '# HELP keepalived_ts_dispatcher_no_destination_total Clients (TCP) or new UDP flows turned away because no real server could take them.',
      '# TYPE keepalived_ts_dispatcher_no_destination_total counter',
      `keepalived_ts_dispatcher_no_destination_total{vs="${VS}",listener="${VS}"} 2`,
      '# HELP keepalived_ts_dispatcher_connections Connections to the real server now, by IPVS state (active: established; inactive: others).',
      '# TYPE keepalived_ts_dispatcher_connections gauge',
      `keepalived_ts_dispatcher_connections{${D},state="active"} 1`,
      `keepalived_ts_dispatcher_connections{${D},state="inactive"} 2`,
      '# HELP keepalived_ts_dispatcher_persistent_connections Persistence templates pointing at the real server.',
      '# TYPE keepalived_ts_dispatcher_persistent_connections gauge',
      `keepalived_ts_dispatcher_persistent_connections{${D}} 0`,
      '# HELP keepalived_ts_dispatcher_scheduled_connections_total Connections scheduled to the real server, failed connects included (IPVS conns).',
      '# TYPE keepalived_ts_dispatcher_scheduled_connections_total counter',
      `keepalived_ts_dispatcher_scheduled_connections_total{${D}} 10`,
      '# HELP keepalived_ts_dispatcher_connect_failures_total Connects to the real server that failed (refused, unreachable, timed out).',
      '# TYPE keepalived_ts_dispatcher_connect_failures_total counter',
      `keepalived_ts_dispatcher_connect_failures_total{${D}} 1`,
      '# HELP keepalived_ts_dispatcher_bytes_total Bytes proxied: in = client to real server, out = real server to client (IPVS inbytes/outbytes).',
      '# TYPE keepalived_ts_dispatcher_bytes_total counter',
      `keepalived_ts_dispatcher_bytes_total{${D},direction="in"} 1000`,
      `keepalived_ts_dispatcher_bytes_total{${D},direction="out"} 5000`,
      '',
    ]);
  });

  it('a virtual server group: counters of its listeners are summed per real server', () => {
    const VS = '[web]:0';
    const text = renderMetrics({
      ...empty,
      virtualServers: [
        {
          name: VS,
          quorumUp: true,
          sorryActive: false,
          liveWeight: 2,
          realServers: [],
          table: [],
          listeners: [`${VS}#0`, `${VS}#1`],
        },
      ],
      dispatcher: [
        service({
          id: `${VS}#0`,
          address: '192.0.2.100',
          dests: [dest('198.51.100.11', 80, 1), dest('198.51.100.12', 80, 2)],
        }),
        service({
          id: `${VS}#1`,
          address: '2001:db8::100',
          listening: false,
          dests: [dest('198.51.100.11', 80, 3)],
        }),
      ],
    });
    const out = lines(text);
    expect(out.filter((l) => l.startsWith('keepalived_ts_dispatcher_listening{'))).toEqual([
      `keepalived_ts_dispatcher_listening{vs="${VS}",listener="[192.0.2.100]:tcp:80"} 1`,
      `keepalived_ts_dispatcher_listening{vs="${VS}",listener="[2001:db8::100]:tcp:80"} 0`,
    ]);
    expect(out.filter((l) => l.startsWith('keepalived_ts_dispatcher_bytes_total{'))).toEqual([
      `keepalived_ts_dispatcher_bytes_total{vs="${VS}",rs="[198.51.100.11]:tcp:80",direction="in"} 4000`,
      `keepalived_ts_dispatcher_bytes_total{vs="${VS}",rs="[198.51.100.11]:tcp:80",direction="out"} 20000`,
      `keepalived_ts_dispatcher_bytes_total{vs="${VS}",rs="[198.51.100.12]:tcp:80",direction="in"} 2000`,
      `keepalived_ts_dispatcher_bytes_total{vs="${VS}",rs="[198.51.100.12]:tcp:80",direction="out"} 10000`,
    ]);
  });

  it('escapes label values per the 0.0.4 format', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    const text = renderMetrics({
      ...empty,
      version: '1.0 "beta"\\x\ny',
      vrrp: { instances: [instance({ name: 'VI_"x"' })], syncGroups: [], unknownVrid: 0 },
    });
    expect(lines(text)).toContain('keepalived_ts_build_info{version="1.0 \\"beta\\"\\\\x\\ny"} 1');
    expect(lines(text)).toContain(
      'keepalived_ts_vrrp_priority{vrrp_instance="VI_\\"x\\"",interface="eth0",vrid="51"} 100',
    );
    // No raw line feed slipped into a sample: every line is a comment or `name{...} value`.
    for (const l of lines(text).filter((x) => x !== ''))
      expect(l).toMatch(/^(# (HELP|TYPE) \w+ .*|\w+(\{.*\})? \S+)$/);
  });

  it('an unknown state gets its own series next to the known ones', () => {
    const text = renderMetrics({
      ...empty,
      vrrp: { ...empty.vrrp, instances: [instance({ state: 'WEIRD' })] },
    });
    expect(lines(text).filter((l) => l.startsWith('keepalived_ts_vrrp_state{'))).toHaveLength(6);
    expect(text).toContain('state="WEIRD"} 1\n');
  });

  it('formats special values as Go reads them', () => {
    expect([NaN, Infinity, -Infinity, 0.1, 1e21, -3].map(formatValue)).toEqual([
      'NaN',
      '+Inf',
      '-Inf',
      '0.1',
      '1e+21',
      '-3',
    ]);
  });
});
