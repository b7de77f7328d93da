// Runs inside a lab host (ip netns exec) for test/netns/blackhole.test.ts and bench/blackhole.ts:
// plays a router that wrongly takes over and whose GARP burst reaches the client after the master's
// answer. It sends a VRRPv2 advert for VRID 51 at priority 100 (lower than the master's), which the
// master answers at once with its advert and GARPs; 20 ms later it sends a gratuitous ARP for the
// VIP with this host's own MAC. A GARP overrides the client's entry whatever its age, so the client
// now points at a MAC that does not hold the VIP until the master announces again (keepalived:
// garp_lower_prio_delay, 5 s). Uses the BUILT addon (dist/). Usage: VIP.
import { readFileSync } from 'node:fs';
import { openAnnouncer } from '../../../dist/net/announcer.js';
import { rawSock, SOCK } from '../../../dist/net/native.js';
import { ipMreqn, sockaddrIn } from '../../../dist/net/sockaddr.js';
import { encodeAdvert } from '../../../dist/vrrp/packet.js';

const vip = process.argv[2] ?? '192.0.2.100';
const ifindex = Number(readFileSync('/sys/class/net/eth0/ifindex', 'utf8'));
const mac = Uint8Array.from(
  readFileSync('/sys/class/net/eth0/address', 'utf8')
    .trim()
    .split(':')
    .map((h) => parseInt(h, 16)),
);
const advert = encodeAdvert({
  version: 2,
  vrid: 51,
  priority: 100,
  family: 'inet',
  addresses: [Uint8Array.from(vip.split('.').map(Number))],
  advertIntervalMs: 1000,
  authType: 0,
});
const s = rawSock();
const fd = s.socket(SOCK.AF_INET, SOCK.SOCK_RAW, SOCK.IPPROTO_VRRP);
s.setsockopt(fd, SOCK.SOL_SOCKET, SOCK.SO_BINDTODEVICE, Buffer.from('eth0\0'));
s.setsockopt(
  fd,
  SOCK.IPPROTO_IP,
  SOCK.IP_MULTICAST_IF,
  ipMreqn(new Uint8Array(4), ifindex, new Uint8Array(4)),
);
s.setsockopt(fd, SOCK.IPPROTO_IP, SOCK.IP_MULTICAST_TTL, 255);
s.sendto(fd, advert, sockaddrIn(Uint8Array.of(224, 0, 0, 18)));
s.close(fd);

await new Promise((r) => setTimeout(r, 20));
const announcer = openAnnouncer({});
announcer.garp(ifindex, mac, vip);
announcer.close();
process.stdout.write('sent\n');
