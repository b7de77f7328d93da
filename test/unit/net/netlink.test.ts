/**
 * The rtnetlink codec. Expected request bytes come from iproute2 6.1: `strace -e trace=sendmsg
 * -e write=3 -xx ip addr add ...` in a namespace where dev e0 had ifindex 3 (the kernel ABI laid
 * out for us by a program we did not write). Expected answers are kernel bytes captured the same
 * way (`-e read=3`). Decoders then round-trip, and survive truncation and garbage.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AF,
  attrString,
  decodeAddress,
  decodeDone,
  decodeError,
  decodeLink,
  encodeAddressRequest,
  encodeAttr,
  encodeAttrNested,
  encodeAttrString,
  encodeAttrU32,
  encodeGetAddresses,
  encodeGetLinks,
  encodeIfaddrmsg,
  encodeLinkMessage,
  encodeMessage,
  errnoName,
  findAttr,
  IFA,
  IFA_F,
  IFF,
  IFLA,
  IFLA_INFO,
  NLA_F_NESTED,
  NLM_F,
  NLMSG,
  parseAttrs,
  parseMessages,
  RTM,
  subnetBroadcast,
  toInterfaceAddress,
  toLinkInfo,
  type NlMessage,
} from '../../../src/net/netlink.js';
import type { AddressSpec } from '../../../src/net/ports.js';

/** Bytes from a hex dump ("3c 00 00 00 ...", any whitespace). */
const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

const spec = (over: Partial<AddressSpec>): AddressSpec => ({
  index: 3,
  family: 'inet',
  address: '192.0.2.10',
  prefixLength: 24,
  broadcast: null,
  scope: 'global',
  label: null,
  peer: null,
  flags: [],
  preferredLft: null,
  ...over,
});

const encoded = (op: 'add' | 'del', s: AddressSpec, seq: number): Buffer => {
  const r = encodeAddressRequest(op, s, seq);
  if (!r.ok) throw new Error(r.reason);
  return r.message;
};

const SEQ = 0x6b045037;

