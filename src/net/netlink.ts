/**
 * rtnetlink messages as bytes, pure: struct nlmsghdr, rtattr TLVs, struct ifinfomsg (links) and
 * struct ifaddrmsg (addresses), NLMSG_ERROR/NLMSG_DONE, and the requests keepalived sends
 * (vrrp_ipaddress.c netlink_ipaddress() in 2.2.7, with iproute2's `ip addr add` wire layout).
 *
 * Layouts are Linux's uapi (linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h) in host byte
 * order, which is little-endian on every platform we run on (x86_64, arm64); addresses inside
 * attributes are in network order. Decoders never throw: they return `{ ok: false, reason }` or
 * skip what they cannot read. The socket side is rtnl.ts.
 */
import type { IpFamily } from '../lib/ip.js';
import { formatIp, parseIp } from '../lib/ip.js';
import type { AddressSpec, InterfaceAddress, LinkInfo } from './ports.js';

// ---------------------------------------------------------------------------------------------
// Constants (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h, linux/if.h)

const NLMSG_HDRLEN = 16;
const NLA_HDRLEN = 4;
const IFINFOMSG_LEN = 16;
const IFADDRMSG_LEN = 8;

/** Control message types. */
export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4 } as const;

/** nlmsg_flags. Some bits mean different things on requests of different kinds. */
export const NLM_F = {
  REQUEST: 0x01,
  MULTI: 0x02,
  ACK: 0x04,
  ECHO: 0x08,
  DUMP_INTR: 0x10,
  DUMP_FILTERED: 0x20,
  // GET requests
  ROOT: 0x100,
  MATCH: 0x200,
  DUMP: 0x300,
  // NEW requests
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
  APPEND: 0x800,
  // NLMSG_ERROR acknowledgements
  CAPPED: 0x100,
  ACK_TLVS: 0x200,
} as const;

export const RTM = {
  NEWLINK: 16,
  DELLINK: 17,
  GETLINK: 18,
  NEWADDR: 20,
  DELADDR: 21,
  GETADDR: 22,
  NEWROUTE: 24,
  DELROUTE: 25,
  NEWRULE: 32,
  DELRULE: 33,
} as const;

/** Multicast group bits for sockaddr_nl.nl_groups. */
export const RTMGRP = { LINK: 0x1, IPV4_IFADDR: 0x10, IPV6_IFADDR: 0x100 } as const;

/** SOL_NETLINK socket options. */
export const NETLINK_OPT = { ADD_MEMBERSHIP: 1, CAP_ACK: 10, EXT_ACK: 11 } as const;

/** Attributes of an NLMSG_ERROR with NLM_F_ACK_TLVS (extended ACK). */
const NLMSGERR_ATTR = { MSG: 1, OFFS: 2 } as const;

export const AF = { UNSPEC: 0, INET: 2, INET6: 10 } as const;

export const IFLA = {
  ADDRESS: 1,
  BROADCAST: 2,
  IFNAME: 3,
  MTU: 4,
  LINK: 5,
  OPERSTATE: 16,
  MASTER: 10,
  LINKINFO: 18,
  AF_SPEC: 26,
  EXT_MASK: 29,
} as const;

/** IFLA_LINKINFO's nested attributes. */
export const IFLA_INFO = { KIND: 1, DATA: 2 } as const;

/** IFLA_EXT_MASK bits. */
const RTEXT_FILTER = { VF: 1, SKIP_STATS: 8 } as const;

export const IFF = {
  UP: 0x1,
  BROADCAST: 0x2,
  LOOPBACK: 0x8,
  POINTOPOINT: 0x10,
  RUNNING: 0x40,
  NOARP: 0x80,
  MULTICAST: 0x1000,
  LOWER_UP: 0x10000,
  DORMANT: 0x20000,
} as const;

export const IFA = {
  ADDRESS: 1,
  LOCAL: 2,
  LABEL: 3,
  BROADCAST: 4,
  ANYCAST: 5,
  CACHEINFO: 6,
  MULTICAST: 7,
  FLAGS: 8,
} as const;

