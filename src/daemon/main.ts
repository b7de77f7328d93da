/**
 * The daemon's entry: the process title, the logger the options ask for, the flags that change
 * nothing here, the umask and the configuration; then a Daemon (daemon.ts) runs until stopped.
 * keepalived-ts stays in the foreground under systemd (`-n` is implied; README "Differences
 * from keepalived").
 */
import { stdoutIsJournal } from '../host/journal-stream.js';
import { packageVersion } from '../host/package-version.js';
import { Daemon } from './daemon.js';
import {
  chooseLogFormat,
  createLogger,
  facilityOf,
  LOG_FORMATS,
  type LogFormat,
  type Logger,
} from './log.js';
import type { DaemonOptions } from './options.js';
import { readConfig } from './read-config.js';
import { createNotifier } from './sd-notify.js';

function isLogFormat(name: string): name is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(name);
}

/** The logger `options.log` asks for; null: --log-format names no format (said on stderr). */
function openLog(options: DaemonOptions['log']): Logger | null {
  const requested = options.format;
  if (requested !== null && !isLogFormat(requested)) {
    process.stderr.write(
      `keepalived-ts: --log-format must be one of ${LOG_FORMATS.join(', ')}, not '${requested}'\n`,
    );
    return null;
  }
  const facility = options.facility !== null ? facilityOf(options.facility) : undefined;
  const log = createLogger({
    console: options.console,
    detail: options.detail,
    format: chooseLogFormat({
      requested: requested ?? undefined,
      noSyslog: options.noSyslog,
      stdoutIsJournal: stdoutIsJournal(),
    }),
    ...(facility !== undefined ? { facility } : {}),
  });
  if (options.facility !== null && facility === undefined)
    log.warn(
      { event: 'daemon.log-facility', facility: options.facility },
      `Invalid log facility '${options.facility}' (0-7 for LOG_LOCAL0-7): using LOG_DAEMON`,
    );
  return log;
}

/** Runs until a stop signal; resolves with the exit code. */
export async function runDaemon(options: DaemonOptions): Promise<number> {
  const version = packageVersion();
  // The process title: `ps`, `pidof keepalived-ts` and `pkill -HUP keepalived-ts` find the daemon
  // by its own name rather than as one more `node` (keepalived's processes show as keepalived).
  // The name alone: Linux takes the command name (comm) from the title's first 15 characters.
  process.title = 'keepalived-ts';
  const log = openLog(options.log);
  if (!log) return 1;
  log.info({ event: 'daemon.starting', version }, `Starting keepalived-ts v${version}`);
  for (const note of options.flagNotes) log.warn({ event: 'daemon.flag-ignored' }, note);
  // keepalived -u/--umask (octal), before any file is made.
  if (options.umask !== null) {
    const mask = Number.parseInt(options.umask, 8);
    if (Number.isInteger(mask) && mask >= 0 && mask <= 0o777) process.umask(mask);
    else
      log.warn({ event: 'daemon.umask', umask: options.umask }, `invalid umask ${options.umask} - ignoring`);
  }
  const config = readConfig(options.config, log);
  if (!config) return 1;
  const sd = createNotifier(process.env, {
    onError: (err) => log.warn({ event: 'systemd.notify-error', err }, err.message),
  });
  const daemon = new Daemon(options, log, config, version, sd);
  if (!(await daemon.start())) return 1;
  return daemon.run();
}