describe('address requests: the bytes iproute2 sends for the same options', () => {
  it('IPv4 with brd +, a label and scope link', () => {
    // ip addr add 192.0.2.10/24 brd + dev e0 label e0:1 scope link
    const expected = hex(`
      3c 00 00 00 14 00 05 06  37 50 04 6b 00 00 00 00
      02 18 00 fd 03 00 00 00  08 00 02 00 c0 00 02 0a
      09 00 03 00 65 30 3a 31  00 00 00 00 08 00 01 00
      c0 00 02 0a 08 00 04 00  c0 00 02 ff`);
    const s = spec({ broadcast: '+', label: 'e0:1', scope: 'link' });
    expect(encoded('add', s, SEQ).toString('hex')).toBe(expected.toString('hex'));
  });

  it('IPv4 with a label, noprefixroute (in IFA_FLAGS) and brd +', () => {
    // ip addr add 192.0.2.77/24 dev e0 label e0:9 noprefixroute brd +
    const expected = hex(`
      44 00 00 00 14 00 05 06  81 50 04 6b 00 00 00 00
      02 18 00 00 03 00 00 00  08 00 02 00 c0 00 02 4d
      09 00 03 00 65 30 3a 39  00 00 00 00 08 00 08 00
      00 02 00 00 08 00 01 00  c0 00 02 4d 08 00 04 00
      c0 00 02 ff`);
    const s = spec({ address: '192.0.2.77', label: 'e0:9', flags: ['noprefixroute'], broadcast: '+' });
    expect(encoded('add', s, 0x6b045081).toString('hex')).toBe(expected.toString('hex'));
  });

  it('IPv4 with brd - (the host bits cleared)', () => {
    // ip addr add 203.0.113.5/28 brd - dev e0
    const expected = hex(`
      30 00 00 00 14 00 05 06  37 50 04 6b 00 00 00 00
      02 1c 00 00 03 00 00 00  08 00 02 00 cb 00 71 05
      08 00 01 00 cb 00 71 05  08 00 04 00 cb 00 71 00`);
    const s = spec({ address: '203.0.113.5', prefixLength: 28, broadcast: '-' });
    expect(encoded('add', s, SEQ).toString('hex')).toBe(expected.toString('hex'));
  });

  it('IPv4 with a peer: IFA_ADDRESS is the peer', () => {
    // ip addr add 198.51.100.1 peer 198.51.100.2/30 dev e0
    const expected = hex(`
      28 00 00 00 14 00 05 06  37 50 04 6b 00 00 00 00
      02 1e 00 00 03 00 00 00  08 00 02 00 c6 33 64 01
      08 00 01 00 c6 33 64 02`);
    const s = spec({ address: '198.51.100.1', prefixLength: 30, peer: '198.51.100.2' });
    expect(encoded('add', s, SEQ).toString('hex')).toBe(expected.toString('hex'));
  });

  it('IPv6 /128 with nodad: keepalived’s default preferred_lft 0 in IFA_CACHEINFO', () => {
    // ip addr add 2001:db8::10/128 dev e0 nodad preferred_lft 0
    const expected = hex(`
      54 00 00 00 14 00 05 06  37 50 04 6b 00 00 00 00
      0a 80 02 00 03 00 00 00  14 00 02 00 20 01 0d b8
      00 00 00 00 00 00 00 00  00 00 00 10 14 00 01 00
      20 01 0d b8 00 00 00 00  00 00 00 00 00 00 00 10
      14 00 06 00 00 00 00 00  ff ff ff ff 00 00 00 00
      00 00 00 00`);
    const s = spec({ family: 'inet6', address: '2001:db8::10', prefixLength: 128, flags: ['nodad'] });
    expect(encoded('add', s, SEQ).toString('hex')).toBe(expected.toString('hex'));
    expect(encoded('add', { ...s, preferredLft: 0 }, SEQ).toString('hex')).toBe(expected.toString('hex'));
  });

  it('IPv6 /64 with all four flags: IFA_FLAGS, no cache info (preferred forever)', () => {
    // ip addr add 2001:db8:1::10/64 dev e0 nodad mngtmpaddr noprefixroute home
    const expected = hex(`
      48 00 00 00 14 00 05 06  37 50 04 6b 00 00 00 00
      0a 40 00 00 03 00 00 00  14 00 02 00 20 01 0d b8
      00 01 00 00 00 00 00 00  00 00 00 10 08 00 08 00
      12 03 00 00 14 00 01 00  20 01 0d b8 00 01 00 00
      00 00 00 00 00 00 00 10`);
    const s = spec({
      family: 'inet6',
      address: '2001:db8:1::10',
      prefixLength: 64,
      flags: ['nodad', 'mngtmpaddr', 'noprefixroute', 'home'],
    });
    expect(encoded('add', s, SEQ).toString('hex')).toBe(expected.toString('hex'));
  });

  it('IPv4 delete: IFA_LOCAL and IFA_ADDRESS only (no label, broadcast or flags)', () => {
    // ip addr del 192.0.2.10/24 dev e0
    const expected = hex(`
      28 00 00 00 15 00 05 00  37 50 04 6b 00 00 00 00
      02 18 00 00 03 00 00 00  08 00 02 00 c0 00 02 0a
      08 00 01 00 c0 00 02 0a`);
    const s = spec({ broadcast: '+', label: 'e0:1', flags: ['noprefixroute'] });
    expect(encoded('del', s, SEQ).toString('hex')).toBe(expected.toString('hex'));
  });

  it('IPv6 delete: no flags, no cache info', () => {
    // ip addr del 2001:db8::10/128 dev e0
    const expected = hex(`
      40 00 00 00 15 00 05 00  37 50 04 6b 00 00 00 00
      0a 80 00 00 03 00 00 00  14 00 02 00 20 01 0d b8
      00 00 00 00 00 00 00 00  00 00 00 10 14 00 01 00
      20 01 0d b8 00 00 00 00  00 00 00 00 00 00 00 10`);
    const s = spec({
      family: 'inet6',
      address: '2001:db8::10',
      prefixLength: 128,
      flags: ['nodad'],
      preferredLft: 0,
    });
    expect(encoded('del', s, SEQ).toString('hex')).toBe(expected.toString('hex'));
  });
});

