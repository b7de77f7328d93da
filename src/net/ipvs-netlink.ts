/**
 * IPVS's generic netlink family as bytes, pure (linux/ip_vs.h, net/netfilter/ipvs/ip_vs_ctl.c's
 * ip_vs_genl_* handlers; the messages ipvsadm's and keepalived's libipvs send). A message is a
 * nlmsghdr whose type is the family id the kernel assigned to "IPVS" (resolved with the generic
 * netlink controller, CTRL_CMD_GETFAMILY), a genlmsghdr (cmd, version 1), and attributes:
 * IPVS_CMD_ATTR_SERVICE / _DEST / _DAEMON nested, or the timeouts.
 *
 * Wire details the kernel insists on: addresses are 16 bytes (union nf_inet_addr; IPv4 in the
 * first four), ports are big-endian u16, an IPv4 persistence netmask is the mask's bytes in
 * network order while an IPv6 one is the prefix length, and a new service or destination carries
 * every field (sched name, flags, timeout, netmask; forward method, weight, thresholds). Decoders
 * never throw.
 */
import type { IpFamily } from '../lib/ip.js';
import { formatIp, parseIp } from '../lib/ip.js';
import {
  AF,
  encodeAttr,
  encodeAttrNested,
  encodeAttrString,
  encodeAttrU32,
  encodeMessage,
  findAttr,
  NLM_F,
  parseAttrs,
  attrString,
  type NlAttribute,
  type NlMessage,
} from './netlink.js';

/** The generic netlink controller (linux/genetlink.h). */
export const GENL = {
  ID_CTRL: 0x10,
  CTRL_CMD_GETFAMILY: 3,
  CTRL_ATTR_FAMILY_ID: 1,
  CTRL_ATTR_FAMILY_NAME: 2,
  HDRLEN: 4,
} as const;

export const IPVS_GENL_NAME = 'IPVS';
const IPVS_GENL_VERSION = 1;

export const IPVS_CMD = {
  NEW_SERVICE: 1,
  SET_SERVICE: 2,
  DEL_SERVICE: 3,
  GET_SERVICE: 4,
  NEW_DEST: 5,
  SET_DEST: 6,
  DEL_DEST: 7,
  GET_DEST: 8,
  NEW_DAEMON: 9,
  DEL_DAEMON: 10,
  GET_DAEMON: 11,
  SET_CONFIG: 12,
  GET_CONFIG: 13,
  GET_INFO: 15,
  ZERO: 16,
  FLUSH: 17,
} as const;

export const IPVS_CMD_ATTR = {
  SERVICE: 1,
  DEST: 2,
  DAEMON: 3,
  TIMEOUT_TCP: 4,
  TIMEOUT_TCP_FIN: 5,
  TIMEOUT_UDP: 6,
} as const;

export const IPVS_SVC_ATTR = {
  AF: 1,
  PROTOCOL: 2,
  ADDR: 3,
  PORT: 4,
  FWMARK: 5,
  SCHED_NAME: 6,
  FLAGS: 7,
  TIMEOUT: 8,
  NETMASK: 9,
  STATS: 10,
  PE_NAME: 11,
  STATS64: 12,
} as const;

export const IPVS_DEST_ATTR = {
  ADDR: 1,
  PORT: 2,
  FWD_METHOD: 3,
  WEIGHT: 4,
  U_THRESH: 5,
  L_THRESH: 6,
  ACTIVE_CONNS: 7,
  INACT_CONNS: 8,
  PERSIST_CONNS: 9,
  STATS: 10,
  ADDR_FAMILY: 11,
  STATS64: 12,
  TUN_TYPE: 13,
  TUN_PORT: 14,
  TUN_FLAGS: 15,
} as const;

export const IPVS_DAEMON_ATTR = {
  STATE: 1,
  MCAST_IFN: 2,
  SYNC_ID: 3,
  SYNC_MAXLEN: 4,
  MCAST_GROUP: 5,
  MCAST_GROUP6: 6,
  MCAST_PORT: 7,
  MCAST_TTL: 8,
} as const;

export const IPVS_STATS_ATTR = {
  CONNS: 1,
  INPKTS: 2,
  OUTPKTS: 3,
  INBYTES: 4,
  OUTBYTES: 5,
  CPS: 6,
  INPPS: 7,
  OUTPPS: 8,
  INBPS: 9,
  OUTBPS: 10,
} as const;

