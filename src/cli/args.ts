/**
 * keepalived's command line (keepalived 2.2.7 `--help`), parsed getopt_long-style:
 * clustered short flags (`-nlD`), attached or separate values (`-fFILE`, `-f FILE`,
 * `--use-file=FILE`), and optional values that must be attached (`-t[LOG]`, `--config-test[=LOG]`).
 * Pure: argv in, options or an error message out.
 */

type ArgKind = 'none' | 'required' | 'optional';

interface OptionSpec {
  readonly name: string;
  readonly short?: string;
  readonly long: readonly string[];
  readonly arg: ArgKind;
}

/**
 * Every keepalived 2.2.7 option, plus keepalived-ts's own (`--dump-config`, `--control-socket`,
 * `--control-socket-group`, `--log-format`, `--dispatch-workers`).
 */
const OPTIONS = [
  { name: 'useFile', short: 'f', long: ['use-file'], arg: 'required' },
  { name: 'vrrp', short: 'P', long: ['vrrp'], arg: 'none' },
  { name: 'check', short: 'C', long: ['check'], arg: 'none' },
  { name: 'noBfd', short: 'B', long: ['no_bfd'], arg: 'none' },
  { name: 'all', long: ['all'], arg: 'none' },
  { name: 'logConsole', short: 'l', long: ['log-console'], arg: 'none' },
  { name: 'logDetail', short: 'D', long: ['log-detail'], arg: 'none' },
  { name: 'logFacility', short: 'S', long: ['log-facility'], arg: 'required' },
  { name: 'logFile', short: 'g', long: ['log-file'], arg: 'optional' },
  { name: 'flushLogFile', long: ['flush-log-file'], arg: 'none' },
  { name: 'noSyslog', short: 'G', long: ['no-syslog'], arg: 'none' },
  { name: 'umask', short: 'u', long: ['umask'], arg: 'required' },
  { name: 'releaseVips', short: 'X', long: ['release-vips'], arg: 'none' },
  { name: 'dontReleaseVrrp', short: 'V', long: ['dont-release-vrrp'], arg: 'none' },
  { name: 'dontReleaseIpvs', short: 'I', long: ['dont-release-ipvs'], arg: 'none' },
  { name: 'dontRespawn', short: 'R', long: ['dont-respawn'], arg: 'none' },
  { name: 'dontFork', short: 'n', long: ['dont-fork'], arg: 'none' },
  { name: 'dumpConf', short: 'd', long: ['dump-conf'], arg: 'none' },
  { name: 'pid', short: 'p', long: ['pid'], arg: 'required' },
  { name: 'vrrpPid', short: 'r', long: ['vrrp_pid'], arg: 'required' },
  { name: 'checkersPid', short: 'c', long: ['checkers_pid'], arg: 'required' },
  { name: 'bfdPid', short: 'b', long: ['bfd_pid'], arg: 'required' },
  { name: 'genhash', short: 'T', long: ['genhash'], arg: 'none' },
  { name: 'addressMonitoring', short: 'a', long: ['address-monitoring'], arg: 'none' },
  { name: 'snmp', short: 'x', long: ['snmp'], arg: 'none' },
  { name: 'snmpAgentSocket', short: 'A', long: ['snmp-agent-socket'], arg: 'required' },
  { name: 'namespace', short: 's', long: ['namespace'], arg: 'required' },
  { name: 'coreDump', short: 'm', long: ['core-dump'], arg: 'none' },
  { name: 'coreDumpPattern', short: 'M', long: ['core-dump-pattern'], arg: 'optional' },
  { name: 'allConfig', short: 'e', long: ['all-config'], arg: 'none' },
  { name: 'configId', short: 'i', long: ['config-id'], arg: 'required' },
  { name: 'signum', long: ['signum'], arg: 'required' },
  { name: 'configTest', short: 't', long: ['config-test'], arg: 'optional' },
  { name: 'version', short: 'v', long: ['version'], arg: 'none' },
  { name: 'help', short: 'h', long: ['help'], arg: 'none' },
  { name: 'dumpConfig', long: ['dump-config'], arg: 'none' },
  { name: 'controlSocket', long: ['control-socket'], arg: 'required' },
  { name: 'controlSocketGroup', long: ['control-socket-group'], arg: 'required' },
  { name: 'logFormat', long: ['log-format'], arg: 'required' },
  { name: 'dispatchWorkers', long: ['dispatch-workers'], arg: 'required' },
] as const satisfies readonly OptionSpec[];

type Option = (typeof OPTIONS)[number];
export type OptionName = Option['name'];
/** A flag's value: `true` for a plain flag, its text for one with a value (or `true` if optional and absent). */
type ValueOf<K extends ArgKind> = K extends 'none' ? true : K extends 'required' ? string : string | true;
/** The command line parsed: each option given, under its name, typed by whether it takes a value. */
export type ParsedArgs = { readonly [O in Option as O['name']]?: ValueOf<O['arg']> };

/** The keys parseArgs() may put in ParsedArgs, in `--help` order. */
export const OPTION_NAMES: readonly OptionName[] = OPTIONS.map((o) => o.name);

/** How `--help` spells an option: `-S/--log-facility`, `--all`. */
export function optionLabel(name: OptionName): string {
  const spec: OptionSpec | undefined = OPTIONS.find((o) => o.name === name);
  if (!spec) return name;
  const longs = spec.long.map((l) => `--${l}`);
  return (spec.short === undefined ? longs : [`-${spec.short}`, ...longs]).join('/');
}

