/** keepalived's command line, as the daemon's typed options (daemon/options.ts). */
import type { DaemonOptions } from '../daemon/options.js';
import type { ConfigSource } from '../host/load-local-config.js';
import { DEFAULT_CONFIG, DEFAULT_CONTROL_SOCKET, DEFAULT_PID_FILE } from '../lib/paths.js';
import type { ParsedArgs } from './args.js';
import { flagNotes } from './flag-notes.js';

/** -f, -i and -e. */
export function configSource(args: ParsedArgs): ConfigSource {
  return {
    file: args.useFile ?? DEFAULT_CONFIG,
    configId: args.configId ?? null,
    allConfig: args.allConfig === true,
  };
}

export function daemonOptions(args: ParsedArgs): DaemonOptions {
  return {
    config: configSource(args),
    log: {
      format: args.logFormat ?? null,
      facility: args.logFacility ?? null,
      console: args.logConsole === true,
      detail: args.logDetail === true,
      noSyslog: args.noSyslog === true,
    },
    umask: args.umask ?? null,
    // keepalived -P: VRRP only; -C: checkers only; neither or both: everything.
    sides: {
      vrrp: args.check !== true || args.vrrp === true,
      checker: args.vrrp !== true || args.check === true,
    },
    pidFile: args.pid ?? DEFAULT_PID_FILE,
    keepVipsOnStop: args.dontReleaseVrrp === true,
    keepIpvsOnStop: args.dontReleaseIpvs === true,
    dispatchWorkers: args.dispatchWorkers ?? null,
    controlSocket: args.controlSocket ?? DEFAULT_CONTROL_SOCKET,
    controlSocketGroup: args.controlSocketGroup ?? null,
    dumpConf: args.dumpConf === true,
    snmp: { all: args.snmp === true, agentSocket: args.snmpAgentSocket ?? null },
    flagNotes: flagNotes(args),
  };
}
