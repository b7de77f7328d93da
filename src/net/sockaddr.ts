/**
 * struct sockaddr_* as bytes (Linux layouts, host byte order where the kernel wants it), built in
 * TypeScript so the addon stays generic. Pure.
 */
import { SOCK } from './native.js';

/** struct sockaddr_in: family, port (big-endian), address, 8 zero bytes. */
export function sockaddrIn(address: Uint8Array, port = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(SOCK.AF_INET, 0);
  b.writeUInt16BE(port, 2);
  b.set(address.subarray(0, 4), 4);
  return b;
}

/** struct sockaddr_in6: family, port, flowinfo, address, scope id (interface index). */
export function sockaddrIn6(address: Uint8Array, scopeId = 0, port = 0): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt16LE(SOCK.AF_INET6, 0);
  b.writeUInt16BE(port, 2);
  b.set(address.subarray(0, 16), 8);
  b.writeUInt32LE(scopeId, 24);
  return b;
}

/** struct sockaddr_ll for sending on an interface: protocol (big-endian), index, hardware address. */
export function sockaddrLl(ifindex: number, protocol: number, hwAddr: Uint8Array): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16LE(SOCK.AF_PACKET, 0);
  b.writeUInt16BE(protocol, 2);
  b.writeInt32LE(ifindex, 4);
  b.writeUInt16LE(1, 8); // ARPHRD_ETHER
  b.writeUInt8(0, 10); // packet type
  b.writeUInt8(hwAddr.length, 11);
  b.set(hwAddr.subarray(0, 8), 12);
  return b;
}

/** struct sockaddr_nl: family, pad, port id, multicast groups bitmask. */
export function sockaddrNl(pid = 0, groups = 0): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16LE(SOCK.AF_NETLINK, 0);
  b.writeUInt32LE(pid, 4);
  b.writeUInt32LE(groups >>> 0, 8);
  return b;
}

/** struct ip_mreqn: multicast group, local address, interface index. */
export function ipMreqn(group: Uint8Array, ifindex: number, local: Uint8Array = new Uint8Array(4)): Buffer {
  const b = Buffer.alloc(12);
  b.set(group.subarray(0, 4), 0);
  b.set(local.subarray(0, 4), 4);
  b.writeInt32LE(ifindex, 8);
  return b;
}

/** struct ipv6_mreq: multicast group, interface index. */
export function ipv6Mreq(group: Uint8Array, ifindex: number): Buffer {
  const b = Buffer.alloc(20);
  b.set(group.subarray(0, 16), 0);
  b.writeUInt32LE(ifindex, 16);
  return b;
}

/** The address bytes of a sockaddr_in / sockaddr_in6 (undefined for others). */
export function addressOf(sockaddr: Uint8Array): Uint8Array | undefined {
  const family = (sockaddr[0] as number) | ((sockaddr[1] as number) << 8);
  if (family === SOCK.AF_INET && sockaddr.length >= 8) return sockaddr.slice(4, 8);
  if (family === SOCK.AF_INET6 && sockaddr.length >= 24) return sockaddr.slice(8, 24);
  return undefined;
}
