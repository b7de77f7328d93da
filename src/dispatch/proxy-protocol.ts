/**
 * The PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and 2) that the embedded
 * dispatcher can send to a real server before the client's bytes, so the real server sees the
 * client's address that a userspace proxy otherwise hides (IPVS NAT keeps it in the packets).
 * Pure: addresses in, bytes out.
 *
 * source = the client, destination = the virtual address the client connected to (§2.1: "the
 * destination address ... the address the client connected to"). IPv4-mapped IPv6 addresses
 * (a dual-stack listener) are sent as IPv4. Addresses of different families, or unparsable ones,
 * give the spec's fallbacks: v1 `PROXY UNKNOWN`, v2 family UNSPEC with no address block.
 */
import { formatIp, parseIp } from '../lib/ip.js';

export interface ProxyEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface ProxyHeaderInput {
  readonly protocol: 'TCP' | 'UDP';
  readonly source: ProxyEndpoint;
  readonly destination: ProxyEndpoint;
}

/** The v2 signature, §2.2: "\r\n\r\n\0\r\nQUIT\n". */
export const PROXY_V2_SIGNATURE = Buffer.from([
  0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
]);

interface Pair {
  readonly family: 'inet' | 'inet6';
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
}

/** `::ffff:a.b.c.d` as the IPv4 address it carries. */
function unmapped(address: string): Uint8Array | undefined {
  const ip = parseIp(address);
  if (!ip) return undefined;
  if (ip.family === 'inet6' && ip.bytes.subarray(0, 10).every((b) => b === 0)) {
    if (ip.bytes[10] === 0xff && ip.bytes[11] === 0xff) return ip.bytes.slice(12);
  }
  return ip.bytes;
}

function addressPair(input: ProxyHeaderInput): Pair | undefined {
  const src = unmapped(input.source.address);
  const dst = unmapped(input.destination.address);
  if (!src || !dst || src.length !== dst.length) return undefined;
  return { family: src.length === 4 ? 'inet' : 'inet6', src, dst };
}

/**
 * Version 1 (§2.1): `PROXY TCP4 <src> <dst> <sport> <dport>\r\n`, at most 107 bytes. v1 knows TCP
 * only, so a UDP input, like mixed families, gives `PROXY UNKNOWN\r\n`.
 */
export function encodeProxyV1(input: ProxyHeaderInput): Buffer {
  const pair = input.protocol === 'TCP' ? addressPair(input) : undefined;
  if (!pair) return Buffer.from('PROXY UNKNOWN\r\n', 'latin1');
  const proto = pair.family === 'inet' ? 'TCP4' : 'TCP6';
  const line = `PROXY ${proto} ${formatIp(pair.src)} ${formatIp(pair.dst)} ${input.source.port} ${input.destination.port}\r\n`;
  return Buffer.from(line, 'latin1');
}

/**
 * Version 2 (§2.2): signature, version/command 0x21 (v2, PROXY), family/protocol (0x11 TCP4,
 * 0x12 UDP4, 0x21 TCP6, 0x22 UDP6), a 16-bit length, then source and destination addresses and
 * ports in network order. Unknown families give 0x00 (UNSPEC) with no address block, which the
 * receiver must accept and ignore.
 */
export function encodeProxyV2(input: ProxyHeaderInput): Buffer {
  const pair = addressPair(input);
  const addrLen = pair === undefined ? 0 : pair.family === 'inet' ? 12 : 36;
  const out = Buffer.alloc(16 + addrLen);
  PROXY_V2_SIGNATURE.copy(out, 0);
  out[12] = 0x21;
  if (pair === undefined) {
    out[13] = 0x00;
    out.writeUInt16BE(0, 14);
    return out;
  }
  const fam = pair.family === 'inet' ? 0x10 : 0x20;
  out[13] = fam | (input.protocol === 'TCP' ? 0x01 : 0x02);
  out.writeUInt16BE(addrLen, 14);
  const n = pair.src.length;
  out.set(pair.src, 16);
  out.set(pair.dst, 16 + n);
  out.writeUInt16BE(input.source.port, 16 + 2 * n);
  out.writeUInt16BE(input.destination.port, 18 + 2 * n);
  return out;
}
