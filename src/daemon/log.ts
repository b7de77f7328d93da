/**
 * The daemon's logs: one structured event per state change whose `msg` is keepalived's own text,
 * so both structured pipelines and the grep/grok patterns written for keepalived work (reference
 * §4). Where they go (`--log-format`, chosen in main.ts):
 *
 * - `journal`: natively to systemd-journald (log-records.ts): MESSAGE is keepalived's text,
 *   SYSLOG_IDENTIFIER keepalived's process names, the event's fields journal fields. The default
 *   under systemd (stdout is the journal).
 * - `syslog`: to /dev/log as glibc's syslog(3) would (keepalived's own way of logging).
 * - `json`: pino JSON lines on stdout. The default elsewhere (a container, a terminal, a pipe).
 *
 * A datagram that cannot be sent (no journald, no syslog daemon) is written as its JSON line on
 * stdout instead: no line is lost.
 * - `-l/--log-console`: also keepalived's console format on stderr (`Mon Nov 23 11:37:22 2026: msg`).
 * - `-D/--log-detail`: keepalived's detail lines (per-GARP lines, advert timeouts) at debug level.
 * - `-S/--log-facility N`: syslog facility LOG_LOCALN for the journal and syslog (default LOG_DAEMON).
 */
import { pino, type Logger, type StreamEntry } from 'pino';
import { rawSock } from '../net/native.js';
import { encodeJournal, journalFields, LOG_DAEMON, syslogLine } from './log-records.js';

export type { Logger } from 'pino';

export type LogFormat = 'json' | 'journal' | 'syslog';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'journal', 'syslog'];

/** Where journald and syslog daemons listen (sd_journal_send(3), syslog(3)). */
const JOURNAL_SOCKET = '/run/systemd/journal/socket';
const SYSLOG_SOCKET = '/dev/log';

export interface LogOptions {
  readonly console: boolean;
  readonly detail: boolean;
  /** Where JSON lines go (default: stdout, written synchronously so nothing is lost on exit). */
  readonly fd?: number;
  /** Default json. */
  readonly format?: LogFormat;
  /** syslog facility number for journal and syslog (default LOG_DAEMON, 3). */
  readonly facility?: number;
  /** The journal's or syslog's socket (default JOURNAL_SOCKET / SYSLOG_SOCKET). */
  readonly socketPath?: string;
  /** Sends one datagram to an AF_UNIX path; throws if it cannot (default: the native addon). */
  readonly send?: (path: string, data: Buffer) => void;
}

/**
 * The format to log in: `requested` (--log-format) if given; otherwise the journal when stdout is
 * connected to it (systemd sets JOURNAL_STREAM), else JSON lines. `-G/--no-syslog` keeps the
 * journal and syslog out (JSON lines), as keepalived's keeps syslog out.
 */
export function chooseLogFormat(o: {
  readonly requested: LogFormat | undefined;
  readonly noSyslog: boolean;
  readonly stdoutIsJournal: boolean;
}): LogFormat {
  if (o.requested) return o.requested;
  if (o.noSyslog) return 'json';
  return o.stdoutIsJournal ? 'journal' : 'json';
}

/** keepalived -S/--log-facility: 0-7 for LOG_LOCAL0-7; undefined if not one of those. */
export function facilityOf(value: string): number | undefined {
  return /^[0-7]$/.test(value) ? 16 + Number(value) : undefined;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** keepalived's console timestamp (ctime without the newline). */
function consoleTime(d: Date): string {
  const day = String(d.getDate()).padStart(2, ' ');
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${day} ${time} ${d.getFullYear()}`;
}

/** A stream that turns pino's JSON lines back into keepalived's console lines. */
function consoleStream(): { write(line: string): void } {
  return {
    write(line: string): void {
      try {
        const rec = JSON.parse(line) as { msg?: unknown; time?: unknown };
        const when = typeof rec.time === 'number' ? new Date(rec.time) : new Date();
        const msg = typeof rec.msg === 'string' ? rec.msg : JSON.stringify(rec.msg ?? '');
        process.stderr.write(`${consoleTime(when)}: ${msg}\n`);
      } catch {
        process.stderr.write(line);
      }
    },
  };
}

/** A stream that sends each JSON line as a journal or syslog datagram (its JSON line to `fallback` if it cannot). */
function datagramStream(
  format: 'journal' | 'syslog',
  opts: LogOptions,
  fallback: { write(line: string): void },
): { write(line: string): void } {
  const facility = opts.facility ?? LOG_DAEMON;
  const path = opts.socketPath ?? (format === 'journal' ? JOURNAL_SOCKET : SYSLOG_SOCKET);
  const send = opts.send ?? ((to: string, data: Buffer): void => void rawSock().sendUnixDgram(to, data));
  return {
    write(line: string): void {
      try {
        const rec = JSON.parse(line) as Record<string, unknown>;
        const data =
          format === 'journal'
            ? encodeJournal(journalFields(rec, facility))
            : Buffer.from(syslogLine(rec, facility, new Date()), 'utf8');
        send(path, data);
      } catch {
        fallback.write(line);
      }
    },
  };
}

export function createLogger(opts: LogOptions): Logger {
  const level = opts.detail ? 'debug' : 'info';
  const json = pino.destination({ dest: opts.fd ?? 1, sync: true });
  const format = opts.format ?? 'json';
  const main = format === 'json' ? json : datagramStream(format, opts, json);
  const streams: StreamEntry[] = [{ level, stream: main }];
  if (opts.console) streams.push({ level, stream: consoleStream() });
  return pino({ level, base: { pid: process.pid }, name: 'keepalived-ts' }, pino.multistream(streams));
}

/**
 * Logs a repeated problem (a flood of bad packets, a failing send) once, then at most once per
 * `everyMs` with the number suppressed meanwhile. The counters themselves live elsewhere.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly now: () => number,
    private readonly everyMs = 10_000,
  ) {}

  /** Calls `emit(suppressed)` if `key` may be logged now. */
  maybe(key: string, emit: (suppressed: number) => void): void {
    const t = this.now();
    const seen = this.last.get(key);
    if (seen && t - seen.at < this.everyMs) {
      seen.suppressed++;
      return;
    }
    this.last.set(key, { at: t, suppressed: 0 });
    emit(seen?.suppressed ?? 0);
  }
}
