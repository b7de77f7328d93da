/** Entries of the status document (src/daemon/status.ts) for the renderers' tests. */
import type { ServiceStats } from '../../src/dispatch/plane-messages.js';
import type { InstanceStatus } from '../../src/daemon/status.js';
import { newStats, type VrrpStats } from '../../src/vrrp/stats.js';

export const ZERO_VRRP_STATS: Readonly<VrrpStats> = newStats();

/** A MASTER of VI_1 on eth0. */
export function sampleInstanceStatus(o: Partial<InstanceStatus> = {}): InstanceStatus {
  return {
    name: 'VI_1',
    state: 'MASTER',
    wantState: 'MASTER',
    interface: 'eth0',
    vrid: 51,
    version: 2,
    family: 'inet',
    priority: 100,
    effectivePriority: 110,
    advertIntervalMs: 1000,
    masterAddress: '192.0.2.1',
    masterPriority: 110,
    vipSet: true,
    vips: ['192.0.2.100/32'],
    faults: [],
    trackers: {},
    syncGroup: null,
    stats: ZERO_VRRP_STATS,
    ...o,
  };
}

/** A dispatcher listener (or kernel service) on 192.0.2.100:80/TCP without real servers. */
export function sampleServiceStats(o: Partial<ServiceStats> = {}): ServiceStats {
  return {
    id: '[192.0.2.100]:tcp:80',
    protocol: 'TCP',
    address: '192.0.2.100',
    port: 80,
    workers: [0],
    listening: true,
    noDestination: 0,
    dests: [],
    ...o,
  };
}
