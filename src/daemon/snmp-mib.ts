/**
 * What the SNMP subagent serves, as plain data (pure: daemon/snmp-agent.ts is the AgentX side):
 * KEEPALIVED-MIB (enterprises.9586.100.5, keepalived's doc/KEEPALIVED-MIB.txt) — the global
 * scalars, vrrpSyncGroupTable, vrrpInstanceTable, virtualServerTable and realServerTable — and
 * RFC 6527's VRRPv3-MIB (mib-2.207) — vrrpv3OperationsTable and vrrpv3StatisticsTable — built
 * from the configuration and the status document; and the notifications keepalived 2.2.7 sends
 * (vrrp/vrrp_snmp.c vrrp_snmp_instance_trap(), vrrp_snmp_group_trap(),
 * vrrp_rfcv3_snmp_new_master_notify(); check/check_snmp.c check_snmp_rs_trap(),
 * check_snmp_quorum_trap()), with keepalived's object identifiers: its traps name the columns
 * without a row index, and so do these.
 *
 * Columns keepalived fills from things keepalived-ts does not have (LVS sync daemon, per-row
 * script paths, IPVS rate counters) are left out of the tables: a walk skips them.
 * As Debian's keepalived (built with SNMP_V3_FOR_V2), VRRPv3-MIB lists VRRPv2 instances too, and
 * only instances with at least one VIP (suitable_for_rfc6527()).
 */
import type { Config, VirtualServer, VrrpInstance } from '../config/model.js';
import { parseIp } from '../lib/ip.js';
import type { DaemonStatus, InstanceStatus } from './status.js';

const KEEPALIVED_OID = '1.3.6.1.4.1.9586.100.5';
const VRRPV3_OID = '1.3.6.1.2.1.207';
const VRRP = `${KEEPALIVED_OID}.2`;
const CHECK = `${KEEPALIVED_OID}.3`;

/** SNMP types by their SMI names; the agent maps them to its library's codes. */
export type SnmpType = 'Integer' | 'OctetString' | 'Gauge' | 'Counter' | 'Counter64' | 'TimeTicks';
export type SnmpValue = number | string | Uint8Array;

export interface ColumnDef {
  readonly number: number;
  readonly name: string;
  readonly type: SnmpType;
}

export interface TableDef {
  readonly name: string;
  /** The table's OID (the entry is `.1` under it). */
  readonly oid: string;
  readonly columns: readonly ColumnDef[];
  /**
   * INDEX: column names of this table, or `{ foreign }` for an index object of another table
   * (IF-MIB's ifIndex, virtualServerIndex) whose value leads each row.
   */
  readonly index: readonly (string | { readonly foreign: string; readonly table: string })[];
  /** AUGMENTS: this table shares the rows (and index) of another. */
  readonly augments?: string;
}

export interface ScalarDef {
  readonly name: string;
  /** The object's OID (the instance is `.0`). */
  readonly oid: string;
  readonly type: SnmpType;
}

export interface Varbind {
  readonly oid: string;
  readonly type: SnmpType;
  readonly value: SnmpValue;
}

/** Which parts are served (global_defs enable_snmp_*, or -x for all). */
export interface MibParts {
  readonly vrrp: boolean;
  readonly checker: boolean;
  readonly rfcv3: boolean;
}

const col = (number: number, name: string, type: SnmpType): ColumnDef => ({ number, name, type });

export const SCALARS: readonly ScalarDef[] = [
  { name: 'version', oid: `${KEEPALIVED_OID}.1.1`, type: 'OctetString' },
  { name: 'routerId', oid: `${KEEPALIVED_OID}.1.2`, type: 'OctetString' },
  { name: 'trapEnable', oid: `${KEEPALIVED_OID}.1.4`, type: 'Integer' },
];

const SYNC_GROUP_TABLE: TableDef = {
  name: 'vrrpSyncGroupTable',
  oid: `${VRRP}.1`,
  columns: [
    col(1, 'vrrpSyncGroupIndex', 'Integer'),
    col(2, 'vrrpSyncGroupName', 'OctetString'),
    col(3, 'vrrpSyncGroupState', 'Integer'),
    col(5, 'vrrpSyncGroupNotifyExec', 'Integer'),
    col(10, 'vrrpSyncGroupSmtpAlert', 'Integer'),
  ],
  index: ['vrrpSyncGroupIndex'],
};

