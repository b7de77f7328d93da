/**
 * Routes and rules as rtnetlink bytes, pure (linux/rtnetlink.h struct rtmsg, RTA_*;
 * linux/fib_rules.h struct fib_rule_hdr, FRA_*), with keepalived 2.2.7's choices
 * (vrrp_iproute.c netlink_route(), vrrp_iprule.c netlink_rule()): its own rtm_protocol
 * (RTPROT_KEEPALIVED, 18) unless the line names one; scope universe unless given; a table above 255
 * in RTA_TABLE/FRA_TABLE with the header's table RT_TABLE_UNSPEC; deletes with scope nowhere.
 */
import type { Prefix, RouteSyntax, RuleSyntax } from '../config/route-syntax.js';
import { routeTypeNumber } from '../config/route-syntax.js';
import { parseIp } from '../lib/ip.js';
import { AF, encodeAttr, encodeAttrString, encodeAttrU32, encodeMessage, NLM_F, RTM } from './netlink.js';

const RTA = { DST: 1, SRC: 2, OIF: 4, GATEWAY: 5, PRIORITY: 6, PREFSRC: 7, TABLE: 15 } as const;
const FRA = {
  DST: 1,
  SRC: 2,
  IIFNAME: 3,
  PRIORITY: 6,
  FWMARK: 10,
  TABLE: 15,
  FWMASK: 16,
  OIFNAME: 17,
} as const;
const FR_ACT = { table: 1, blackhole: 6, unreachable: 7, prohibit: 8 } as const;
const FIB_RULE_INVERT = 2;
const RTNH_F_ONLINK = 4;
const RT_SCOPE_UNIVERSE = 0;
const RT_SCOPE_NOWHERE = 255;

/** A route to program: its line, with the interface resolved to an index. */
export interface RouteSpec extends RouteSyntax {
  readonly oif: number | null;
}

const af = (f: 'inet' | 'inet6'): number => (f === 'inet' ? AF.INET : AF.INET6);
const bytes = (address: string): Uint8Array => parseIp(address)?.bytes ?? new Uint8Array(0);
const prefixAttr = (type: number, p: Prefix): Buffer => encodeAttr(type, bytes(p.address));

/** RTM_NEWROUTE (NLM_F_CREATE) or RTM_DELROUTE, acknowledged. */
export function encodeRoute(op: 'add' | 'del', r: RouteSpec, seq: number): Buffer {
  const add = op === 'add';
  const hdr = Buffer.alloc(12);
  hdr.writeUInt8(af(r.family), 0);
  hdr.writeUInt8(r.dst?.length ?? 0, 1);
  hdr.writeUInt8(0, 2);
  hdr.writeUInt8(r.tos, 3);
  hdr.writeUInt8(r.table < 256 ? r.table : 0, 4);
  hdr.writeUInt8(r.protocol, 5);
  hdr.writeUInt8(r.scope ?? (add ? RT_SCOPE_UNIVERSE : RT_SCOPE_NOWHERE), 6);
  hdr.writeUInt8(routeTypeNumber(r.type), 7);
  hdr.writeUInt32LE(r.onlink ? RTNH_F_ONLINK : 0, 8);
  const attrs: Buffer[] = [];
  if (r.table >= 256) attrs.push(encodeAttrU32(RTA.TABLE, r.table));
  if (r.dst) attrs.push(prefixAttr(RTA.DST, r.dst));
  if (r.src) attrs.push(encodeAttr(RTA.PREFSRC, bytes(r.src)));
  if (r.via) attrs.push(encodeAttr(RTA.GATEWAY, bytes(r.via)));
  if (r.oif !== null) attrs.push(encodeAttrU32(RTA.OIF, r.oif));
  if (r.metric !== null) attrs.push(encodeAttrU32(RTA.PRIORITY, r.metric));
  const flags = add ? NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE : NLM_F.REQUEST | NLM_F.ACK;
  return encodeMessage({ type: add ? RTM.NEWROUTE : RTM.DELROUTE, flags, seq }, [hdr, ...attrs]);
}

/** RTM_NEWRULE (NLM_F_CREATE|NLM_F_EXCL) or RTM_DELRULE, acknowledged. */
export function encodeRule(op: 'add' | 'del', r: RuleSyntax, seq: number): Buffer {
  const add = op === 'add';
  const hdr = Buffer.alloc(12);
  hdr.writeUInt8(af(r.family), 0);
  hdr.writeUInt8(r.to?.length ?? 0, 1);
  hdr.writeUInt8(r.from?.length ?? 0, 2);
  hdr.writeUInt8(r.tos, 3);
  hdr.writeUInt8(r.action === 'table' && r.table < 256 ? r.table : 0, 4);
  hdr.writeUInt8(FR_ACT[r.action], 7);
  hdr.writeUInt32LE(r.invert ? FIB_RULE_INVERT : 0, 8);
  const attrs: Buffer[] = [];
  if (r.action === 'table' && r.table >= 256) attrs.push(encodeAttrU32(FRA.TABLE, r.table));
  if (r.from) attrs.push(prefixAttr(FRA.SRC, r.from));
  if (r.to) attrs.push(prefixAttr(FRA.DST, r.to));
  if (r.priority !== null) attrs.push(encodeAttrU32(FRA.PRIORITY, r.priority));
  if (r.fwmark !== null) attrs.push(encodeAttrU32(FRA.FWMARK, r.fwmark));
  if (r.fwmask !== null) attrs.push(encodeAttrU32(FRA.FWMASK, r.fwmask));
  if (r.iif !== null) attrs.push(encodeAttrString(FRA.IIFNAME, r.iif));
  if (r.oif !== null) attrs.push(encodeAttrString(FRA.OIFNAME, r.oif));
  const flags = add ? NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE | NLM_F.EXCL : NLM_F.REQUEST | NLM_F.ACK;
  return encodeMessage({ type: add ? RTM.NEWRULE : RTM.DELRULE, flags, seq }, [hdr, ...attrs]);
}