export const IPVS_INFO_ATTR = { VERSION: 1, CONN_TAB_SIZE: 2 } as const;

/** Service flags (IP_VS_SVC_F_*). */
export const IP_VS_SVC_F = {
  PERSISTENT: 0x1,
  HASHED: 0x2,
  ONEPACKET: 0x4,
  SCHED1: 0x8,
  SCHED2: 0x10,
  SCHED3: 0x20,
} as const;

/** Forwarding methods (IP_VS_CONN_F_*). */
const IP_VS_CONN_F = { MASQ: 0, LOCALNODE: 1, TUNNEL: 2, DROUTE: 3 } as const;

/** Sync daemon states (IP_VS_STATE_*). */
const IP_VS_STATE = { MASTER: 1, BACKUP: 2 } as const;

/** Tunnel types and flags (IP_VS_CONN_F_TUNNEL_TYPE_*, IP_VS_TUNNEL_ENCAP_FLAG_*). */
const TUN_TYPE = { ipip: 0, gue: 1, gre: 2 } as const;
const TUN_FLAG = { nocsum: 0, csum: 1, remcsum: 2 } as const;

const IPPROTO = { TCP: 6, UDP: 17, SCTP: 132 } as const;
export type IpvsProtocol = keyof typeof IPPROTO;
export type IpvsForward = 'NAT' | 'DR' | 'TUN' | 'LOCAL';
const FORWARD: Record<IpvsForward, number> = {
  NAT: IP_VS_CONN_F.MASQ,
  DR: IP_VS_CONN_F.DROUTE,
  TUN: IP_VS_CONN_F.TUNNEL,
  LOCAL: IP_VS_CONN_F.LOCALNODE,
};

/** What identifies a virtual service: an address, protocol and port, or a firewall mark. */
export type IpvsServiceKey =
  | {
      readonly kind: 'address';
      readonly family: IpFamily;
      readonly protocol: IpvsProtocol;
      readonly address: string;
      readonly port: number;
    }
  | { readonly kind: 'fwmark'; readonly family: IpFamily; readonly fwmark: number };

export interface IpvsService {
  readonly key: IpvsServiceKey;
  readonly scheduler: string;
  /** IP_VS_SVC_F_* bits. */
  readonly flags: number;
  /** Persistence timeout in seconds; 0 without persistence. */
  readonly timeout: number;
  /** Persistence granularity as a prefix length (32 or 128: per client address). */
  readonly prefix: number;
  /** Persistence engine (`sip`), or null. */
  readonly pe: string | null;
}

export interface IpvsDest {
  readonly address: string;
  readonly port: number;
  readonly forward: IpvsForward;
  readonly weight: number;
  readonly uthreshold: number;
  readonly lthreshold: number;
  /** For TUN: the encapsulation (Linux 5.2+); null: IPIP, sent without the attributes. */
  readonly tunnel: {
    readonly type: keyof typeof TUN_TYPE;
    readonly port: number;
    readonly flags: keyof typeof TUN_FLAG;
  } | null;
}

export interface IpvsStats {
  readonly conns: number;
  readonly inPkts: number;
  readonly outPkts: number;
  readonly inBytes: number;
  readonly outBytes: number;
  readonly cps: number;
  readonly inPps: number;
  readonly outPps: number;
  readonly inBps: number;
  readonly outBps: number;
}

export interface IpvsServiceEntry extends IpvsService {
  readonly stats: IpvsStats;
}

export interface IpvsDestEntry extends IpvsDest {
  readonly family: IpFamily;
  readonly activeConns: number;
  readonly inactConns: number;
  readonly persistConns: number;
  readonly stats: IpvsStats;
}

export interface IpvsTimeouts {
  /** Seconds; 0 leaves the kernel's value as it is (ip_vs_set_timeout()). */
  readonly tcp: number;
  readonly tcpFin: number;
  readonly udp: number;
}

export interface IpvsDaemon {
  readonly state: 'master' | 'backup';
  readonly ifname: string;
  readonly syncId: number;
  /** 0: the kernel's default. */
  readonly maxlen: number;
  /** null: the kernel's default group (224.0.0.81 / ff02::81). */
  readonly group: string | null;
  /** 0: the kernel's default (8848). */
  readonly port: number;
  /** 0: the kernel's default (1). */
  readonly ttl: number;
}

