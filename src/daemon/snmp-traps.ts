/**
 * Which SNMP parts run (keepalived 2.2.7: -x turns on every MIB part, as core/global_data.c does;
 * `enable_snmp_*` each one; -A or `snmp_socket` names the master's socket, -A first), and the
 * notifications the daemon's events become (vrrp/vrrp_notify.c sends the instance trap on every
 * state notify and VRRPv3-MIB's vrrpv3NewMaster on becoming MASTER; check/ipwrapper.c the real
 * server and quorum traps), each only with `enable_traps` and its MIB part on.
 */
import type { DaemonOptions } from './options.js';
import type { GlobalDefs } from '../config/model.js';
import { parseAgentXAddress, type AgentXAddress } from '../net/agentx-link.js';
import type { GroupNotifyState, InstanceNotifyState, TrapSink } from './notify.js';
import type { SnmpSource } from './snmp-agent.js';
import {
  buildMib,
  checkerNotification,
  instanceStateChange,
  REAL_SERVER_TABLE,
  syncGroupStateChange,
  v3NewMaster,
  VIRTUAL_SERVER_TABLE,
  type MibMeta,
  type MibParts,
  type Notification,
} from './snmp-mib.js';

export interface SnmpSettings {
  readonly address: AgentXAddress;
  readonly parts: MibParts;
  readonly traps: boolean;
}

type SnmpGlobals = Pick<
  GlobalDefs,
  'snmpSocket' | 'enableTraps' | 'enableSnmpVrrp' | 'enableSnmpChecker' | 'enableSnmpRfcv3'
>;

/** null: no SNMP part is on. `sides`: the VRRP and checker sides this process runs (-P/-C). */
export function snmpSettings(
  g: SnmpGlobals,
  cli: DaemonOptions['snmp'],
  sides: { readonly vrrp: boolean; readonly checker: boolean },
): SnmpSettings | { readonly error: string } | null {
  const all = cli.all;
  const parts: MibParts = {
    vrrp: sides.vrrp && (all || g.enableSnmpVrrp),
    checker: sides.checker && (all || g.enableSnmpChecker),
    rfcv3: sides.vrrp && (all || g.enableSnmpRfcv3),
  };
  if (!parts.vrrp && !parts.checker && !parts.rfcv3) return null;
  const socket = cli.agentSocket ?? g.snmpSocket;
  const address = parseAgentXAddress(socket);
  if ('error' in address) return address;
  return { address, parts, traps: g.enableTraps };
}

/** Sends notifications through the agent (its notify() builds them from a fresh view). */
export interface NotificationPort {
  notify(build: (source: SnmpSource) => readonly Notification[]): void;
}

export class SnmpTraps implements TrapSink {
  constructor(
    private readonly agent: NotificationPort,
    private readonly settings: SnmpSettings,
    private readonly meta: MibMeta,
  ) {}

  instance(name: string, state: InstanceNotifyState): void {
    const { parts, traps } = this.settings;
    if (!traps || (!parts.vrrp && !parts.rfcv3)) return;
    this.agent.notify(({ config, status }) => {
      const out: Notification[] = [];
      const inst = config.vrrpInstances.find((i) => i.name === name);
      if (parts.vrrp && inst) out.push(instanceStateChange(inst, state, config.globalDefs.routerId));
      const live = status.vrrp.instances.find((i) => i.name === name);
      if (parts.rfcv3 && state === 'MASTER' && live) {
        const n = v3NewMaster(live);
        if (n) out.push(n);
      }
      return out;
    });
  }

  group(name: string, state: GroupNotifyState): void {
    if (!this.settings.traps || !this.settings.parts.vrrp) return;
    this.agent.notify(({ config }) => [syncGroupStateChange(name, state, config.globalDefs.routerId)]);
  }

  /** A real server's state (`rs`) or a virtual server's quorum (`rs` null) changed. */
  service(vs: string, rs: string | null): void {
    if (!this.settings.traps || !this.settings.parts.checker) return;
    this.agent.notify((src) => {
      const v = src.config.virtualServers.findIndex((x) => x.display === vs);
      if (v < 0) return [];
      const mib = buildMib(src.config, src.status, this.meta, this.settings.parts);
      const vsRow = mib.rows[VIRTUAL_SERVER_TABLE.name]?.[v];
      if (!vsRow) return [];
      let rsRow = null;
      if (rs !== null) {
        const r = src.status.virtualServers[v]?.realServers.findIndex((x) => x.name === rs) ?? -1;
        rsRow = mib.rows[REAL_SERVER_TABLE.name]?.filter((row) => row[0] === v + 1)[r] ?? null;
        if (rsRow === null) return [];
      }
      return [checkerNotification(vsRow, rsRow, src.config.globalDefs.routerId)];
    });
  }
}
