/**
 * The keepalived exporters' metrics (src/daemon/metrics-compat.ts): names, labels and encodings
 * as mehdy/keepalived-exporter and gen2brain/keepalived_exporter serve them, from a status
 * document built by hand.
 */
import { describe, expect, it } from 'vitest';
import type { ServiceStats } from '../../../src/dispatch/plane-messages.js';
import { keepalivedAddress, renderExporterMetrics } from '../../../src/daemon/metrics-compat.js';
import type { DaemonStatus, InstanceStatus } from '../../../src/daemon/status.js';
import { sampleInstanceStatus, sampleServiceStats, ZERO_VRRP_STATS } from '../../helpers/status-fixtures.js';

const STATS = {
  ...ZERO_VRRP_STATS,
  advert_rcvd: 7,
  advert_sent: 100,
  become_master: 2,
  release_master: 1,
  advert_interval_err: 3,
  ip_ttl_err: 4,
  addr_list_err: 5,
  auth_failure: 6,
  pri_zero_rcvd: 1,
};

const instance = (o: Partial<InstanceStatus> = {}): InstanceStatus =>
  sampleInstanceStatus({
    effectivePriority: 100,
    masterPriority: 100,
    vips: ['192.0.2.100/32', '198.51.100.0/24'],
    trackers: { 'interface eth0': 'up', 'script chk_haproxy': 'up', 'script chk_disk': 'down' },
    stats: STATS,
    garpMasterDelayMs: 5000,
    ...o,
  });

const status = (o: Partial<DaemonStatus> = {}): DaemonStatus => ({
  version: '0.1.0',
  pid: 1,
  uptimeMs: 1,
  vrrp: { instances: [instance()], syncGroups: [], unknownVrid: 0 },
  virtualServers: [],
  dispatcher: [],
  ...o,
});

const samples = (text: string, name: string): string[] =>
  text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

describe('mehdy/keepalived-exporter names', () => {
  it('keepalived_up and the state per VIP as keepalived numbers it (MASTER 2), addresses as keepalived prints them', () => {
    const text = renderExporterMetrics(status());
    expect(
      text.startsWith('# HELP keepalived_up Status\n# TYPE keepalived_up gauge\nkeepalived_up 1\n'),
    ).toBe(true);
    expect(text).toContain('# TYPE keepalived_vrrp_state gauge\n');
    expect(samples(text, 'keepalived_vrrp_state')).toEqual([
      'keepalived_vrrp_state{iname="VI_1",intf="eth0",vrid="51",ip_address="192.0.2.100"} 2',
      'keepalived_vrrp_state{iname="VI_1",intf="eth0",vrid="51",ip_address="198.51.100.0/24"} 2',
    ]);
  });

  it('keepalived_vrrp_excluded_state: one series per excluded VIP, with the instance state', () => {
    const text = renderExporterMetrics(
      status({
        vrrp: {
          instances: [instance({ state: 'BACKUP', excludedVips: ['203.0.113.7/32'] })],
          syncGroups: [],
          unknownVrid: 0,
        },
      }),
    );
    expect(samples(text, 'keepalived_vrrp_excluded_state')).toEqual([
      'keepalived_vrrp_excluded_state{iname="VI_1",intf="eth0",vrid="51",ip_address="203.0.113.7"} 1',
    ]);
    expect(samples(renderExporterMetrics(status()), 'keepalived_vrrp_excluded_state')).toEqual([]);
  });

  it.each([
    ['INIT', 0],
    ['BACKUP', 1],
    ['MASTER', 2],
    ['FAULT', 3],
    ['STOP', 98],
  ])('%s is %d; an instance without VIPs has one series with ip_address=""', (state, n) => {
    const text = renderExporterMetrics(
      status({ vrrp: { instances: [instance({ state, vips: [] })], syncGroups: [], unknownVrid: 0 } }),
    );
    expect(samples(text, 'keepalived_vrrp_state')).toEqual([
      `keepalived_vrrp_state{iname="VI_1",intf="eth0",vrid="51",ip_address=""} ${n}`,
    ]);
  });

  it("the per-instance counters under that exporter's names, the GARP delay in seconds, scripts GOOD 1 / BAD 0", () => {
    const text = renderExporterMetrics(status());
    const l = '{iname="VI_1",intf="eth0",vrid="51"}';
    for (const [name, v] of [
      ['keepalived_advertisements_received_total', 7],
      ['keepalived_advertisements_sent_total', 100],
      ['keepalived_become_master_total', 2],
      ['keepalived_release_master_total', 1],
      ['keepalived_packet_length_errors_total', 0],
      ['keepalived_advertisements_interval_errors_total', 3],
      ['keepalived_ip_ttl_errors_total', 4],
      ['keepalived_invalid_type_received_total', 0],
      ['keepalived_address_list_errors_total', 5],
      ['keepalived_authentication_invalid_total', 0],
      ['keepalived_authentication_mismatch_total', 0],
      ['keepalived_authentication_failure_total', 6],
      ['keepalived_priority_zero_received_total', 1],
      ['keepalived_priority_zero_sent_total', 0],
      ['keepalived_gratuitous_arp_delay_total', 5],
    ] as const) {
      expect(text).toContain(`# TYPE ${name} counter\n`);
      expect(samples(text, name)).toEqual([`${name}${l} ${v}`]);
    }
    expect(samples(text, 'keepalived_script_status')).toEqual([
      'keepalived_script_status{name="chk_haproxy"} 1',
      'keepalived_script_status{name="chk_disk"} 0',
    ]);
  });
});

