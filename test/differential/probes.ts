/**
 * The values the differential harness tries for a keyword, from the syntax keepalived 2.2.7's
 * handler reads (catalogue.ts): valid ones, the boundaries, one past them, the wrong type, the
 * value missing, and for addresses and users the variants real configs get wrong (a prefix on a
 * peer address, a user or group that does not exist). Pure.
 */
import type { ValueSpec } from './catalogue.js';

export interface Probe {
  /** Short label for the agreement table: `min-1`, `max`, `missing`, `prefix`... */
  readonly label: string;
  /** The words after the keyword ('' = the keyword alone). */
  readonly words: string;
}

const p = (label: string, words: string): Probe => ({ label, words });

/** A non-negative decimal string moved by one unit of its last place (`places` decimals). */
function stepDecimal(value: string, places: number, delta: 1 | -1): string {
  const scale = 10n ** BigInt(places);
  const [whole = '0', frac = ''] = value.split('.');
  const units = BigInt(whole) * scale + BigInt((frac + '0'.repeat(places)).slice(0, places) || '0');
  const next = units + BigInt(delta);
  const abs = next < 0n ? -next : next;
  const f = (abs % scale).toString().padStart(places, '0').replace(/0+$/, '');
  return `${next < 0n ? '-' : ''}${abs / scale}${f ? `.${f}` : ''}`;
}

export function probesFor(spec: ValueSpec, valid: string): Probe[] {
  switch (spec.kind) {
    case 'none':
      return [p('alone', ''), p('extra word', 'extra')];
    case 'bool':
      return [
        p('alone', ''),
        p('on', 'on'),
        p('off', 'off'),
        p('yes', 'yes'),
        p('false', 'false'),
        p('not a bool', 'maybe'),
        p('upper case', 'ON'),
      ];
    case 'int': {
      const out = [
        p('min', String(spec.min)),
        p('max', String(spec.max)),
        p('min-1', (BigInt(spec.min) - 1n).toString()),
        p('max+1', (BigInt(spec.max) + 1n).toString()),
        p('decimal', '1.5'),
        p('not a number', 'abc'),
        p('missing', ''),
      ];
      if (spec.min > 0) out.push(p('zero', '0'));
      if (spec.min >= 0) out.push(p('negative', '-1'));
      return dedupe(out);
    }
    case 'decimal': {
      const places = spec.places;
      return dedupe([
        p('min', spec.min),
        p('max', spec.max),
        p('min-1', belowMin(spec.min, places)),
        p('max+1', stepDecimal(spec.max, places, 1)),
        p('zero', '0'),
        p('negative', '-1'),
        p('fraction', '1.5'),
        p('too many places', `1.${'1'.repeat(places + 1)}`),
        p('not a number', 'abc'),
        p('missing', ''),
      ]);
    }
    case 'enum':
      return dedupe([
        ...spec.values.map((v) => p(`'${v}'`, v)),
        p('other case', swapCase(spec.values[0] ?? 'x')),
        p('unknown', 'bogus'),
        p('missing', ''),
      ]);
    case 'ip':
      return [
        p('IPv4', spec.family === 6 ? '2001:db8::50' : '192.0.2.50'),
        p('IPv4/prefix', '192.0.2.50/24'),
        p('IPv6', '2001:db8::50'),
        p('IPv6/prefix', '2001:db8::50/64'),
        p('bad address', '192.0.2.300'),
        p('host name', 'host.example'),
        p('missing', ''),
      ];
    case 'ifname':
      return [p('eth1', 'eth1'), p('lo', 'lo'), p('absent', 'nosuch9'), p('missing', '')];
    case 'user':
      return [
        p('user', 'nobody'),
        p('user group', 'nobody nogroup'),
        p('root', 'root'),
        p('no such user', 'nosuchuser'),
        p('no such group', 'nobody nosuchgroup'),
        p('missing', ''),
      ];
    case 'script':
      return [
        p('command', '/bin/true'),
        p('quoted with args', '"/bin/true arg"'),
        p('absent command', '/nonexistent/script.sh'),
        p('as user', '/bin/true nobody'),
        p('no such user', '/bin/true nosuchuser'),
        p('no such group', '/bin/true nobody nosuchgroup'),
        p('missing', ''),
      ];
    case 'string':
      return [p('word', 'foo'), p('quoted', '"two words"'), p('missing', '')];
    case 'path':
      return [p('absent file', '/nonexistent/kts-diff'), p('existing', '/dev/null'), p('missing', '')];
    case 'words':
      return dedupe([p('valid', valid), p('unknown', 'bogus'), p('missing', '')]);
    case 'block':
      return [];
    case 'values':
      return [];
  }
}

/** Just below a decimal minimum: -1 below zero, else one unit of the last place less. */
function belowMin(min: string, places: number): string {
  if (min.startsWith('-')) return `${min}1`;
  if (/^0(\.0*)?$/.test(min)) return '-1';
  return stepDecimal(min, places, -1);
}

function swapCase(s: string): string {
  const up = s.toUpperCase();
  return up === s ? s.toLowerCase() : up;
}

function dedupe(probes: Probe[]): Probe[] {
  const seen = new Set<string>();
  return probes.filter((x) => (seen.has(x.words) ? false : (seen.add(x.words), true)));
}
