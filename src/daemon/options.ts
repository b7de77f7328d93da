/**
 * What the daemon is told to do, typed: the command line (cli/daemon-options.ts maps keepalived's
 * flags onto it) is the only producer, and nothing under daemon/ reads the raw flags.
 */
import type { ConfigSource } from '../host/load-local-config.js';

export interface DaemonOptions {
  readonly config: ConfigSource;
  readonly log: {
    /** --log-format, unchecked (the daemon refuses an unknown one). */
    readonly format: string | null;
    /** -S/--log-facility, unchecked (keepalived: 0-7 for LOG_LOCAL0-7). */
    readonly facility: string | null;
    /** -l: also to the console. */
    readonly console: boolean;
    /** -D: detailed messages. */
    readonly detail: boolean;
    /** -G: not to syslog. */
    readonly noSyslog: boolean;
  };
  /** -u/--umask, octal text, unchecked. */
  readonly umask: string | null;
  /** -P/-C: which sides run (keepalived: neither or both flags run both). */
  readonly sides: { readonly vrrp: boolean; readonly checker: boolean };
  /** -p/--pid. */
  readonly pidFile: string;
  /** -V/--dont-release-vrrp. */
  readonly keepVipsOnStop: boolean;
  /** -I/--dont-release-ipvs. */
  readonly keepIpvsOnStop: boolean;
  /** --dispatch-workers, unchecked (the dispatcher warns and uses its default on a bad one). */
  readonly dispatchWorkers: string | null;
  readonly controlSocket: string;
  /** --control-socket-group: null, the socket is root's only. */
  readonly controlSocketGroup: string | null;
  /** -d/--dump-conf: log the configuration once started. */
  readonly dumpConf: boolean;
  /** -x (every MIB part) and -A (the AgentX master's socket). */
  readonly snmp: { readonly all: boolean; readonly agentSocket: string | null };
  /** Flags accepted for keepalived's sake that change nothing here, one line each, logged at start. */
  readonly flagNotes: readonly string[];
}
