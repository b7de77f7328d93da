/** Small builders shared by the checker tests. */
import type { ProbeTarget } from '../../src/check/probe.js';
import type { Checker } from '../../src/config/model.js';

/** The first checker of the target's real server (the one a probe test built). */
export function firstChecker(target: ProbeTarget): Checker {
  const c = target.rs.checkers[0];
  if (!c) throw new Error('the real server has no checker');
  return c;
}
