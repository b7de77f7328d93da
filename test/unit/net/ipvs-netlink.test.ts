/**
 * IPVS generic-netlink messages as bytes (src/net/ipvs-netlink.ts), checked against what the
 * kernel's parsers read (net/netfilter/ipvs/ip_vs_ctl.c ip_vs_genl_parse_service(),
 * ip_vs_genl_parse_dest(), ip_vs_genl_new_daemon(), ip_vs_genl_set_config()) and what libipvs
 * (ipvsadm, keepalived) sends:
 *
 * - the nlmsghdr's type is the family id, a change is NLM_F_REQUEST|NLM_F_ACK, a dump
 *   NLM_F_REQUEST|NLM_F_DUMP; the genlmsghdr is (cmd, version 1, reserved 0);
 * - service key: AF u16, PROTOCOL u16, ADDR 16 bytes (union nf_inet_addr: IPv4 in the first 4),
 *   PORT big-endian u16 (nla_get_be16); a fwmark service is AF + FWMARK only;
 * - NETMASK is read with nla_get_be32 into a __be32: an IPv4 one is the mask's bytes in network
 *   order, an IPv6 one the prefix length as a host-order (little-endian) u32;
 * - FLAGS is struct ip_vs_flags { flags, mask } (u32 each, host order);
 * - dest: FWD_METHOD u32 (IP_VS_CONN_F_MASQ 0, TUNNEL 2, DROUTE 3), WEIGHT, U/L_THRESH u32,
 *   ADDR_FAMILY u16 for a destination of another family, TUN_TYPE u8, TUN_PORT be16 (gue only),
 *   TUN_FLAGS u16.
 *
 * Decoders are checked by building the kernel's answers (ip_vs_genl_fill_service/_dest, with a
 * STATS64 nest) from netlink.ts's attribute helpers; they must never throw on garbage.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeDaemon,
  decodeDest,
  decodeFamilyId,
  decodeInfo,
  decodeService,
  decodeTimeouts,
  encodeDaemon,
  encodeDelService,
  encodeDest,
  encodeFlush,
  encodeGetDaemons,
  encodeGetDests,
  encodeGetFamily,
  encodeGetInfo,
  encodeGetServices,
  encodeGetTimeouts,
  encodeService,
  encodeSetTimeouts,
  GENL,
  IP_VS_SVC_F,
  IPVS_CMD,
  IPVS_CMD_ATTR,
  IPVS_DAEMON_ATTR,
  IPVS_DEST_ATTR,
  IPVS_INFO_ATTR,
  IPVS_STATS_ATTR,
  IPVS_SVC_ATTR,
  serviceName,
  type IpvsDaemon,
  type IpvsDest,
  type IpvsService,
  type IpvsServiceKey,
} from '../../../src/net/ipvs-netlink.js';
import {
  encodeAttr,
  encodeAttrNested,
  encodeAttrString,
  encodeAttrU32,
  encodeMessage,
  findAttr,
  NLM_F,
  parseAttrs,
  parseMessages,
  type NlAttribute,
  type NlMessage,
} from '../../../src/net/netlink.js';

const FAMILY = 0x1c; // the id the kernel gave "IPVS" (any will do)
const CHANGE = NLM_F.REQUEST | NLM_F.ACK;
const DUMP = NLM_F.REQUEST | NLM_F.DUMP;

// ---------------------------------------------------------------------------------------------
// Reading what the encoders built

function one(bytes: Buffer): NlMessage {
  const { messages, error } = parseMessages(bytes);
  expect(error).toBeNull();
  expect(messages).toHaveLength(1);
  return messages[0] as NlMessage;
}

/** The genlmsghdr and top-level attributes of a message. */
function genl(bytes: Buffer): { m: NlMessage; hdr: number[]; attrs: NlAttribute[] } {
  const m = one(bytes);
  const parsed = parseAttrs(m.payload.subarray(GENL.HDRLEN));
  expect(parsed.error).toBeNull();
  return { m, hdr: [...m.payload.subarray(0, GENL.HDRLEN)], attrs: parsed.attrs };
}

function nest(attrs: readonly NlAttribute[], type: number): NlAttribute[] {
  const a = findAttr(attrs, type);
  expect(a, `attribute ${type}`).toBeDefined();
  expect(a?.nested).toBe(true);
  const parsed = parseAttrs((a as NlAttribute).data);
  expect(parsed.error).toBeNull();
  return parsed.attrs;
}

const hex = (a: NlAttribute | undefined): string | undefined =>
  a ? [...a.data].map((x) => x.toString(16).padStart(2, '0')).join(' ') : undefined;
const bytesOf = (attrs: readonly NlAttribute[], type: number): string | undefined =>
  hex(findAttr(attrs, type));
const types = (attrs: readonly NlAttribute[]): number[] => attrs.map((a) => a.type);
const zeros = (n: number): string => Array<string>(n).fill('00').join(' ');

// ---------------------------------------------------------------------------------------------
// Fixtures

const S = IPVS_SVC_ATTR;
const D = IPVS_DEST_ATTR;

const tcp80: IpvsServiceKey = {
  kind: 'address',
  family: 'inet',
  protocol: 'TCP',
  address: '192.0.2.1',
  port: 80,
};
const v6: IpvsServiceKey = {
  kind: 'address',
  family: 'inet6',
  protocol: 'UDP',
  address: '2001:db8::1',
  port: 8080,
};
const fwm5: IpvsServiceKey = { kind: 'fwmark', family: 'inet', fwmark: 5 };

const service = (over: Partial<IpvsService> = {}): IpvsService => ({
  key: tcp80,
  scheduler: 'rr',
  flags: IP_VS_SVC_F.PERSISTENT,
  timeout: 300,
  prefix: 24,
  pe: null,
  ...over,
});

const dest = (over: Partial<IpvsDest> = {}): IpvsDest => ({
  address: '192.0.2.11',
  port: 8080,
  forward: 'NAT',
  weight: 3,
  uthreshold: 100,
  lthreshold: 10,
  tunnel: null,
  ...over,
});