export const INSTANCE_TABLE: TableDef = {
  name: 'vrrpInstanceTable',
  oid: `${VRRP}.3`,
  columns: [
    col(1, 'vrrpInstanceIndex', 'Integer'),
    col(2, 'vrrpInstanceName', 'OctetString'),
    col(3, 'vrrpInstanceVirtualRouterId', 'Gauge'),
    col(4, 'vrrpInstanceState', 'Integer'),
    col(5, 'vrrpInstanceInitialState', 'Integer'),
    col(6, 'vrrpInstanceWantedState', 'Integer'),
    col(7, 'vrrpInstanceBasePriority', 'Integer'),
    col(8, 'vrrpInstanceEffectivePriority', 'Integer'),
    col(9, 'vrrpInstanceVipsStatus', 'Integer'),
    col(10, 'vrrpInstancePrimaryInterface', 'OctetString'),
    col(11, 'vrrpInstanceTrackPrimaryIf', 'Integer'),
    col(12, 'vrrpInstanceAdvertisementsInt', 'Gauge'),
    col(13, 'vrrpInstancePreempt', 'Integer'),
    col(14, 'vrrpInstancePreemptDelay', 'Gauge'),
    col(15, 'vrrpInstanceAuthType', 'Integer'),
    col(18, 'vrrpInstanceSyncGroup', 'OctetString'),
    col(19, 'vrrpInstanceGarpDelay', 'Gauge'),
    col(20, 'vrrpInstanceSmtpAlert', 'Integer'),
    col(21, 'vrrpInstanceNotifyExec', 'Integer'),
    col(27, 'vrrpInstanceAccept', 'Integer'),
    col(28, 'vrrpInstancePromoteSecondaries', 'Integer'),
    col(30, 'vrrpInstanceVrrpVersion', 'Integer'),
  ],
  index: ['vrrpInstanceIndex'],
};

export const VIRTUAL_SERVER_TABLE: TableDef = {
  name: 'virtualServerTable',
  oid: `${CHECK}.3`,
  columns: [
    col(1, 'virtualServerIndex', 'Integer'),
    col(2, 'virtualServerType', 'Integer'),
    col(3, 'virtualServerNameOfGroup', 'OctetString'),
    col(4, 'virtualServerFwMark', 'Gauge'),
    col(5, 'virtualServerAddrType', 'Integer'),
    col(6, 'virtualServerAddress', 'OctetString'),
    col(7, 'virtualServerPort', 'Gauge'),
    col(8, 'virtualServerProtocol', 'Integer'),
    col(9, 'virtualServerLoadBalancingAlgo', 'Integer'),
    col(10, 'virtualServerLoadBalancingKind', 'Integer'),
    col(11, 'virtualServerStatus', 'Integer'),
    col(12, 'virtualServerVirtualHost', 'OctetString'),
    col(13, 'virtualServerPersist', 'Integer'),
    col(14, 'virtualServerPersistTimeout', 'Gauge'),
    col(16, 'virtualServerDelayLoop', 'Gauge'),
    col(17, 'virtualServerHaSuspend', 'Integer'),
    col(18, 'virtualServerAlpha', 'Integer'),
    col(19, 'virtualServerOmega', 'Integer'),
    col(20, 'virtualServerRealServersTotal', 'Gauge'),
    col(21, 'virtualServerRealServersUp', 'Gauge'),
    col(22, 'virtualServerQuorum', 'Gauge'),
    col(23, 'virtualServerQuorumStatus', 'Integer'),
    col(26, 'virtualServerHysteresis', 'Gauge'),
  ],
  index: ['virtualServerIndex'],
};

