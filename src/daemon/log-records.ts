/**
 * A log record (pino's JSON object) as the journal and syslog want it. Pure.
 *
 * keepalived logs through syslog(3) from three processes with their own identifiers: `Keepalived`
 * (the parent: start, stop, reload, config), `Keepalived_vrrp` and `Keepalived_healthcheckers`.
 * keepalived-ts is one process but tags each line the same way, so `journalctl -t Keepalived_vrrp`
 * and syslog rules written for keepalived keep working; the message is keepalived's own text.
 *
 * - Journal: the native protocol (systemd.journal-fields(7); the wire format of
 *   sd_journal_send()): one datagram of `NAME=value\n` fields, or `NAME\n` + 64-bit
 *   little-endian length + value + `\n` for a value with a newline. MESSAGE, PRIORITY,
 *   SYSLOG_IDENTIFIER, SYSLOG_FACILITY, SYSLOG_PID, and every other field of the record under its
 *   name in capitals (`event` -> EVENT=vrrp.transition, `instance` -> INSTANCE=VI_1).
 * - Syslog: what glibc's syslog(3) sends to /dev/log (RFC 3164 without the host name):
 *   `<PRI>Mmm dd hh:mm:ss IDENT[PID]: MESSAGE`.
 */

export type LogIdentifier = 'Keepalived' | 'Keepalived_vrrp' | 'Keepalived_healthcheckers';

/** syslog facility LOG_DAEMON (keepalived's default); `-S N` picks LOG_LOCALN = 16 + N. */
export const LOG_DAEMON = 3;

/** pino level -> syslog severity (pino: 60 fatal, 50 error, 40 warn, 30 info, 20 debug, 10 trace). */
export function syslogSeverity(level: number): number {
  if (level >= 60) return 2; // crit
  if (level >= 50) return 3; // err
  if (level >= 40) return 4; // warning
  if (level >= 30) return 6; // info
  return 7; // debug
}

const CHECKER_EVENTS = new Set(['check', 'ipvs', 'dispatch', 'lvs']);
const PARENT_EVENTS = new Set(['daemon', 'config', 'systemd', 'metrics']);

/** Which of keepalived's processes would have logged this record. */
export function identifierOf(rec: Readonly<Record<string, unknown>>): LogIdentifier {
  const event = typeof rec['event'] === 'string' ? rec['event'] : '';
  const area = event.split('.')[0] ?? '';
  if (CHECKER_EVENTS.has(area)) return 'Keepalived_healthcheckers';
  // notify scripts: a real server's (notify_up/notify_down) or an instance's.
  if (area === 'notify') return rec['rs'] !== undefined ? 'Keepalived_healthcheckers' : 'Keepalived_vrrp';
  if (PARENT_EVENTS.has(area)) return 'Keepalived';
  return 'Keepalived_vrrp';
}

/** The record's own fields that are not journal fields of their own. */
const CONSUMED = new Set(['msg', 'level', 'time', 'pid', 'name', 'hostname', 'v']);
const RESERVED = new Set(['MESSAGE', 'PRIORITY', 'SYSLOG_IDENTIFIER', 'SYSLOG_FACILITY', 'SYSLOG_PID']);
/** journald drops a datagram beyond its buffer; no log line is near this. */
const MAX_VALUE = 48 * 1024;

/**
 * A record field name as a journal field name: capitals, digits and `_`, not leading `_`/digit
 * (journald's own trusted fields start with `_`). One that would be a standard field (an
 * instance's `priority`) is prefixed KEEPALIVED_.
 */
export function journalFieldName(key: string): string | undefined {
  const name = key
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, '_')
    .replace(/^[_0-9]+/, '')
    .slice(0, 53);
  if (name === '') return undefined;
  return RESERVED.has(name) ? `KEEPALIVED_${name}` : name;
}

const text = (v: unknown): string =>
  (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v)).slice(0, MAX_VALUE);

/** The record's journal fields, in order: MESSAGE, PRIORITY, identifiers, then its own. */
export function journalFields(
  rec: Readonly<Record<string, unknown>>,
  facility: number,
): [name: string, value: string][] {
  const level = typeof rec['level'] === 'number' ? rec['level'] : 30;
  const fields: [string, string][] = [
    ['MESSAGE', text(rec['msg'])],
    ['PRIORITY', String(syslogSeverity(level))],
    ['SYSLOG_IDENTIFIER', identifierOf(rec)],
    ['SYSLOG_FACILITY', String(facility)],
  ];
  if (typeof rec['pid'] === 'number') fields.push(['SYSLOG_PID', String(rec['pid'])]);
  for (const [key, value] of Object.entries(rec)) {
    if (CONSUMED.has(key) || value === undefined) continue;
    const name = journalFieldName(key);
    if (name !== undefined) fields.push([name, text(value)]);
  }
  return fields;
}

/** The native protocol datagram for `fields`. */
export function encodeJournal(fields: readonly (readonly [string, string])[]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    if (!value.includes('\n')) {
      parts.push(Buffer.from(`${name}=${value}\n`, 'utf8'));
      continue;
    }
    const data = Buffer.from(value, 'utf8');
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(data.length));
    parts.push(Buffer.from(`${name}\n`, 'utf8'), size, data, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** glibc syslog(3)'s datagram for /dev/log: `<PRI>Mmm dd hh:mm:ss IDENT[PID]: MESSAGE`. */
export function syslogLine(rec: Readonly<Record<string, unknown>>, facility: number, now: Date): string {
  const level = typeof rec['level'] === 'number' ? rec['level'] : 30;
  const pri = facility * 8 + syslogSeverity(level);
  const stamp = `${MONTHS[now.getMonth()]} ${String(now.getDate()).padStart(2, ' ')} ${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
  const pid = typeof rec['pid'] === 'number' ? `[${rec['pid']}]` : '';
  // One line: a newline would start a new syslog message.
  return `<${pri}>${stamp} ${identifierOf(rec)}${pid}: ${text(rec['msg']).replace(/\n/g, ' ')}`;
}