describe('service messages', () => {
  it('NEW_SERVICE: header, genlmsghdr, and every field of an IPv4 TCP service', () => {
    const { m, hdr, attrs } = genl(encodeService(FAMILY, 'new', 7, service()));
    expect([m.type, m.flags, m.seq]).toEqual([FAMILY, CHANGE, 7]);
    expect(hdr).toEqual([IPVS_CMD.NEW_SERVICE, 1, 0, 0]);
    expect(types(attrs)).toEqual([IPVS_CMD_ATTR.SERVICE]);
    const svc = nest(attrs, IPVS_CMD_ATTR.SERVICE);
    expect(types(svc)).toEqual([
      S.AF,
      S.PROTOCOL,
      S.ADDR,
      S.PORT,
      S.SCHED_NAME,
      S.FLAGS,
      S.TIMEOUT,
      S.NETMASK,
    ]);
    expect(bytesOf(svc, S.AF)).toBe('02 00'); // AF_INET, u16
    expect(bytesOf(svc, S.PROTOCOL)).toBe('06 00'); // IPPROTO_TCP, u16
    expect(bytesOf(svc, S.ADDR)).toBe(`c0 00 02 01 ${zeros(12)}`); // IPv4 in the first 4 of 16
    expect(bytesOf(svc, S.PORT)).toBe('00 50'); // 80, big-endian
    expect(bytesOf(svc, S.SCHED_NAME)).toBe('72 72 00'); // "rr\0"
    expect(bytesOf(svc, S.FLAGS)).toBe('01 00 00 00 ff ff ff ff'); // { flags, mask }
    expect(bytesOf(svc, S.TIMEOUT)).toBe('2c 01 00 00'); // 300
    expect(bytesOf(svc, S.NETMASK)).toBe('ff ff ff 00'); // /24 as the mask, network order
  });

  it('SET_SERVICE carries the same attributes with cmd 2', () => {
    const a = genl(encodeService(FAMILY, 'new', 1, service()));
    const b = genl(encodeService(FAMILY, 'set', 1, service()));
    expect(b.hdr).toEqual([IPVS_CMD.SET_SERVICE, 1, 0, 0]);
    expect(b.m.flags).toBe(CHANGE);
    expect(b.m.payload.subarray(GENL.HDRLEN)).toEqual(a.m.payload.subarray(GENL.HDRLEN));
  });

  it('flags are sent whole, with a full mask (every bit set as given)', () => {
    const flags = IP_VS_SVC_F.ONEPACKET | IP_VS_SVC_F.SCHED1 | IP_VS_SVC_F.SCHED2 | IP_VS_SVC_F.SCHED3;
    const svc = nest(genl(encodeService(FAMILY, 'new', 1, service({ flags }))).attrs, IPVS_CMD_ATTR.SERVICE);
    expect(bytesOf(svc, S.FLAGS)).toBe('3c 00 00 00 ff ff ff ff');
    const none = nest(
      genl(encodeService(FAMILY, 'new', 1, service({ flags: 0 }))).attrs,
      IPVS_CMD_ATTR.SERVICE,
    );
    expect(bytesOf(none, S.FLAGS)).toBe('00 00 00 00 ff ff ff ff');
  });

  it('PE_NAME only when a persistence engine is set, NUL-terminated', () => {
    const withPe = nest(
      genl(encodeService(FAMILY, 'new', 1, service({ pe: 'sip' }))).attrs,
      IPVS_CMD_ATTR.SERVICE,
    );
    expect(bytesOf(withPe, S.PE_NAME)).toBe('73 69 70 00');
    const without = nest(genl(encodeService(FAMILY, 'new', 1, service())).attrs, IPVS_CMD_ATTR.SERVICE);
    expect(findAttr(without, S.PE_NAME)).toBeUndefined();
  });

  it.each([
    [32, 'ff ff ff ff'],
    [24, 'ff ff ff 00'],
    [16, 'ff ff 00 00'],
    [17, 'ff ff 80 00'],
    [1, '80 00 00 00'],
    [0, '00 00 00 00'],
  ])('IPv4 NETMASK for prefix %i is the mask in network order: %s', (prefix, bytes) => {
    const svc = nest(genl(encodeService(FAMILY, 'new', 1, service({ prefix }))).attrs, IPVS_CMD_ATTR.SERVICE);
    expect(bytesOf(svc, S.NETMASK)).toBe(bytes);
  });

  it('IPv6: AF_INET6, 16 address bytes, UDP, and NETMASK as the prefix length (LE u32)', () => {
    const svc = nest(
      genl(encodeService(FAMILY, 'new', 1, service({ key: v6, prefix: 64 }))).attrs,
      IPVS_CMD_ATTR.SERVICE,
    );
    expect(bytesOf(svc, S.AF)).toBe('0a 00');
    expect(bytesOf(svc, S.PROTOCOL)).toBe('11 00'); // IPPROTO_UDP
    expect(bytesOf(svc, S.ADDR)).toBe(`20 01 0d b8 ${zeros(11)} 01`);
    expect(bytesOf(svc, S.PORT)).toBe('1f 90'); // 8080
    expect(bytesOf(svc, S.NETMASK)).toBe('40 00 00 00');
    const full = nest(
      genl(encodeService(FAMILY, 'new', 1, service({ key: v6, prefix: 128 }))).attrs,
      IPVS_CMD_ATTR.SERVICE,
    );
    expect(bytesOf(full, S.NETMASK)).toBe('80 00 00 00');
  });

  it('SCTP is protocol 132', () => {
    const key: IpvsServiceKey = { ...tcp80, protocol: 'SCTP' };
    const svc = nest(genl(encodeService(FAMILY, 'new', 1, service({ key }))).attrs, IPVS_CMD_ATTR.SERVICE);
    expect(bytesOf(svc, S.PROTOCOL)).toBe('84 00');
  });

  it('a fwmark service carries AF and FWMARK, no protocol, address or port', () => {
    const svc = nest(
      genl(encodeService(FAMILY, 'new', 1, service({ key: fwm5, prefix: 32 }))).attrs,
      IPVS_CMD_ATTR.SERVICE,
    );
    expect(types(svc)).toEqual([S.AF, S.FWMARK, S.SCHED_NAME, S.FLAGS, S.TIMEOUT, S.NETMASK]);
    expect(bytesOf(svc, S.AF)).toBe('02 00');
    expect(bytesOf(svc, S.FWMARK)).toBe('05 00 00 00');
    const v6mark = nest(
      genl(encodeDelService(FAMILY, 1, { kind: 'fwmark', family: 'inet6', fwmark: 0x10203 })).attrs,
      IPVS_CMD_ATTR.SERVICE,
    );
    expect(types(v6mark)).toEqual([S.AF, S.FWMARK]);
    expect(bytesOf(v6mark, S.AF)).toBe('0a 00');
    expect(bytesOf(v6mark, S.FWMARK)).toBe('03 02 01 00');
  });

  it('DEL_SERVICE carries the key only', () => {
    const { m, hdr, attrs } = genl(encodeDelService(FAMILY, 9, tcp80));
    expect([m.type, m.flags, m.seq]).toEqual([FAMILY, CHANGE, 9]);
    expect(hdr).toEqual([IPVS_CMD.DEL_SERVICE, 1, 0, 0]);
    expect(types(nest(attrs, IPVS_CMD_ATTR.SERVICE))).toEqual([S.AF, S.PROTOCOL, S.ADDR, S.PORT]);
  });

  it('an address that is not one throws (nothing half-built is sent)', () => {
    expect(() => encodeService(FAMILY, 'new', 1, service({ key: { ...tcp80, address: 'nope' } }))).toThrow(
      RangeError,
    );
  });
});

