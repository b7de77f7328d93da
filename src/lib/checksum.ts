/**
 * The Internet checksum (RFC 1071) and the pseudo-headers VRRPv3 and ICMPv6 add to it (RFC 5798 §5.2.8):
 * VRRPv2 sums the VRRP message only (RFC 3768 §5.3.8); VRRPv3 also sums an IPv4 (RFC 768 style:
 * src, dst, zero, protocol 112, length) or IPv6 (RFC 8200 §8.1: src, dst, 32-bit length, three
 * zero bytes, next header 112) pseudo-header. ICMPv6 (RFC 4443 §2.3) uses the same IPv6
 * pseudo-header with next header 58.
 */

/** One's-complement sum of 16-bit big-endian words (an odd last byte is padded with zero). */
function sum16(data: Uint8Array, start = 0, end = data.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += ((data[i] as number) << 8) | (data[i + 1] as number);
  if (i < end) sum += (data[i] as number) << 8;
  return sum;
}

function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/**
 * Sum of the pseudo-header for a message of `length` bytes between `src` and `dst`; `protocol`
 * is the IPv4 protocol / IPv6 next header (lib/ip-proto.ts: 112 for VRRP, 58 for ICMPv6).
 */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, length: number, protocol: number): number {
  let sum = sum16(src) + sum16(dst);
  if (src.length === 4)
    sum += protocol + length; // zero byte + protocol, then the length
  else sum += Math.floor(length / 0x10000) + (length & 0xffff) + protocol; // 32-bit length, 3 zero bytes, next header
  return sum;
}

/**
 * The checksum to put in the message (its checksum field being zero while summing), or, over a
 * message that carries its checksum, 0 when it is correct.
 */
export function internetChecksum(message: Uint8Array, pseudo = 0): number {
  return ~fold(sum16(message, 0, message.length, pseudo)) & 0xffff;
}