export const IFA_F = {
  SECONDARY: 0x01,
  NODAD: 0x02,
  OPTIMISTIC: 0x04,
  DADFAILED: 0x08,
  HOMEADDRESS: 0x10,
  DEPRECATED: 0x20,
  TENTATIVE: 0x40,
  PERMANENT: 0x80,
  MANAGETEMPADDR: 0x100,
  NOPREFIXROUTE: 0x200,
  MCAUTOJOIN: 0x400,
  STABLE_PRIVACY: 0x800,
} as const;

/** ifa_scope values (rtnetlink.h enum rt_scope_t), by keepalived's/iproute2's names. */
const RT_SCOPE: Readonly<Record<AddressSpec['scope'], number>> = {
  global: 0,
  site: 200,
  link: 253,
  host: 254,
  nowhere: 255,
};

/** The AddressSpec flag words and their IFA_F_ bits. */
const ADDRESS_FLAG_BITS: Readonly<Record<AddressSpec['flags'][number], number>> = {
  home: IFA_F.HOMEADDRESS,
  nodad: IFA_F.NODAD,
  mngtmpaddr: IFA_F.MANAGETEMPADDR,
  noprefixroute: IFA_F.NOPREFIXROUTE,
};

export const NLA_F_NESTED = 0x8000;
const NLA_TYPE_MASK = 0x3fff;

/** ifa_cacheinfo lifetime meaning "forever". */
const INFINITY_LIFE_TIME = 0xffffffff;

/** recvmsg msg_flags: the datagram was longer than the buffer. */
export const MSG_TRUNC = 0x20;

const align4 = (n: number): number => (n + 3) & ~3;

// ---------------------------------------------------------------------------------------------
// Errno names (asm-generic/errno*.h; the same on x86_64 and arm64)

const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: 'EPERM',
  2: 'ENOENT',
  3: 'ESRCH',
  4: 'EINTR',
  5: 'EIO',
  6: 'ENXIO',
  7: 'E2BIG',
  9: 'EBADF',
  11: 'EAGAIN',
  12: 'ENOMEM',
  13: 'EACCES',
  14: 'EFAULT',
  16: 'EBUSY',
  17: 'EEXIST',
  19: 'ENODEV',
  22: 'EINVAL',
  23: 'ENFILE',
  24: 'EMFILE',
  28: 'ENOSPC',
  34: 'ERANGE',
  61: 'ENODATA',
  71: 'EPROTO',
  75: 'EOVERFLOW',
  90: 'EMSGSIZE',
  93: 'EPROTONOSUPPORT',
  95: 'EOPNOTSUPP',
  97: 'EAFNOSUPPORT',
  98: 'EADDRINUSE',
  99: 'EADDRNOTAVAIL',
  100: 'ENETDOWN',
  101: 'ENETUNREACH',
  105: 'ENOBUFS',
  110: 'ETIMEDOUT',
};

/** The symbolic name of a (positive) errno; `E<n>` for one this table does not know. */
export const errnoName = (errno: number): string => ERRNO_NAMES[errno] ?? `E${errno}`;

// ---------------------------------------------------------------------------------------------
// Encoding

export interface NlHeader {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid?: number;
}

/** One rtattr: length (header + data, unpadded), type, data, zero padding to 4 bytes. */
export function encodeAttr(type: number, data: Uint8Array): Buffer {
  const b = Buffer.alloc(align4(NLA_HDRLEN + data.length));
  b.writeUInt16LE(NLA_HDRLEN + data.length, 0);
  b.writeUInt16LE(type & 0xffff, 2);
  b.set(data, NLA_HDRLEN);
  return b;
}

export function encodeAttrU32(type: number, value: number): Buffer {
  const v = Buffer.alloc(4);
  v.writeUInt32LE(value >>> 0, 0);
  return encodeAttr(type, v);
}

/** A NUL-terminated string attribute (IFLA_IFNAME, IFA_LABEL). */
export function encodeAttrString(type: number, value: string): Buffer {
  return encodeAttr(type, Buffer.from(`${value}\0`, 'utf8'));
}

/** A nested attribute: its data is a run of (already encoded) attributes; NLA_F_NESTED is set. */
export function encodeAttrNested(type: number, children: readonly Uint8Array[]): Buffer {
  return encodeAttr(type | NLA_F_NESTED, Buffer.concat(children));
}

/**
 * A whole message: nlmsghdr, then `parts` (fixed structs and attributes, each a multiple of 4
 * bytes long). nlmsg_len covers everything, including the last attribute's padding (as iproute2's
 * addattr_l does).
 */