describe('destination messages', () => {
  it('NEW_DEST: the service key, then ADDR, PORT, FWD_METHOD, WEIGHT and thresholds', () => {
    const { m, hdr, attrs } = genl(encodeDest(FAMILY, 'new', 3, tcp80, dest()));
    expect([m.type, m.flags, m.seq]).toEqual([FAMILY, CHANGE, 3]);
    expect(hdr).toEqual([IPVS_CMD.NEW_DEST, 1, 0, 0]);
    expect(types(attrs)).toEqual([IPVS_CMD_ATTR.SERVICE, IPVS_CMD_ATTR.DEST]);
    expect(types(nest(attrs, IPVS_CMD_ATTR.SERVICE))).toEqual([S.AF, S.PROTOCOL, S.ADDR, S.PORT]);
    const d = nest(attrs, IPVS_CMD_ATTR.DEST);
    expect(types(d)).toEqual([D.ADDR, D.PORT, D.FWD_METHOD, D.WEIGHT, D.U_THRESH, D.L_THRESH]);
    expect(bytesOf(d, D.ADDR)).toBe(`c0 00 02 0b ${zeros(12)}`);
    expect(bytesOf(d, D.PORT)).toBe('1f 90'); // big-endian
    expect(bytesOf(d, D.FWD_METHOD)).toBe('00 00 00 00'); // IP_VS_CONN_F_MASQ
    expect(bytesOf(d, D.WEIGHT)).toBe('03 00 00 00');
    expect(bytesOf(d, D.U_THRESH)).toBe('64 00 00 00');
    expect(bytesOf(d, D.L_THRESH)).toBe('0a 00 00 00');
  });

  it.each([
    ['NAT', '00 00 00 00'],
    ['TUN', '02 00 00 00'],
    ['DR', '03 00 00 00'],
  ] as const)('FWD_METHOD of %s is %s', (forward, bytes) => {
    const d = nest(genl(encodeDest(FAMILY, 'new', 1, tcp80, dest({ forward }))).attrs, IPVS_CMD_ATTR.DEST);
    expect(bytesOf(d, D.FWD_METHOD)).toBe(bytes);
  });

  it('weight 0 is sent (a quiesced destination), not left out', () => {
    const d = nest(genl(encodeDest(FAMILY, 'set', 1, tcp80, dest({ weight: 0 }))).attrs, IPVS_CMD_ATTR.DEST);
    expect(bytesOf(d, D.WEIGHT)).toBe('00 00 00 00');
  });

  it('TUN without tunnel options (plain IPIP) sends no TUN_* attributes', () => {
    const d = nest(
      genl(encodeDest(FAMILY, 'new', 1, tcp80, dest({ forward: 'TUN', port: 80 }))).attrs,
      IPVS_CMD_ATTR.DEST,
    );
    expect(types(d)).toEqual([D.ADDR, D.PORT, D.FWD_METHOD, D.WEIGHT, D.U_THRESH, D.L_THRESH]);
  });

  it('TUN gue: TUN_TYPE u8 1, TUN_PORT big-endian, TUN_FLAGS u16', () => {
    const d = nest(
      genl(
        encodeDest(
          FAMILY,
          'new',
          1,
          tcp80,
          dest({ forward: 'TUN', tunnel: { type: 'gue', port: 6080, flags: 'csum' } }),
        ),
      ).attrs,
      IPVS_CMD_ATTR.DEST,
    );
    expect(types(d).slice(6)).toEqual([D.TUN_TYPE, D.TUN_PORT, D.TUN_FLAGS]);
    expect(bytesOf(d, D.TUN_TYPE)).toBe('01');
    expect(bytesOf(d, D.TUN_PORT)).toBe('17 c0'); // 6080
    expect(bytesOf(d, D.TUN_FLAGS)).toBe('01 00'); // IP_VS_TUNNEL_ENCAP_FLAG_CSUM
  });

  it('TUN gre and ipip: TUN_TYPE and TUN_FLAGS, no TUN_PORT', () => {
    const gre = nest(
      genl(
        encodeDest(
          FAMILY,
          'new',
          1,
          tcp80,
          dest({ forward: 'TUN', tunnel: { type: 'gre', port: 0, flags: 'remcsum' } }),
        ),
      ).attrs,
      IPVS_CMD_ATTR.DEST,
    );
    expect(types(gre).slice(6)).toEqual([D.TUN_TYPE, D.TUN_FLAGS]);
    expect(bytesOf(gre, D.TUN_TYPE)).toBe('02');
    expect(bytesOf(gre, D.TUN_FLAGS)).toBe('02 00'); // IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM
    const ipip = nest(
      genl(
        encodeDest(
          FAMILY,
          'new',
          1,
          tcp80,
          dest({ forward: 'TUN', tunnel: { type: 'ipip', port: 0, flags: 'nocsum' } }),
        ),
      ).attrs,
      IPVS_CMD_ATTR.DEST,
    );
    expect(bytesOf(ipip, D.TUN_TYPE)).toBe('00');
    expect(bytesOf(ipip, D.TUN_FLAGS)).toBe('00 00');
    expect(findAttr(ipip, D.TUN_PORT)).toBeUndefined();
  });

  it('tunnel options on a non-TUN destination are not sent', () => {
    const d = nest(
      genl(
        encodeDest(
          FAMILY,
          'new',
          1,
          tcp80,
          dest({ forward: 'DR', tunnel: { type: 'gue', port: 6080, flags: 'csum' } }),
        ),
      ).attrs,
      IPVS_CMD_ATTR.DEST,
    );
    expect(findAttr(d, D.TUN_TYPE)).toBeUndefined();
    expect(findAttr(d, D.TUN_PORT)).toBeUndefined();
    expect(findAttr(d, D.TUN_FLAGS)).toBeUndefined();
  });

  it('ADDR_FAMILY only when the destination is of another family than the service', () => {
    const mixed = nest(
      genl(encodeDest(FAMILY, 'new', 1, v6, dest({ forward: 'TUN' }))).attrs,
      IPVS_CMD_ATTR.DEST,
    );
    expect(bytesOf(mixed, D.ADDR_FAMILY)).toBe('02 00'); // AF_INET destination of an IPv6 service
    expect(bytesOf(mixed, D.ADDR)).toBe(`c0 00 02 0b ${zeros(12)}`);
    const same = nest(
      genl(encodeDest(FAMILY, 'new', 1, v6, dest({ address: '2001:db8::11' }))).attrs,
      IPVS_CMD_ATTR.DEST,
    );
    expect(findAttr(same, D.ADDR_FAMILY)).toBeUndefined();
    expect(bytesOf(same, D.ADDR)).toBe(`20 01 0d b8 ${zeros(11)} 11`);
    const del = nest(genl(encodeDest(FAMILY, 'del', 1, v6, dest())).attrs, IPVS_CMD_ATTR.DEST);
    expect(bytesOf(del, D.ADDR_FAMILY)).toBe('02 00');
  });

  it('SET_DEST is cmd 6 with every field; DEL_DEST cmd 7 with ADDR and PORT only', () => {
    const set = genl(encodeDest(FAMILY, 'set', 1, tcp80, dest()));
    expect(set.hdr).toEqual([IPVS_CMD.SET_DEST, 1, 0, 0]);
    expect(types(nest(set.attrs, IPVS_CMD_ATTR.DEST))).toEqual([
      D.ADDR,
      D.PORT,
      D.FWD_METHOD,
      D.WEIGHT,
      D.U_THRESH,
      D.L_THRESH,
    ]);
    const del = genl(encodeDest(FAMILY, 'del', 1, tcp80, dest({ forward: 'TUN' })));
    expect(del.hdr).toEqual([IPVS_CMD.DEL_DEST, 1, 0, 0]);
    expect(del.m.flags).toBe(CHANGE);
    expect(types(nest(del.attrs, IPVS_CMD_ATTR.DEST))).toEqual([D.ADDR, D.PORT]);
  });

  it('a destination of a fwmark service: the service is AF + FWMARK', () => {
    const { attrs } = genl(encodeDest(FAMILY, 'new', 1, fwm5, dest({ forward: 'DR', port: 0 })));
    expect(types(nest(attrs, IPVS_CMD_ATTR.SERVICE))).toEqual([S.AF, S.FWMARK]);
    expect(bytesOf(nest(attrs, IPVS_CMD_ATTR.DEST), D.PORT)).toBe('00 00');
  });
});

