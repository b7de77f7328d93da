/**
 * virtual_routes / virtual_rules lines (`ip route` / `ip rule` syntax) as keepalived-ts applies
 * them (src/config/route-syntax.ts), and their rtnetlink bytes (src/net/rtnl-routes.ts): the
 * struct rtmsg / fib_rule_hdr fields and attributes the kernel reads.
 */
import { describe, expect, it } from 'vitest';
import { parseRoute, parseRule, RTPROT_KEEPALIVED } from '../../../src/config/route-syntax.js';
import { parseAttrs, parseMessages } from '../../../src/net/netlink.js';
import { encodeRoute, encodeRule } from '../../../src/net/rtnl-routes.js';

const words = (line: string): string[] => line.split(/\s+/);

describe('parseRoute', () => {
  it('reads the common forms, with keepalived’s defaults (main table, its own protocol)', () => {
    expect(parseRoute(words('198.51.100.0/24 via 192.0.2.254 dev eth0 table 100 metric 5'))).toEqual({
      ok: true,
      value: {
        family: 'inet',
        type: 'unicast',
        dst: { address: '198.51.100.0', length: 24 },
        via: '192.0.2.254',
        src: null,
        dev: 'eth0',
        table: 100,
        metric: 5,
        protocol: RTPROT_KEEPALIVED,
        scope: null,
        tos: 0,
        onlink: false,
      },
    });
    const r = parseRoute(words('blackhole 2001:db8:1::/48 table main proto static scope link'));
    expect(r.ok && r.value).toMatchObject({
      family: 'inet6',
      type: 'blackhole',
      table: 254,
      protocol: 4,
      scope: 253,
    });
    const d = parseRoute(words('default via 192.0.2.1 src 192.0.2.100 no_track'));
    expect(d.ok && d.value).toMatchObject({ dst: null, via: '192.0.2.1', src: '192.0.2.100' });
    expect(
      parseRoute(words('192.0.2.7 dev eth0')).ok && parseRoute(words('192.0.2.7 dev eth0')),
    ).toMatchObject({
      value: { dst: { address: '192.0.2.7', length: 32 } },
    });
  });

  it.each([
    ['198.51.100.0/24 nexthop via 192.0.2.1', "'nexthop' is not supported in routes"],
    ['198.51.100.0/33', 'invalid destination 198.51.100.0/33'],
    ['198.51.100.0/24 table nosuch', 'unknown table nosuch'],
    ['via 192.0.2.1', 'no destination'],
    ['198.51.100.0/24 via 2001:db8::1', 'the gateway and the destination are of different families'],
  ])('%s: %s', (line, error) => {
    expect(parseRoute(words(line))).toEqual({ ok: false, error });
  });
});

describe('parseRule', () => {
  it('reads from/to/table/preference/fwmark/iif/oif/not and the actions', () => {
    const r = parseRule(
      words(
        'not from 192.0.2.100/32 to 198.51.100.0/24 table 100 preference 200 fwmark 0x10/0xff iif eth0 oif eth1',
      ),
    );
    expect(r.ok && r.value).toEqual({
      family: 'inet',
      from: { address: '192.0.2.100', length: 32 },
      to: { address: '198.51.100.0', length: 24 },
      action: 'table',
      table: 100,
      priority: 200,
      iif: 'eth0',
      oif: 'eth1',
      fwmark: 16,
      fwmask: 255,
      tos: 0,
      invert: true,
    });
    expect(parseRule(words('from all lookup main prio 10'))).toMatchObject({
      ok: true,
      value: { from: null, table: 254 },
    });
    expect(parseRule(words('to 2001:db8::/32 blackhole'))).toMatchObject({
      ok: true,
      value: { family: 'inet6', action: 'blackhole' },
    });
    expect(parseRule(words('from 192.0.2.1 goto 10'))).toEqual({
      ok: false,
      error: "'goto' is not supported in rules",
    });
  });
});

describe('rtnetlink bytes', () => {
  it('RTM_NEWROUTE: rtmsg and attributes; a table above 255 goes in RTA_TABLE', () => {
    const p = parseRoute(words('198.51.100.0/24 via 192.0.2.254 table 1000 metric 5'));
    if (!p.ok) throw new Error(p.error);
    const m = parseMessages(encodeRoute('add', { ...p.value, oif: 3 }, 9)).messages[0];
    expect(m?.type).toBe(24);
    expect(m?.flags).toBe(0x1 | 0x4 | 0x400); // REQUEST | ACK | CREATE
    const hdr = m?.payload.subarray(0, 12);
    // family 2, dst_len 24, src_len 0, tos 0, table 0 (UNSPEC), protocol 18, scope 0, type 1 (unicast)
    expect([...(hdr ?? [])].slice(0, 8)).toEqual([2, 24, 0, 0, 0, 18, 0, 1]);
    const attrs = parseAttrs(m?.payload.subarray(12) ?? Buffer.alloc(0)).attrs;
    const get = (t: number) => attrs.find((a) => a.type === t)?.data;
    expect(get(15)?.readUInt32LE(0)).toBe(1000); // RTA_TABLE
    expect([...(get(1) ?? [])]).toEqual([198, 51, 100, 0]); // RTA_DST
    expect([...(get(5) ?? [])]).toEqual([192, 0, 2, 254]); // RTA_GATEWAY
    expect(get(4)?.readUInt32LE(0)).toBe(3); // RTA_OIF
    expect(get(6)?.readUInt32LE(0)).toBe(5); // RTA_PRIORITY
    const del = parseMessages(encodeRoute('del', { ...p.value, oif: null }, 10)).messages[0];
    expect(del?.type).toBe(25);
    expect(del?.payload[6]).toBe(255); // scope nowhere on delete, as keepalived
  });

  it('RTM_NEWRULE: fib_rule_hdr with FR_ACT_TO_TBL and the table, the selectors as attributes', () => {
    const p = parseRule(words('from 192.0.2.100 table 100 preference 200 iif eth0'));
    if (!p.ok) throw new Error(p.error);
    const m = parseMessages(encodeRule('add', p.value, 1)).messages[0];
    expect(m?.type).toBe(32);
    // family 2, dst_len 0, src_len 32, tos 0, table 100, res1, res2, action 1 (to table)
    expect([...(m?.payload.subarray(0, 8) ?? [])]).toEqual([2, 0, 32, 0, 100, 0, 0, 1]);
    const attrs = parseAttrs(m?.payload.subarray(12) ?? Buffer.alloc(0)).attrs;
    expect([...(attrs.find((a) => a.type === 2)?.data ?? [])]).toEqual([192, 0, 2, 100]); // FRA_SRC
    expect(attrs.find((a) => a.type === 6)?.data.readUInt32LE(0)).toBe(200); // FRA_PRIORITY
    expect(attrs.find((a) => a.type === 3)?.data.toString()).toBe('eth0\0'); // FRA_IIFNAME
  });
});
