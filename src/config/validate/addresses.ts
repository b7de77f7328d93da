/**
 * Address, route and rule lines (keepalived vrrp/vrrp_ipaddress.c
 * parse_ipaddress(), vrrp_ip_rule_route_parser.c).
 */
import type { Statement } from '../ast.js';
import type { IpAddressSpec, RouteRuleSpec } from '../model.js';
import type { Ctx } from './context.js';
import { parseIp, parseIpPrefix } from '../../lib/ip.js';
import { readUnsigned } from './values.js';

const SCOPES = ['global', 'site', 'link', 'host', 'nowhere'] as const;

/** One `virtual_ipaddress` line; undefined (after reporting) when keepalived skips it. */
export function parseIpAddressLine(
  ctx: Ctx,
  line: Statement,
  allowTrackGroup = false,
): IpAddressSpec | undefined {
  const words = line.words;
  const first = words[0] as { text: string };
  const parsed = parseIpPrefix(first.text);
  if (!parsed || parsed.prefix === 'bad') {
    ctx.report('GENERAL_ERROR', line, `VRRP parsed invalid IP ${first.text}. skipping IP...`);
    return undefined;
  }
  const { ip } = parsed;
  const spec = {
    family: ip.family,
    address: ip.address,
    prefixLength: parsed.prefix ?? (ip.family === 'inet' ? 32 : 128),
    broadcast: null as string | null,
    dev: null as string | null,
    scope: 'global' as IpAddressSpec['scope'],
    label: null as string | null,
    peer: null as string | null,
    noTrack: false,
    flags: [] as IpAddressSpec['flags'][number][],
    preferredLft: null as IpAddressSpec['preferredLft'],
    text: words.map((w) => w.text).join(' '),
  };
  for (let i = 1; i < words.length; i++) {
    const opt = (words[i] as { text: string }).text;
    const needsValue = ['brd', 'broadcast', 'dev', 'scope', 'label', 'peer', 'preferred_lft', 'track_group'];
    if (needsValue.includes(opt)) {
      const v = ctx.arg(line, i + 1);
      if (!v) return undefined;
      i++;
      switch (opt) {
        case 'brd':
        case 'broadcast':
          if (v.text === '+' || v.text === '-') spec.broadcast = v.text;
          else if (parseIp(v.text)?.family === 'inet')
            spec.broadcast = (parseIp(v.text) as { address: string }).address;
          else
            ctx.report(
              'GENERAL_ERROR',
              v,
              `VRRP is trying to assign invalid broadcast ${v.text}. skipping VIP...`,
            );
          break;
        case 'dev':
          spec.dev = v.text;
          if (ctx.host.interfaceExists(v.text) === false) {
            ctx.report(
              'WARNING',
              v,
              `WARNING - interface ${v.text} for ip address ${first.text} doesn't exist`,
            );
          }
          break;
        case 'scope':
          if ((SCOPES as readonly string[]).includes(v.text)) spec.scope = v.text as IpAddressSpec['scope'];
          else
            ctx.report(
              'GENERAL_ERROR',
              v,
              `Invalid scope '${v.text}' specified for ${first.text} - setting to global`,
            );
          break;
        case 'label':
          spec.label = v.text;
          if (v.text.length > 15) {
            ctx.report(
              'GENERAL_ERROR',
              v,
              `Label '${v.text}' is longer than 15 characters - ignoring address ${first.text}`,
            );
            return undefined;
          }
          break;
        case 'peer': {
          const p = parseIpPrefix(v.text);
          if (!p || p.ip.family !== ip.family) {
            ctx.report(
              'GENERAL_ERROR',
              v,
              `Peer address ${v.text} invalid or family mismatch for ${first.text}`,
            );
          } else spec.peer = p.ip.address;
          break;
        }
        case 'preferred_lft':
          if (v.text === 'forever') spec.preferredLft = 'forever';
          else {
            const n = readUnsigned(ctx, v, 0, 0xffffffff);
            if (n !== undefined) spec.preferredLft = n;
          }
          break;
        case 'track_group':
          if (!allowTrackGroup)
            ctx.report('GENERAL_ERROR', v, 'track_group is only valid for static addresses');
          break;
      }
    } else if (opt === 'no_track') {
      spec.noTrack = true;
    } else if (
      opt === 'home' ||
      opt === 'mngtmpaddr' ||
      opt === 'noprefixroute' ||
      opt === 'autojoin' ||
      opt === 'use_vmac'
    ) {
      spec.flags.push(opt);
    } else if (opt === '-nodad') {
      spec.flags.push('dad');
    } else {
      ctx.report(
        'GENERAL_ERROR',
        words[i] ?? line,
        `Unknown configuration entry '${opt}' for ip address - ignoring`,
      );
    }
  }
  // keepalived: an IPv6 /128 defaults to preferred_lft 0 (a deprecated address, not a source).
  if (spec.family === 'inet6' && spec.prefixLength === 128 && spec.preferredLft === null)
    spec.preferredLft = 0;
  return spec;
}