describe('address requests: keepalived’s rules', () => {
  const attrsOf = (m: Buffer) => parseAttrs(m.subarray(16 + 8)).attrs;
  const types = (m: Buffer) => attrsOf(m).map((a) => a.type);
  const header = (m: Buffer) => ({
    flags: m.readUInt8(16 + 2),
    scope: m.readUInt8(16 + 3),
    prefix: m.readUInt8(17),
  });

  it('a peer wins over a broadcast', () => {
    const m = encoded(
      'add',
      spec({ address: '198.51.100.1', prefixLength: 30, peer: '198.51.100.2', broadcast: '+' }),
      1,
    );
    expect(types(m)).toEqual([IFA.LOCAL, IFA.ADDRESS]);
  });

  it('deleting an address with a peer names the peer (the kernel matches IFA_ADDRESS)', () => {
    const m = encoded('del', spec({ address: '198.51.100.1', prefixLength: 30, peer: '198.51.100.2' }), 1);
    expect(attrsOf(m).map((a) => Array.from(a.data))).toEqual([
      [198, 51, 100, 1],
      [198, 51, 100, 2],
    ]);
  });

  it('brd +/- beyond /30 and brd 0.0.0.0 send no broadcast; an explicit one is sent as is', () => {
    expect(types(encoded('add', spec({ prefixLength: 31, broadcast: '+' }), 1))).not.toContain(IFA.BROADCAST);
    expect(types(encoded('add', spec({ prefixLength: 32, broadcast: '-' }), 1))).not.toContain(IFA.BROADCAST);
    expect(types(encoded('add', spec({ broadcast: '0.0.0.0' }), 1))).not.toContain(IFA.BROADCAST);
    const m = encoded('add', spec({ broadcast: '192.0.2.127' }), 1);
    expect(Array.from(findAttr(attrsOf(m), IFA.BROADCAST)?.data ?? [])).toEqual([192, 0, 2, 127]);
  });

  it('IPv6 gets scope 0 and no label; IPv4 gets no cache info', () => {
    const m6 = encoded(
      'add',
      spec({ family: 'inet6', address: '2001:db8::1', prefixLength: 64, scope: 'link', label: 'x' }),
      1,
    );
    expect(header(m6).scope).toBe(0);
    expect(types(m6)).toEqual([IFA.LOCAL, IFA.ADDRESS]);
    const m4 = encoded('add', spec({ scope: 'host', preferredLft: 0 }), 1);
    expect(header(m4).scope).toBe(254);
    expect(types(m4)).toEqual([IFA.LOCAL, IFA.ADDRESS]);
  });

  it('scopes map to rt_scope_t', () => {
    const scopes = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 } as const;
    for (const [scope, n] of Object.entries(scopes))
      expect(header(encoded('add', spec({ scope: scope as AddressSpec['scope'] }), 1)).scope).toBe(n);
  });

  it('IPv6 preferred lifetimes: forever sends nothing, a number is sent with valid forever', () => {
    const v6 = spec({ family: 'inet6', address: '2001:db8::1', prefixLength: 128 });
    expect(types(encoded('add', { ...v6, preferredLft: 'forever' }, 1))).not.toContain(IFA.CACHEINFO);
    expect(types(encoded('add', { ...v6, preferredLft: 0xffffffff }, 1))).not.toContain(IFA.CACHEINFO);
    expect(types(encoded('add', { ...v6, prefixLength: 64 }, 1))).not.toContain(IFA.CACHEINFO);
    const ci = findAttr(attrsOf(encoded('add', { ...v6, preferredLft: 300 }, 1)), IFA.CACHEINFO);
    expect(ci?.data.readUInt32LE(0)).toBe(300);
    expect(ci?.data.readUInt32LE(4)).toBe(0xffffffff);
  });

  it('flags up to 0xff go in ifa_flags, and only for adds', () => {
    const m = encoded('add', spec({ flags: ['home', 'nodad'] }), 1);
    expect(header(m).flags).toBe(IFA_F.HOMEADDRESS | IFA_F.NODAD);
    expect(types(m)).not.toContain(IFA.FLAGS);
    expect(header(encoded('del', spec({ flags: ['home'] }), 1)).flags).toBe(0);
  });

  it('request flags: add is CREATE|EXCL, both want an ACK', () => {
    const add = encoded('add', spec({}), 7);
    const del = encoded('del', spec({}), 8);
    expect(add.readUInt16LE(4)).toBe(RTM.NEWADDR);
    expect(add.readUInt16LE(6)).toBe(NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE | NLM_F.EXCL);
    expect(del.readUInt16LE(4)).toBe(RTM.DELADDR);
    expect(del.readUInt16LE(6)).toBe(NLM_F.REQUEST | NLM_F.ACK);
    expect(add.readUInt32LE(8)).toBe(7);
  });

  it.each([
    ['an unparsable address', { address: '192.0.2.300' }],
    ['a family mismatch', { family: 'inet6' as const }],
    ['a prefix too long', { prefixLength: 33 }],
    ['a negative index', { index: -1 }],
    ['a peer of the other family', { peer: '2001:db8::1' }],
    ['a label over 15 bytes', { label: 'eth0:0123456789a' }],
    ['a broadcast that is no IPv4 address', { broadcast: '2001:db8::1' }],
    [
      'a preferred lifetime out of range',
      { family: 'inet6' as const, address: '2001:db8::1', preferredLft: -1 },
    ],
  ])('refuses %s', (_name, over) => {
    expect(encodeAddressRequest('add', spec(over), 1).ok).toBe(false);
  });

  it('computes subnet broadcasts like iproute2', () => {
    const b = (a: number[], p: number, plus: boolean) => {
      const r = subnetBroadcast(Uint8Array.from(a), p, plus);
      return r ? Array.from(r) : undefined;
    };
    expect(b([192, 0, 2, 10], 24, true)).toEqual([192, 0, 2, 255]);
    expect(b([192, 0, 2, 10], 24, false)).toEqual([192, 0, 2, 0]);
    expect(b([203, 0, 113, 5], 28, true)).toEqual([203, 0, 113, 15]);
    expect(b([10, 1, 2, 3], 0, true)).toEqual([255, 255, 255, 255]);
    expect(b([198, 51, 100, 1], 30, true)).toEqual([198, 51, 100, 3]);
    expect(b([198, 51, 100, 1], 31, true)).toBeUndefined();
  });
});