describe('dumps, flush, info, timeouts, daemons, family', () => {
  it('dumps are REQUEST|DUMP: GET_SERVICE (no attributes), GET_DEST (the service key), GET_DAEMON', () => {
    const svcs = genl(encodeGetServices(FAMILY, 4));
    expect([svcs.m.type, svcs.m.flags, svcs.m.seq]).toEqual([FAMILY, DUMP, 4]);
    expect(svcs.hdr).toEqual([IPVS_CMD.GET_SERVICE, 1, 0, 0]);
    expect(svcs.attrs).toEqual([]);
    const dests = genl(encodeGetDests(FAMILY, 5, v6));
    expect([dests.m.flags, dests.hdr[0]]).toEqual([DUMP, IPVS_CMD.GET_DEST]);
    expect(types(nest(dests.attrs, IPVS_CMD_ATTR.SERVICE))).toEqual([S.AF, S.PROTOCOL, S.ADDR, S.PORT]);
    const daemons = genl(encodeGetDaemons(FAMILY, 6));
    expect([daemons.m.flags, daemons.hdr[0]]).toEqual([DUMP, IPVS_CMD.GET_DAEMON]);
  });

  it('FLUSH, GET_INFO and GET_CONFIG are acknowledged requests without attributes', () => {
    for (const [bytes, cmd] of [
      [encodeFlush(FAMILY, 1), IPVS_CMD.FLUSH],
      [encodeGetInfo(FAMILY, 1), IPVS_CMD.GET_INFO],
      [encodeGetTimeouts(FAMILY, 1), IPVS_CMD.GET_CONFIG],
    ] as const) {
      const g = genl(bytes);
      expect([g.m.type, g.m.flags]).toEqual([FAMILY, CHANGE]);
      expect(g.hdr).toEqual([cmd, 1, 0, 0]);
      expect(g.attrs).toEqual([]);
    }
  });

  it('SET_CONFIG: the three timeouts as u32 seconds (0 leaves one unchanged)', () => {
    const { m, hdr, attrs } = genl(encodeSetTimeouts(FAMILY, 2, { tcp: 900, tcpFin: 0, udp: 60 }));
    expect(m.flags).toBe(CHANGE);
    expect(hdr).toEqual([IPVS_CMD.SET_CONFIG, 1, 0, 0]);
    expect(types(attrs)).toEqual([
      IPVS_CMD_ATTR.TIMEOUT_TCP,
      IPVS_CMD_ATTR.TIMEOUT_TCP_FIN,
      IPVS_CMD_ATTR.TIMEOUT_UDP,
    ]);
    expect(bytesOf(attrs, IPVS_CMD_ATTR.TIMEOUT_TCP)).toBe('84 03 00 00');
    expect(bytesOf(attrs, IPVS_CMD_ATTR.TIMEOUT_TCP_FIN)).toBe('00 00 00 00');
    expect(bytesOf(attrs, IPVS_CMD_ATTR.TIMEOUT_UDP)).toBe('3c 00 00 00');
  });

  const daemon: IpvsDaemon = {
    state: 'master',
    ifname: 'eth0',
    syncId: 7,
    maxlen: 0,
    group: null,
    port: 0,
    ttl: 0,
  };

  it('NEW_DAEMON: STATE, MCAST_IFN and SYNC_ID; the optional ones only when set', () => {
    const { m, hdr, attrs } = genl(encodeDaemon(FAMILY, 'new', 1, daemon));
    expect(m.flags).toBe(CHANGE);
    expect(hdr).toEqual([IPVS_CMD.NEW_DAEMON, 1, 0, 0]);
    const d = nest(attrs, IPVS_CMD_ATTR.DAEMON);
    expect(types(d)).toEqual([IPVS_DAEMON_ATTR.STATE, IPVS_DAEMON_ATTR.MCAST_IFN, IPVS_DAEMON_ATTR.SYNC_ID]);
    expect(bytesOf(d, IPVS_DAEMON_ATTR.STATE)).toBe('01 00 00 00'); // IP_VS_STATE_MASTER
    expect(bytesOf(d, IPVS_DAEMON_ATTR.MCAST_IFN)).toBe('65 74 68 30 00');
    expect(bytesOf(d, IPVS_DAEMON_ATTR.SYNC_ID)).toBe('07 00 00 00');
  });

  it('NEW_DAEMON with sync_maxlen, an IPv4 group, a ttl', () => {
    const d = nest(
      genl(
        encodeDaemon(FAMILY, 'new', 1, {
          ...daemon,
          state: 'backup',
          maxlen: 1400,
          group: '224.0.0.82',
          ttl: 2,
        }),
      ).attrs,
      IPVS_CMD_ATTR.DAEMON,
    );
    expect(bytesOf(d, IPVS_DAEMON_ATTR.STATE)).toBe('02 00 00 00'); // IP_VS_STATE_BACKUP
    expect(bytesOf(d, IPVS_DAEMON_ATTR.SYNC_MAXLEN)).toBe('78 05'); // u16, host order
    expect(bytesOf(d, IPVS_DAEMON_ATTR.MCAST_GROUP)).toBe('e0 00 00 52'); // in_addr, network order
    expect(bytesOf(d, IPVS_DAEMON_ATTR.MCAST_TTL)).toBe('02');
    const g6 = nest(
      genl(encodeDaemon(FAMILY, 'new', 1, { ...daemon, group: 'ff02::82' })).attrs,
      IPVS_CMD_ATTR.DAEMON,
    );
    expect(findAttr(g6, IPVS_DAEMON_ATTR.MCAST_GROUP)).toBeUndefined();
    expect(bytesOf(g6, IPVS_DAEMON_ATTR.MCAST_GROUP6)).toBe(`ff 02 ${zeros(13)} 82`);
  });

  it('NEW_DAEMON MCAST_PORT is a host-order u16, like every other IPVS daemon attribute', () => {
    // ip_vs_genl_new_daemon(): c.mcast_port = nla_get_u16(a); ip_vs_sync.c get_mcast_sockaddr()
    // then uses htons(c->mcast_port + id), and the default is IP_VS_SYNC_PORT (8848, host order).
    // libipvs (keepalived, ipvsadm) sends NLA_PUT_U16(msg, IPVS_DAEMON_ATTR_MCAST_PORT, port).
    // So port 8848 (0x2290) must go as bytes 90 22; big-endian (22 90) would be port 36898.
    const d = nest(
      genl(encodeDaemon(FAMILY, 'new', 1, { ...daemon, port: 8848 })).attrs,
      IPVS_CMD_ATTR.DAEMON,
    );
    expect(bytesOf(d, IPVS_DAEMON_ATTR.MCAST_PORT)).toBe('90 22');
  });

  it('DEL_DAEMON carries the state only', () => {
    const { hdr, attrs } = genl(encodeDaemon(FAMILY, 'del', 1, { ...daemon, state: 'backup', port: 1 }));
    expect(hdr).toEqual([IPVS_CMD.DEL_DAEMON, 1, 0, 0]);
    const d = nest(attrs, IPVS_CMD_ATTR.DAEMON);
    expect(types(d)).toEqual([IPVS_DAEMON_ATTR.STATE]);
    expect(bytesOf(d, IPVS_DAEMON_ATTR.STATE)).toBe('02 00 00 00');
  });

  it('CTRL_CMD_GETFAMILY goes to the controller (GENL_ID_CTRL) with the name "IPVS\\0"', () => {
    const { m, hdr, attrs } = genl(encodeGetFamily(11, 'IPVS'));
    expect([m.type, m.seq]).toEqual([GENL.ID_CTRL, 11]);
    expect(m.flags & NLM_F.REQUEST).toBe(NLM_F.REQUEST);
    expect(hdr).toEqual([GENL.CTRL_CMD_GETFAMILY, 1, 0, 0]);
    expect(bytesOf(attrs, GENL.CTRL_ATTR_FAMILY_NAME)).toBe('49 50 56 53 00');
  });
});

