/**
 * The status document served on the control socket (and later dumped on signals): one entry per
 * VRRP instance with keepalived's names for states and counters, and per virtual server its real
 * servers, their checkers and what is in the service table.
 */
import type { HealthChecks } from '../check/health-checks.js';
import type { VirtualServerStatus } from '../check/status-view.js';
import type { TableEntry } from '../check/table.js';
import type { AnnounceCounts, RouteAnnouncer } from '../check/route-announcer.js';
import type { ServiceStats } from '../dispatch/plane-messages.js';
import type { Dispatcher } from './dispatcher.js';
import type { VrrpInstanceDriver } from './vrrp-instance.js';
import type { VrrpNode } from './vrrp-node.js';
import { faultText } from '../vrrp/log-text.js';
import { trackerKey } from '../vrrp/tracking.js';

export interface InstanceStatus {
  readonly name: string;
  readonly state: string;
  readonly wantState: string;
  readonly interface: string;
  readonly vrid: number;
  readonly version: number;
  readonly family: string;
  readonly priority: number;
  readonly effectivePriority: number;
  readonly advertIntervalMs: number;
  readonly masterAddress: string | null;
  readonly masterPriority: number;
  readonly vipSet: boolean;
  readonly vips: readonly string[];
  readonly faults: readonly string[];
  readonly trackers: Readonly<Record<string, string | number>>;
  readonly syncGroup: string | null;
  readonly stats: Readonly<Record<string, number>>;
  /**
   * Received packets for this VRID that were dropped, by drop reason (docs/logging.md): every
   * one, also those `stats` (keepalived's counters) leave out, such as `bad-checksum`.
   */
  readonly drops?: Readonly<Record<string, number>>;
  /** Adverts for this VRID that passed every check (any sender, lower priorities included). */
  readonly advertsAccepted?: number;
  /** Why the instance last became MASTER (a vrrp.transition reason, docs/logging.md). */
  readonly masterReason?: string;
  /** Clock time (Clock.now()) of the last state change: keepalived's last_transition. */
  readonly lastTransitionMs?: number;
  /** Master_Adver_Interval: learned from the master's adverts in VRRPv3. */
  readonly masterAdverIntervalMs?: number;
  /** Priority of the last advert taken from a master (keepalived's master_priority, which
   *  `masterPriority` replaces with our own while MASTER). */
  readonly receivedMasterPriority?: number;
  /** Our advert source: `unicast_src_ip`/`mcast_src_ip`, else the interface's address; null: none. */
  readonly sourceAddress?: string | null;
  readonly ifindex?: number;
  /** virtual_ipaddress_excluded, `address/prefix` (mehdy's keepalived_vrrp_excluded_state). */
  readonly excludedVips?: readonly string[];
  /** garp_master_delay (mehdy/keepalived-exporter serves it, metrics-compat.ts). */
  readonly garpMasterDelayMs?: number;
}

export function instanceStatus(d: VrrpInstanceDriver): InstanceStatus {
  const r = d.snapshot;
  const w = d.wiring;
  return {
    name: r.config.name,
    state: r.state,
    wantState: r.wantState,
    interface: w.ifname,
    vrid: r.config.vrid,
    version: r.config.version,
    family: r.config.family,
    priority: r.basePriority,
    effectivePriority: r.effectivePriority,
    advertIntervalMs: r.config.advertIntervalMs,
    masterAddress: r.state === 'MASTER' ? r.config.sourceAddress : r.masterAddress,
    masterPriority: r.state === 'MASTER' ? r.effectivePriority : r.masterPriority,
    vipSet: r.vipSet,
    vips: w.vips.map((v) => `${v.address}/${v.prefixLength}`),
    faults: [...r.faults.map(faultText), ...r.initScripts.map((s) => `${trackerKey(s)} (no result yet)`)],
    trackers: { ...r.trackerStatus },
    syncGroup: r.config.syncGroup,
    stats: { ...r.stats },
    drops: { ...d.drops },
    advertsAccepted: d.advertsAccepted,
    ...(d.lastTransitionMs === undefined ? {} : { lastTransitionMs: d.lastTransitionMs }),
    ...(d.masterReason === undefined ? {} : { masterReason: d.masterReason }),
    masterAdverIntervalMs: r.masterAdverIntervalMs,
    receivedMasterPriority: r.masterPriority,
    sourceAddress: r.config.sourceAddress,
    ifindex: w.ifindex,
    garpMasterDelayMs: r.config.garp.masterDelayMs,
    excludedVips: w.inst.virtualIpAddressesExcluded.map((v) => `${v.address}/${v.prefixLength}`),
  };
}

/** The whole document (metrics.ts renders it as Prometheus text). */
export interface DaemonStatus {
  readonly version: string;
  readonly pid: number;
  readonly uptimeMs: number;
  readonly vrrp: {
    readonly instances: readonly InstanceStatus[];
    readonly syncGroups: ReturnType<VrrpNode['groups']>;
    readonly unknownVrid: number;
  };
  readonly virtualServers: readonly (VirtualServerStatus & {
    readonly table: readonly TableEntry[];
    /** The ids of the dispatcher listeners (`dispatcher[].id`) that serve this virtual server. */
    readonly listeners: readonly string[];
  })[];
  /** Per dispatcher listener, or per kernel service with IPVS (ids `ipvs TCP 192.0.2.1:80`). */
  readonly dispatcher: readonly ServiceStats[];
  /** With IPVS: netlink messages sent, and failed commands by `COMMAND ERRNO`. */
  readonly ipvs?: { readonly messages: number; readonly errors: Readonly<Record<string, number>> };
  /**
   * With `announce_table` (docs/bgp.md): routes configured and in the kernel now, announcements
   * and withdrawals made, failed route changes.
   */
  readonly announce?: AnnounceCounts;
}

export async function daemonStatus(
  node: VrrpNode | undefined,
  checks: HealthChecks | undefined,
  dispatcher: Dispatcher | undefined,
  meta: { version: string; startedAt: number; now: number },
  announcer?: RouteAnnouncer,
): Promise<DaemonStatus> {
  const announce = announcer?.counts();
  return {
    version: meta.version,
    pid: process.pid,
    uptimeMs: Math.round(meta.now - meta.startedAt),
    vrrp: {
      instances: node?.instances().map(instanceStatus) ?? [],
      syncGroups: node?.groups() ?? [],
      unknownVrid: node?.unknownVrid ?? 0,
    },
    virtualServers: (checks?.status() ?? []).map((vs) => ({
      ...vs,
      table: dispatcher?.table.memory.entries(vs.name) ?? [],
      listeners: dispatcher?.table.listenersOf(vs.name) ?? [],
    })),
    dispatcher: (await dispatcher?.stats()) ?? [],
    ...(dispatcher?.kernel
      ? {
          ipvs: {
            messages: dispatcher.kernel.messages,
            errors: Object.fromEntries(dispatcher.kernel.errors),
          },
        }
      : {}),
    ...(announce && (announce.routes > 0 || announce.announced > 0 || announce.failed > 0)
      ? { announce }
      : {}),
  };
}