export const REAL_SERVER_TABLE: TableDef = {
  name: 'realServerTable',
  oid: `${CHECK}.4`,
  columns: [
    col(1, 'realServerIndex', 'Integer'),
    col(2, 'realServerType', 'Integer'),
    col(3, 'realServerAddrType', 'Integer'),
    col(4, 'realServerAddress', 'OctetString'),
    col(5, 'realServerPort', 'Gauge'),
    col(6, 'realServerStatus', 'Integer'),
    col(7, 'realServerWeight', 'Integer'),
    col(8, 'realServerUpperConnectionLimit', 'Gauge'),
    col(9, 'realServerLowerConnectionLimit', 'Gauge'),
    col(10, 'realServerActionWhenDown', 'Integer'),
    col(40, 'realServerForwardingMethod', 'Integer'),
    col(46, 'realServerDelayLoop', 'Gauge'),
  ],
  index: [{ foreign: 'virtualServerIndex', table: 'virtualServerTable' }, 'realServerIndex'],
};

/** IF-MIB's ifTable, only as the home of ifIndex (the foreign index of VRRPv3-MIB's tables). */
export const IF_TABLE: TableDef = {
  name: 'ifTable',
  oid: '1.3.6.1.2.1.2.2',
  columns: [col(1, 'ifIndex', 'Integer')],
  index: ['ifIndex'],
};

export const V3_OPERATIONS_TABLE: TableDef = {
  name: 'vrrpv3OperationsTable',
  oid: `${VRRPV3_OID}.1.1.1`,
  columns: [
    col(1, 'vrrpv3OperationsVrId', 'Gauge'),
    col(2, 'vrrpv3OperationsInetAddrType', 'Integer'),
    col(3, 'vrrpv3OperationsMasterIpAddr', 'OctetString'),
    col(4, 'vrrpv3OperationsPrimaryIpAddr', 'OctetString'),
    col(5, 'vrrpv3OperationsVirtualMacAddr', 'OctetString'),
    col(6, 'vrrpv3OperationsStatus', 'Integer'),
    col(7, 'vrrpv3OperationsPriority', 'Gauge'),
    col(8, 'vrrpv3OperationsAddrCount', 'Integer'),
    col(9, 'vrrpv3OperationsAdvInterval', 'Integer'),
    col(10, 'vrrpv3OperationsPreemptMode', 'Integer'),
    col(11, 'vrrpv3OperationsAcceptMode', 'Integer'),
    col(13, 'vrrpv3OperationsRowStatus', 'Integer'),
  ],
  index: [{ foreign: 'ifIndex', table: 'ifTable' }, 'vrrpv3OperationsVrId', 'vrrpv3OperationsInetAddrType'],
};

export const V3_STATISTICS_TABLE: TableDef = {
  name: 'vrrpv3StatisticsTable',
  oid: `${VRRPV3_OID}.1.2.5`,
  columns: [
    col(1, 'vrrpv3StatisticsMasterTransitions', 'Counter'),
    col(2, 'vrrpv3StatisticsNewMasterReason', 'Integer'),
    col(3, 'vrrpv3StatisticsRcvdAdvertisements', 'Counter64'),
    col(4, 'vrrpv3StatisticsAdvIntervalErrors', 'Counter64'),
    col(5, 'vrrpv3StatisticsIpTtlErrors', 'Counter64'),
    col(6, 'vrrpv3StatisticsProtoErrReason', 'Integer'),
    col(7, 'vrrpv3StatisticsRcvdPriZeroPackets', 'Counter64'),
    col(8, 'vrrpv3StatisticsSentPriZeroPackets', 'Counter64'),
    col(9, 'vrrpv3StatisticsRcvdInvalidTypePackets', 'Counter64'),
    col(10, 'vrrpv3StatisticsAddressListErrors', 'Counter64'),
    col(11, 'vrrpv3StatisticsPacketLengthErrors', 'Counter64'),
  ],
  index: [],
  augments: 'vrrpv3OperationsTable',
};

/** Tables (in registration order: a foreign or augmented table first) for the parts served. */
export function tablesFor(parts: MibParts): TableDef[] {
  return [
    ...(parts.vrrp ? [SYNC_GROUP_TABLE, INSTANCE_TABLE] : []),
    ...(parts.checker ? [VIRTUAL_SERVER_TABLE, REAL_SERVER_TABLE] : []),
    ...(parts.rfcv3 ? [V3_OPERATIONS_TABLE, V3_STATISTICS_TABLE] : []),
  ];
}

