/**
 * Gratuitous ARP (IPv4) and unsolicited neighbour advertisement (IPv6) frames, byte for byte as
 * keepalived 2.2.7 sends them on Ethernet (vrrp_arp.c, vrrp_ndisc.c). Pure: bytes in, a whole
 * Ethernet frame out (no padding: the kernel or the NIC pads short frames). Building is separate
 * from sending (announcer.ts), as in FRR's vrrp_arp.c.
 */
import { internetChecksum, pseudoHeaderSum } from '../lib/checksum.js';
import { IPPROTO_ICMPV6 } from '../lib/ip-proto.js';

export const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;

export const BROADCAST_MAC: Uint8Array = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
/** RFC 2464 §7: ff02::1 mapped to Ethernet, 33:33 + the low 32 bits of the group. */
export const ALL_NODES_MAC: Uint8Array = Uint8Array.of(0x33, 0x33, 0, 0, 0, 1);
/** ff02::1, the link-local all-nodes group. */
const ALL_NODES: Uint8Array = Uint8Array.of(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);

const ETH_HEADER = 14;
const ARP_BODY = 28;
const IPV6_HEADER = 40;
/** ICMPv6 type, code, checksum, flags + reserved (4), target (16): struct nd_neighbor_advert. */
const NA_BODY = 24;
/** Target link-layer address option: type, length in 8-byte units, 6-byte MAC. */
const NA_OPTION = 8;

export const GARP_FRAME_LENGTH = ETH_HEADER + ARP_BODY; // 42
const NA_PAYLOAD_LENGTH = NA_BODY + NA_OPTION; // 32
export const NA_FRAME_LENGTH = ETH_HEADER + IPV6_HEADER + NA_PAYLOAD_LENGTH; // 86

const ARPHRD_ETHER = 1;
const ARPOP_REQUEST = 1;
const ND_NEIGHBOR_ADVERT = 136;
const ND_OPT_TARGET_LINKADDR = 2;
/** RFC 4861 §4.4 flag bits in the first byte after the checksum. */
const ND_NA_FLAG_ROUTER = 0x80;
const ND_NA_FLAG_OVERRIDE = 0x20;
const NDISC_HOP_LIMIT = 255;

function expectLength(what: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) throw new RangeError(`${what} must be ${length} bytes, got ${bytes.length}`);
}

function ethernetHeader(frame: Uint8Array, dst: Uint8Array, src: Uint8Array, etherType: number): void {
  frame.set(dst, 0);
  frame.set(src, 6);
  frame[12] = etherType >> 8;
  frame[13] = etherType & 0xff;
}

/**
 * keepalived's gratuitous ARP for `address` (4 bytes) from `mac` (6 bytes): an ARP *request*
 * broadcast from `mac`, sender = (mac, address), target = (ff:ff:ff:ff:ff:ff, address). 42 bytes.
 */
export function garpFrame(mac: Uint8Array, address: Uint8Array): Uint8Array {
  expectLength('MAC address', mac, 6);
  expectLength('IPv4 address', address, 4);
  const frame = new Uint8Array(GARP_FRAME_LENGTH);
  ethernetHeader(frame, BROADCAST_MAC, mac, ETHERTYPE_ARP);
  const arp = ETH_HEADER;
  frame[arp + 0] = ARPHRD_ETHER >> 8;
  frame[arp + 1] = ARPHRD_ETHER & 0xff;
  frame[arp + 2] = ETHERTYPE_IPV4 >> 8;
  frame[arp + 3] = ETHERTYPE_IPV4 & 0xff;
  frame[arp + 4] = 6; // hardware address length
  frame[arp + 5] = 4; // protocol address length
  frame[arp + 6] = ARPOP_REQUEST >> 8;
  frame[arp + 7] = ARPOP_REQUEST & 0xff;
  frame.set(mac, arp + 8); // sender hardware address
  frame.set(address, arp + 14); // sender protocol address
  frame.set(BROADCAST_MAC, arp + 18); // target hardware address: keepalived puts broadcast, not zeros
  frame.set(address, arp + 24); // target protocol address
  return frame;
}

/**
 * keepalived's unsolicited neighbour advertisement (RFC 4861 §4.4, §7.2.6): Ethernet from `mac`
 * to 33:33:00:00:00:01; IPv6 from `source` to ff02::1, hop limit 255, traffic class and flow label
 * zero; ICMPv6 type 136 code 0 with Override set, Solicited clear and Router when `router`,
 * target `target`, and one target link-layer address option carrying `mac`. keepalived sends it
 * with source = target = the virtual address, and Router when IPv6 forwarding is on for the
 * interface (net.ipv6.conf.IF.forwarding). 86 bytes.
 */
export function unsolicitedNaFrame(
  mac: Uint8Array,
  source: Uint8Array,
  target: Uint8Array,
  router: boolean,
): Uint8Array {
  expectLength('MAC address', mac, 6);
  expectLength('IPv6 source address', source, 16);
  expectLength('IPv6 target address', target, 16);
  const frame = new Uint8Array(NA_FRAME_LENGTH);
  ethernetHeader(frame, ALL_NODES_MAC, mac, ETHERTYPE_IPV6);

  const ip = ETH_HEADER;
  frame[ip + 0] = 0x60; // version 6, traffic class 0, flow label 0
  frame[ip + 4] = NA_PAYLOAD_LENGTH >> 8;
  frame[ip + 5] = NA_PAYLOAD_LENGTH & 0xff;
  frame[ip + 6] = IPPROTO_ICMPV6; // next header
  frame[ip + 7] = NDISC_HOP_LIMIT;
  frame.set(source, ip + 8);
  frame.set(ALL_NODES, ip + 24);

  const icmp = ip + IPV6_HEADER;
  frame[icmp + 0] = ND_NEIGHBOR_ADVERT;
  frame[icmp + 1] = 0; // code
  // icmp + 2..3: checksum, filled in below
  frame[icmp + 4] = ND_NA_FLAG_OVERRIDE | (router ? ND_NA_FLAG_ROUTER : 0);
  frame.set(target, icmp + 8);
  const option = icmp + NA_BODY;
  frame[option + 0] = ND_OPT_TARGET_LINKADDR;
  frame[option + 1] = NA_OPTION / 8;
  frame.set(mac, option + 2);

  const message = frame.subarray(icmp);
  const sum = internetChecksum(message, pseudoHeaderSum(source, ALL_NODES, message.length, IPPROTO_ICMPV6));
  frame[icmp + 2] = sum >> 8;
  frame[icmp + 3] = sum & 0xff;
  return frame;
}
