import { describe, expect, it } from 'vitest';
import type { DaemonStatus } from '../../../src/daemon/status.js';
import {
  buildMib,
  checkerNotification,
  instanceStateChange,
  INSTANCE_TABLE,
  newMasterReason,
  REAL_SERVER_TABLE,
  V3_OPERATIONS_TABLE,
  V3_STATISTICS_TABLE,
  v3NewMaster,
  VIRTUAL_SERVER_TABLE,
} from '../../../src/daemon/snmp-mib.js';
import { snmpSettings } from '../../../src/daemon/snmp-traps.js';
import { brief, loadText } from '../../helpers/config.js';
import { sampleInstanceStatus, ZERO_VRRP_STATS } from '../../helpers/status-fixtures.js';

const NO_FLAGS = { all: false, agentSocket: null };

const K = '1.3.6.1.4.1.9586.100.5';
const TEXT = `global_defs {
  router_id dir1
  enable_traps
  enable_snmp_vrrp
  enable_snmp_checker
  enable_snmp_rfcv3
  snmp_socket tcp:127.0.0.1:705
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  nopreempt
  virtual_ipaddress {
    192.0.2.100/24
  }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
  priority 100
  advert_int 1
}
virtual_server 192.0.2.100 80 {
  delay_loop 3
  lb_algo wlc
  lb_kind NAT
  protocol TCP
  quorum 2
  real_server 198.51.100.1 80 {
    weight 5
    TCP_CHECK {
    }
  }
  real_server 198.51.100.2 80 {
    TCP_CHECK {
    }
  }
}
virtual_server fwmark 7 {
  lb_algo rr
  lb_kind DR
  real_server 198.51.100.3 80 {
    TCP_CHECK {
    }
  }
}
`;

const PARTS = { vrrp: true, checker: true, rfcv3: true };

function status(): DaemonStatus {
  return {
    version: '0.1.0',
    pid: 1,
    uptimeMs: 0,
    vrrp: {
      instances: [
        sampleInstanceStatus({
          vrid: 51,
          priority: 150,
          effectivePriority: 150,
          ifindex: 3,
          sourceAddress: '192.0.2.11',
          masterAddress: '192.0.2.11',
          stats: { ...ZERO_VRRP_STATS, become_master: 2, advert_rcvd: 9 },
        }),
        sampleInstanceStatus({ name: 'VI_2', vrid: 52, state: 'BACKUP', vips: [], ifindex: 3 }),
      ],
      syncGroups: [],
      unknownVrid: 0,
    },
    virtualServers: [
      {
        name: '[192.0.2.100]:tcp:80',
        quorumUp: false,
        sorryActive: false,
        liveWeight: 5,
        realServers: [
          { name: '[198.51.100.1]:tcp:80', alive: true, inTable: true, weight: 5, checkers: [] },
          { name: '[198.51.100.2]:tcp:80', alive: false, inTable: false, weight: 1, checkers: [] },
        ],
        table: [],
        listeners: [],
      },
    ],
    dispatcher: [],
  };
}

const col = (t: { columns: readonly { name: string }[] }, name: string, lead = 0): number =>
  lead + t.columns.findIndex((c) => c.name === name);