/** The subtrees to register with the master agent. */
export function subtreesFor(parts: MibParts): string[] {
  return [
    ...(parts.vrrp || parts.checker ? [`${KEEPALIVED_OID}.1`] : []),
    ...(parts.vrrp ? [VRRP] : []),
    ...(parts.checker ? [CHECK] : []),
    ...(parts.rfcv3 ? [`${VRRPV3_OID}.1`] : []),
  ];
}

// KEEPALIVED-MIB's VrrpState: init(0) backup(1) master(2) fault(3) unknown(4) shutdown(5) deleted(6).
const VRRP_STATE: Readonly<Record<string, number>> = {
  INIT: 0,
  BACKUP: 1,
  MASTER: 2,
  FAULT: 3,
  STOP: 5,
  DELETED: 6,
};
const vrrpStateNumber = (state: string): number => VRRP_STATE[state] ?? 4;

const enabled = (b: boolean): number => (b ? 1 : 2);
const ALGO: Readonly<Record<string, number>> = {
  rr: 1,
  wrr: 2,
  lc: 3,
  wlc: 4,
  lblc: 5,
  lblcr: 6,
  dh: 7,
  sh: 8,
  sed: 9,
  nq: 10,
  fo: 11,
  ovf: 12,
  mh: 13,
  twos: 14,
};
const KIND: Readonly<Record<string, number>> = { NAT: 1, DR: 2, TUN: 3 };
const PROTOCOL: Readonly<Record<string, number>> = { TCP: 1, UDP: 2, SCTP: 3 };

/** InetAddressType (RFC 4001: ipv4(1), ipv6(2)) and the address octets; unknown(0) and none. */
function inetAddress(text: string | null | undefined): [number, Uint8Array] {
  const ip = text ? parseIp(text.replace(/\/\d+$/, '')) : undefined;
  if (!ip) return [0, new Uint8Array(0)];
  return [ip.family === 'inet' ? 1 : 2, ip.bytes];
}

export interface MibSnapshot {
  readonly scalars: Readonly<Record<string, SnmpValue>>;
  /** Rows by table name, each in its columns' order, foreign index values first. */
  readonly rows: Readonly<Record<string, readonly (readonly SnmpValue[])[]>>;
}

export interface MibMeta {
  /** The `version` scalar (keepalived: its version string). */
  readonly version: string;
  /** The `trapEnable` scalar: enable_traps. */
  readonly traps: boolean;
}

/** Everything the subagent serves, from one status document and the config it runs. */
export function buildMib(config: Config, status: DaemonStatus, meta: MibMeta, parts: MibParts): MibSnapshot {
  const rows: Record<string, SnmpValue[][]> = {};
  if (parts.vrrp) {
    rows[SYNC_GROUP_TABLE.name] = config.vrrpSyncGroups.map((g, i) => {
      const live = status.vrrp.syncGroups.find((x) => x.name === g.name);
      const notify = g.notify;
      const hasNotify = [notify.master, notify.backup, notify.fault, notify.stop, notify.any].some(
        (s) => s !== null,
      );
      return [
        i + 1,
        g.name,
        vrrpStateNumber(live?.state ?? 'INIT'),
        enabled(hasNotify),
        enabled(g.smtpAlert),
      ];
    });
    rows[INSTANCE_TABLE.name] = config.vrrpInstances.map((inst, i) =>
      instanceRow(
        i + 1,
        inst,
        status.vrrp.instances.find((s) => s.name === inst.name),
        config,
      ),
    );
  }
  if (parts.checker) {
    rows[VIRTUAL_SERVER_TABLE.name] = config.virtualServers.map((vs, i) =>
      virtualServerRow(i + 1, vs, status),
    );
    rows[REAL_SERVER_TABLE.name] = config.virtualServers.flatMap((vs, i) =>
      realServerRows(i + 1, vs, status),
    );
  }
  if (parts.rfcv3) {
    const v3 = status.vrrp.instances.filter((s) => s.vips.length > 0 && s.ifindex !== undefined);
    rows[V3_OPERATIONS_TABLE.name] = v3.map((s) =>
      v3OperationsRow(
        s,
        config.vrrpInstances.find((c) => c.name === s.name),
      ),
    );
    rows[V3_STATISTICS_TABLE.name] = v3.map(v3StatisticsRow);
  }
  return {
    scalars: { version: meta.version, routerId: config.globalDefs.routerId, trapEnable: enabled(meta.traps) },
    rows,
  };
}