export function encodeMessage(header: NlHeader, parts: readonly Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  const b = Buffer.alloc(NLMSG_HDRLEN + align4(body.length));
  b.writeUInt32LE(b.length, 0);
  b.writeUInt16LE(header.type & 0xffff, 4);
  b.writeUInt16LE(header.flags & 0xffff, 6);
  b.writeUInt32LE(header.seq >>> 0, 8);
  b.writeUInt32LE((header.pid ?? 0) >>> 0, 12);
  b.set(body, NLMSG_HDRLEN);
  return b;
}

export interface IfinfomsgFields {
  readonly family?: number;
  /** ARPHRD_* */
  readonly type?: number;
  readonly index?: number;
  readonly flags?: number;
  readonly change?: number;
}

/** struct ifinfomsg: family, pad, type, index, flags, change (16 bytes). */
function encodeIfinfomsg(f: IfinfomsgFields = {}): Buffer {
  const b = Buffer.alloc(IFINFOMSG_LEN);
  b.writeUInt8(f.family ?? AF.UNSPEC, 0);
  b.writeUInt16LE(f.type ?? 0, 2);
  b.writeInt32LE(f.index ?? 0, 4);
  b.writeUInt32LE((f.flags ?? 0) >>> 0, 8);
  b.writeUInt32LE((f.change ?? 0) >>> 0, 12);
  return b;
}

export interface IfaddrmsgFields {
  readonly family: number;
  readonly prefixLength: number;
  /** The low 8 flag bits (IFA_FLAGS carries all 32). */
  readonly flags: number;
  readonly scope: number;
  readonly index: number;
}

/** struct ifaddrmsg: family, prefixlen, flags, scope, index (8 bytes). */
export function encodeIfaddrmsg(f: IfaddrmsgFields): Buffer {
  const b = Buffer.alloc(IFADDRMSG_LEN);
  b.writeUInt8(f.family & 0xff, 0);
  b.writeUInt8(f.prefixLength & 0xff, 1);
  b.writeUInt8(f.flags & 0xff, 2);
  b.writeUInt8(f.scope & 0xff, 3);
  b.writeUInt32LE(f.index >>> 0, 4);
  return b;
}

/** A link message of any kind (RTM_NEWLINK/DELLINK/GETLINK): ifinfomsg plus attributes. */
export function encodeLinkMessage(
  header: NlHeader,
  ifinfo: IfinfomsgFields,
  attrs: readonly Uint8Array[] = [],
): Buffer {
  return encodeMessage(header, [encodeIfinfomsg(ifinfo), ...attrs]);
}

/** RTM_GETLINK dump of every link, without statistics. */
export function encodeGetLinks(seq: number): Buffer {
  return encodeLinkMessage({ type: RTM.GETLINK, flags: NLM_F.REQUEST | NLM_F.DUMP, seq }, {}, [
    encodeAttrU32(IFLA.EXT_MASK, RTEXT_FILTER.SKIP_STATS),
  ]);
}

/** RTM_GETADDR dump of every address (of one family, or all with AF_UNSPEC). */
export function encodeGetAddresses(seq: number, family: number = AF.UNSPEC): Buffer {
  return encodeMessage({ type: RTM.GETADDR, flags: NLM_F.REQUEST | NLM_F.DUMP, seq }, [
    encodeIfaddrmsg({ family, prefixLength: 0, flags: 0, scope: 0, index: 0 }),
  ]);
}

export type EncodeResult =
  { readonly ok: true; readonly message: Buffer } | { readonly ok: false; readonly reason: string };

const familyNumber = (f: IpFamily): number => (f === 'inet' ? AF.INET : AF.INET6);

/**
 * The IPv4 broadcast address for `brd +` (host bits set) or `brd -` (host bits cleared), as
 * iproute2 and keepalived compute it; undefined when the prefix is longer than 30 bits.
 */
export function subnetBroadcast(
  address: Uint8Array,
  prefixLength: number,
  plus: boolean,
): Uint8Array | undefined {
  if (address.length !== 4 || prefixLength < 0 || prefixLength > 30) return undefined;
  const a = Buffer.from(address).readUInt32BE(0);
  const hostMask = 0xffffffff >>> prefixLength;
  const out = Buffer.alloc(4);
  out.writeUInt32BE((plus ? a | hostMask : a & ~hostMask) >>> 0, 0);
  return out;
}