describe('SNMP settings (keepalived: -x, enable_snmp_*, snmp_socket, -A)', () => {
  const g = loadText(TEXT).config.globalDefs;
  it('reads the global_defs keywords', () => {
    expect(g).toMatchObject({
      enableTraps: true,
      enableSnmpVrrp: true,
      enableSnmpChecker: true,
      enableSnmpRfcv3: true,
      enableSnmpRfcv2: false,
      snmpSocket: 'tcp:127.0.0.1:705',
    });
    expect(snmpSettings(g, NO_FLAGS, { vrrp: true, checker: true })).toEqual({
      address: { kind: 'tcp', host: '127.0.0.1', port: 705 },
      parts: PARTS,
      traps: true,
    });
  });
  it('-x turns every part on; -A names the socket before snmp_socket; -P/-C keep their side', () => {
    const none = loadText('global_defs {\n}\n').config.globalDefs;
    expect(snmpSettings(none, NO_FLAGS, { vrrp: true, checker: true })).toBeNull();
    expect(snmpSettings(none, { all: true, agentSocket: null }, { vrrp: true, checker: false })).toEqual({
      address: { kind: 'unix', path: '/var/agentx/master' },
      parts: { vrrp: true, checker: false, rfcv3: true },
      traps: false,
    });
    expect(
      snmpSettings(g, { all: false, agentSocket: 'unix:/run/agentx' }, { vrrp: false, checker: true }),
    ).toEqual({
      address: { kind: 'unix', path: '/run/agentx' },
      parts: { vrrp: false, checker: true, rfcv3: false },
      traps: true,
    });
    expect(snmpSettings(g, { all: false, agentSocket: 'udp:161' }, { vrrp: true, checker: true })).toEqual({
      error: 'AgentX socket udp:161: only unix: and tcp: are supported',
    });
  });
  it('VRRP-MIB (RFC 2787) is reported as not served; snmp_socket twice as keepalived does', () => {
    const r = loadText(
      'global_defs {\n enable_snmp_rfcv2\n enable_snmp_rfc\n snmp_socket a\n snmp_socket b\n}\n',
    );
    expect(brief(r.diagnostics)).toEqual([
      '2:2 UNSUPPORTED enable_snmp_rfcv2: VRRP-MIB (RFC 2787) is not served - ignored',
      '3:2 UNSUPPORTED enable_snmp_rfc: VRRP-MIB (RFC 2787) is not served, only VRRPv3-MIB (RFC 6527)',
      '5:2 GENERAL_ERROR SNMP socket already set to a - ignoring',
    ]);
    expect(r.config.globalDefs).toMatchObject({
      enableSnmpRfcv2: true,
      enableSnmpRfcv3: true,
      snmpSocket: 'a',
    });
  });
});

