/**
 * The checker side in the status document (daemon/status.ts, which the CLI, metrics, SNMP and
 * the dump files render): each virtual server's pool and each real server's checkers.
 */
import { statsView, type CheckerStatsView } from './checker-stats.js';
import type { CheckerRun } from './checker-run.js';
import { formatRs } from './format.js';
import type { Pool } from './pool.js';

export interface CheckerStatus extends CheckerStatsView {
  readonly type: string;
  readonly target: string;
  readonly up: boolean;
  readonly enabled: boolean;
}

export interface VirtualServerStatus {
  readonly name: string;
  readonly quorumUp: boolean;
  readonly sorryActive: boolean;
  readonly liveWeight: number;
  readonly realServers: readonly {
    readonly name: string;
    readonly alive: boolean;
    readonly inTable: boolean;
    readonly weight: number;
    readonly checkers: readonly CheckerStatus[];
  }[];
}

/** A virtual server's pool, and the checkers of each of its real servers (by index). */
export function serviceStatus(
  pool: Pool,
  checkersOf: (index: number) => readonly CheckerRun[],
): VirtualServerStatus {
  const view = pool.view();
  return {
    name: pool.vs.display,
    quorumUp: view.quorumUp,
    sorryActive: view.sorryActive,
    liveWeight: pool.liveWeight(),
    realServers: pool.vs.realServers.map((rs, r) => ({
      name: formatRs(rs, pool.vs),
      alive: view.realServers[r]?.alive ?? false,
      inTable: view.realServers[r]?.inTable ?? false,
      weight: view.realServers[r]?.weight ?? 0,
      checkers: checkersOf(r).map((x): CheckerStatus => ({
        type: x.checker.type,
        target: x.target.display,
        up: x.state.up,
        enabled: x.enabled,
        ...statsView(x.stats),
      })),
    })),
  };
}