// ---------------------------------------------------------------------------------------------
// Decoding the kernel's answers

const u16le = (type: number, v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return encodeAttr(type, b);
};
const u16be = (type: number, v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return encodeAttr(type, b);
};
const u64 = (type: number, v: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return encodeAttr(type, b);
};
const addr16 = (type: number, bytes: number[]): Buffer => {
  const b = Buffer.alloc(16);
  b.set(bytes);
  return encodeAttr(type, b);
};
const flagsAttr = (flags: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(flags, 0);
  b.writeUInt32LE(0xffffffff, 4);
  return encodeAttr(S.FLAGS, b);
};
const netmaskBytes = (bytes: number[]): Buffer => encodeAttr(S.NETMASK, Buffer.from(bytes));

/** A message of a GET_* answer: nlmsghdr (type = family), genlmsghdr, attributes. */
const answer = (cmd: number, attrs: Buffer[]): NlMessage =>
  one(encodeMessage({ type: FAMILY, flags: NLM_F.MULTI, seq: 1 }, [Buffer.from([cmd, 1, 0, 0]), ...attrs]));

const T = IPVS_STATS_ATTR;
const BIG = 2n ** 40n + 5n; // beyond u32

/** STATS64 as ip_vs_genl_fill_stats64() builds it: every counter u64. */
const stats64 = (type: number): Buffer =>
  encodeAttrNested(type, [
    u64(T.CONNS, 11n),
    u64(T.INPKTS, 12n),
    u64(T.OUTPKTS, 13n),
    u64(T.INBYTES, BIG),
    u64(T.OUTBYTES, BIG + 1n),
    u64(T.CPS, 16n),
    u64(T.INPPS, 17n),
    u64(T.OUTPPS, 18n),
    u64(T.INBPS, 19n),
    u64(T.OUTBPS, 20n),
  ]);
/** STATS (ip_vs_genl_fill_stats()): u32 but the byte counters, which are u64. */
const stats32 = (type: number): Buffer =>
  encodeAttrNested(type, [
    encodeAttrU32(T.CONNS, 1),
    encodeAttrU32(T.INPKTS, 2),
    encodeAttrU32(T.OUTPKTS, 3),
    u64(T.INBYTES, BIG),
    u64(T.OUTBYTES, 5n),
    encodeAttrU32(T.CPS, 6),
    encodeAttrU32(T.INPPS, 7),
    encodeAttrU32(T.OUTPPS, 8),
    encodeAttrU32(T.INBPS, 9),
    encodeAttrU32(T.OUTBPS, 10),
  ]);
