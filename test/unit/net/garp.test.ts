/**
 * The gratuitous ARP builder against every ARP frame keepalived 2.2.7 (and FRR 8.4.4) sent in the
 * captures in test/fixtures/vectors: each is rebuilt byte for byte from its source MAC and address.
 * The unsolicited NA, of which there is no capture, is checked field by field and by its checksum
 * (and by tcpdump's independent decoding in test/adapters/garp-tcpdump.test.ts).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseIpv4, parseIpv6 } from '../../../src/lib/ip.js';
import { GARP_FRAME_LENGTH, NA_FRAME_LENGTH, garpFrame, unsolicitedNaFrame } from '../../../src/net/garp.js';
import { internetChecksum, pseudoHeaderSum } from '../../../src/lib/checksum.js';
import { IPPROTO_VRRP } from '../../../src/lib/ip-proto.js';
import { readPcap } from '../../helpers/pcap.js';

const DIR = fileURLToPath(new URL('../../fixtures/vectors', import.meta.url));

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const v4 = (text: string): Uint8Array => parseIpv4(text) as Uint8Array;
const v6 = (text: string): Uint8Array => parseIpv6(text) as Uint8Array;

/** The captures with gratuitous ARPs, and how many each holds (vectors README). */
const GARP_CAPTURES: readonly [string, number][] = [
  ['vrrp2-takeover-garp.pcap', 10],
  ['vrrp3-takeover-garp-100ms.pcap', 5],
  ['vrrp2-preempt.pcap', 5],
  ['vrrp2-prio0-handover.pcap', 5],
  ['vrrp3-frr-keepalived-interop.pcap', 6],
];

const arpFrames = (file: string): Uint8Array[] =>
  readPcap(`${DIR}/${file}`)
    .map((f) => f.bytes)
    .filter((b) => b[12] === 0x08 && b[13] === 0x06);

describe('garpFrame reproduces the captured gratuitous ARPs', () => {
  it.each(GARP_CAPTURES)('%s: all %i ARP frames, byte for byte', (file, count) => {
    const frames = arpFrames(file);
    expect(frames).toHaveLength(count);
    for (const frame of frames) {
      const mac = frame.subarray(6, 12);
      const vip = frame.subarray(28, 32);
      expect(hex(vip)).toBe(hex(v4('192.0.2.100')));
      expect(hex(garpFrame(mac, vip))).toBe(hex(frame));
    }
  });

  it("covers keepalived's physical MACs and FRR's virtual MAC", () => {
    const macs = new Set(GARP_CAPTURES.flatMap(([f]) => arpFrames(f).map((b) => hex(b.subarray(6, 12)))));
    expect([...macs].sort()).toEqual(['00005e000133', '026b6c000001', '026b6c000002']);
  });

  it('has the documented shape', () => {
    const mac = Uint8Array.of(0x02, 0x6b, 0x6c, 0, 0, 0x09);
    const f = garpFrame(mac, v4('192.0.2.7'));
    expect(f).toHaveLength(GARP_FRAME_LENGTH);
    expect(hex(f)).toBe(
      'ffffffffffff' +
        '026b6c000009' +
        '0806' + // Ethernet: broadcast, from mac, ARP
        '0001' +
        '0800' +
        '06' +
        '04' +
        '0001' + // Ethernet/IPv4, request
        '026b6c000009' +
        'c0000207' + // sender
        'ffffffffffff' +
        'c0000207', // target: broadcast MAC, the same address
    );
  });

  it('refuses addresses of the wrong size', () => {
    expect(() => garpFrame(new Uint8Array(5), v4('192.0.2.7'))).toThrow(RangeError);
    expect(() => garpFrame(new Uint8Array(6), v6('2001:db8::1'))).toThrow(RangeError);
  });
});

describe('unsolicitedNaFrame', () => {
  const mac = Uint8Array.of(0x02, 0x6b, 0x6c, 0, 0, 0x02);
  const vip = v6('2001:db8::100');

  it.each([
    [true, 0xa0],
    [false, 0x20],
  ])('router %s: headers, flags 0x%s and the target link-layer option', (router, flags) => {
    const f = unsolicitedNaFrame(mac, vip, vip, router);
    expect(f).toHaveLength(NA_FRAME_LENGTH);
    // Ethernet: to 33:33:00:00:00:01 (ff02::1, RFC 2464 §7), from mac, IPv6.
    expect(hex(f.subarray(0, 14))).toBe('333300000001' + '026b6c000002' + '86dd');
    // IPv6: version 6, class/flow 0, payload 32, next header 58, hop limit 255, VIP -> ff02::1.
    expect(hex(f.subarray(14, 22))).toBe('60000000' + '0020' + '3a' + 'ff');
    expect(hex(f.subarray(22, 38))).toBe(hex(vip));
    expect(hex(f.subarray(38, 54))).toBe(hex(v6('ff02::1')));
    // ICMPv6: type 136 code 0, checksum, flags R|O (never S), 3 reserved bytes, target.
    expect(f[54]).toBe(136);
    expect(f[55]).toBe(0);
    expect(f[58]).toBe(flags);
    expect(hex(f.subarray(59, 62))).toBe('000000');
    expect(hex(f.subarray(62, 78))).toBe(hex(vip));
    // Option 2 (target link-layer address), length 1 (8 bytes), the MAC.
    expect(hex(f.subarray(78, 86))).toBe('0201' + '026b6c000002');
  });

  it('carries a checksum that verifies over the IPv6 pseudo-header (next header 58)', () => {
    for (const router of [true, false]) {
      const f = unsolicitedNaFrame(mac, vip, vip, router);
      const icmp = f.subarray(54);
      expect(
        internetChecksum(icmp, pseudoHeaderSum(f.subarray(22, 38), f.subarray(38, 54), icmp.length, 58)),
      ).toBe(0);
      // And not with the VRRP default, so the protocol really is in the sum.
      expect(
        internetChecksum(
          icmp,
          pseudoHeaderSum(f.subarray(22, 38), f.subarray(38, 54), icmp.length, IPPROTO_VRRP),
        ),
      ).not.toBe(0);
    }
  });

  it('checksums a hand-computed example', () => {
    // fe80::1 -> ff02::1, target fe80::1, from 02:00:00:00:00:01, flags R|O, summed by hand:
    // pseudo-header  fe80 + 0001 + ff02 + 0001 + 0020 (length) + 003a (next header) = 0x1fdde
    // message        8800 + a000 + fe80 + 0001 + 0201 + 0200 + 0000 + 0001          = 0x22a83
    // 0x1fdde + 0x22a83 = 0x42861, folded 0x2865, complemented 0xd79a.
    const src = v6('fe80::1');
    const f = unsolicitedNaFrame(Uint8Array.of(2, 0, 0, 0, 0, 1), src, src, true);
    expect(hex(f.subarray(56, 58))).toBe('d79a');
  });

  it('refuses addresses of the wrong size', () => {
    expect(() => unsolicitedNaFrame(mac, v4('192.0.2.1'), vip, false)).toThrow(RangeError);
    expect(() => unsolicitedNaFrame(mac, vip, v4('192.0.2.1'), false)).toThrow(RangeError);
    expect(() => unsolicitedNaFrame(new Uint8Array(8), vip, vip, false)).toThrow(RangeError);
  });
});
