import { describe, expect, it } from 'vitest';
import { formatDuration, formatLocalTime, renderStatusText } from '../../../src/cli/status-text.js';
import type { DaemonStatus, InstanceStatus } from '../../../src/daemon/status.js';
import { sampleInstanceStatus } from '../../helpers/status-fixtures.js';

const STATS = {
  advert_rcvd: 7,
  advert_sent: 22,
  become_master: 2,
  release_master: 1,
  packet_len_err: 0,
  advert_interval_err: 0,
  ip_ttl_err: 3,
  invalid_type_rcvd: 0,
  addr_list_err: 0,
  invalid_authtype: 0,
  authtype_mismatch: 0,
  auth_failure: 1,
  pri_zero_rcvd: 0,
  pri_zero_sent: 1,
};

const master: InstanceStatus = sampleInstanceStatus({
  priority: 150,
  effectivePriority: 140,
  masterAddress: '10.99.0.1',
  masterPriority: 140,
  vips: ['10.99.0.100/24', '10.99.0.101/24'],
  syncGroup: 'G1',
  stats: STATS,
  // 302.5 s before the answer (uptime 3723.5 s).
  lastTransitionMs: 3_421_000,
  masterAdverIntervalMs: 1000,
  receivedMasterPriority: 100,
  sourceAddress: '10.99.0.1',
  ifindex: 2,
});

const backup: InstanceStatus = {
  name: 'VI_6',
  state: 'FAULT',
  wantState: 'BACKUP',
  interface: 'eth1',
  vrid: 61,
  version: 3,
  family: 'inet6',
  priority: 100,
  effectivePriority: 100,
  advertIntervalMs: 500,
  masterAddress: null,
  masterPriority: 0,
  vipSet: false,
  vips: [],
  faults: ['eth1 down'],
  trackers: { 'interface:eth1': 'down' },
  syncGroup: null,
  stats: { advert_rcvd: 0, advert_sent: 0 },
  masterAdverIntervalMs: 1000,
};

const IPVSADM = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  192.0.2.100:80 rr
  -> 192.0.2.11:80                Masq    1      0          0         
`;

const checker = (type: string, up: boolean, last: string | null) => ({
  type,
  target: '',
  up,
  enabled: true,
  attempts: 3,
  failures: up ? 0 : 3,
  last,
  results: {},
  duration: { count: 0, sumMs: 0, buckets: [] },
});

const status: DaemonStatus = {
  version: '0.1.0',
  pid: 4242,
  uptimeMs: 3_723_500,
  vrrp: {
    instances: [master, backup],
    syncGroups: [{ name: 'G1', state: 'MASTER', members: ['VI_1'] }],
    unknownVrid: 0,
  },
  virtualServers: [
    {
      name: '[192.0.2.100]:tcp:80',
      quorumUp: true,
      sorryActive: false,
      liveWeight: 1,
      realServers: [
        {
          name: '[192.0.2.11]:tcp:80',
          alive: true,
          inTable: true,
          weight: 1,
          checkers: [checker('TCP_CHECK', true, 'ok')],
        },
        {
          name: '[192.0.2.12]:tcp:80',
          alive: false,
          inTable: false,
          weight: 1,
          checkers: [checker('HTTP_GET', false, 'http-status: 500'), checker('MISC_CHECK', true, null)],
        },
      ],
      table: [],
      listeners: [],
    },
  ],
  dispatcher: [],
};

// 2026-08-21 12:00:00 UTC, read in a zone two hours east of UTC.
const clock = { epochMs: Date.UTC(2026, 7, 21, 12, 0, 0), utcOffsetMinutes: () => 120 };

describe('renderStatusText', () => {
  it('shows the daemon, each instance, the real servers and the ipvsadm text as it is', () => {
    expect(renderStatusText(status, IPVSADM, clock)).toBe(
      `keepalived-ts v0.1.0, pid 4242, up 1h 02m 03s