const STATS64_VALUES = {
  conns: 11,
  inPkts: 12,
  outPkts: 13,
  inBytes: Number(BIG),
  outBytes: Number(BIG + 1n),
  cps: 16,
  inPps: 17,
  outPps: 18,
  inBps: 19,
  outBps: 20,
};
const ZERO_STATS = {
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

/** ip_vs_genl_fill_service() for 192.0.2.1:80 TCP wlc, persistent 300 s /24, pe sip. */
const v4ServiceAnswer = (extra: Buffer[] = [stats64(S.STATS64)]): NlMessage =>
  answer(IPVS_CMD.NEW_SERVICE, [
    encodeAttrNested(IPVS_CMD_ATTR.SERVICE, [
      u16le(S.AF, 2),
      u16le(S.PROTOCOL, 6),
      addr16(S.ADDR, [192, 0, 2, 1]),
      u16be(S.PORT, 80),
      encodeAttrString(S.SCHED_NAME, 'wlc'),
      encodeAttrString(S.PE_NAME, 'sip'),
      flagsAttr(IP_VS_SVC_F.PERSISTENT | IP_VS_SVC_F.HASHED),
      encodeAttrU32(S.TIMEOUT, 300),
      netmaskBytes([255, 255, 255, 0]),
      ...extra,
    ]),
  ]);

describe('decodeService', () => {
  it('reads a GET_SERVICE answer: key, scheduler, flags, timeout, /24 back to a prefix, pe, u64 stats', () => {
    expect(decodeService(v4ServiceAnswer())).toEqual({
      key: { kind: 'address', family: 'inet', protocol: 'TCP', address: '192.0.2.1', port: 80 },
      scheduler: 'wlc',
      flags: IP_VS_SVC_F.PERSISTENT | IP_VS_SVC_F.HASHED,
      timeout: 300,
      prefix: 24,
      pe: 'sip',
      stats: STATS64_VALUES,
    });
  });

  it('STATS (older kernels): u32 counters but u64 byte counters; STATS64 wins when both are there', () => {
    expect(decodeService(v4ServiceAnswer([stats32(S.STATS)]))?.stats).toEqual({
      conns: 1,
      inPkts: 2,
      outPkts: 3,
      inBytes: Number(BIG),
      outBytes: 5,
      cps: 6,
      inPps: 7,
      outPps: 8,
      inBps: 9,
      outBps: 10,
    });
    expect(decodeService(v4ServiceAnswer([stats32(S.STATS), stats64(S.STATS64)]))?.stats).toEqual(
      STATS64_VALUES,
    );
    expect(decodeService(v4ServiceAnswer([]))?.stats).toEqual(ZERO_STATS);
  });

  it.each([
    [[255, 255, 255, 255], 32],
    [[255, 255, 255, 128], 25],
    [[255, 0, 0, 0], 8],
    [[128, 0, 0, 0], 1],
    [[0, 0, 0, 0], 0],
  ])('IPv4 netmask %j is prefix %i', (mask, prefix) => {
    const m = answer(IPVS_CMD.NEW_SERVICE, [
      encodeAttrNested(IPVS_CMD_ATTR.SERVICE, [
        u16le(S.AF, 2),
        u16le(S.PROTOCOL, 17),
        addr16(S.ADDR, [198, 51, 100, 7]),
        u16be(S.PORT, 53),
        netmaskBytes(mask),
      ]),
    ]);
    expect(decodeService(m)).toMatchObject({ prefix, key: { protocol: 'UDP', port: 53 } });
  });

  it('IPv6: the 16 address bytes, the prefix as a LE u32; no PE_NAME or an empty one is null', () => {
    const addr = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10];
    const m = (prefix: number, pe: Buffer[]) =>
      answer(IPVS_CMD.NEW_SERVICE, [
        encodeAttrNested(IPVS_CMD_ATTR.SERVICE, [
          u16le(S.AF, 10),
          u16le(S.PROTOCOL, 132),
          addr16(S.ADDR, addr),
          u16be(S.PORT, 3868),
          encodeAttrString(S.SCHED_NAME, 'sh'),
          flagsAttr(IP_VS_SVC_F.SCHED1),
          encodeAttrU32(S.TIMEOUT, 0),
          encodeAttrU32(S.NETMASK, prefix),
          ...pe,
        ]),
      ]);
    expect(decodeService(m(128, []))).toMatchObject({
      key: { kind: 'address', family: 'inet6', protocol: 'SCTP', address: '2001:db8::10', port: 3868 },
      scheduler: 'sh',
      flags: IP_VS_SVC_F.SCHED1,
      prefix: 128,
      pe: null,
    });
    expect(decodeService(m(64, [encodeAttrString(S.PE_NAME, '')]))).toMatchObject({ prefix: 64, pe: null });
  });

  it('a fwmark service; without NETMASK the prefix is the whole address', () => {
    const m = answer(IPVS_CMD.NEW_SERVICE, [
      encodeAttrNested(IPVS_CMD_ATTR.SERVICE, [
        u16le(S.AF, 10),
        encodeAttrU32(S.FWMARK, 6),
        encodeAttrString(S.SCHED_NAME, 'rr'),
      ]),
    ]);
    expect(decodeService(m)).toMatchObject({
      key: { kind: 'fwmark', family: 'inet6', fwmark: 6 },
      prefix: 128,
      flags: 0,
      timeout: 0,
    });
  });

  it('reads back what encodeService sends', () => {
    for (const s of [
      service(),
      service({ key: v6, prefix: 48, pe: 'sip', scheduler: 'mh', flags: 0x18 }),
      service({ key: fwm5, prefix: 32, flags: 0, timeout: 0 }),
      service({ key: { kind: 'fwmark', family: 'inet6', fwmark: 99 }, prefix: 128 }),
      service({ prefix: 0 }),
    ]) {
      const { stats, ...back } = decodeService(one(encodeService(FAMILY, 'new', 1, s))) ?? { stats: null };
      expect(back).toEqual(s);
      expect(stats).toEqual(ZERO_STATS);
    }
  });

  it('null when the service cannot be identified', () => {
    const svc = (attrs: Buffer[]) =>
      answer(IPVS_CMD.NEW_SERVICE, [encodeAttrNested(IPVS_CMD_ATTR.SERVICE, attrs)]);
    expect(decodeService(answer(IPVS_CMD.NEW_SERVICE, []))).toBeNull(); // no SERVICE
    expect(decodeService(svc([u16le(S.AF, 7), encodeAttrU32(S.FWMARK, 1)]))).toBeNull(); // unknown AF
    expect(decodeService(svc([u16le(S.AF, 2), u16le(S.PROTOCOL, 6), u16be(S.PORT, 80)]))).toBeNull(); // no ADDR
    expect(
      decodeService(
        svc([u16le(S.AF, 2), u16le(S.PROTOCOL, 99), addr16(S.ADDR, [1, 2, 3, 4]), u16be(S.PORT, 1)]),
      ),
    ).toBeNull(); // unknown protocol
    expect(
      decodeService(
        svc([
          u16le(S.AF, 2),
          u16le(S.PROTOCOL, 6),
          encodeAttr(S.ADDR, Buffer.from([1, 2, 3, 4])),
          u16be(S.PORT, 1),
        ]),
      ),
    ).toBeNull(); // a 4-byte ADDR is not a union nf_inet_addr
  });
});