describe('the MIB rows (KEEPALIVED-MIB, VRRPv3-MIB)', () => {
  const config = loadText(TEXT).config;
  const mib = buildMib(config, status(), { version: 'Keepalived-ts v0.1.0', traps: true }, PARTS);

  it('scalars and vrrpInstanceTable: live state, configured values, keepalived encodings', () => {
    expect(mib.scalars).toEqual({ version: 'Keepalived-ts v0.1.0', routerId: 'dir1', trapEnable: 1 });
    const [vi1, vi2] = mib.rows[INSTANCE_TABLE.name] ?? [];
    const c = (name: string): number => col(INSTANCE_TABLE, name);
    expect(vi1?.[c('vrrpInstanceIndex')]).toBe(1);
    expect(vi1?.[c('vrrpInstanceName')]).toBe('VI_1');
    expect(vi1?.[c('vrrpInstanceState')]).toBe(2);
    expect(vi1?.[c('vrrpInstanceInitialState')]).toBe(1);
    expect(vi1?.[c('vrrpInstancePreempt')]).toBe(2); // nopreempt
    expect(vi1?.[c('vrrpInstanceVipsStatus')]).toBe(1);
    expect(vi2?.[c('vrrpInstanceState')]).toBe(1);
    expect(vi2?.[c('vrrpInstanceInitialState')]).toBe(1);
    expect(config.vrrpInstances[1]?.priority).toBe(100);
    expect(vi1).toHaveLength(INSTANCE_TABLE.columns.length);
  });

  it('virtualServerTable and realServerTable: address, fwmark, quorum, real servers by virtual server', () => {
    const [vs1, vs2] = mib.rows[VIRTUAL_SERVER_TABLE.name] ?? [];
    const v = (name: string): number => col(VIRTUAL_SERVER_TABLE, name);
    expect(vs1?.[v('virtualServerType')]).toBe(2);
    expect(vs1?.[v('virtualServerAddress')]).toEqual(Uint8Array.of(192, 0, 2, 100));
    expect(vs1?.[v('virtualServerLoadBalancingAlgo')]).toBe(4); // wlc
    expect(vs1?.[v('virtualServerLoadBalancingKind')]).toBe(1); // nat
    expect(vs1?.[v('virtualServerRealServersUp')]).toBe(1);
    expect(vs1?.[v('virtualServerQuorumStatus')]).toBe(2); // notMet
    expect(vs2?.[v('virtualServerType')]).toBe(1);
    expect(vs2?.[v('virtualServerFwMark')]).toBe(7);
    // No live status for the second one: its real servers are not alive.
    const rs = mib.rows[REAL_SERVER_TABLE.name] ?? [];
    const r = (name: string): number => col(REAL_SERVER_TABLE, name, 1);
    expect(rs.map((row) => [row[0], row[r('realServerIndex')], row[r('realServerStatus')]])).toEqual([
      [1, 1, 1],
      [1, 2, 2],
      [2, 1, 2],
    ]);
    expect(rs[0]?.[r('realServerWeight')]).toBe(5);
    expect(rs[0]).toHaveLength(1 + REAL_SERVER_TABLE.columns.length);
  });

  it('VRRPv3-MIB lists instances with VIPs, by ifIndex.vrid.ipv4', () => {
    const ops = mib.rows[V3_OPERATIONS_TABLE.name] ?? [];
    expect(ops).toHaveLength(1);
    const row = ops[0] ?? [];
    expect(row.slice(0, 3)).toEqual([3, 51, 1]);
    const o = (name: string): number => col(V3_OPERATIONS_TABLE, name, 1);
    expect(row[o('vrrpv3OperationsMasterIpAddr')]).toEqual(Uint8Array.of(192, 0, 2, 11));
    expect(row[o('vrrpv3OperationsVirtualMacAddr')]).toEqual(Uint8Array.of(0, 0, 0x5e, 0, 1, 51));
    expect(row[o('vrrpv3OperationsStatus')]).toBe(3);
    expect(row[o('vrrpv3OperationsAdvInterval')]).toBe(100);
    expect(row[o('vrrpv3OperationsPreemptMode')]).toBe(2);
    const stats = mib.rows[V3_STATISTICS_TABLE.name]?.[0] ?? [];
    expect(stats.slice(0, 6)).toEqual([3, 51, 1, 2, 3, 9]);
  });

  it('notifications with keepalived’s OIDs (columns without a row index)', () => {
    const vi1 = config.vrrpInstances[0];
    if (!vi1) throw new Error('no VI_1');
    expect(instanceStateChange(vi1, 'STOP', 'dir1')).toEqual({
      oid: `${K}.2.10.0.2`,
      varbinds: [
        { oid: `${K}.2.3.1.2`, type: 'OctetString', value: 'VI_1' },
        { oid: `${K}.2.3.1.4`, type: 'Integer', value: 5 },
        { oid: `${K}.2.3.1.5`, type: 'Integer', value: 1 },
        { oid: `${K}.1.2.0`, type: 'OctetString', value: 'dir1' },
      ],
    });
    const s = status().vrrp.instances;
    expect(v3NewMaster(s[0] ?? sampleInstanceStatus())?.varbinds.map((v) => v.oid)).toEqual([
      '1.3.6.1.2.1.207.1.1.1.1.3.3.51.1',
      '1.3.6.1.2.1.207.1.2.5.1.2.3.51.1',
    ]);
    expect(v3NewMaster(s[1] ?? sampleInstanceStatus())).toBeNull();
    expect(newMasterReason({ state: 'MASTER', priority: 255 })).toBe(1);
    expect(newMasterReason({ state: 'MASTER', priority: 100, masterReason: 'priority-zero' })).toBe(1);
    expect(newMasterReason({ state: 'MASTER', priority: 100, masterReason: 'master-down' })).toBe(3);
    expect(newMasterReason({ state: 'BACKUP', priority: 100 })).toBe(0);

    const vsRows = mib.rows[VIRTUAL_SERVER_TABLE.name] ?? [];
    const rsRows = mib.rows[REAL_SERVER_TABLE.name] ?? [];
    const rsTrap = checkerNotification(vsRows[0] ?? [], rsRows[1] ?? null, 'dir1');
    expect(rsTrap.oid).toBe(`${K}.3.5.0.1`);
    expect(rsTrap.varbinds.map((v) => [v.oid.slice(K.length), v.value])).toEqual([
      ['.3.4.1.3', 1],
      ['.3.4.1.4', Uint8Array.of(198, 51, 100, 2)],
      ['.3.4.1.5', 80],
      ['.3.4.1.6', 2],
      ['.3.3.1.2', 2],
      ['.3.3.1.5', 1],
      ['.3.3.1.6', Uint8Array.of(192, 0, 2, 100)],
      ['.3.3.1.7', 80],
      ['.3.3.1.8', 1],
      ['.3.3.1.21', 1],
      ['.3.3.1.20', 2],
      ['.1.2.0', 'dir1'],
    ]);
    const quorum = checkerNotification(vsRows[1] ?? [], null, 'dir1');
    expect(quorum.oid).toBe(`${K}.3.5.0.2`);
    expect(quorum.varbinds.map((v) => v.oid.slice(K.length))).toEqual([
      '.3.3.1.2',
      '.3.3.1.4',
      '.3.3.1.8',
      '.3.3.1.23',
      '.3.3.1.22',
      '.3.3.1.21',
      '.3.3.1.20',
      '.1.2.0',
    ]);
  });
});