/** Every option word keepalived 2.2.7's alloc_route() knows (never a destination). */
const ROUTE_KEYWORDS = new Set(
  (
    'inet6 inet src as via gw from tos table protocol scope metric priority preference dev oif onlink ' +
    'encap expires mtu hoplimit advmss rtt rttvar reordering window cwnd ssthresh realms rto_min ' +
    'initcwnd initrwnd features quickack congctl pref fastopen_no_cookie nexthop or no_track ' +
    'track_group vrf'
  ).split(' '),
);

const ROUTE_TYPES = [
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'throw',
  'unreachable',
  'prohibit',
  'blackhole',
  'nat',
];

/**
 * A `static_routes`/`virtual_routes` line (`ip route` syntax), kept as words. keepalived tracks a
 * virtual route through its interface: one without `dev` cannot be tracked.
 */
export function parseRouteLine(ctx: Ctx, line: Statement, tracked: boolean): RouteRuleSpec | undefined {
  const words = line.words.map((w) => w.text);
  let dev: string | null = null;
  let table: string | null = null;
  let noTrack = false;
  let dest: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === 'src' || w === 'from' || w === 'via' || w === 'metric' || w === 'proto' || w === 'scope') i++;
    else if (w === 'dev' || w === 'oif') dev = words[++i] ?? null;
    else if (w === 'table') table = words[++i] ?? null;
    else if (w === 'no_track') noTrack = true;
    else if (w === 'or' || w === 'gw') {
      const instead = w === 'or' ? 'nexthop' : 'via';
      ctx.report(
        'DEPRECATED',
        line.words[i] ?? line,
        `"${w}" for routes is deprecated. Please use "${instead}"`,
      );
      i++;
    } else if (dest === undefined && !ROUTE_TYPES.includes(w)) {
      dest = w === 'to' ? (words[++i] ?? '') : w;
      // keepalived parse_route(): default/any/all, or an address with an optional prefix; anything
      // else drops the route.
      const special = dest === 'default' || dest === 'any' || dest === 'all' || dest === 'default6';
      const addr = special ? undefined : parseIpPrefix(dest);
      // Only where the line starts (after a type or `to`): elsewhere our reading of the options
      // before it is not keepalived's full one.
      const leading = line.words.slice(0, i).every((x) => ROUTE_TYPES.includes(x.text) || x.text === 'to');
      if (leading && !ROUTE_KEYWORDS.has(dest) && !special && (!addr || addr.prefix === 'bad')) {
        const at = line.words[i] ?? line;
        ctx.report('GENERAL_ERROR', at, `VRRP parsed invalid IP ${dest}. skipping IP...`);
        ctx.report('GENERAL_ERROR', at, `unknown route keyword ${dest}`);
        return undefined;
      }
    }
  }
  if (tracked && dev === null && !noTrack) {
    ctx.report(
      'WARNING',
      line,
      `Warning - cannot track route ${dest ?? words.join(' ')} with no interface specified, not tracking`,
    );
  }
  return { words, dev, table, noTrack };
}

/**
 * A `static_rules`/`virtual_rules` line (`ip rule` syntax). keepalived numbers rules without a
 * `preference` downwards from 16384 across the whole config, with a warning.
 */
export function parseRuleLine(
  ctx: Ctx,
  line: Statement,
  nextPreference: () => number,
): RouteRuleSpec | undefined {
  const words = line.words.map((w) => w.text);
  let table: string | null = null;
  let dev: string | null = null;
  let hasPreference = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === 'from' || w === 'to') {
      const addr = words[i + 1];
      if (addr === undefined) {
        ctx.arg(line, i + 1);
        return undefined;
      }
      if (addr !== 'all' && !parseIpPrefix(addr)) {
        const at = line.words[i + 1] ?? line;
        ctx.report('GENERAL_ERROR', at, `VRRP parsed invalid IP ${addr}. skipping IP...`);
        ctx.report('GENERAL_ERROR', at, `Invalid rule ${w} address ${addr}`);
        return undefined;
      }
      i++;
    } else if (w === 'table' || w === 'lookup') table = words[++i] ?? null;
    else if (w === 'iif' || w === 'dev' || w === 'oif') dev = words[++i] ?? null;
    else if (w === 'preference' || w === 'priority' || w === 'pref' || w === 'prio') {
      hasPreference = true;
      i++;
    }
  }
  if (!hasPreference) {
    ctx.report(
      'WARNING',
      line,
      `Rule has no preference specified - setting to ${nextPreference()}. This is probably not what you want.`,
    );
  }
  return { words, dev, table, noTrack: words.includes('no_track') };
}
