/**
 * Classic libpcap files (magic d4 c3 b2 a1, little-endian, link type 1 Ethernet), as in
 * test/fixtures/vectors: just enough to pull out IPv4/IPv6 packets carrying VRRP and ARP frames.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface Frame {
  readonly timeUs: number;
  readonly bytes: Uint8Array;
}

export function readPcap(path: string): Frame[] {
  const buf = readFileSync(path);
  if (buf.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${path}: not a little-endian classic pcap`);
  if (buf.readUInt32LE(20) !== 1) throw new Error(`${path}: link type is not Ethernet`);
  const frames: Frame[] = [];
  for (let off = 24; off + 16 <= buf.length;) {
    const sec = buf.readUInt32LE(off);
    const usec = buf.readUInt32LE(off + 4);
    const caplen = buf.readUInt32LE(off + 8);
    frames.push({
      timeUs: sec * 1e6 + usec,
      bytes: Uint8Array.from(buf.subarray(off + 16, off + 16 + caplen)),
    });
    off += 16 + caplen;
  }
  return frames;
}

export interface IpPacket {
  readonly family: 'inet' | 'inet6';
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly ttl: number;
  readonly protocol: number;
  /** The IP payload, cut to the IP length (Ethernet padding dropped). */
  readonly payload: Uint8Array;
}

/** The IP packet in an Ethernet frame, or undefined for other ethertypes (e.g. ARP). */
export function ipOf(frame: Uint8Array): IpPacket | undefined {
  const etherType = ((frame[12] as number) << 8) | (frame[13] as number);
  const ip = frame.subarray(14);
  if (etherType === 0x0800) {
    const ihl = ((ip[0] as number) & 0x0f) * 4;
    const total = ((ip[2] as number) << 8) | (ip[3] as number);
    return {
      family: 'inet',
      src: ip.subarray(12, 16),
      dst: ip.subarray(16, 20),
      ttl: ip[8] as number,
      protocol: ip[9] as number,
      payload: ip.subarray(ihl, total),
    };
  }
  if (etherType === 0x86dd) {
    const length = ((ip[4] as number) << 8) | (ip[5] as number);
    return {
      family: 'inet6',
      src: ip.subarray(8, 24),
      dst: ip.subarray(24, 40),
      ttl: ip[7] as number,
      protocol: ip[6] as number,
      payload: ip.subarray(40, 40 + length),
    };
  }
  return undefined;
}

/** Write frames as a classic little-endian microsecond pcap with link type 1 (for tcpdump -r). */
export function writePcap(path: string, frames: readonly Uint8Array[]): void {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4); // version 2.4
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16); // snaplen
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const records = frames.map((bytes, i) => {
    const r = Buffer.alloc(16 + bytes.length);
    r.writeUInt32LE(i, 0);
    r.writeUInt32LE(bytes.length, 8);
    r.writeUInt32LE(bytes.length, 12);
    r.set(bytes, 16);
    return r;
  });
  writeFileSync(path, Buffer.concat([header, ...records]));
}
