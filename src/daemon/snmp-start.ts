/**
 * The SNMP subagent for a daemon start, when the command line (-x, -A) or global_defs
 * (`enable_snmp_*`, `snmp_socket`) asks for it. Its settings are read at start: a reload that
 * changes them logs that they take effect on restart (main.ts).
 */
import type { Logger } from 'pino';
import type { Config } from '../config/model.js';
import type { DaemonOptions } from './options.js';
import { SnmpAgent, type SnmpSource } from './snmp-agent.js';
import { snmpSettings, SnmpTraps } from './snmp-traps.js';

export function startSnmp(
  config: Config,
  cli: DaemonOptions['snmp'],
  sides: { readonly vrrp: boolean; readonly checker: boolean },
  log: Logger,
  version: string,
  source: () => Promise<SnmpSource>,
): { readonly agent: SnmpAgent; readonly traps: SnmpTraps } | null {
  const settings = snmpSettings(config.globalDefs, cli, sides);
  if (settings === null) return null;
  if ('error' in settings) {
    log.error({ event: 'snmp.bad-socket' }, `SNMP: ${settings.error} - the subagent does not run`);
    return null;
  }
  const meta = { version: `Keepalived-ts v${version}`, traps: settings.traps };
  const agent = new SnmpAgent({ address: settings.address, parts: settings.parts, meta, log, source });
  return { agent, traps: new SnmpTraps(agent, settings, meta) };
}
