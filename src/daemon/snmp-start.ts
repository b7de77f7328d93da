/**
 * The SNMP subagent for a daemon start, from the settings snmpSettings() (snmp-traps.ts) read
 * from the command line (-x, -A) and global_defs
 * (`enable_snmp_*`, `snmp_socket`). They are read at start: a reload that
 * changes them logs that they take effect on restart (reload.ts).
 */
import type { Logger } from 'pino';
import { SnmpAgent, type SnmpSource } from './snmp-agent.js';
import { SnmpTraps, type SnmpSettings } from './snmp-traps.js';

export function startSnmp(
  settings: SnmpSettings | { readonly error: string },
  log: Logger,
  version: string,
  source: () => Promise<SnmpSource>,
): { readonly agent: SnmpAgent; readonly traps: SnmpTraps } | null {
  if ('error' in settings) {
    log.error({ event: 'snmp.bad-socket' }, `SNMP: ${settings.error} - the subagent does not run`);
    return null;
  }
  const meta = { version: `Keepalived-ts v${version}`, traps: settings.traps };
  const agent = new SnmpAgent({ address: settings.address, parts: settings.parts, meta, log, source });
  return { agent, traps: new SnmpTraps(agent, settings, meta) };
}