describe('gen2brain/keepalived_exporter names', () => {
  it('counters without _total, the state as a label (empty for STOP)', () => {
    const text = renderExporterMetrics(
      status({
        vrrp: {
          instances: [instance(), instance({ name: 'VI_2', vrid: 52, state: 'STOP' })],
          syncGroups: [],
          unknownVrid: 0,
        },
      }),
    );
    expect(samples(text, 'keepalived_vrrp_become_master')).toEqual([
      'keepalived_vrrp_become_master{name="VI_1",intf="eth0",vrid="51",state="MASTER"} 2',
      'keepalived_vrrp_become_master{name="VI_2",intf="eth0",vrid="52",state=""} 2',
    ]);
    expect(samples(text, 'keepalived_vrrp_ip_ttl_err')[0]).toBe(
      'keepalived_vrrp_ip_ttl_err{name="VI_1",intf="eth0",vrid="51",state="MASTER"} 4',
    );
    expect(text).toContain('# TYPE keepalived_vrrp_advert_sent counter\n');
  });

  it('LVS per virtual server (summed over its real servers) and per real server, ip:port and the protocol number', () => {
    const dest = (address: string, n: number): ServiceStats['dests'][number] => ({
      address,
      port: 8080,
      weight: 1,
      activeConns: 0,
      inactConns: 0,
      persistConns: 0,
      connectFailures: 0,
      totals: { conns: n, bytesIn: 100 * n, bytesOut: 1000 * n },
    });
    const svc = (o: Partial<ServiceStats>): ServiceStats => sampleServiceStats({ id: 'x', ...o });
    const text = renderExporterMetrics(
      status({
        dispatcher: [
          svc({ dests: [dest('198.51.100.11', 1), dest('198.51.100.12', 2)] }),
          svc({ protocol: 'UDP', address: '2001:db8::100', port: 53, dests: [dest('2001:db8::11', 4)] }),
          svc({ protocol: 'FWM', address: '1', port: 0, dests: [dest('198.51.100.11', 8)] }),
        ],
      }),
    );
    expect(samples(text, 'keepalived_lvs_vip_conn')).toEqual([
      'keepalived_lvs_vip_conn{addr="192.0.2.100:80",proto="6"} 3',
      'keepalived_lvs_vip_conn{addr="2001:db8::100:53",proto="17"} 4',
    ]);
    expect(samples(text, 'keepalived_lvs_rs_out_bytes')).toEqual([
      'keepalived_lvs_rs_out_bytes{vip="192.0.2.100:80",addr="198.51.100.11:8080",proto="6"} 1000',
      'keepalived_lvs_rs_out_bytes{vip="192.0.2.100:80",addr="198.51.100.12:8080",proto="6"} 2000',
      'keepalived_lvs_rs_out_bytes{vip="2001:db8::100:53",addr="2001:db8::11:8080",proto="17"} 4000',
    ]);
    expect(samples(text, 'keepalived_lvs_vip_in_bytes')[0]).toBe(
      'keepalived_lvs_vip_in_bytes{addr="192.0.2.100:80",proto="6"} 300',
    );
  });
});

describe('keepalivedAddress', () => {
  it('drops only a host prefix', () => {
    expect(
      ['192.0.2.1/32', '192.0.2.0/24', '2001:db8::1/128', '2001:db8::/64', '192.0.2.9'].map(
        keepalivedAddress,
      ),
    ).toEqual(['192.0.2.1', '192.0.2.0/24', '2001:db8::1', '2001:db8::/64', '192.0.2.9']);
  });
});