function instanceRow(
  index: number,
  inst: VrrpInstance,
  live: InstanceStatus | undefined,
  config: Config,
): SnmpValue[] {
  const n = inst.notify;
  const hasNotify = [n.master, n.backup, n.fault, n.stop, n.any].some((s) => s !== null);
  const smtp = inst.smtpAlert || config.globalDefs.smtpAlertVrrp === true;
  return [
    index,
    inst.name,
    inst.virtualRouterId,
    vrrpStateNumber(live?.state ?? 'INIT'),
    initialState(inst),
    vrrpStateNumber(live?.wantState ?? inst.state),
    live?.priority ?? inst.priority,
    live?.effectivePriority ?? inst.priority,
    live?.vipSet === true ? 1 : 2,
    live?.interface ?? inst.interface ?? '',
    inst.dontTrackPrimary ? 2 : 1,
    Math.floor(inst.advertIntervalMs / 1000),
    inst.nopreempt ? 2 : 1,
    Math.floor(inst.preemptDelayMs / 1000),
    inst.authentication === null ? 0 : inst.authentication.type === 'PASS' ? 1 : 2,
    inst.syncGroup ?? '',
    Math.floor(inst.garp.masterDelayMs / 1000),
    enabled(smtp),
    enabled(hasNotify),
    inst.accept ? 1 : 2,
    inst.promoteSecondaries ? 1 : 2,
    inst.version,
  ];
}

/** keepalived's configured_state: MASTER for `state MASTER` or priority 255 (the address owner). */
const initialState = (inst: Pick<VrrpInstance, 'state' | 'priority'>): number =>
  inst.state === 'MASTER' || inst.priority === 255 ? 2 : 1;

function virtualServerRow(index: number, vs: VirtualServer, status: DaemonStatus): SnmpValue[] {
  const live = status.virtualServers.find((s) => s.name === vs.display);
  const key = vs.key;
  const [addrType, address] = key.kind === 'address' ? inetAddress(key.address) : [0, new Uint8Array(0)];
  const up = live?.realServers.filter((r) => r.alive).length ?? 0;
  return [
    index,
    key.kind === 'fwmark' ? 1 : key.kind === 'address' ? 2 : 3,
    key.kind === 'group' ? key.group : '',
    key.kind === 'fwmark' ? key.fwmark : 0,
    addrType,
    address,
    key.kind === 'address' ? key.port : 0,
    PROTOCOL[vs.protocol] ?? 4,
    ALGO[vs.lbAlgo] ?? 99,
    KIND[vs.lbKind] ?? 2,
    live?.quorumUp === false ? 2 : 1,
    vs.virtualhost ?? '',
    enabled(vs.persistenceTimeout > 0),
    vs.persistenceTimeout,
    Math.floor(vs.delayLoopMs / 1000),
    vs.haSuspend ? 1 : 2,
    enabled(vs.alpha),
    enabled(vs.omega),
    vs.realServers.length,
    up,
    vs.quorum,
    live?.quorumUp === false ? 2 : 1,
    vs.hysteresis,
  ];
}

function realServerRows(vsIndex: number, vs: VirtualServer, status: DaemonStatus): SnmpValue[][] {
  const live = status.virtualServers.find((s) => s.name === vs.display);
  const rows = vs.realServers.map((rs, i) => {
    const l = live?.realServers[i];
    const [addrType, address] = inetAddress(rs.address);
    return [
      vsIndex,
      i + 1,
      1,
      addrType,
      address,
      rs.port,
      l?.alive === true ? 1 : 2,
      l?.weight ?? rs.weight,
      rs.uthreshold,
      rs.lthreshold,
      rs.inhibitOnFailure ? 2 : 1,
      KIND[rs.lvsMethod] ?? 2,
      Math.floor(rs.delayLoopMs / 1000),
    ];
  });
  const sorry = vs.sorryServer;
  if (sorry) {
    const [addrType, address] = inetAddress(sorry.address);
    rows.push([
      vsIndex,
      rows.length + 1,
      2,
      addrType,
      address,
      sorry.port,
      live?.sorryActive === true ? 1 : 2,
      1,
      0,
      0,
      vs.sorryServerInhibit ? 2 : 1,
      KIND[sorry.lvsMethod ?? vs.lbKind] ?? 2,
      Math.floor(vs.delayLoopMs / 1000),
    ]);
  }
  return rows;
}

