/** Small builders shared by the checker tests. */
import { pino } from 'pino';
import { formatService } from '../../src/check/format.js';
import type { ProbeDeps, ProbeTarget } from '../../src/check/probe.js';
import type { Checker } from '../../src/config/model.js';
import { brief, loadText } from './config.js';

/** The first checker of the target's real server (the one a probe test built). */
export function firstChecker(target: ProbeTarget): Checker {
  const c = target.rs.checkers[0];
  if (!c) throw new Error('the real server has no checker');
  return c;
}

/**
 * The first checker of the first real server of a config text, with its target and the probe
 * dependencies (silent log, no track files), for a probe test to `create()` from.
 */
export function probeSetup<K extends Checker['type']>(
  text: string,
  type: K,
): { checker: Extract<Checker, { type: K }>; target: ProbeTarget; deps: ProbeDeps } {
  const { config, diagnostics } = loadText(text);
  const vs = config.virtualServers[0];
  const rs = vs?.realServers[0];
  const checker = rs?.checkers[0];
  if (!vs || !rs || checker?.type !== type) throw new Error(brief(diagnostics).join('\n'));
  const target: ProbeTarget = {
    vs,
    rs,
    display: formatService(checker.connectIp, vs.protocol, checker.connectPort),
  };
  const deps: ProbeDeps = {
    global: config.globalDefs,
    ssl: config.ssl,
    trackFileValue: () => undefined,
    log: pino({ level: 'silent' }),
  };
  return { checker: checker as Extract<Checker, { type: K }>, target, deps };
}