/**
 * RTM_NEWADDR (`add`: NLM_F_CREATE|NLM_F_EXCL, so an existing address answers EEXIST) or
 * RTM_DELADDR for one AddressSpec, always with NLM_F_ACK. What goes in follows keepalived 2.2.7
 * (netlink_ipaddress(), alloc_ipaddress()):
 * - IFA_LOCAL is the address; IFA_ADDRESS is the peer when there is one, else the address again;
 * - IPv4 adds: IFA_BROADCAST when given ('+'/'-' set/clear the host bits, only up to /30; none
 *   with a peer, none for 0.0.0.0), IFA_LABEL, the scope;
 * - IPv6: scope 0 and no label (keepalived ignores both for IPv6); adds carry IFA_CACHEINFO
 *   (preferred `preferredLft`, valid forever) unless the preferred lifetime is forever, and a
 *   null preferredLft on a /128 means keepalived's default 0 (deprecated: never a source address);
 * - flags as given (`nodad` is IFA_F_NODAD itself, not keepalived's `-nodad`): the low 8 bits in
 *   ifa_flags, IFA_FLAGS when a higher bit is set (iproute2's choice);
 * - deletes carry only the header, IFA_LOCAL and IFA_ADDRESS.
 * Attributes come in iproute2's order, so the bytes equal `ip addr add`'s for the same options.
 */
export function encodeAddressRequest(op: 'add' | 'del', spec: AddressSpec, seq: number): EncodeResult {
  const ip = parseIp(spec.address);
  if (!ip || ip.family !== spec.family)
    return { ok: false, reason: `invalid ${spec.family} address ${spec.address}` };
  const v4 = ip.family === 'inet';
  const maxPrefix = v4 ? 32 : 128;
  if (!Number.isInteger(spec.prefixLength) || spec.prefixLength < 0 || spec.prefixLength > maxPrefix)
    return { ok: false, reason: `invalid prefix length ${spec.prefixLength} for ${spec.address}` };
  if (!Number.isInteger(spec.index) || spec.index < 0 || spec.index > 0x7fffffff)
    return { ok: false, reason: `invalid interface index ${spec.index}` };
  let peer: Uint8Array | null = null;
  if (spec.peer !== null) {
    const p = parseIp(spec.peer);
    if (!p || p.family !== ip.family)
      return { ok: false, reason: `invalid peer ${spec.peer} for ${spec.address}` };
    peer = p.bytes;
  }
  const add = op === 'add';
  let flags = 0;
  if (add) for (const f of spec.flags) flags |= ADDRESS_FLAG_BITS[f];

  const attrs: Buffer[] = [encodeAttr(IFA.LOCAL, ip.bytes)];
  if (peer) attrs.push(encodeAttr(IFA.ADDRESS, peer));
  if (add && v4 && spec.label !== null) {
    if (Buffer.byteLength(spec.label) > 15)
      return { ok: false, reason: `label ${spec.label} is longer than 15 bytes` };
    attrs.push(encodeAttrString(IFA.LABEL, spec.label));
  }
  if (flags > 0xff) attrs.push(encodeAttrU32(IFA.FLAGS, flags));
  if (!peer) attrs.push(encodeAttr(IFA.ADDRESS, ip.bytes));
  if (add && v4 && spec.broadcast !== null && !peer) {
    let brd: Uint8Array | undefined;
    if (spec.broadcast === '+' || spec.broadcast === '-') {
      brd = subnetBroadcast(ip.bytes, spec.prefixLength, spec.broadcast === '+');
    } else {
      const b = parseIp(spec.broadcast);
      if (!b || b.family !== 'inet') return { ok: false, reason: `invalid broadcast ${spec.broadcast}` };
      brd = b.bytes;
    }
    if (brd && brd.some((x) => x !== 0)) attrs.push(encodeAttr(IFA.BROADCAST, brd));
  }
  if (add && !v4) {
    const lft = spec.preferredLft ?? (spec.prefixLength === 128 ? 0 : 'forever');
    if (lft !== 'forever' && lft !== INFINITY_LIFE_TIME) {
      if (!Number.isInteger(lft) || lft < 0 || lft > INFINITY_LIFE_TIME)
        return { ok: false, reason: `invalid preferred_lft ${lft}` };
      const ci = Buffer.alloc(16); // ifa_prefered, ifa_valid, cstamp, tstamp
      ci.writeUInt32LE(lft, 0);
      ci.writeUInt32LE(INFINITY_LIFE_TIME, 4);
      attrs.push(encodeAttr(IFA.CACHEINFO, ci));
    }
  }
  const header: NlHeader = add
    ? { type: RTM.NEWADDR, flags: NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE | NLM_F.EXCL, seq }
    : { type: RTM.DELADDR, flags: NLM_F.REQUEST | NLM_F.ACK, seq };
  const ifa = encodeIfaddrmsg({
    family: familyNumber(ip.family),
    prefixLength: spec.prefixLength,
    flags: flags <= 0xff ? flags : 0,
    scope: v4 ? RT_SCOPE[spec.scope] : 0,
    index: spec.index,
  });
  return { ok: true, message: encodeMessage(header, [ifa, ...attrs]) };
}