describe('dump requests', () => {
  it('RTM_GETADDR: the 24 bytes iproute2 sends', () => {
    // ip addr show
    const expected = hex(`
      18 00 00 00 16 00 01 03  86 50 04 6b 00 00 00 00
      00 00 00 00 00 00 00 00`);
    expect(encodeGetAddresses(0x6b045086).toString('hex')).toBe(expected.toString('hex'));
  });

  it('RTM_GETLINK: ifinfomsg AF_UNSPEC and IFLA_EXT_MASK = RTEXT_FILTER_SKIP_STATS', () => {
    // iproute2 sends the same with RTEXT_FILTER_VF (1); we want no VF data and no statistics (8).
    const expected = hex(`
      28 00 00 00 12 00 01 03  85 50 04 6b 00 00 00 00
      00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
      08 00 1d 00 08 00 00 00`);
    expect(encodeGetLinks(0x6b045085).toString('hex')).toBe(expected.toString('hex'));
  });
});

describe('attributes', () => {
  it('pads to 4 bytes but counts only the data in rta_len', () => {
    expect(encodeAttrString(IFLA.IFNAME, 'e0').toString('hex')).toBe('07000300' + '653000' + '00');
    expect(encodeAttr(9, new Uint8Array(0)).toString('hex')).toBe('04000900');
    expect(encodeAttrU32(IFLA.EXT_MASK, 0x01020304).toString('hex')).toBe('08001d00' + '04030201');
  });

  it('nests, and parses nested attributes back', () => {
    const nested = encodeAttrNested(IFLA.LINKINFO, [
      encodeAttrString(IFLA_INFO.KIND, 'veth'),
      encodeAttrU32(7, 5),
    ]);
    expect(nested.readUInt16LE(2)).toBe(IFLA.LINKINFO | NLA_F_NESTED);
    expect(nested.readUInt16LE(0)).toBe(4 + 12 + 8);
    const { attrs, error } = parseAttrs(nested);
    expect(error).toBeNull();
    expect(attrs).toHaveLength(1);
    const outer = attrs[0];
    expect(outer?.type).toBe(IFLA.LINKINFO);
    expect(outer?.nested).toBe(true);
    const inner = parseAttrs(outer?.data ?? new Uint8Array()).attrs;
    expect(inner.map((a) => a.type)).toEqual([IFLA_INFO.KIND, 7]);
    expect(attrString(inner[0] as (typeof inner)[number])).toBe('veth');
  });

  it('stops at an attribute that does not fit, keeping what came before', () => {
    const good = encodeAttrU32(1, 1);
    const bad = Buffer.from([0x20, 0x00, 0x02, 0x00, 0xaa]);
    const r = parseAttrs(Buffer.concat([good, bad]));
    expect(r.attrs).toHaveLength(1);
    expect(r.error).toMatch(/rta_len 32/);
    expect(parseAttrs(Buffer.from([0x02, 0x00, 0x01, 0x00])).error).toMatch(/rta_len 2/);
    expect(parseAttrs(Buffer.concat([good, Buffer.from([0, 0])])).error).toBeNull();
  });
});