const afOf = (f: IpFamily): number => (f === 'inet' ? AF.INET : AF.INET6);
const familyOf = (af: number): IpFamily | null =>
  af === AF.INET ? 'inet' : af === AF.INET6 ? 'inet6' : null;

function u16(type: number, v: number, bigEndian = false): Buffer {
  const b = Buffer.alloc(2);
  if (bigEndian) b.writeUInt16BE(v & 0xffff);
  else b.writeUInt16LE(v & 0xffff);
  return encodeAttr(type, b);
}

/** An address as union nf_inet_addr: 16 bytes, IPv4 in the first four. */
function addr16(type: number, text: string): Buffer {
  const p = parseIp(text);
  if (!p) throw new RangeError(`not an IP address: ${text}`);
  const b = Buffer.alloc(16);
  b.set(p.bytes, 0);
  return encodeAttr(type, b);
}

/** The generic netlink header and attributes, as one message. */
function genl(
  familyId: number,
  cmd: number,
  seq: number,
  flags: number,
  attrs: readonly Uint8Array[],
): Buffer {
  const hdr = Buffer.from([cmd, IPVS_GENL_VERSION, 0, 0]);
  return encodeMessage({ type: familyId, flags, seq }, [hdr, ...attrs]);
}

const CHANGE = NLM_F.REQUEST | NLM_F.ACK;
const DUMP = NLM_F.REQUEST | NLM_F.DUMP;

/** CTRL_CMD_GETFAMILY for `name` (the answer carries CTRL_ATTR_FAMILY_ID). */
export function encodeGetFamily(seq: number, name: string): Buffer {
  return encodeMessage({ type: GENL.ID_CTRL, flags: CHANGE, seq }, [
    Buffer.from([GENL.CTRL_CMD_GETFAMILY, 1, 0, 0]),
    encodeAttrString(GENL.CTRL_ATTR_FAMILY_NAME, name),
  ]);
}

/** The family id in a CTRL_CMD_NEWFAMILY answer, or null. */
export function decodeFamilyId(m: NlMessage): number | null {
  if (m.payload.length < GENL.HDRLEN) return null;
  const { attrs } = parseAttrs(m.payload.subarray(GENL.HDRLEN));
  const a = findAttr(attrs, GENL.CTRL_ATTR_FAMILY_ID);
  return a && a.data.length >= 2 ? a.data.readUInt16LE(0) : null;
}

function keyAttrs(key: IpvsServiceKey): Buffer[] {
  if (key.kind === 'fwmark')
    return [u16(IPVS_SVC_ATTR.AF, afOf(key.family)), encodeAttrU32(IPVS_SVC_ATTR.FWMARK, key.fwmark)];
  return [
    u16(IPVS_SVC_ATTR.AF, afOf(key.family)),
    u16(IPVS_SVC_ATTR.PROTOCOL, IPPROTO[key.protocol]),
    addr16(IPVS_SVC_ATTR.ADDR, key.address),
    u16(IPVS_SVC_ATTR.PORT, key.port, true),
  ];
}