/** ip_vs_genl_fill_dest(): an IPv4 TUN (gue) destination of an IPv6 service. */
const destAnswer = (extra: Buffer[] = []): NlMessage =>
  answer(IPVS_CMD.NEW_DEST, [
    encodeAttrNested(IPVS_CMD_ATTR.DEST, [
      addr16(D.ADDR, [192, 0, 2, 21]),
      u16be(D.PORT, 443),
      encodeAttrU32(D.FWD_METHOD, 2),
      encodeAttrU32(D.WEIGHT, 5),
      encodeAttrU32(D.U_THRESH, 1000),
      encodeAttrU32(D.L_THRESH, 800),
      encodeAttrU32(D.ACTIVE_CONNS, 7),
      encodeAttrU32(D.INACT_CONNS, 8),
      encodeAttrU32(D.PERSIST_CONNS, 9),
      u16le(D.ADDR_FAMILY, 2),
      encodeAttr(D.TUN_TYPE, Buffer.from([1])),
      u16be(D.TUN_PORT, 6080),
      u16le(D.TUN_FLAGS, 2),
      stats64(D.STATS64),
      ...extra,
    ]),
  ]);

describe('decodeDest', () => {
  it('reads a GET_DEST answer: ADDR_FAMILY, forwarding, thresholds, connections, tunnel, u64 stats', () => {
    expect(decodeDest(destAnswer(), 'inet6')).toEqual({
      address: '192.0.2.21',
      port: 443,
      family: 'inet',
      forward: 'TUN',
      weight: 5,
      uthreshold: 1000,
      lthreshold: 800,
      tunnel: { type: 'gue', port: 6080, flags: 'remcsum' },
      activeConns: 7,
      inactConns: 8,
      persistConns: 9,
      stats: STATS64_VALUES,
    });
  });

  it('without ADDR_FAMILY the service family decides how many address bytes count', () => {
    const addr = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x21];
    const m = answer(IPVS_CMD.NEW_DEST, [
      encodeAttrNested(IPVS_CMD_ATTR.DEST, [
        addr16(D.ADDR, addr),
        u16be(D.PORT, 80),
        encodeAttrU32(D.FWD_METHOD, 3),
        encodeAttrU32(D.WEIGHT, 0),
      ]),
    ]);
    expect(decodeDest(m, 'inet6')).toMatchObject({
      address: '2001:db8::21',
      family: 'inet6',
      forward: 'DR',
      weight: 0,
      tunnel: null,
      stats: ZERO_STATS,
    });
    expect(decodeDest(m, 'inet')).toMatchObject({ address: '32.1.13.184', family: 'inet' });
  });

  it('reads back what encodeDest sends (NAT, DR, TUN with each tunnel type)', () => {
    for (const [key, d] of [
      [tcp80, dest()],
      [tcp80, dest({ forward: 'DR', port: 80, weight: 0, uthreshold: 0, lthreshold: 0 })],
      [tcp80, dest({ forward: 'TUN', port: 80, tunnel: { type: 'gue', port: 6080, flags: 'csum' } })],
      [tcp80, dest({ forward: 'TUN', port: 80, tunnel: { type: 'gre', port: 0, flags: 'remcsum' } })],
      [tcp80, dest({ forward: 'TUN', port: 80, tunnel: { type: 'ipip', port: 0, flags: 'nocsum' } })],
      [v6, dest({ forward: 'TUN', port: 8080 })],
    ] as const) {
      const back = decodeDest(one(encodeDest(FAMILY, 'new', 1, key, d)), key.family);
      expect(back).toMatchObject(d);
      expect(back?.family).toBe('inet');
    }
  });

  it('a tunnel is only reported for TUN', () => {
    const m = answer(IPVS_CMD.NEW_DEST, [
      encodeAttrNested(IPVS_CMD_ATTR.DEST, [
        addr16(D.ADDR, [192, 0, 2, 21]),
        u16be(D.PORT, 80),
        encodeAttrU32(D.FWD_METHOD, 0),
        encodeAttr(D.TUN_TYPE, Buffer.from([1])),
      ]),
    ]);
    expect(decodeDest(m, 'inet')).toMatchObject({ forward: 'NAT', tunnel: null });
  });

  it('null without address, port or a known forwarding method', () => {
    const d = (attrs: Buffer[]) => answer(IPVS_CMD.NEW_DEST, [encodeAttrNested(IPVS_CMD_ATTR.DEST, attrs)]);
    const addr = addr16(D.ADDR, [192, 0, 2, 21]);
    const port = u16be(D.PORT, 80);
    const fwd = encodeAttrU32(D.FWD_METHOD, 0);
    expect(decodeDest(answer(IPVS_CMD.NEW_DEST, []), 'inet')).toBeNull();
    expect(decodeDest(d([port, fwd]), 'inet')).toBeNull();
    expect(decodeDest(d([addr, fwd]), 'inet')).toBeNull();
    expect(decodeDest(d([addr, port]), 'inet')).toBeNull();
    expect(decodeDest(d([addr, port, fwd]), 'inet')).not.toBeNull();
  });
});

