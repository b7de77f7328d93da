/**
 * The scheduler registry (IPVS's ip_vs_scheduler_get by name): one new Scheduler per virtual
 * service, built from keepalived's lb_algo and the service's IPVS scheduler flags (sh-port,
 * sh-fallback, mh-port, mh-fallback, or flag-1 / flag-2). The caller calls update(svc) after
 * creating it and after every destination or weight change; the destination array order is IPVS's
 * list order (the kernel adds new destinations at the head of the list).
 */
import type { LbAlgo } from '../../config/model.js';
import type { Scheduler } from '../scheduler.js';
import { DestinationHashingScheduler } from './destination-hashing.js';
import { NeverQueueScheduler, ShortestExpectedDelayScheduler } from './expected-delay.js';
import { OverflowScheduler, WeightedFailoverScheduler } from './failover.js';
import { LeastConnectionScheduler, WeightedLeastConnectionScheduler } from './least-connection.js';
import { LocalityLeastConnectionScheduler } from './locality-least-connection.js';
import { LocalityReplicationScheduler } from './locality-replication.js';
import { DEFAULT_EXPIRATION_MS } from './locality-table.js';
import { MaglevScheduler } from './maglev.js';
import { RoundRobinScheduler } from './round-robin.js';
import { SourceHashingScheduler } from './source-hashing.js';
import { mathRandomU32, TwoChoicesScheduler, type RandomU32 } from './two-choices.js';
import { WeightedRoundRobinScheduler } from './weighted-round-robin.js';

export type { RandomU32 } from './two-choices.js';
export { overloadAfterBind, overloadAfterUnbind } from './dest-state.js';

export interface SchedulerOptions {
  /** twos: the random source (uint32 values); Math.random by default. */
  readonly random?: RandomU32;
  /** lblc / lblcr: the lblc_expiration / lblcr_expiration sysctl; 24 h by default. */
  readonly localityExpirationMs?: number;
}

export function createScheduler(
  algo: LbAlgo,
  flags: readonly string[],
  options: SchedulerOptions = {},
): Scheduler {
  const expirationMs = options.localityExpirationMs ?? DEFAULT_EXPIRATION_MS;
  switch (algo) {
    case 'rr':
      return new RoundRobinScheduler();
    case 'wrr':
      return new WeightedRoundRobinScheduler();
    case 'lc':
      return new LeastConnectionScheduler();
    case 'wlc':
      return new WeightedLeastConnectionScheduler();
    case 'sed':
      return new ShortestExpectedDelayScheduler();
    case 'nq':
      return new NeverQueueScheduler();
    case 'sh':
      return new SourceHashingScheduler(flags);
    case 'dh':
      return new DestinationHashingScheduler();
    case 'lblc':
      return new LocalityLeastConnectionScheduler(expirationMs);
    case 'lblcr':
      return new LocalityReplicationScheduler(expirationMs);
    case 'mh':
      return new MaglevScheduler(flags);
    case 'fo':
      return new WeightedFailoverScheduler();
    case 'ovf':
      return new OverflowScheduler();
    case 'twos':
      return new TwoChoicesScheduler(options.random ?? mathRandomU32);
  }
}
