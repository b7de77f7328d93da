/**
 * keepalived's `virtual_routes`/`static_routes` and `virtual_rules`/`static_rules` lines, in
 * `ip route` and `ip rule` syntax (keepalived vrrp_iproute.c alloc_route(), vrrp_iprule.c
 * alloc_rule()), as the route or rule rtnetlink carries. Pure. The options keepalived-ts applies:
 *
 * - routes: `[TYPE] PREFIX|default [via ADDR] [src ADDR] [dev IF|oif IF] [table N|NAME]
 *   [metric|priority|preference N] [protocol N|NAME] [scope NAME|N] [tos N] [onlink]
 *   [no_track]`; TYPE is unicast (default), local, broadcast, anycast, multicast, throw,
 *   unreachable, prohibit or blackhole; the protocol defaults to keepalived's own (18);
 * - rules: `[not] [from PREFIX|all] [to PREFIX|all] [table|lookup N|NAME] [preference|priority|
 *   pref|prio|order N] [iif|dev IF] [oif IF] [fwmark N[/MASK]] [tos N]
 *   [blackhole|prohibit|unreachable] [no_track]`.
 * Anything else (multipath `nexthop`, encapsulations, route metrics like `mtu`) is returned as an
 * error naming it, which the daemon logs: that route or rule is not applied.
 */
import type { IpFamily } from '../lib/ip.js';
import { parseIp } from '../lib/ip.js';

const RT_TABLE = { unspec: 0, default: 253, main: 254, local: 255 } as const;
/** keepalived's rtm_protocol (RTPROT_KEEPALIVED). */
export const RTPROT_KEEPALIVED = 18;
const PROTOCOLS: Readonly<Record<string, number>> = {
  redirect: 1,
  kernel: 2,
  boot: 3,
  static: 4,
  ra: 9,
  keepalived: 18,
  babel: 42,
  bgp: 186,
  isis: 187,
  ospf: 188,
  rip: 189,
};
const SCOPES: Readonly<Record<string, number>> = {
  global: 0,
  universe: 0,
  site: 200,
  link: 253,
  host: 254,
  nowhere: 255,
};
const ROUTE_TYPES = {
  unicast: 1,
  local: 2,
  broadcast: 3,
  anycast: 4,
  multicast: 5,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
  throw: 9,
} as const;
export type RouteType = keyof typeof ROUTE_TYPES;
export const routeTypeNumber = (t: RouteType): number => ROUTE_TYPES[t];

export interface Prefix {
  readonly address: string;
  readonly length: number;
}

export interface RouteSyntax {
  readonly family: IpFamily;
  readonly type: RouteType;
  /** null: `default`. */
  readonly dst: Prefix | null;
  readonly via: string | null;
  /** Preferred source address (`src`). */
  readonly src: string | null;
  readonly dev: string | null;
  readonly table: number;
  readonly metric: number | null;
  readonly protocol: number;
  /** null: the kernel's choice for the type (keepalived sends universe). */
  readonly scope: number | null;
  readonly tos: number;
  readonly onlink: boolean;
}

export type RuleAction = 'table' | 'blackhole' | 'prohibit' | 'unreachable';

export interface RuleSyntax {
  readonly family: IpFamily;
  readonly from: Prefix | null;
  readonly to: Prefix | null;
  readonly action: RuleAction;
  readonly table: number;
  readonly priority: number | null;
  readonly iif: string | null;
  readonly oif: string | null;
  readonly fwmark: number | null;
  readonly fwmask: number | null;
  readonly tos: number;
  readonly invert: boolean;
}

type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };
const bad = <T>(error: string): Result<T> => ({ ok: false, error });

function prefix(text: string): Prefix | null {
  const [addr, len] = text.split('/');
  const ip = parseIp(addr ?? '');
  if (!ip) return null;
  const max = ip.family === 'inet' ? 32 : 128;
  const length = len === undefined ? max : /^\d+$/.test(len) ? Number(len) : NaN;
  if (!(length >= 0 && length <= max)) return null;
  return { address: ip.address, length };
}

const familyOf = (address: string): IpFamily | null => parseIp(address)?.family ?? null;

/** A table by number or by the names iproute2 knows without /etc/iproute2/rt_tables. */
function table(text: string | undefined): number | null {
  if (text === undefined) return null;
  if (text in RT_TABLE) return RT_TABLE[text as keyof typeof RT_TABLE];
  return /^\d+$/.test(text) && Number(text) <= 0xffffffff ? Number(text) : null;
}

const number = (text: string | undefined, max = 0xffffffff): number | null =>
  text !== undefined && /^(0x[0-9a-f]+|\d+)$/i.test(text) && Number(text) <= max ? Number(text) : null;