describe('answers from the kernel', () => {
  it('NLMSG_ERROR EEXIST with the request echoed and an extended-ACK text', () => {
    // `ip addr add 192.0.2.77/24 dev e0` a second time (iproute2 sets NETLINK_EXT_ACK)
    const datagram = hex(`
      60 00 00 00 02 00 00 02  8a 50 04 6b 7b 32 00 00
      ef ff ff ff 28 00 00 00  14 00 05 06 8a 50 04 6b
      00 00 00 00 02 18 00 00  03 00 00 00 08 00 02 00
      c0 00 02 4d 08 00 01 00  c0 00 02 4d 23 00 01 00
      69 70 76 34 3a 20 41 64  64 72 65 73 73 20 61 6c
      72 65 61 64 79 20 61 73  73 69 67 6e 65 64 00 00`);
    const { messages, error } = parseMessages(datagram);
    expect(error).toBeNull();
    expect(messages).toHaveLength(1);
    const m = messages[0] as NlMessage;
    expect(m).toMatchObject({ type: NLMSG.ERROR, flags: NLM_F.ACK_TLVS, seq: 0x6b04508a, pid: 0x327b });
    const e = decodeError(m);
    expect(e).toEqual({
      ok: true,
      error: {
        errno: 17,
        request: { type: RTM.NEWADDR, flags: 0x605, seq: 0x6b04508a },
        message: 'ipv4: Address already assigned',
      },
    });
    expect(errnoName(17)).toBe('EEXIST');
  });

  it('a capped acknowledgement (NETLINK_CAP_ACK) and a bare one', () => {
    const capped = encodeMessage({ type: NLMSG.ERROR, flags: NLM_F.CAPPED | NLM_F.ACK_TLVS, seq: 5 }, [
      Buffer.from([0xea, 0xff, 0xff, 0xff]), // -EINVAL
      encodeMessage({ type: RTM.NEWADDR, flags: 0x605, seq: 5 }, []).subarray(0, 16),
      encodeAttrString(1, 'bad thing'),
    ]);
    const m = parseMessages(capped).messages[0] as NlMessage;
    expect(decodeError(m)).toEqual({
      ok: true,
      error: { errno: 22, request: { type: RTM.NEWADDR, flags: 0x605, seq: 5 }, message: 'bad thing' },
    });
    const ack = encodeMessage({ type: NLMSG.ERROR, flags: 0, seq: 6 }, [Buffer.alloc(4)]);
    expect(decodeError(parseMessages(ack).messages[0] as NlMessage)).toEqual({
      ok: true,
      error: { errno: 0, request: null, message: null },
    });
    expect(decodeError({ type: NLMSG.ERROR, flags: 0, seq: 0, pid: 0, payload: Buffer.alloc(2) }).ok).toBe(
      false,
    );
  });

  it('a dump answer: RTM_NEWADDR (NLM_F_MULTI) and NLMSG_DONE in one datagram', () => {
    // `ip -6 addr show dev e0` with 2001:db8:1::10/64 nodad home mngtmpaddr noprefixroute
    const datagram = hex(`
      48 00 00 00 14 00 22 00  8b 50 04 6b 80 32 00 00
      0a 40 92 00 03 00 00 00  14 00 01 00 20 01 0d b8
      00 01 00 00 00 00 00 00  00 00 00 10 14 00 06 00
      ff ff ff ff ff ff ff ff  6b df 06 00 6b df 06 00
      08 00 08 00 92 03 00 00  14 00 00 00 03 00 22 00
      8b 50 04 6b 80 32 00 00  00 00 00 00`);
    const { messages, error } = parseMessages(datagram);
    expect(error).toBeNull();
    expect(messages.map((m) => [m.type, m.flags])).toEqual([
      [RTM.NEWADDR, NLM_F.MULTI | NLM_F.DUMP_FILTERED],
      [NLMSG.DONE, NLM_F.MULTI | NLM_F.DUMP_FILTERED],
    ]);
    const a = decodeAddress(messages[0] as NlMessage);
    if (!a.ok) throw new Error(a.reason);
    expect(a.address).toMatchObject({
      family: AF.INET6,
      prefixLength: 64,
      flags: IFA_F.NODAD | IFA_F.HOMEADDRESS | IFA_F.PERMANENT | IFA_F.MANAGETEMPADDR | IFA_F.NOPREFIXROUTE,
      scope: 0,
      index: 3,
      local: null,
      label: null,
      cacheInfo: { preferred: 0xffffffff, valid: 0xffffffff, created: 0x6df6b, updated: 0x6df6b },
    });
    expect(toInterfaceAddress(a.address)).toEqual({
      index: 3,
      family: 'inet6',
      address: '2001:db8:1::10',
      prefixLength: 64,
      secondary: false,
      linkLocal: false,
      label: null,
    });
    expect(decodeDone(messages[1] as NlMessage)).toBe(0);
  });

  it('NLMSG_DONE carrying an error', () => {
    const done = encodeMessage({ type: NLMSG.DONE, flags: NLM_F.MULTI, seq: 1 }, [
      Buffer.from([0xf0, 0xff, 0xff, 0xff]),
    ]);
    expect(decodeDone(parseMessages(done).messages[0] as NlMessage)).toBe(16);
    expect(decodeDone({ type: NLMSG.DONE, flags: 0, seq: 0, pid: 0, payload: Buffer.alloc(0) })).toBe(0);
  });
});

