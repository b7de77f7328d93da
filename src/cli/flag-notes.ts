/**
 * keepalived flags that keepalived-ts accepts, so that existing unit files and scripts keep
 * working, but that change nothing here: one line per flag given, saying why. The daemon logs
 * them at start-up (as the config side notes keywords it ignores). Pure.
 */
import { optionLabel, type OptionName, type ParsedArgs } from './args.js';

const ONE_PROCESS_PIDFILE =
  'keepalived-ts is one process with no VRRP, checker or BFD child: -p/--pid is its only pid file';
const NO_CORE =
  'keepalived-ts does not change core-dump limits or kernel.core_pattern; set LimitCORE= in the systemd unit';

/** Why each flag does nothing, by ParsedArgs key, in `--help` order. */
export const FLAG_NOTES: Readonly<Partial<Record<OptionName, string>>> = {
  noBfd: 'keepalived-ts has no BFD, so there is nothing to turn off',
  all: 'keepalived-ts is one process and has no child processes to start without configuration',
  logFile: 'logs go to the journal, syslog or stdout (--log-format); redirect stdout for a file',
  flushLogFile: 'there is no log file to flush: logs go to the journal, syslog or stdout (--log-format)',
  releaseVips:
    "keepalived-ts removes an instance's VIPs every time it leaves MASTER, and any left over at start-up, so there is nothing more to release",
  dontRespawn:
    'keepalived-ts is one process and never forks children to respawn; let systemd restart it (Restart=on-failure)',
  vrrpPid: ONE_PROCESS_PIDFILE,
  checkersPid: ONE_PROCESS_PIDFILE,
  bfdPid: ONE_PROCESS_PIDFILE,
  addressMonitoring: 'keepalived-ts does not log the netlink address changes it sees',
  namespace:
    'keepalived-ts does not enter a network namespace itself; start it inside one (ip netns exec NAME keepalived-ts ...)',
  coreDump: NO_CORE,
  coreDumpPattern: NO_CORE,
};

/** `keepalived-ts: -R/--dont-respawn has no effect: ...` for each such flag in `args`. */
export function flagNotes(args: ParsedArgs): string[] {
  return (Object.entries(FLAG_NOTES) as [OptionName, string][])
    .filter(([name]) => args[name] !== undefined)
    .map(([name, why]) => `keepalived-ts: ${optionLabel(name)} has no effect: ${why}`);
}