export function parseRoute(words: readonly string[], defaultFamily: IpFamily = 'inet'): Result<RouteSyntax> {
  let type: RouteType = 'unicast';
  let dst: Prefix | null | undefined;
  let family: IpFamily | null = null;
  let via: string | null = null;
  let src: string | null = null;
  let dev: string | null = null;
  let tbl: number = RT_TABLE.main;
  let metric: number | null = null;
  let protocol = RTPROT_KEEPALIVED;
  let scope: number | null = null;
  let tos = 0;
  let onlink = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const next = words[i + 1];
    if (w === 'no_track') continue;
    if (w === 'onlink') onlink = true;
    else if (w === 'via' || w === 'gw') {
      const ip = parseIp(next ?? '');
      if (!ip) return bad(`invalid gateway ${next ?? ''}`);
      via = ip.address;
      family ??= ip.family;
      i++;
    } else if (w === 'src') {
      const ip = parseIp(next ?? '');
      if (!ip) return bad(`invalid src ${next ?? ''}`);
      src = ip.address;
      i++;
    } else if (w === 'dev' || w === 'oif') {
      if (next === undefined) return bad(`${w} needs an interface`);
      dev = next;
      i++;
    } else if (w === 'table') {
      const t = table(next);
      if (t === null) return bad(`unknown table ${next ?? ''}`);
      tbl = t;
      i++;
    } else if (w === 'metric' || w === 'priority' || w === 'preference') {
      const m = number(next);
      if (m === null) return bad(`invalid metric ${next ?? ''}`);
      metric = m;
      i++;
    } else if (w === 'protocol' || w === 'proto') {
      const p = next !== undefined ? (PROTOCOLS[next] ?? number(next, 255)) : null;
      if (p === null) return bad(`unknown protocol ${next ?? ''}`);
      protocol = p;
      i++;
    } else if (w === 'scope') {
      const s = next !== undefined ? (SCOPES[next] ?? number(next, 255)) : null;
      if (s === null) return bad(`unknown scope ${next ?? ''}`);
      scope = s;
      i++;
    } else if (w === 'tos' || w === 'dsfield') {
      const t = number(next, 255);
      if (t === null) return bad(`invalid tos ${next ?? ''}`);
      tos = t;
      i++;
    } else if (w in ROUTE_TYPES && dst === undefined) type = w as RouteType;
    else if (dst === undefined && (w === 'default' || w === 'all' || w === 'any')) dst = null;
    else if (dst === undefined) {
      const p = prefix(w);
      if (!p) return bad(`invalid destination ${w}`);
      dst = p;
      family ??= familyOf(p.address);
    } else return bad(`'${w}' is not supported in routes`);
  }
  if (dst === undefined) return bad('no destination');
  const fam = family ?? defaultFamily;
  if ((dst && familyOf(dst.address) !== fam) || (via && familyOf(via) !== fam))
    return bad('the gateway and the destination are of different families');
  if (src && familyOf(src) !== fam) return bad(`src ${src} is not an ${fam} address`);
  return {
    ok: true,
    value: { family: fam, type, dst, via, src, dev, table: tbl, metric, protocol, scope, tos, onlink },
  };
}

export function parseRule(words: readonly string[], defaultFamily: IpFamily = 'inet'): Result<RuleSyntax> {
  let family: IpFamily | null = null;
  let from: Prefix | null = null;
  let to: Prefix | null = null;
  let action: RuleAction = 'table';
  let tbl: number | null = null;
  let priority: number | null = null;
  let iif: string | null = null;
  let oif: string | null = null;
  let fwmark: number | null = null;
  let fwmask: number | null = null;
  let tos = 0;
  let invert = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const next = words[i + 1];
    if (w === 'no_track') continue;
    if (w === 'not') invert = true;
    else if (w === 'from' || w === 'to') {
      let p: Prefix | null = null;
      if (next !== 'all' && next !== 'any' && next !== 'default') {
        p = prefix(next ?? '');
        if (!p) return bad(`invalid ${w} address ${next ?? ''}`);
        family ??= familyOf(p.address);
      }
      if (w === 'from') from = p;
      else to = p;
      i++;
    } else if (w === 'table' || w === 'lookup') {
      tbl = table(next);
      if (tbl === null) return bad(`unknown table ${next ?? ''}`);
      i++;
    } else if (w === 'preference' || w === 'priority' || w === 'pref' || w === 'prio' || w === 'order') {
      priority = number(next);
      if (priority === null) return bad(`invalid preference ${next ?? ''}`);
      i++;
    } else if (w === 'iif' || w === 'dev') {
      if (next === undefined) return bad(`${w} needs an interface`);
      iif = next;
      i++;
    } else if (w === 'oif') {
      if (next === undefined) return bad('oif needs an interface');
      oif = next;
      i++;
    } else if (w === 'fwmark') {
      const [mark, mask] = (next ?? '').split('/');
      fwmark = number(mark);
      fwmask = mask === undefined ? null : number(mask);
      if (fwmark === null || (mask !== undefined && fwmask === null))
        return bad(`invalid fwmark ${next ?? ''}`);
      i++;
    } else if (w === 'tos' || w === 'dsfield') {
      const t = number(next, 255);
      if (t === null) return bad(`invalid tos ${next ?? ''}`);
      tos = t;
      i++;
    } else if (w === 'blackhole' || w === 'prohibit' || w === 'unreachable') action = w;
    else if (w === 'type') {
      if (next !== 'blackhole' && next !== 'prohibit' && next !== 'unreachable')
        return bad(`rule type ${next ?? ''} is not supported`);
      action = next;
      i++;
    } else return bad(`'${w}' is not supported in rules`);
  }
  if (action === 'table' && tbl === null) tbl = RT_TABLE.main;
  return {
    ok: true,
    value: {
      family: family ?? defaultFamily,
      from,
      to,
      action,
      table: tbl ?? RT_TABLE.unspec,
      priority,
      iif,
      oif,
      fwmark,
      fwmask,
      tos,
      invert,
    },
  };
}