describe('links and addresses round-trip', () => {
  const link = (index: number, flags: number, family: number = AF.UNSPEC) =>
    encodeLinkMessage(
      { type: RTM.NEWLINK, flags: NLM_F.MULTI, seq: 9 },
      { family, type: 1, index, flags, change: 0 },
      [
        encodeAttrString(IFLA.IFNAME, 'eth0'),
        encodeAttrU32(IFLA.MTU, 1500),
        encodeAttr(IFLA.ADDRESS, Uint8Array.from([2, 0, 0x5e, 0, 1, 7])),
        encodeAttrNested(IFLA.LINKINFO, [encodeAttrString(IFLA_INFO.KIND, 'veth')]),
      ],
    );

  it('RTM_NEWLINK', () => {
    const m = parseMessages(link(7, IFF.UP | IFF.BROADCAST | IFF.RUNNING | IFF.LOWER_UP))
      .messages[0] as NlMessage;
    const d = decodeLink(m);
    if (!d.ok) throw new Error(d.reason);
    expect(d.link).toEqual({
      family: AF.UNSPEC,
      type: 1,
      index: 7,
      flags: 0x10043,
      change: 0,
      name: 'eth0',
      mac: Uint8Array.from([2, 0, 0x5e, 0, 1, 7]),
      kind: 'veth',
      parent: null,
      macvlanMode: null,
    });
    expect(toLinkInfo(d.link)).toEqual({
      index: 7,
      name: 'eth0',
      mac: Uint8Array.from([2, 0, 0x5e, 0, 1, 7]),
      up: true,
    });
  });

  it('up means IFF_UP and IFF_RUNNING', () => {
    const up = (flags: number) => {
      const d = decodeLink(parseMessages(link(7, flags)).messages[0] as NlMessage);
      return d.ok && toLinkInfo(d.link).up;
    };
    expect(up(IFF.UP)).toBe(false);
    expect(up(IFF.RUNNING)).toBe(false);
    expect(up(IFF.UP | IFF.RUNNING)).toBe(true);
    expect(up(IFF.UP | IFF.LOWER_UP)).toBe(false);
  });

  it('a link without a name or hardware address', () => {
    const bare = encodeLinkMessage({ type: RTM.NEWLINK, flags: 0, seq: 1 }, { index: 1 });
    expect(decodeLink(parseMessages(bare).messages[0] as NlMessage)).toEqual({
      ok: false,
      reason: 'no IFLA_IFNAME',
    });
    const noMac = encodeLinkMessage({ type: RTM.DELLINK, flags: 0, seq: 1 }, { index: 4 }, [
      encodeAttrString(IFLA.IFNAME, 'tun0'),
    ]);
    const d = decodeLink(parseMessages(noMac).messages[0] as NlMessage);
    expect(d.ok && d.link.mac.length === 0 && d.link.kind === null).toBe(true);
  });

  it('RTM_NEWADDR for IPv4: IFA_LOCAL is the address, secondary and label come through', () => {
    const m = encodeMessage({ type: RTM.NEWADDR, flags: 0, seq: 1 }, [
      encodeIfaddrmsg({ family: AF.INET, prefixLength: 30, flags: IFA_F.SECONDARY, scope: 253, index: 9 }),
      encodeAttr(IFA.ADDRESS, Uint8Array.from([198, 51, 100, 2])),
      encodeAttr(IFA.LOCAL, Uint8Array.from([198, 51, 100, 1])),
      encodeAttrString(IFA.LABEL, 'eth0:vip'),
      encodeAttr(IFA.BROADCAST, Uint8Array.from([198, 51, 100, 3])),
    ]);
    const d = decodeAddress(parseMessages(m).messages[0] as NlMessage);
    if (!d.ok) throw new Error(d.reason);
    expect(d.address.flags).toBe(IFA_F.SECONDARY);
    expect(Array.from(d.address.broadcast ?? [])).toEqual([198, 51, 100, 3]);
    expect(toInterfaceAddress(d.address)).toEqual({
      index: 9,
      family: 'inet',
      address: '198.51.100.1',
      prefixLength: 30,
      secondary: true,
      linkLocal: false,
      label: 'eth0:vip',
    });
  });

  it('IPv6 link-local, and addresses the port cannot express', () => {
    const addr = (family: number, bytes: number[], prefixLength = 64) =>
      encodeMessage({ type: RTM.NEWADDR, flags: 0, seq: 1 }, [
        encodeIfaddrmsg({ family, prefixLength, flags: 0, scope: 0, index: 2 }),
        encodeAttr(IFA.ADDRESS, Uint8Array.from(bytes)),
      ]);
    const view = (b: Buffer) => {
      const d = decodeAddress(parseMessages(b).messages[0] as NlMessage);
      return d.ok ? toInterfaceAddress(d.address) : undefined;
    };
    const ll = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    expect(view(addr(AF.INET6, ll))).toMatchObject({ address: 'fe80::1', linkLocal: true });
    expect(view(addr(AF.INET6, [0xfe, 0xc0, ...ll.slice(2)]))?.linkLocal).toBe(false);
    expect(view(addr(AF.INET, [192, 0, 2, 1, 0]))).toBeUndefined(); // wrong length
    expect(view(addr(AF.INET, [192, 0, 2, 1], 33))).toBeUndefined();
    expect(view(addr(17, [1, 2, 3, 4]))).toBeUndefined(); // AF_PACKET
    expect(decodeAddress({ type: RTM.NEWADDR, flags: 0, seq: 0, pid: 0, payload: Buffer.alloc(7) }).ok).toBe(
      false,
    );
  });
});