describe('decodeTimeouts, decodeInfo, decodeDaemon, decodeFamilyId', () => {
  it('timeouts from a GET_CONFIG answer; missing ones are 0', () => {
    const m = answer(IPVS_CMD.SET_CONFIG, [
      encodeAttrU32(IPVS_CMD_ATTR.TIMEOUT_TCP, 900),
      encodeAttrU32(IPVS_CMD_ATTR.TIMEOUT_TCP_FIN, 120),
      encodeAttrU32(IPVS_CMD_ATTR.TIMEOUT_UDP, 300),
    ]);
    expect(decodeTimeouts(m)).toEqual({ tcp: 900, tcpFin: 120, udp: 300 });
    expect(
      decodeTimeouts(answer(IPVS_CMD.SET_CONFIG, [encodeAttrU32(IPVS_CMD_ATTR.TIMEOUT_UDP, 5)])),
    ).toEqual({
      tcp: 0,
      tcpFin: 0,
      udp: 5,
    });
  });

  it('info: the IPVS version and connection table size', () => {
    const m = answer(IPVS_CMD.GET_INFO, [
      encodeAttrU32(IPVS_INFO_ATTR.VERSION, 0x010201),
      encodeAttrU32(IPVS_INFO_ATTR.CONN_TAB_SIZE, 4096),
    ]);
    expect(decodeInfo(m)).toEqual({ version: 0x010201, connTabSize: 4096 });
  });

  it('daemons: state, interface, sync id; null without state or interface', () => {
    const d = (attrs: Buffer[]) =>
      answer(IPVS_CMD.NEW_DAEMON, [encodeAttrNested(IPVS_CMD_ATTR.DAEMON, attrs)]);
    const ifn = encodeAttrString(IPVS_DAEMON_ATTR.MCAST_IFN, 'eth1');
    expect(
      decodeDaemon(
        d([encodeAttrU32(IPVS_DAEMON_ATTR.STATE, 2), ifn, encodeAttrU32(IPVS_DAEMON_ATTR.SYNC_ID, 9)]),
      ),
    ).toEqual({ state: 'backup', ifname: 'eth1', syncId: 9 });
    expect(decodeDaemon(d([encodeAttrU32(IPVS_DAEMON_ATTR.STATE, 1), ifn]))).toEqual({
      state: 'master',
      ifname: 'eth1',
      syncId: 0,
    });
    expect(decodeDaemon(d([ifn]))).toBeNull();
    expect(decodeDaemon(d([encodeAttrU32(IPVS_DAEMON_ATTR.STATE, 1)]))).toBeNull();
  });

  it('family id from a CTRL_CMD_NEWFAMILY answer, or null', () => {
    const ctrl = (attrs: Buffer[]) =>
      one(encodeMessage({ type: GENL.ID_CTRL, flags: 0, seq: 1 }, [Buffer.from([1, 2, 0, 0]), ...attrs]));
    expect(
      decodeFamilyId(
        ctrl([encodeAttrString(GENL.CTRL_ATTR_FAMILY_NAME, 'IPVS'), u16le(GENL.CTRL_ATTR_FAMILY_ID, 0x24)]),
      ),
    ).toBe(0x24);
    expect(decodeFamilyId(ctrl([encodeAttrString(GENL.CTRL_ATTR_FAMILY_NAME, 'IPVS')]))).toBeNull();
    expect(decodeFamilyId(ctrl([encodeAttr(GENL.CTRL_ATTR_FAMILY_ID, Buffer.from([7]))]))).toBeNull();
    expect(
      decodeFamilyId({ type: GENL.ID_CTRL, flags: 0, seq: 1, pid: 0, payload: Buffer.from([1]) }),
    ).toBeNull();
  });
});

describe('decoders never throw', () => {
  /** Deterministic garbage (a small LCG), so a failure reproduces. */
  function garbage(seed: number, n: number): Buffer {
    const b = Buffer.alloc(n);
    let x = seed;
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      b[i] = x >>> 24;
    }
    return b;
  }
  const withPayload = (payload: Buffer): NlMessage => ({ type: FAMILY, flags: 0, seq: 1, pid: 0, payload });

  function all(m: NlMessage): void {
    const s = decodeService(m);
    expect(s === null || typeof s.key === 'object').toBe(true);
    for (const f of ['inet', 'inet6'] as const) {
      const d = decodeDest(m, f);
      expect(d === null || typeof d.address === 'string').toBe(true);
    }
    expect(Object.values(decodeTimeouts(m)).every((v) => typeof v === 'number')).toBe(true);
    expect(Object.values(decodeInfo(m)).every((v) => typeof v === 'number')).toBe(true);
    decodeDaemon(m);
    decodeFamilyId(m);
  }

  it('on every truncation of real answers', () => {
    for (const m of [
      v4ServiceAnswer(),
      destAnswer(),
      one(
        encodeDaemon(FAMILY, 'new', 1, {
          state: 'master',
          ifname: 'eth0',
          syncId: 1,
          maxlen: 1400,
          group: '224.0.0.81',
          port: 8848,
          ttl: 1,
        }),
      ),
    ]) {
      for (let n = 0; n <= m.payload.length; n++)
        expect(() => all(withPayload(m.payload.subarray(0, n)))).not.toThrow();
    }
  });

  it('on random bytes, and with zeros in every attribute', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const g = garbage(seed, seed % 97);
      expect(() => all(withPayload(g))).not.toThrow();
      // garbage inside well-formed nests
      const nested = Buffer.concat([
        Buffer.from([1, 1, 0, 0]),
        encodeAttrNested(IPVS_CMD_ATTR.SERVICE, [g]),
        encodeAttrNested(IPVS_CMD_ATTR.DEST, [g]),
        encodeAttrNested(IPVS_CMD_ATTR.DAEMON, [g]),
      ]);
      expect(() => all(withPayload(nested))).not.toThrow();
    }
    const empties = Buffer.concat([
      Buffer.from([1, 1, 0, 0]),
      encodeAttrNested(
        IPVS_CMD_ATTR.SERVICE,
        Object.values(S).map((t) => encodeAttr(t, Buffer.alloc(0))),
      ),
      encodeAttrNested(
        IPVS_CMD_ATTR.DEST,
        Object.values(D).map((t) => encodeAttr(t, Buffer.alloc(0))),
      ),
    ]);
    expect(decodeService(withPayload(empties))).toBeNull();
    expect(decodeDest(withPayload(empties), 'inet')).toBeNull();
  });
});

describe('serviceName', () => {
  it('is ipvsadm’s name of a service', () => {
    expect(serviceName(tcp80)).toBe('TCP 192.0.2.1:80');
    expect(serviceName(v6)).toBe('UDP [2001:db8::1]:8080');
    expect(serviceName(fwm5)).toBe('FWM 5');
  });
});
