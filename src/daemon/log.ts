/**
 * The daemon's logs: pino JSON lines on stdout (journald keeps them), one structured event per
 * state change whose `msg` is keepalived's own text, so both JSON pipelines and the grep/grok
 * patterns written for keepalived work (reference §4).
 *
 * - `-l/--log-console`: also keepalived's console format on stderr (`Mon Nov 23 11:37:22 2026: msg`).
 * - `-D/--log-detail`: keepalived's detail lines (per-GARP lines, advert timeouts) at debug level.
 */
import { pino, type Logger, type StreamEntry } from 'pino';

export type { Logger } from 'pino';

export interface LogOptions {
  readonly console: boolean;
  readonly detail: boolean;
  /** Where JSON lines go (default: stdout, written synchronously so nothing is lost on exit). */
  readonly fd?: number;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** keepalived's console timestamp (ctime without the newline). */
export function consoleTime(d: Date): string {
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

export function createLogger(opts: LogOptions): Logger {
  const level = opts.detail ? 'debug' : 'info';
  const json = pino.destination({ dest: opts.fd ?? 1, sync: true });
  const streams: StreamEntry[] = [{ level, stream: json }];
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