describe('malformed input never throws', () => {
  const samples = [
    encodeGetLinks(1),
    encoded('add', spec({ broadcast: '+', label: 'e0:1' }), 2),
    encoded('add', spec({ family: 'inet6', address: '2001:db8::1', prefixLength: 128, flags: ['nodad'] }), 3),
    encodeLinkMessage({ type: RTM.NEWLINK, flags: 0, seq: 4 }, { index: 3, flags: 0x41 }, [
      encodeAttrString(IFLA.IFNAME, 'eth0'),
      encodeAttr(IFLA.ADDRESS, Uint8Array.from([2, 0, 0, 0, 0, 1])),
      encodeAttrNested(IFLA.LINKINFO, [encodeAttrString(IFLA_INFO.KIND, 'veth')]),
    ]),
    encodeMessage({ type: NLMSG.ERROR, flags: NLM_F.ACK_TLVS, seq: 5 }, [
      Buffer.from([0xef, 0xff, 0xff, 0xff]),
      encodeGetLinks(5),
      encodeAttrString(1, 'text'),
    ]),
  ];

  const decodeAll = (data: Uint8Array): void => {
    const { messages } = parseMessages(data);
    for (const m of messages) {
      decodeError(m);
      decodeDone(m);
      const l = decodeLink(m);
      if (l.ok) toLinkInfo(l.link);
      const a = decodeAddress(m);
      if (a.ok) toInterfaceAddress(a.address);
      parseAttrs(m.payload);
    }
    parseAttrs(data);
  };

  it('every truncation of real messages parses to an error or fewer messages', () => {
    for (const s of samples) {
      for (let n = 0; n < s.length; n++) {
        const cut = s.subarray(0, n);
        expect(() => decodeAll(cut)).not.toThrow();
        const r = parseMessages(cut);
        expect(r.messages).toHaveLength(0);
        if (n > 0) expect(r.error).not.toBeNull();
      }
    }
  });

  it('messages whose own lengths lie', () => {
    for (const s of samples) {
      for (const len of [0, 1, 15, 16, s.length - 1, s.length + 1, 0xffffffff]) {
        const b = Buffer.from(s);
        b.writeUInt32LE(len, 0);
        expect(() => decodeAll(b)).not.toThrow();
      }
      // Corrupt each attribute length in turn.
      for (let off = 16; off + 2 <= s.length; off++) {
        const b = Buffer.from(s);
        b.writeUInt16LE(0xffff, off);
        expect(() => decodeAll(b)).not.toThrow();
      }
    }
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        decodeAll(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('random payloads behind a valid header', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(NLMSG.ERROR, NLMSG.DONE, RTM.NEWLINK, RTM.NEWADDR),
        fc.integer({ min: 0, max: 0xffff }),
        fc.uint8Array({ maxLength: 120 }),
        (type, flags, payload) => {
          decodeAll(encodeMessage({ type, flags, seq: 1 }, [payload]));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
