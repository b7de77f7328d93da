/**
 * Ancillary data from recvmsg() (struct cmsghdr: 8-byte length, 4-byte level, 4-byte type, data
 * aligned to 8 bytes on 64-bit Linux). Pure: bytes in, the few values we use out.
 */
import { SOCK } from './native.js';

export interface ControlData {
  /** IP_PKTINFO / IPV6_PKTINFO: the destination address and the interface it came in on. */
  readonly dst?: Uint8Array;
  readonly ifindex?: number;
  /** IP_TTL / IPV6_HOPLIMIT. */
  readonly ttl?: number;
  /** SO_RXQ_OVFL: packets the kernel has dropped on this socket so far (receive buffer full). */
  readonly dropped?: number;
}

const align = (n: number): number => (n + 7) & ~7;
const HDR = 16;

export function parseControl(control: Uint8Array): ControlData {
  const out: { dst?: Uint8Array; ifindex?: number; ttl?: number; dropped?: number } = {};
  const view = new DataView(control.buffer, control.byteOffset, control.byteLength);
  for (let off = 0; off + HDR <= control.length;) {
    const len = Number(view.getBigUint64(off, true));
    if (len < HDR || off + len > control.length) break;
    const level = view.getInt32(off + 8, true);
    const type = view.getInt32(off + 12, true);
    const data = off + HDR;
    if (level === SOCK.IPPROTO_IP && type === SOCK.IP_PKTINFO && len >= HDR + 12) {
      // struct in_pktinfo: ifindex, local address (spec_dst), destination address.
      out.ifindex = view.getInt32(data, true);
      out.dst = control.slice(data + 8, data + 12);
    } else if (level === SOCK.IPPROTO_IP && type === SOCK.IP_TTL && len >= HDR + 4) {
      out.ttl = view.getInt32(data, true);
    } else if (level === SOCK.IPPROTO_IPV6 && type === SOCK.IPV6_PKTINFO && len >= HDR + 20) {
      // struct in6_pktinfo: address, ifindex.
      out.dst = control.slice(data, data + 16);
      out.ifindex = view.getUint32(data + 16, true);
    } else if (level === SOCK.IPPROTO_IPV6 && type === SOCK.IPV6_HOPLIMIT && len >= HDR + 4) {
      out.ttl = view.getInt32(data, true);
    } else if (level === SOCK.SOL_SOCKET && type === SOCK.SO_RXQ_OVFL && len >= HDR + 4) {
      out.dropped = view.getUint32(data, true);
    }
    off += align(len);
  }
  return out;
}
