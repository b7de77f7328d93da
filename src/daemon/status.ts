/**
 * The status document served on the control socket (and later dumped on signals): one entry per
 * VRRP instance with keepalived's names for states and counters, and per virtual server its real
 * servers, their checkers and what is in the service table.
 */
import type { HealthChecks } from '../check/health-checks.js';
import type { Dispatcher } from './dispatcher.js';
import type { VrrpInstanceDriver } from './vrrp-instance.js';
import type { VrrpNode } from './vrrp-node.js';

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
    faults: [...r.faults, ...r.initScripts.map((s) => `${s} (no result yet)`)],
    trackers: { ...r.trackerStatus },
    syncGroup: r.config.syncGroup,
    stats: { ...r.stats },
  };
}

export async function daemonStatus(
  node: VrrpNode | undefined,
  checks: HealthChecks | undefined,
  dispatcher: Dispatcher | undefined,
  meta: { version: string; startedAt: number; now: number },
): Promise<unknown> {
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
    })),
    dispatcher: (await dispatcher?.stats()) ?? [],
  };
}
