// Runs inside a network namespace (ip netns exec) for test/netns/vrrp-hostile.test.ts: sends the
// VRRP payloads given on stdin, a JSON array of { hex, ttl }, from a raw IP socket (protocol
// 112) on eth0 to 224.0.0.18. The kernel builds the IPv4 header; `ttl` sets its TTL. Uses the
// BUILT native addon (dist/, so `npm run build` first). Prints the number sent.
import { readFileSync } from 'node:fs';
import { rawSock, SOCK } from '../../../dist/net/native.js';
import { ipMreqn, sockaddrIn } from '../../../dist/net/sockaddr.js';

const packets = JSON.parse(readFileSync(0, 'utf8'));
const s = rawSock();
const fd = s.socket(SOCK.AF_INET, SOCK.SOCK_RAW, SOCK.IPPROTO_VRRP);
const group = Uint8Array.of(224, 0, 0, 18);
s.setsockopt(fd, SOCK.SOL_SOCKET, SOCK.SO_BINDTODEVICE, Buffer.from('eth0\0'));
s.setsockopt(
  fd,
  SOCK.IPPROTO_IP,
  SOCK.IP_MULTICAST_IF,
  ipMreqn(new Uint8Array(4), 0, Uint8Array.of(192, 0, 2, 200)),
);
let sent = 0;
for (const p of packets) {
  s.setsockopt(fd, SOCK.IPPROTO_IP, SOCK.IP_MULTICAST_TTL, p.ttl);
  s.sendto(fd, Buffer.from(p.hex, 'hex'), sockaddrIn(group));
  sent++;
}
s.close(fd);
process.stdout.write(`${sent}\n`);