/** RFC 5798 §7.3: 00-00-5E-00-01-{VRID} for IPv4, 00-00-5E-00-02-{VRID} for IPv6. */
const virtualMac = (s: InstanceStatus): Uint8Array =>
  Uint8Array.of(0, 0, 0x5e, 0, s.family === 'inet6' ? 2 : 1, s.vrid);

/** vrrpv3OperationsStatus: initialize(1) backup(2) master(3); FAULT and STOP are "initialize". */
const v3Status = (state: string): number => (state === 'MASTER' ? 3 : state === 'BACKUP' ? 2 : 1);

function v3OperationsRow(s: InstanceStatus, inst: VrrpInstance | undefined): SnmpValue[] {
  const [type, master] = inetAddress(s.masterAddress);
  const [, primary] = inetAddress(s.sourceAddress ?? null);
  return [
    s.ifindex ?? 0,
    s.vrid,
    s.family === 'inet6' ? 2 : 1,
    type === 0 ? new Uint8Array(0) : master,
    primary,
    virtualMac(s),
    v3Status(s.state),
    s.effectivePriority,
    s.vips.length,
    // TimeInterval: centiseconds.
    Math.round(s.advertIntervalMs / 10),
    inst?.nopreempt === true ? 2 : 1,
    inst?.accept === true ? 1 : 2,
    // RowStatus active(1): the row is configured and in use.
    1,
  ];
}

/**
 * vrrpv3StatisticsNewMasterReason: notMaster(0), priority(1) (the address owner, priority 255, or
 * a takeover Skew_Time after the master resigned with priority 0, as keepalived 2.2.7 reports
 * it: vrrp.c vrrp_state_backup() sets PRIORITY), masterNoResponse(3) (the master-down timer:
 * every other way into MASTER here, which includes preempting a lower-priority master;
 * preempted(2) is not told apart).
 */
export function newMasterReason(s: Pick<InstanceStatus, 'state' | 'priority' | 'masterReason'>): number {
  if (s.state !== 'MASTER') return 0;
  return s.priority === 255 || s.masterReason === 'priority-zero' ? 1 : 3;
}

function v3StatisticsRow(s: InstanceStatus): SnmpValue[] {
  const st = s.stats;
  const n = (k: string): number => st[k] ?? 0;
  return [
    s.ifindex ?? 0,
    s.vrid,
    s.family === 'inet6' ? 2 : 1,
    n('become_master'),
    newMasterReason(s),
    n('advert_rcvd'),
    n('advert_interval_err'),
    n('ip_ttl_err'),
    // vrrpv3StatisticsProtoErrReason: noError(0), as keepalived reports without a recent error.
    0,
    n('pri_zero_rcvd'),
    n('pri_zero_sent'),
    n('invalid_type_rcvd'),
    n('addr_list_err'),
    n('packet_len_err'),
  ];
}

const routerIdVarbind = (routerId: string): Varbind => ({
  oid: `${KEEPALIVED_OID}.1.2.0`,
  type: 'OctetString',
  value: routerId,
});

export interface Notification {
  readonly oid: string;
  readonly varbinds: readonly Varbind[];
}

/** vrrpInstanceStateChange, as vrrp_snmp_instance_trap() (state: the new one). */
export function instanceStateChange(
  inst: Pick<VrrpInstance, 'name' | 'state' | 'priority'>,
  state: string,
  routerId: string,
): Notification {
  return {
    oid: `${VRRP}.10.0.2`,
    varbinds: [
      { oid: `${VRRP}.3.1.2`, type: 'OctetString', value: inst.name },
      { oid: `${VRRP}.3.1.4`, type: 'Integer', value: vrrpStateNumber(state) },
      { oid: `${VRRP}.3.1.5`, type: 'Integer', value: initialState(inst) },
      routerIdVarbind(routerId),
    ],
  };
}

