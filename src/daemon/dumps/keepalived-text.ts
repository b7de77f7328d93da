/**
 * The small text conventions keepalived 2.2.7 uses in its signal dump files, shared by the
 * `.data`, `.json` and `.stats` formatters (pure: time comes in as arguments).
 *
 * - a command is shown as its words, each in single quotes (lib/notify.c cmd_str());
 * - an address line is `ip [/len] [brd B] dev IF scope S [label L] ... [set]`
 *   (vrrp_ipaddress.c format_ipaddress());
 * - times are epoch seconds with microseconds, and local time as asctime() with the
 *   microseconds spliced in after the seconds (lib/utils.c ctime_us_r());
 * - floating-point values use C's `%g` or `%f`.
 */
import type { IpAddressSpec, ScriptSpec } from '../../config/model.js';

/**
 * One instant read on both clocks. Status times are Clock times (monotonic); the dumps show wall
 * time, `epochMs - (clockMs - t)`.
 */
export interface DumpTime {
  /** Clock.now() at the instant. */
  readonly clockMs: number;
  /** Wall time (ms since the epoch) at the same instant. */
  readonly epochMs: number;
}

/** Resolves who runs a script (src/host/run-script.ts resolveScriptUser()); null: unknown. */
export type ScriptUserOf = (
  spec: Pick<ScriptSpec, 'user' | 'group'>,
) => { readonly uid: number; readonly gid: number } | null;

/** A Clock time as wall time, in ms since the epoch. */
export const epochOf = (clockMs: number, time: DumpTime): number => time.epochMs - (time.clockMs - clockMs);

/** keepalived's state numbers (vrrp.h VRRP_STATE_*), as the JSON dump writes them. */
export function stateNumber(state: string): number {
  switch (state) {
    case 'INIT':
      return 0;
    case 'BACKUP':
      return 1;
    case 'MASTER':
      return 2;
    case 'FAULT':
      return 3;
    case 'DELETED':
      return 97;
    case 'STOP':
      return 98;
    default:
      return 0;
  }
}

/** keepalived's get_state_str(). */
export function stateName(state: string): string {
  return state === 'INIT' || state === 'BACKUP' || state === 'MASTER' || state === 'FAULT'
    ? state
    : 'unknown';
}

/** The command as keepalived shows it: every word in single quotes, except a leading redirection. */
export function cmdStr(spec: Pick<ScriptSpec, 'argv'>): string {
  return spec.argv
    .map((w, i) => (i === 0 && (w.startsWith('<') || w.startsWith('>')) ? w : `'${w}'`))
    .join(' ');
}

/** `CMD, uid:gid U:G`; without a resolver (or an unknown user) the uid:gid part is left out. */
export function cmdWithUser(spec: ScriptSpec, userOf: ScriptUserOf | undefined): string {
  const user = userOf?.(spec) ?? null;
  return user === null ? cmdStr(spec) : `${cmdStr(spec)}, uid:gid ${user.uid}:${user.gid}`;
}

/** Microseconds since the epoch, rounded, split as C's timeval. */
function timeval(epochMs: number): { sec: number; usec: number } {
  const us = Math.round(epochMs * 1000);
  const sec = Math.floor(us / 1_000_000);
  return { sec, usec: us - sec * 1_000_000 };
}

/** `%ld.%6.6ld`: epoch seconds and microseconds. */
export function epochSeconds(epochMs: number): string {
  const { sec, usec } = timeval(epochMs);
  return `${sec}.${String(usec).padStart(6, '0')}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const two = (n: number): string => String(n).padStart(2, '0');

/**
 * ctime_us_r(): `Mon Nov 23 11:37:42.228713 2026` in local time. `utcOffsetMinutes` is the local
 * zone's offset east of UTC at that instant (the I/O side reads it from the process's zone).
 */
export function ctimeUs(epochMs: number, utcOffsetMinutes: number): string {
  const { sec, usec } = timeval(epochMs);
  const t = new Date((sec + utcOffsetMinutes * 60) * 1000);
  const day = DAYS[t.getUTCDay()] ?? '???';
  const month = MONTHS[t.getUTCMonth()] ?? '???';
  const mday = String(t.getUTCDate()).padStart(3);
  const clock = `${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}`;
  return `${day} ${month}${mday} ${clock}.${String(usec).padStart(6, '0')} ${t.getUTCFullYear()}`;
}

/** C's `%g` (6 significant digits, trailing zeros dropped, exponent below 1e-4 or from 1e6). */
export function formatG(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const [mantissa = '0', e = '0'] = x.toExponential(5).split('e');
  const exp = Number(e);
  const trim = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= 6) return `${trim(mantissa)}e${exp < 0 ? '-' : '+'}${two(Math.abs(exp))}`;
  return trim(x.toFixed(5 - exp));
}

/** C's `%f`. */
export const formatF = (x: number): string => x.toFixed(6);

/** Whole seconds of a millisecond duration, as keepalived's `x / TIMER_HZ`. */
export const wholeSeconds = (ms: number): number => Math.floor(ms / 1000);

/** keepalived's format_decimal(val, TIMER_HZ_DIGITS): seconds with 6 decimals, exactly. */
export function decimalSeconds(ms: number): string {
  const us = Math.round(ms * 1000);
  return `${Math.floor(us / 1_000_000)}.${String(us % 1_000_000).padStart(6, '0')}`;
}

/**
 * format_ipaddress(): one virtual_ipaddress as keepalived shows it in the `.data` and `.json`
 * dumps. `dev` is the interface it goes on; `set` whether it is currently installed.
 */
export function formatIpAddress(a: IpAddressSpec, dev: string, set: boolean): string {
  const full = a.family === 'inet' ? 32 : 128;
  let s = a.prefixLength === full ? a.address : `${a.address}/${a.prefixLength}`;
  if (a.family === 'inet' && a.broadcast !== null) s += ` brd ${a.broadcast}`;
  s += ` dev ${dev}`;
  if (a.flags.includes('use_vmac')) s += ' use_vmac';
  s += ` scope ${a.scope}`;
  if (a.label !== null) s += ` label ${a.label}`;
  if (a.peer !== null) s += ` peer ${a.peer}/${a.prefixLength}`;
  if (a.flags.includes('home')) s += ' home';
  // Our `dad` flag is keepalived's `-nodad` keyword (do not suppress DAD).
  if (a.flags.includes('dad')) s += ' -nodad';
  if (a.flags.includes('mngtmpaddr')) s += ' mngtmpaddr';
  if (a.flags.includes('noprefixroute')) s += ' noprefixroute';
  if (a.flags.includes('autojoin')) s += ' autojoin';
  if (a.noTrack) s += ' no_track';
  if (a.family === 'inet6') {
    // keepalived's default when preferred_lft is not given: a /128 is deprecated (0).
    const lft = a.preferredLft ?? (a.prefixLength === 128 ? 0 : 'forever');
    s += lft === 0 ? ' deprecated' : ` preferred_lft ${lft}`;
  }
  if (set) s += ' set';
  return s;
}

/**
 * A JSON string as keepalived's json_writer writes it (`/` as `\/`), except that a backslash is
 * `\\` (2.2.7 writes `\n` for it, which loses the character) and other control characters are
 * `\u00XX` (2.2.7 writes them raw, which is not JSON).
 */
export function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    switch (ch) {
      case '\t':
        out += '\\t';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '"':
        out += '\\"';
        break;
      case '/':
        out += '\\/';
        break;
      default:
        out += ch < ' ' ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch;
    }
  }
  return `${out}"`;
}