// ---------------------------------------------------------------------------------------------
// Decoding

const asBuffer = (data: Uint8Array): Buffer =>
  Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);

export interface NlMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  /** What follows the header (nlmsg_len - 16 bytes; a view, not a copy). */
  readonly payload: Buffer;
}

export interface ParsedMessages {
  readonly messages: NlMessage[];
  /** Why parsing stopped early (a truncated or impossible header), or null. */
  readonly error: string | null;
}

/** The messages of one datagram; stops at the first malformed header and says why. */
export function parseMessages(data: Uint8Array): ParsedMessages {
  const b = asBuffer(data);
  const messages: NlMessage[] = [];
  let off = 0;
  while (off < b.length) {
    if (b.length - off < NLMSG_HDRLEN) return { messages, error: `${b.length - off} trailing bytes` };
    const len = b.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || len > b.length - off)
      return { messages, error: `nlmsg_len ${len} at offset ${off} does not fit ${b.length} bytes` };
    messages.push({
      type: b.readUInt16LE(off + 4),
      flags: b.readUInt16LE(off + 6),
      seq: b.readUInt32LE(off + 8),
      pid: b.readUInt32LE(off + 12),
      payload: b.subarray(off + NLMSG_HDRLEN, off + len),
    });
    off += align4(len);
  }
  return { messages, error: null };
}

export interface NlAttribute {
  /** The type without NLA_F_NESTED / NLA_F_NET_BYTEORDER. */
  readonly type: number;
  readonly nested: boolean;
  readonly data: Buffer;
}

export interface ParsedAttributes {
  readonly attrs: NlAttribute[];
  readonly error: string | null;
}

/** A run of rtattrs (parse a nested attribute by calling this on its `data`). */
export function parseAttrs(data: Uint8Array): ParsedAttributes {
  const b = asBuffer(data);
  const attrs: NlAttribute[] = [];
  let off = 0;
  while (off < b.length) {
    if (b.length - off < NLA_HDRLEN) {
      // Trailing padding shorter than an attribute header is harmless.
      return {
        attrs,
        error: b.subarray(off).every((x) => x === 0) ? null : `${b.length - off} trailing bytes`,
      };
    }
    const len = b.readUInt16LE(off);
    const rawType = b.readUInt16LE(off + 2);
    if (len < NLA_HDRLEN || len > b.length - off)
      return { attrs, error: `rta_len ${len} at offset ${off} does not fit ${b.length} bytes` };
    attrs.push({
      type: rawType & NLA_TYPE_MASK,
      nested: (rawType & NLA_F_NESTED) !== 0,
      data: b.subarray(off + NLA_HDRLEN, off + len),
    });
    off += align4(len);
  }
  return { attrs, error: null };
}

/** The first attribute of a type. */
export const findAttr = (attrs: readonly NlAttribute[], type: number): NlAttribute | undefined =>
  attrs.find((a) => a.type === type);

/** A NUL-terminated (or unterminated) string attribute's text. */
export function attrString(a: NlAttribute): string {
  const nul = a.data.indexOf(0);
  return a.data.toString('utf8', 0, nul < 0 ? a.data.length : nul);
}

const attrU32 = (a: NlAttribute | undefined): number | undefined =>
  a && a.data.length >= 4 ? a.data.readUInt32LE(0) : undefined;