/** IPv4: the mask's bytes in network order; IPv6: the prefix length (ip_vs_genl_parse_service()). */
function netmaskAttr(family: IpFamily, prefix: number): Buffer {
  const b = Buffer.alloc(4);
  if (family === 'inet') b.writeUInt32BE(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
  else b.writeUInt32LE(prefix);
  return encodeAttr(IPVS_SVC_ATTR.NETMASK, b);
}

function serviceAttrs(s: IpvsService): Buffer {
  const flags = Buffer.alloc(8);
  flags.writeUInt32LE(s.flags >>> 0, 0);
  flags.writeUInt32LE(0xffffffff, 4); // mask: every flag is set as given
  return encodeAttrNested(IPVS_CMD_ATTR.SERVICE, [
    ...keyAttrs(s.key),
    encodeAttrString(IPVS_SVC_ATTR.SCHED_NAME, s.scheduler),
    ...(s.pe ? [encodeAttrString(IPVS_SVC_ATTR.PE_NAME, s.pe)] : []),
    encodeAttr(IPVS_SVC_ATTR.FLAGS, flags),
    encodeAttrU32(IPVS_SVC_ATTR.TIMEOUT, s.timeout),
    netmaskAttr(s.key.family, s.prefix),
  ]);
}

const keyOnly = (key: IpvsServiceKey): Buffer => encodeAttrNested(IPVS_CMD_ATTR.SERVICE, keyAttrs(key));

/** IPVS_CMD_NEW_SERVICE or SET_SERVICE (edit in place: connections and destinations stay). */
export function encodeService(familyId: number, op: 'new' | 'set', seq: number, s: IpvsService): Buffer {
  return genl(familyId, op === 'new' ? IPVS_CMD.NEW_SERVICE : IPVS_CMD.SET_SERVICE, seq, CHANGE, [
    serviceAttrs(s),
  ]);
}

export function encodeDelService(familyId: number, seq: number, key: IpvsServiceKey): Buffer {
  return genl(familyId, IPVS_CMD.DEL_SERVICE, seq, CHANGE, [keyOnly(key)]);
}

function destAttrs(family: IpFamily, d: IpvsDest, full: boolean): Buffer {
  const destFamily = parseIp(d.address)?.family ?? family;
  const attrs = [addr16(IPVS_DEST_ATTR.ADDR, d.address), u16(IPVS_DEST_ATTR.PORT, d.port, true)];
  if (destFamily !== family) attrs.push(u16(IPVS_DEST_ATTR.ADDR_FAMILY, afOf(destFamily)));
  if (full) {
    attrs.push(
      encodeAttrU32(IPVS_DEST_ATTR.FWD_METHOD, FORWARD[d.forward]),
      encodeAttrU32(IPVS_DEST_ATTR.WEIGHT, d.weight),
      encodeAttrU32(IPVS_DEST_ATTR.U_THRESH, d.uthreshold),
      encodeAttrU32(IPVS_DEST_ATTR.L_THRESH, d.lthreshold),
    );
    if (d.forward === 'TUN' && d.tunnel) {
      attrs.push(encodeAttr(IPVS_DEST_ATTR.TUN_TYPE, Buffer.from([TUN_TYPE[d.tunnel.type]])));
      if (d.tunnel.type === 'gue') attrs.push(u16(IPVS_DEST_ATTR.TUN_PORT, d.tunnel.port, true));
      attrs.push(u16(IPVS_DEST_ATTR.TUN_FLAGS, TUN_FLAG[d.tunnel.flags]));
    }
  }
  return encodeAttrNested(IPVS_CMD_ATTR.DEST, attrs);
}

/** IPVS_CMD_NEW_DEST, SET_DEST (weight and thresholds changed) or DEL_DEST. */
export function encodeDest(
  familyId: number,
  op: 'new' | 'set' | 'del',
  seq: number,
  key: IpvsServiceKey,
  d: IpvsDest,
): Buffer {
  const cmd = op === 'new' ? IPVS_CMD.NEW_DEST : op === 'set' ? IPVS_CMD.SET_DEST : IPVS_CMD.DEL_DEST;
  return genl(familyId, cmd, seq, CHANGE, [keyOnly(key), destAttrs(key.family, d, op !== 'del')]);
}

export const encodeGetServices = (familyId: number, seq: number): Buffer =>
  genl(familyId, IPVS_CMD.GET_SERVICE, seq, DUMP, []);

export const encodeGetDests = (familyId: number, seq: number, key: IpvsServiceKey): Buffer =>
  genl(familyId, IPVS_CMD.GET_DEST, seq, DUMP, [keyOnly(key)]);

export const encodeFlush = (familyId: number, seq: number): Buffer =>
  genl(familyId, IPVS_CMD.FLUSH, seq, CHANGE, []);

export const encodeGetInfo = (familyId: number, seq: number): Buffer =>
  genl(familyId, IPVS_CMD.GET_INFO, seq, CHANGE, []);

/** IPVS_CMD_SET_CONFIG: the connection timeouts (0 leaves one unchanged). */
export function encodeSetTimeouts(familyId: number, seq: number, t: IpvsTimeouts): Buffer {
  return genl(familyId, IPVS_CMD.SET_CONFIG, seq, CHANGE, [
    encodeAttrU32(IPVS_CMD_ATTR.TIMEOUT_TCP, t.tcp),
    encodeAttrU32(IPVS_CMD_ATTR.TIMEOUT_TCP_FIN, t.tcpFin),
    encodeAttrU32(IPVS_CMD_ATTR.TIMEOUT_UDP, t.udp),
  ]);
}

export const encodeGetTimeouts = (familyId: number, seq: number): Buffer =>
  genl(familyId, IPVS_CMD.GET_CONFIG, seq, CHANGE, []);

/** IPVS_CMD_NEW_DAEMON (start the sync daemon in `state`) or DEL_DAEMON (stop it). */
export function encodeDaemon(familyId: number, op: 'new' | 'del', seq: number, d: IpvsDaemon): Buffer {
  const state = encodeAttrU32(
    IPVS_DAEMON_ATTR.STATE,
    d.state === 'master' ? IP_VS_STATE.MASTER : IP_VS_STATE.BACKUP,
  );
  if (op === 'del')
    return genl(familyId, IPVS_CMD.DEL_DAEMON, seq, CHANGE, [
      encodeAttrNested(IPVS_CMD_ATTR.DAEMON, [state]),
    ]);
  const attrs = [
    state,
    encodeAttrString(IPVS_DAEMON_ATTR.MCAST_IFN, d.ifname),
    encodeAttrU32(IPVS_DAEMON_ATTR.SYNC_ID, d.syncId),
  ];
  if (d.maxlen > 0) attrs.push(u16(IPVS_DAEMON_ATTR.SYNC_MAXLEN, d.maxlen));
  if (d.group) {
    const g = parseIp(d.group);
    if (!g) throw new RangeError(`not an IP address: ${d.group}`);
    attrs.push(
      encodeAttr(
        g.family === 'inet' ? IPVS_DAEMON_ATTR.MCAST_GROUP : IPVS_DAEMON_ATTR.MCAST_GROUP6,
        Buffer.from(g.bytes),
      ),
    );
  }
  // Host order: the kernel reads it with nla_get_u16() and applies htons() itself.
  if (d.port > 0) attrs.push(u16(IPVS_DAEMON_ATTR.MCAST_PORT, d.port));
  if (d.ttl > 0) attrs.push(encodeAttr(IPVS_DAEMON_ATTR.MCAST_TTL, Buffer.from([d.ttl])));
  return genl(familyId, IPVS_CMD.NEW_DAEMON, seq, CHANGE, [encodeAttrNested(IPVS_CMD_ATTR.DAEMON, attrs)]);
}

export const encodeGetDaemons = (familyId: number, seq: number): Buffer =>
  genl(familyId, IPVS_CMD.GET_DAEMON, seq, DUMP, []);

// ---------------------------------------------------------------------------------------------
// Decoding

/** The top-level attributes of an IPVS message (after the genlmsghdr). */
function topAttrs(m: NlMessage): NlAttribute[] {
  return m.payload.length < GENL.HDRLEN ? [] : parseAttrs(m.payload.subarray(GENL.HDRLEN)).attrs;
}

const nested = (attrs: readonly NlAttribute[], type: number): NlAttribute[] => {
  const a = findAttr(attrs, type);
  return a ? parseAttrs(a.data).attrs : [];
};

const u32 = (attrs: readonly NlAttribute[], type: number): number | undefined => {
  const a = findAttr(attrs, type);
  return a && a.data.length >= 4 ? a.data.readUInt32LE(0) : undefined;
};
const u16le = (attrs: readonly NlAttribute[], type: number): number | undefined => {
  const a = findAttr(attrs, type);
  return a && a.data.length >= 2 ? a.data.readUInt16LE(0) : undefined;
};
const u16be = (attrs: readonly NlAttribute[], type: number): number | undefined => {
  const a = findAttr(attrs, type);
  return a && a.data.length >= 2 ? a.data.readUInt16BE(0) : undefined;
};

function addrOf(attrs: readonly NlAttribute[], type: number, family: IpFamily): string | null {
  const a = findAttr(attrs, type);
  if (!a || a.data.length < 16) return null;
  return formatIp(a.data.subarray(0, family === 'inet' ? 4 : 16));
}

const ZERO_STATS: IpvsStats = {
  conns: 0,
  inPkts: 0,
  outPkts: 0,
  inBytes: 0,
  outBytes: 0,
  cps: 0,
  inPps: 0,
  outPps: 0,
  inBps: 0,
  outBps: 0,
};

/** STATS64 (every counter u64) when the kernel sends it, else STATS (u32 but the byte counters). */
function statsOf(attrs: readonly NlAttribute[], stats: number, stats64: number): IpvsStats {
  const s64 = nested(attrs, stats64);
  const s = s64.length > 0 ? s64 : nested(attrs, stats);
  if (s.length === 0) return ZERO_STATS;
  const read = (type: number, wide: boolean): number => {
    const a = findAttr(s, type);
    if (!a) return 0;
    if ((wide || s64.length > 0) && a.data.length >= 8) return Number(a.data.readBigUInt64LE(0));
    return a.data.length >= 4 ? a.data.readUInt32LE(0) : 0;
  };
  const T = IPVS_STATS_ATTR;
  return {
    conns: read(T.CONNS, false),
    inPkts: read(T.INPKTS, false),
    outPkts: read(T.OUTPKTS, false),
    inBytes: read(T.INBYTES, true),
    outBytes: read(T.OUTBYTES, true),
    cps: read(T.CPS, false),
    inPps: read(T.INPPS, false),
    outPps: read(T.OUTPPS, false),
    inBps: read(T.INBPS, false),
    outBps: read(T.OUTBPS, false),
  };
}

const PROTOCOL_NAMES = new Map<number, IpvsProtocol>(
  Object.entries(IPPROTO).map(([k, v]) => [v, k as IpvsProtocol]),
);

/** One service of a GET_SERVICE dump, or null when it cannot be read. */
export function decodeService(m: NlMessage): IpvsServiceEntry | null {
  const svc = nested(topAttrs(m), IPVS_CMD_ATTR.SERVICE);
  const family = familyOf(u16le(svc, IPVS_SVC_ATTR.AF) ?? -1);
  if (!family) return null;
  const fwmark = u32(svc, IPVS_SVC_ATTR.FWMARK) ?? 0;
  let key: IpvsServiceKey;
  if (fwmark > 0) key = { kind: 'fwmark', family, fwmark };
  else {
    const protocol = PROTOCOL_NAMES.get(u16le(svc, IPVS_SVC_ATTR.PROTOCOL) ?? -1);
    const address = addrOf(svc, IPVS_SVC_ATTR.ADDR, family);
    const port = u16be(svc, IPVS_SVC_ATTR.PORT);
    if (!protocol || address === null || port === undefined) return null;
    key = { kind: 'address', family, protocol, address, port };
  }
  const sched = findAttr(svc, IPVS_SVC_ATTR.SCHED_NAME);
  const pe = findAttr(svc, IPVS_SVC_ATTR.PE_NAME);
  const flagsAttr = findAttr(svc, IPVS_SVC_ATTR.FLAGS);
  const mask = findAttr(svc, IPVS_SVC_ATTR.NETMASK);
  let prefix = family === 'inet' ? 32 : 128;
  if (mask && mask.data.length >= 4) {
    if (family === 'inet') {
      const v = mask.data.readUInt32BE(0);
      prefix = v === 0 ? 0 : 32 - Math.log2((~v >>> 0) + 1);
    } else prefix = mask.data.readUInt32LE(0);
  }
  return {
    key,
    scheduler: sched ? attrString(sched) : '',
    flags: flagsAttr && flagsAttr.data.length >= 4 ? flagsAttr.data.readUInt32LE(0) : 0,
    timeout: u32(svc, IPVS_SVC_ATTR.TIMEOUT) ?? 0,
    prefix,
    pe: pe ? attrString(pe) || null : null,
    stats: statsOf(svc, IPVS_SVC_ATTR.STATS, IPVS_SVC_ATTR.STATS64),
  };
}

const FORWARD_NAMES = new Map<number, IpvsForward>(
  Object.entries(FORWARD).map(([k, v]) => [v, k as IpvsForward]),
);
const TUN_TYPE_NAMES = new Map<number, keyof typeof TUN_TYPE>(
  Object.entries(TUN_TYPE).map(([k, v]) => [v, k as keyof typeof TUN_TYPE]),
);
const TUN_FLAG_NAMES = new Map<number, keyof typeof TUN_FLAG>(
  Object.entries(TUN_FLAG).map(([k, v]) => [v, k as keyof typeof TUN_FLAG]),
);

/** One destination of a GET_DEST dump of a service of `serviceFamily`, or null. */
export function decodeDest(m: NlMessage, serviceFamily: IpFamily): IpvsDestEntry | null {
  const d = nested(topAttrs(m), IPVS_CMD_ATTR.DEST);
  const family = familyOf(u16le(d, IPVS_DEST_ATTR.ADDR_FAMILY) ?? afOf(serviceFamily)) ?? serviceFamily;
  const address = addrOf(d, IPVS_DEST_ATTR.ADDR, family);
  const port = u16be(d, IPVS_DEST_ATTR.PORT);
  const forward = FORWARD_NAMES.get((u32(d, IPVS_DEST_ATTR.FWD_METHOD) ?? -1) & 0x7);
  if (address === null || port === undefined || !forward) return null;
  const tunType = findAttr(d, IPVS_DEST_ATTR.TUN_TYPE);
  const type =
    tunType && tunType.data.length >= 1 ? TUN_TYPE_NAMES.get(tunType.data[0] as number) : undefined;
  return {
    address,
    port,
    family,
    forward,
    weight: u32(d, IPVS_DEST_ATTR.WEIGHT) ?? 0,
    uthreshold: u32(d, IPVS_DEST_ATTR.U_THRESH) ?? 0,
    lthreshold: u32(d, IPVS_DEST_ATTR.L_THRESH) ?? 0,
    tunnel:
      forward === 'TUN' && type
        ? {
            type,
            port: u16be(d, IPVS_DEST_ATTR.TUN_PORT) ?? 0,
            flags: TUN_FLAG_NAMES.get(u16le(d, IPVS_DEST_ATTR.TUN_FLAGS) ?? 0) ?? 'nocsum',
          }
        : null,
    activeConns: u32(d, IPVS_DEST_ATTR.ACTIVE_CONNS) ?? 0,
    inactConns: u32(d, IPVS_DEST_ATTR.INACT_CONNS) ?? 0,
    persistConns: u32(d, IPVS_DEST_ATTR.PERSIST_CONNS) ?? 0,
    stats: statsOf(d, IPVS_DEST_ATTR.STATS, IPVS_DEST_ATTR.STATS64),
  };
}

export function decodeTimeouts(m: NlMessage): IpvsTimeouts {
  const a = topAttrs(m);
  return {
    tcp: u32(a, IPVS_CMD_ATTR.TIMEOUT_TCP) ?? 0,
    tcpFin: u32(a, IPVS_CMD_ATTR.TIMEOUT_TCP_FIN) ?? 0,
    udp: u32(a, IPVS_CMD_ATTR.TIMEOUT_UDP) ?? 0,
  };
}

/** A GET_INFO answer: the IPVS version (e.g. 0x010201 for 1.2.1) and connection table size. */
export function decodeInfo(m: NlMessage): { version: number; connTabSize: number } {
  const a = topAttrs(m);
  return {
    version: u32(a, IPVS_INFO_ATTR.VERSION) ?? 0,
    connTabSize: u32(a, IPVS_INFO_ATTR.CONN_TAB_SIZE) ?? 0,
  };
}

/** One sync daemon of a GET_DAEMON dump. */
export function decodeDaemon(
  m: NlMessage,
): { state: 'master' | 'backup'; ifname: string; syncId: number } | null {
  const d = nested(topAttrs(m), IPVS_CMD_ATTR.DAEMON);
  const state = u32(d, IPVS_DAEMON_ATTR.STATE);
  const ifn = findAttr(d, IPVS_DAEMON_ATTR.MCAST_IFN);
  if (state === undefined || !ifn) return null;
  return {
    state: state & IP_VS_STATE.MASTER ? 'master' : 'backup',
    ifname: attrString(ifn),
    syncId: u32(d, IPVS_DAEMON_ATTR.SYNC_ID) ?? 0,
  };
}

/** ipvsadm's name of a service ("TCP 192.0.2.1:80", "FWM 5"), keepalived's in its logs. */
export function serviceName(key: IpvsServiceKey): string {
  if (key.kind === 'fwmark') return `FWM ${key.fwmark}`;
  const host = key.family === 'inet6' ? `[${key.address}]` : key.address;
  return `${key.protocol} ${host}:${key.port}`;
}