VRRP instances (2)
  VI_1: MASTER
    interface eth0, vrid 51, VRRPv2 IPv4, advert 1 s
    priority 150, effective 140
    master: this node (10.99.0.1), priority 140
    VIPs: 10.99.0.100/24, 10.99.0.101/24 (set)
    last transition: 2026-08-21 13:54:57 (5m 02s ago)
    adverts: received 7, sent 22; priority 0 received 0, sent 1
    became master 2, released master 1
    errors: TTL 3, auth failure 1
    sync group: G1 (MASTER)
  VI_6: FAULT (wants BACKUP)
    interface eth1, vrid 61, VRRPv3 IPv6, advert 0.5 s (master's 1 s)
    priority 100, effective 100
    master: none heard
    VIPs: none
    adverts: received 0, sent 0; priority 0 received 0, sent 0
    became master 0, released master 0
    errors: none
    faults: eth1 down

Virtual servers (1)
  [192.0.2.100]:tcp:80: 1/2 real servers up, quorum up
    [192.0.2.11]:tcp:80: up, weight 1; TCP_CHECK ok
    [192.0.2.12]:tcp:80: DOWN, weight 1; HTTP_GET http-status: 500; MISC_CHECK no result yet

Dispatcher table (ipvsadm -Ln)
${IPVSADM}`,
    );
  });

  it('says when there is nothing, and leaves the table out when there is none', () => {
    const empty: DaemonStatus = {
      ...status,
      uptimeMs: 4_000,
      vrrp: { instances: [], syncGroups: [], unknownVrid: 2 },
      virtualServers: [],
    };
    expect(renderStatusText(empty, '', clock)).toBe(
      `keepalived-ts v0.1.0, pid 4242, up 4s

VRRP instances: none
  adverts for VRIDs not configured here: 2

Virtual servers: none
`,
    );
  });

  it('a backup names its master; quorum, sorry server and table mismatches are shown', () => {
    const vs = status.virtualServers[0];
    if (!vs) throw new Error('fixture');
    const text = renderStatusText(
      {
        ...status,
        vrrp: {
          ...status.vrrp,
          instances: [
            {
              ...master,
              state: 'BACKUP',
              wantState: 'BACKUP',
              masterAddress: '10.99.0.2',
              masterPriority: 200,
              vipSet: false,
            },
          ],
        },
        virtualServers: [
          {
            ...vs,
            quorumUp: false,
            sorryActive: true,
            realServers: vs.realServers.map((rs) => ({ ...rs, alive: false, inTable: true, weight: 0 })),
          },
        ],
      },
      '',
      clock,
    );
    expect(text).toContain('    master: 10.99.0.2, priority 200\n');
    expect(text).toContain('    VIPs: 10.99.0.100/24, 10.99.0.101/24 (not set)\n');
    expect(text).toContain('  [192.0.2.100]:tcp:80: 0/2 real servers up, quorum DOWN, sorry server active\n');
    expect(text).toContain('    [192.0.2.11]:tcp:80: DOWN, weight 0, in table; TCP_CHECK ok\n');
  });

  it('a transition is never in the future', () => {
    const text = renderStatusText(
      {
        ...status,
        uptimeMs: 1000,
        vrrp: { ...status.vrrp, instances: [{ ...master, lastTransitionMs: 1200 }] },
      },
      '',
      clock,
    );
    expect(text).toContain('    last transition: 2026-08-21 14:00:00 (0s ago)\n');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [45_000, '45s'],
    [302_500, '5m 02s'],
    [3_723_000, '1h 02m 03s'],
    [273_900_000, '3d 04h 05m'],
    [-5, '0s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatLocalTime', () => {
  it('shifts by the offset and drops the milliseconds', () => {
    expect(formatLocalTime(Date.UTC(2026, 0, 1, 0, 30, 5, 999), -60)).toBe('2025-12-31 23:30:05');
  });
});