export interface NlErrorInfo {
  /** Positive errno; 0 is a plain acknowledgement. */
  readonly errno: number;
  /** The header of the request this answers (its type, flags and seq), when present. */
  readonly request: { readonly type: number; readonly flags: number; readonly seq: number } | null;
  /** The kernel's extended-ACK text (NLMSGERR_ATTR_MSG), when it sent one. */
  readonly message: string | null;
}

/** NLMSG_ERROR: int error (negative errno or 0), the request's header, maybe extended-ACK TLVs. */
export function decodeError(
  msg: NlMessage,
): { ok: true; error: NlErrorInfo } | { ok: false; reason: string } {
  const p = msg.payload;
  if (p.length < 4) return { ok: false, reason: `NLMSG_ERROR payload of ${p.length} bytes` };
  const code = p.readInt32LE(0);
  const errno = code < 0 ? -code : code;
  let request: NlErrorInfo['request'] = null;
  let message: string | null = null;
  if (p.length >= 4 + NLMSG_HDRLEN) {
    const reqLen = p.readUInt32LE(4);
    request = { type: p.readUInt16LE(8), flags: p.readUInt16LE(10), seq: p.readUInt32LE(12) };
    if (msg.flags & NLM_F.ACK_TLVS) {
      // The request comes back whole unless the answer is capped (then only its header).
      const tlvAt = 4 + (msg.flags & NLM_F.CAPPED ? NLMSG_HDRLEN : align4(Math.max(reqLen, NLMSG_HDRLEN)));
      if (tlvAt <= p.length) {
        const text = findAttr(parseAttrs(p.subarray(tlvAt)).attrs, NLMSGERR_ATTR.MSG);
        if (text) message = attrString(text);
      }
    }
  }
  return { ok: true, error: { errno, request, message } };
}

/** NLMSG_DONE's positive errno (a dump that failed part-way), 0 when it ended well. */
export function decodeDone(msg: NlMessage): number {
  if (msg.payload.length < 4) return 0;
  const code = msg.payload.readInt32LE(0);
  return code < 0 ? -code : 0;
}

export interface DecodedLink {
  readonly family: number;
  /** ARPHRD_* */
  readonly type: number;
  readonly index: number;
  /** IFF_* */
  readonly flags: number;
  readonly change: number;
  readonly name: string;
  /** IFLA_ADDRESS (empty when the link has none). */
  readonly mac: Uint8Array;
  /** IFLA_LINKINFO/IFLA_INFO_KIND (veth, bridge, ...), null when not reported. */
  readonly kind: string | null;
  /** IFLA_LINK: the lower device of a macvlan, vlan, ... (null: none). */
  readonly parent: number | null;
  /** A macvlan's IFLA_MACVLAN_MODE (1 private, 2 vepa, 4 bridge, 8 passthru), null otherwise. */
  readonly macvlanMode: number | null;
}

/** An RTM_NEWLINK/RTM_DELLINK message. */
export function decodeLink(msg: NlMessage): { ok: true; link: DecodedLink } | { ok: false; reason: string } {
  const p = msg.payload;
  if (p.length < IFINFOMSG_LEN) return { ok: false, reason: `ifinfomsg of ${p.length} bytes` };
  const { attrs } = parseAttrs(p.subarray(IFINFOMSG_LEN));
  const name = findAttr(attrs, IFLA.IFNAME);
  if (!name) return { ok: false, reason: 'no IFLA_IFNAME' };
  const mac = findAttr(attrs, IFLA.ADDRESS);
  const info = findAttr(attrs, IFLA.LINKINFO);
  const infoAttrs = info ? parseAttrs(info.data).attrs : [];
  const kind = findAttr(infoAttrs, IFLA_INFO.KIND);
  const data = findAttr(infoAttrs, IFLA_INFO.DATA);
  const mode = data ? findAttr(parseAttrs(data.data).attrs, 1) : undefined; // IFLA_MACVLAN_MODE
  const parent = findAttr(attrs, IFLA.LINK);
  return {
    ok: true,
    link: {
      family: p.readUInt8(0),
      type: p.readUInt16LE(2),
      index: p.readInt32LE(4),
      flags: p.readUInt32LE(8),
      change: p.readUInt32LE(12),
      name: attrString(name),
      mac: mac ? Uint8Array.from(mac.data) : new Uint8Array(0),
      kind: kind ? attrString(kind) : null,
      parent: parent && parent.data.length >= 4 ? parent.data.readUInt32LE(0) : null,
      macvlanMode:
        kind && attrString(kind) === 'macvlan' && mode && mode.data.length >= 4
          ? mode.data.readUInt32LE(0)
          : null,
    },
  };
}