export type ArgsResult =
  { readonly ok: true; readonly args: ParsedArgs } | { readonly ok: false; readonly error: string };

export function parseArgs(argv: readonly string[]): ArgsResult {
  // Filled by the specs' names only, so it is a ParsedArgs once done.
  const out: Partial<Record<OptionName, string | true>> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') break;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const spec = OPTIONS.find((o: Option) => (o.long as readonly string[]).includes(name));
      if (!spec) return { ok: false, error: `unrecognized option '${a}'` };
      if (spec.arg === 'none') {
        if (eq >= 0) return { ok: false, error: `option '--${name}' doesn't allow an argument` };
        out[spec.name] = true;
      } else if (eq >= 0) {
        out[spec.name] = a.slice(eq + 1);
      } else if (spec.arg === 'required') {
        const v = argv[++i];
        if (v === undefined) return { ok: false, error: `option '--${name}' requires an argument` };
        out[spec.name] = v;
      } else {
        out[spec.name] = true;
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j] as string;
        const spec = OPTIONS.find((o: Option) => 'short' in o && o.short === c);
        if (!spec) return { ok: false, error: `invalid option -- '${c}'` };
        if (spec.arg === 'none') {
          out[spec.name] = true;
          continue;
        }
        const rest = a.slice(j + 1);
        if (rest !== '') out[spec.name] = rest;
        else if (spec.arg === 'required') {
          const v = argv[++i];
          if (v === undefined) return { ok: false, error: `option requires an argument -- '${c}'` };
          out[spec.name] = v;
        } else out[spec.name] = true;
        break;
      }
      continue;
    }
    return { ok: false, error: `unexpected argument '${a}'` };
  }
  return { ok: true, args: out as ParsedArgs };
}

export const USAGE = `Usage: keepalived-ts [OPTION...]
       keepalived-ts status [--json | --ipvsadm-save] [--control-socket=PATH]
  -f, --use-file=FILE          Use the specified configuration file (default /etc/keepalived/keepalived.conf)
  -P, --vrrp                   Only run the VRRP side
  -C, --check                  Only run the health checkers and the dispatcher
  -l, --log-console            Also log keepalived's console lines to stderr
  -D, --log-detail             Detailed log messages (per-GARP lines, advert timeouts)
  -S, --log-facility=[0-7]     Journal and syslog facility LOG_LOCAL[0-7] (default LOG_DAEMON)
  -G, --no-syslog              Neither the journal nor syslog: JSON lines on stdout
      --log-format=FORMAT      journal (native, as Keepalived_vrrp etc.; the default under
                               systemd), syslog (/dev/log, like keepalived) or json (lines on
                               stdout; the default elsewhere)
      --dispatch-workers=N     Worker threads of the embedded dispatcher (used where the kernel has
                               no IPVS; default: the CPUs less one, at least 1)
  -u, --umask=MASK             umask for file creation (octal)
  -V, --dont-release-vrrp      Don't remove the VIPs on daemon stop
  -I, --dont-release-ipvs      Don't remove the service table (IPVS) on daemon stop
  -n, --dont-fork              Stay in the foreground (always: keepalived-ts never forks)
  -d, --dump-conf              Dump the configuration data to the log at start-up
  -p, --pid=FILE               Pid file (default /run/keepalived-ts.pid)
      --control-socket=PATH    Control socket (default /run/keepalived-ts/keepalived-ts.sock)
      --control-socket-group=GROUP
                               Let GROUP (name or gid) use the control socket: mode 0660 with that
                               group (default: mode 0600, the daemon's user only)
  -i, --config-id id           Skip any configuration lines beginning '@' that don't match id
  -e, --all-config             Error if any configuration file is missing
      --signum=SIGFUNC         Print the signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON
  -t, --config-test[=LOG_FILE] Check the configuration for obvious errors, print them and exit
                               (exit 0 clean, 2 missing parameter, 4 cannot run, 5 errors or warnings,
                               6 script security)
      --dump-config            Print the validated configuration as JSON and exit
  -T, --genhash ...            Print the MD5 digest of a URL's body for HTTP_GET/SSL_GET \`digest\`
                               (must be first: keepalived-ts -T -s 192.0.2.21 -p 80 -u /health)
  -v, --version                Display the version number
  -h, --help                   Display this help message

Commands:
  status                       Ask the running daemon for its VRRP instances, real servers and
                               dispatcher table over the control socket (--json: the whole status
                               document; --ipvsadm-save: the table as \`ipvsadm-save -n\` prints it)
  reload --dry-run             What a reload with the configuration would change
  migrate-defaults             keepalived's DAEMON_ARGS into /etc/default/keepalived-ts
  convert FILE                 Piranha's lvs.cf or ipvsadm rules as keepalived.conf (convert --help)
  send-expect HOST PORT SEND EXPECT
                               Piranha nanny's send/expect check, for a MISC_CHECK

keepalived's other options (-g, --flush-log-file, -X, -R, -r, -c, -b, -B, --all, -a, -x, -A, -s,
-m, -M) are accepted so that existing unit files keep working; they have no effect in keepalived-ts,
and the daemon logs a line saying why for each one given.`;