/** vrrpSyncGroupStateChange, as vrrp_snmp_group_trap(). */
export function syncGroupStateChange(name: string, state: string, routerId: string): Notification {
  return {
    oid: `${VRRP}.10.0.1`,
    varbinds: [
      { oid: `${VRRP}.1.1.2`, type: 'OctetString', value: name },
      { oid: `${VRRP}.1.1.3`, type: 'Integer', value: vrrpStateNumber(state) },
      routerIdVarbind(routerId),
    ],
  };
}

/**
 * vrrpv3NewMaster, as vrrp_rfcv3_snmp_new_master_notify(): the master's address (ours) and the
 * reason, at the row's index; null for an instance VRRPv3-MIB does not list.
 */
export function v3NewMaster(s: InstanceStatus): Notification | null {
  if (s.vips.length === 0 || s.ifindex === undefined) return null;
  const index = `${s.ifindex}.${s.vrid}.${s.family === 'inet6' ? 2 : 1}`;
  const [, master] = inetAddress(s.masterAddress ?? s.sourceAddress ?? null);
  return {
    oid: `${VRRPV3_OID}.0.1`,
    varbinds: [
      { oid: `${VRRPV3_OID}.1.1.1.1.3.${index}`, type: 'OctetString', value: master },
      { oid: `${VRRPV3_OID}.1.2.5.1.2.${index}`, type: 'Integer', value: newMasterReason(s) },
    ],
  };
}

/**
 * realServerStateChange (`rs` given) or virtualServerQuorumStateChange (`rs` null), as
 * check_snmp_rs_trap() / check_snmp_quorum_trap(), from the rows buildMib() made.
 */
export function checkerNotification(
  vsRow: readonly SnmpValue[],
  rsRow: readonly SnmpValue[] | null,
  routerId: string,
): Notification {
  const v = (name: string): SnmpValue =>
    vsRow[VIRTUAL_SERVER_TABLE.columns.findIndex((c) => c.name === name)] ?? 0;
  // Real server rows lead with the foreign virtualServerIndex.
  const r = (name: string): SnmpValue =>
    rsRow?.[1 + REAL_SERVER_TABLE.columns.findIndex((c) => c.name === name)] ?? 0;
  const vsType = v('virtualServerType');
  const varbinds: Varbind[] = [];
  if (rsRow) {
    varbinds.push(
      { oid: `${CHECK}.4.1.3`, type: 'Integer', value: r('realServerAddrType') },
      { oid: `${CHECK}.4.1.4`, type: 'OctetString', value: r('realServerAddress') },
      { oid: `${CHECK}.4.1.5`, type: 'Gauge', value: r('realServerPort') },
      { oid: `${CHECK}.4.1.6`, type: 'Integer', value: r('realServerStatus') },
    );
  }
  varbinds.push({ oid: `${CHECK}.3.1.2`, type: 'Integer', value: vsType });
  if (vsType === 3) {
    varbinds.push({ oid: `${CHECK}.3.1.3`, type: 'OctetString', value: v('virtualServerNameOfGroup') });
  } else if (vsType === 1) {
    varbinds.push({ oid: `${CHECK}.3.1.4`, type: 'Gauge', value: v('virtualServerFwMark') });
  } else {
    varbinds.push(
      { oid: `${CHECK}.3.1.5`, type: 'Integer', value: v('virtualServerAddrType') },
      { oid: `${CHECK}.3.1.6`, type: 'OctetString', value: v('virtualServerAddress') },
      { oid: `${CHECK}.3.1.7`, type: 'Gauge', value: v('virtualServerPort') },
    );
  }
  varbinds.push({ oid: `${CHECK}.3.1.8`, type: 'Integer', value: v('virtualServerProtocol') });
  if (!rsRow) {
    varbinds.push(
      { oid: `${CHECK}.3.1.23`, type: 'Integer', value: v('virtualServerQuorumStatus') },
      { oid: `${CHECK}.3.1.22`, type: 'Gauge', value: v('virtualServerQuorum') },
    );
  }
  varbinds.push(
    { oid: `${CHECK}.3.1.21`, type: 'Gauge', value: v('virtualServerRealServersUp') },
    { oid: `${CHECK}.3.1.20`, type: 'Gauge', value: v('virtualServerRealServersTotal') },
    routerIdVarbind(routerId),
  );
  return { oid: `${CHECK}.5.0.${rsRow ? 1 : 2}`, varbinds };
}