/** keepalived's "up": administratively up and running (IFF_UP and IFF_RUNNING). */
const linkIsUp = (flags: number): boolean => (flags & (IFF.UP | IFF.RUNNING)) === (IFF.UP | IFF.RUNNING);

export const toLinkInfo = (l: DecodedLink): LinkInfo => ({
  index: l.index,
  name: l.name,
  mac: l.mac,
  up: linkIsUp(l.flags),
  ...(l.kind === 'macvlan' ? { macvlan: { parent: l.parent ?? 0, mode: l.macvlanMode ?? 0 } } : {}),
});

export interface AddressCacheInfo {
  /** Seconds; INFINITY_LIFE_TIME is forever. */
  readonly preferred: number;
  readonly valid: number;
  /** Hundredths of a second since boot. */
  readonly created: number;
  readonly updated: number;
}

export interface DecodedAddress {
  readonly family: number;
  readonly prefixLength: number;
  /** All 32 flag bits (IFA_FLAGS when present, else ifa_flags). */
  readonly flags: number;
  readonly scope: number;
  readonly index: number;
  readonly address: Uint8Array | null;
  readonly local: Uint8Array | null;
  readonly broadcast: Uint8Array | null;
  readonly label: string | null;
  readonly cacheInfo: AddressCacheInfo | null;
}

/** An RTM_NEWADDR/RTM_DELADDR message. */
export function decodeAddress(
  msg: NlMessage,
): { ok: true; address: DecodedAddress } | { ok: false; reason: string } {
  const p = msg.payload;
  if (p.length < IFADDRMSG_LEN) return { ok: false, reason: `ifaddrmsg of ${p.length} bytes` };
  const { attrs } = parseAttrs(p.subarray(IFADDRMSG_LEN));
  const bytes = (type: number): Uint8Array | null => {
    const a = findAttr(attrs, type);
    return a ? Uint8Array.from(a.data) : null;
  };
  const label = findAttr(attrs, IFA.LABEL);
  const ci = findAttr(attrs, IFA.CACHEINFO);
  return {
    ok: true,
    address: {
      family: p.readUInt8(0),
      prefixLength: p.readUInt8(1),
      flags: attrU32(findAttr(attrs, IFA.FLAGS)) ?? p.readUInt8(2),
      scope: p.readUInt8(3),
      index: p.readUInt32LE(4),
      address: bytes(IFA.ADDRESS),
      local: bytes(IFA.LOCAL),
      broadcast: bytes(IFA.BROADCAST),
      label: label ? attrString(label) : null,
      cacheInfo:
        ci && ci.data.length >= 16
          ? {
              preferred: ci.data.readUInt32LE(0),
              valid: ci.data.readUInt32LE(4),
              created: ci.data.readUInt32LE(8),
              updated: ci.data.readUInt32LE(12),
            }
          : null,
    },
  };
}

/**
 * The port's view of an address: IPv4 and IPv6 only, our own address (IFA_LOCAL, which differs
 * from IFA_ADDRESS on point-to-point addresses, else IFA_ADDRESS). Undefined when unusable.
 */
export function toInterfaceAddress(a: DecodedAddress): InterfaceAddress | undefined {
  const family: IpFamily | undefined =
    a.family === AF.INET ? 'inet' : a.family === AF.INET6 ? 'inet6' : undefined;
  if (!family) return undefined;
  const size = family === 'inet' ? 4 : 16;
  const bytes = a.local ?? a.address;
  if (!bytes || bytes.length !== size || a.prefixLength > size * 8) return undefined;
  return {
    index: a.index,
    family,
    address: formatIp(bytes),
    prefixLength: a.prefixLength,
    secondary: (a.flags & IFA_F.SECONDARY) !== 0,
    linkLocal: family === 'inet6' && bytes[0] === 0xfe && ((bytes[1] as number) & 0xc0) === 0x80,
    label: a.label,
  };
}
